/**
 * The OCR API's client: recognizeText (one image or page, answered at once), recognizeTextAsync
 * (documents of up to 200 pages; an Operation), the operation service and getRecognition (the pages
 * of a finished operation). Validation before sending, the shared call loop (quota, credentials,
 * retries, redaction), answers read as a stream of pages. The folder goes in the `x-folder-id`
 * header, with a user account's token only. Each method has its own quota: 1, 10, 50 and 50
 * requests per second by default.
 */
import { Agent } from 'undici';
import type { Page } from '../../results/types';
import type { FolderIdRule } from '../auth/authorization';
import { callWithRetries, checkEndpoint, redactStrings, withIds, type Attempt, type CallMeta, type ClientOptions } from '../transport/callWithRetries';
import { phrase } from '../../shared/phrase';
import { invalidArgument, rpcCodeMeaning, RpcCode, VisionError } from '../transport/errors';
import { exchange, exchangeStream, RPC_TO_HTTP, type AnswerHead, type ExchangeOptions } from '../transport/http';
import { RateLimiter } from '../transport/rateLimiter';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retryPolicy';
import { readStreamMessage, sentSize, type SentSize } from './normalize';
import { JsonObjectStream } from './stream';
import type { RecognizeTextRequest, RecognizeTextResult } from './types';
import { prepareRecognizeText } from './limits';
import { DEFAULT_ASYNC_REQUESTS_PER_SECOND, DEFAULT_GET_RECOGNITION_REQUESTS_PER_SECOND, DEFAULT_OPERATION_REQUESTS_PER_SECOND, readOperation, type Operation } from './operation';

export const DEFAULT_OCR_ENDPOINT = 'https://ocr.api.cloud.yandex.net/ocr/v1/recognizeText';
/** The operation service's base: an operation is `{base}/{id}`. */
export const DEFAULT_OPERATION_ENDPOINT = 'https://operation.api.cloud.yandex.net/operations';

/** The service's quota for the synchronous call. */
export const DEFAULT_OCR_REQUESTS_PER_SECOND = 1;

/**
 * `endpoint` is recognizeText's URL; recognizeTextAsync and getRecognition are its siblings.
 * `folderId` goes in the `x-folder-id` header; `requestsPerSecond` defaults to 1, the service's
 * quota for recognizeText; the other methods have their own quotas.
 */
export interface OcrClientOptions extends ClientOptions {
	/** The operation service's base URL; an operation is read at `{operationEndpoint}/{id}`. */
	operationEndpoint?: string;
	/** recognizeTextAsync's quota, default 10. */
	asyncRequestsPerSecond?: number;
	/** Status requests across all operations, default 50. */
	operationRequestsPerSecond?: number;
	/** getRecognition's quota, default 50. */
	getRecognitionRequestsPerSecond?: number;
}

export interface RecognizeTextOptions {
	signal?: AbortSignal;
	/** Each page as soon as it has been read, before the answer is complete. */
	onPage?: (page: Page, index: number) => void;
}

export interface GetRecognitionOptions extends RecognizeTextOptions {
	/** The size of the image as it was submitted, so that pages the service turned are turned back. */
	sent?: SentSize;
}

export interface SubmittedOperation {
	operation: Operation;
	meta: CallMeta;
	/** A PDF's pages, when they could be counted before sending. */
	pages?: number;
}

export interface OcrClient {
	recognizeText(request: RecognizeTextRequest, options?: RecognizeTextOptions): Promise<RecognizeTextResult>;
	/**
	 * Starts a recognition of an image or a PDF of up to 200 pages. Sent again only after a
	 * failure that provably started nothing (429, 500, 503): a broken connection may have started a
	 * billed job, so it is reported instead, with the request's ids.
	 */
	recognizeTextAsync(request: RecognizeTextRequest, options?: { signal?: AbortSignal }): Promise<SubmittedOperation>;
	getOperation(operationId: string, options?: { signal?: AbortSignal }): Promise<Operation>;
	/** The pages of a finished operation; a stream cut short is read again, each page given to `onPage` once. */
	getRecognition(operationId: string, options?: GetRecognitionOptions): Promise<RecognizeTextResult>;
	close(): Promise<void>;
}

/** Failures after which nothing was started: the service answered, and said no. */
const STARTED_NOTHING: ReadonlySet<number> = new Set([429, 500, 503]);

