/**
 * The OCR API's recognizeText client: validation before sending, the shared call loop (quota,
 * credentials, retries, redaction), and the answer read as a stream of pages. The folder goes in
 * the `x-folder-id` header, with a user account's token only. The synchronous call has its own
 * quota, 1 request per second by default.
 */
import { Agent } from 'undici';
import type { Page } from '../../results/types';
import type { FolderIdRule } from '../auth/authorization';
import { callWithRetries, checkEndpoint, redactStrings, withIds, type ClientOptions } from '../transport/callWithRetries';
import { invalidArgument, RpcCode, VisionError } from '../transport/errors';
import { exchangeStream, RPC_TO_HTTP } from '../transport/http';
import { RateLimiter } from '../transport/rateLimiter';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retryPolicy';
import { readStreamMessage, type SentSize } from './normalize';
import { JsonObjectStream } from './stream';
import type { RecognizeTextRequest, RecognizeTextResult } from './types';
import { prepareRecognizeText } from './limits';

export const DEFAULT_OCR_ENDPOINT = 'https://ocr.api.cloud.yandex.net/ocr/v1/recognizeText';

/** The service's quota for the synchronous call. */
export const DEFAULT_OCR_REQUESTS_PER_SECOND = 1;

/** `folderId` goes in the `x-folder-id` header; `requestsPerSecond` defaults to 1, the service's quota for recognizeText. */
export type OcrClientOptions = ClientOptions;

export interface RecognizeTextOptions {
	signal?: AbortSignal;
	/** Each page as soon as it has been read, before the answer is complete. */
	onPage?: (page: Page, index: number) => void;
}

export interface OcrClient {
	recognizeText(request: RecognizeTextRequest, options?: RecognizeTextOptions): Promise<RecognizeTextResult>;
	close(): Promise<void>;
}

export function createOcrClient(options: OcrClientOptions): OcrClient {
	const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_OCR_ENDPOINT, 'OCR endpoint');
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	if (!(policy.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
	const ownAgent = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 4 });
	const dispatcher = options.dispatcher ?? ownAgent!;
	const limiter = new RateLimiter({ requestsPerSecond: options.requestsPerSecond ?? DEFAULT_OCR_REQUESTS_PER_SECOND });
	const timeoutMs = options.timeoutMs ?? 60_000;
	const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;

	async function recognizeText(request: RecognizeTextRequest, callOptions: RecognizeTextOptions = {}): Promise<RecognizeTextResult> {
		const { signal, onPage } = callOptions;
		// Throws before anything is sent.
		const prepared = prepareRecognizeText(request);
		let body: string | undefined;
		const sent: SentSize | undefined = prepared.image.width !== undefined && prepared.image.height !== undefined
			? { width: prepared.image.width, height: prepared.image.height }
			: undefined;

		const { value, meta } = await callWithRetries({
			method: 'recognizeText',
			limiter,
			policy,
			credentials: options.credentials,
			random: options.random ?? Math.random,
			emit: options.onEvent ?? (() => undefined),
			specs: 1,
			signal,
		}, async attempt => {
			const headers: Record<string, string> = {
				'content-type': 'application/json',
				'authorization': attempt.authorization,
				'x-client-request-id': attempt.clientRequestId,
			};
			const folder = folderHeader(attempt.folderRule, options.folderId);
			if (folder) headers['x-folder-id'] = folder;
			if (options.dataLogging) headers['x-data-logging-enabled'] = 'true';
			// The base64 of a 10 MB file is made once, whatever the attempts.
			body ??= JSON.stringify({ ...prepared.wire, content: prepared.encode() });
			return exchangeStream({
				url: endpoint,
				dispatcher,
				headers,
				body,
				timeoutMs,
				maxResponseBytes,
				signal,
				clientRequestId: attempt.clientRequestId,
				redact: attempt.hide,
			}, async (stream, head) => {
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
						onPage?.(read.annotation, pages.length - 1);
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
					throw new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, httpStatus: 200, requestId: head.requestId, clientRequestId: attempt.clientRequestId, message: 'The service answered with no page and no error.' });
				}
				pages.sort((a, b) => a.page - b.page);
				return {
					requestId: head.requestId,
					pages: pages.map(p => p.annotation),
					error: failed?.with({ requestId: head.requestId, clientRequestId: attempt.clientRequestId }),
				};
			});
		});
		const result: RecognizeTextResult = { annotation: { pages: value.pages, engine: 'ocr-api' }, meta };
		if (value.error) result.error = value.error;
		return result;
	}

	return {
		recognizeText,
		close: async () => {
			await ownAgent?.close();
		},
	};
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
		message: status.message ? hide(status.message) : `The service reported an error (code ${status.code}) in its answer.`,
		details: status.details.map(detail => redactStrings(detail, hide)),
	});
}