export function createOcrClient(options: OcrClientOptions): OcrClient {
	const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_OCR_ENDPOINT, 'OCR endpoint');
	const asyncEndpoint = sibling(endpoint, 'recognizeTextAsync');
	const recognitionEndpoint = sibling(endpoint, 'getRecognition');
	const operationEndpoint = checkEndpoint(options.operationEndpoint ?? DEFAULT_OPERATION_ENDPOINT, 'operation endpoint').replace(/\/+$/, '');
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	if (!(policy.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
	const ownAgent = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 16 });
	const dispatcher = options.dispatcher ?? ownAgent!;
	const limiters = {
		recognizeText: new RateLimiter({ requestsPerSecond: options.requestsPerSecond ?? DEFAULT_OCR_REQUESTS_PER_SECOND }),
		recognizeTextAsync: new RateLimiter({ requestsPerSecond: options.asyncRequestsPerSecond ?? DEFAULT_ASYNC_REQUESTS_PER_SECOND }),
		getOperation: new RateLimiter({ requestsPerSecond: options.operationRequestsPerSecond ?? DEFAULT_OPERATION_REQUESTS_PER_SECOND }),
		getRecognition: new RateLimiter({ requestsPerSecond: options.getRecognitionRequestsPerSecond ?? DEFAULT_GET_RECOGNITION_REQUESTS_PER_SECOND }),
	};
	const timeoutMs = options.timeoutMs ?? 60_000;
	const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;

	const settings = (method: keyof typeof limiters, signal: AbortSignal | undefined, specs: number) => ({
		method,
		limiter: limiters[method],
		policy,
		credentials: options.credentials,
		random: options.random ?? Math.random,
		emit: options.onEvent ?? (() => undefined),
		specs,
		signal,
	});

	/** One attempt's exchange with `url`: a POST of `body`, or a GET. */
	const exchangeOf = (attempt: Attempt, url: string, signal: AbortSignal | undefined, body?: string): ExchangeOptions => ({
		url,
		...body === undefined ? { method: 'GET' as const } : { body },
		dispatcher,
		headers: headersFor(attempt, body !== undefined),
		userAgent: options.userAgent,
		timeoutMs,
		maxResponseBytes,
		signal,
		clientRequestId: attempt.clientRequestId,
		redact: attempt.hide,
	});

	const headersFor = (attempt: Attempt, withBody: boolean): Record<string, string> => {
		const headers: Record<string, string> = {
			'authorization': attempt.authorization,
			'x-client-request-id': attempt.clientRequestId,
		};
		if (withBody) headers['content-type'] = 'application/json';
		const folder = folderHeader(attempt.folderRule, options.folderId);
		if (folder) headers['x-folder-id'] = folder;
		if (options.dataLogging) headers['x-data-logging-enabled'] = 'true';
		return headers;
	};

	/** The pages of an answer stream, each given to `onPage` as it arrives. */
	const readPages = async (stream: AsyncIterable<Buffer>, head: AnswerHead, attempt: Attempt, sent: SentSize | undefined, onPage: ((page: number, annotation: Page) => void) | undefined) => {
		const pages: { page: number; annotation: Page }[] = [];
		const objects = new JsonObjectStream({ maxBytes: maxResponseBytes });
		let failed: VisionError | undefined;
		const take = (items: unknown[]): void => {
			for (const item of items) {
				if (failed) return;
				const read = readStreamMessage(item, sent);
				if (read.kind === 'error') {
					failed = streamError(read.status, attempt.hide);
					return;
				}
				pages.push(read);
				onPage?.(read.page, read.annotation);
			}
		};
		try {
			for await (const chunk of stream) {
				take(objects.push(chunk));
				// Nothing after an error is a page of this answer.
				if (failed) break;
			}
			if (!failed) take(objects.end());
		} catch (err) {
			throw withIds(err, head.requestId, attempt.clientRequestId, 200);
		}
		if (failed && pages.length === 0) throw failed.with({ requestId: head.requestId, clientRequestId: attempt.clientRequestId });
		if (!failed && pages.length === 0) {
			throw new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, httpStatus: 200, requestId: head.requestId, clientRequestId: attempt.clientRequestId, message: phrase('The service answered with no page and no error.') });
		}
		pages.sort((a, b) => a.page - b.page);
		return {
			requestId: head.requestId,
			pages: pages.map(p => p.annotation),
			error: failed?.with({ requestId: head.requestId, clientRequestId: attempt.clientRequestId }),
		};
	};

	const resultOf = (value: { pages: Page[]; error: VisionError | undefined }, meta: CallMeta): RecognizeTextResult => {
		const result: RecognizeTextResult = { annotation: { pages: value.pages, engine: 'ocr-api' }, meta };
		if (value.error) result.error = value.error;
		return result;
	};

	async function recognizeText(request: RecognizeTextRequest, callOptions: RecognizeTextOptions = {}): Promise<RecognizeTextResult> {
		const { signal, onPage } = callOptions;
		// Throws before anything is sent.
		const prepared = prepareRecognizeText(request);
		let body: string | undefined;
		const sent = sentSize(prepared.image);
		let delivered = 0;
		const { value, meta } = await callWithRetries(settings('recognizeText', signal, 1), attempt => {
			// The base64 of a 10 MB file is made once, whatever the attempts.
			body ??= JSON.stringify({ ...prepared.wire, content: prepared.encode() });
			return exchangeStream(exchangeOf(attempt, endpoint, signal, body), (stream, head) => readPages(stream, head, attempt, sent, (_page, annotation) => onPage?.(annotation, delivered++)));
		});
		return resultOf(value, meta);
	}

	async function recognizeTextAsync(request: RecognizeTextRequest, callOptions: { signal?: AbortSignal } = {}): Promise<SubmittedOperation> {
		const { signal } = callOptions;
		const prepared = prepareRecognizeText(request, 'async');
		let body: string | undefined;
		const { value, meta } = await callWithRetries({
			...settings('recognizeTextAsync', signal, 1),
			retryIf: startedNothing,
		}, async attempt => {
			body ??= JSON.stringify({ ...prepared.wire, content: prepared.encode() });
			try {
				const answer = await exchange(exchangeOf(attempt, asyncEndpoint, signal, body));
				return { requestId: answer.requestId, operation: readAnswer(answer.body, answer.requestId, attempt.clientRequestId, readOperation) };
			} catch (err) {
				throw err instanceof VisionError && !signal?.aborted && mayHaveStarted(err) ? err.with({ message: phrase('{0} The document may have been accepted before the connection failed, so it was not sent again (it would be billed twice); run it again to send it anew.', err.wording) }) : err;
			}
		});
		return { operation: value.operation, meta, ...prepared.pages !== undefined ? { pages: prepared.pages } : {} };
	}

	async function getOperation(operationId: string, callOptions: { signal?: AbortSignal } = {}): Promise<Operation> {
		const { signal } = callOptions;
		const { value } = await callWithRetries(settings('getOperation', signal, 0), async attempt => {
			const answer = await exchange(exchangeOf(attempt, `${operationEndpoint}/${encodeURIComponent(operationId)}`, signal));
			return { requestId: answer.requestId, operation: readAnswer(answer.body, answer.requestId, attempt.clientRequestId, readOperation) };
		});
		return value.operation;
	}

	async function getRecognition(operationId: string, callOptions: GetRecognitionOptions = {}): Promise<RecognizeTextResult> {
		const { signal, onPage, sent } = callOptions;
		// Pages already given to onPage by an attempt whose stream was then cut.
		const delivered = new Set<number>();
		let order = 0;
		const url = `${recognitionEndpoint}?operationId=${encodeURIComponent(operationId)}`;
		const { value, meta } = await callWithRetries(settings('getRecognition', signal, 0), attempt => exchangeStream(exchangeOf(attempt, url, signal), (stream, head) => readPages(stream, head, attempt, sent, (page, annotation) => {
			if (delivered.has(page)) return;
			delivered.add(page);
			onPage?.(annotation, order++);
		})));
		return resultOf(value, meta);
	}

	return {
		recognizeText,
		recognizeTextAsync,
		getOperation,
		getRecognition,
		close: async () => {
			await ownAgent?.close();
		},
	};
}


/** Another method beside recognizeText: `…/ocr/v1/recognizeText` → `…/ocr/v1/recognizeTextAsync`. */
function sibling(endpoint: string, method: string): string {
	const url = new URL(endpoint);
	url.pathname = url.pathname.replace(/[^/]*$/, method);
	return url.toString();
}

/** Whether a failed submission may still have started a job: the answer, if any, did not say no. */
function mayHaveStarted(error: VisionError): boolean {
	if (error.kind === 'network' || error.kind === 'timeout') return true;
	const refused = error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500;
	return error.kind !== 'validation' && error.kind !== 'credentials' && !refused && !startedNothing(error);
}

/** The service answered, and said no: nothing was started, so sending again cannot bill twice. */
function startedNothing(error: VisionError): boolean {
	return error.kind === 'service' && error.httpStatus !== undefined && STARTED_NOTHING.has(error.httpStatus);
}

/** A 200 body read by `read`; a shape it cannot read is a protocol error with the answer's ids. */
function readAnswer<T>(body: unknown, requestId: string | undefined, clientRequestId: string, read: (value: unknown) => T): T {
	try {
		return read(body);
	} catch (err) {
		throw withIds(err, requestId, clientRequestId, 200);
	}
}

/** The folder header for these credentials; a user account's token without a folder is refused before sending. */
function folderHeader(rule: FolderIdRule, folderId: string | undefined): string | undefined {
	switch (rule) {
		case 'omit':
			return undefined;
		case 'required':
			if (!folderId) throw invalidArgument('x-folder-id', 'is required with a user account\'s IAM token: give the ID of the folder to bill, like b1g… (API keys and service accounts need none)');
			return folderId;
		case 'optional':
			return folderId || undefined;
	}
}

/**
 * An error the service put into the stream: judged like the HTTP status its code maps to, so an
 * INTERNAL or UNAVAILABLE before any page is retried like a 500 or 503.
 */
function streamError(status: { code: number; message: string; details: unknown[] }, hide: (text: string) => string): VisionError {
	return new VisionError({
		kind: 'service',
		code: status.code,
		httpStatus: RPC_TO_HTTP[status.code] ?? 500,
		message: status.message ? hide(status.message) : phrase('The service reported an error in its answer: {0}.', rpcCodeMeaning(status.code)),
		details: status.details.map(detail => redactStrings(detail, hide)),
	});
}
