import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { authorizationHeader, folderIdRule, redact, resolveCredentials, secretOf, type CredentialsProvider } from '../auth/authorization';
import { invalidArgument, RpcCode, VisionError } from '../transport/errors';
import { exchange } from '../transport/http';
import { normalizeResponse } from './normalize';
import { RateLimiter, sleep } from '../transport/rateLimiter';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retry';
import type { Status } from '../../results/types';
import type { BatchAnalyzeRequest, BatchAnalyzeResponse } from './types';
import { prepareRequest } from './validate';

export const DEFAULT_ENDPOINT = 'https://vision.api.cloud.yandex.net/vision/v1/batchAnalyze';

export interface VisionClientOptions {
	/** The batchAnalyze URL. https, or http only to a loopback address (a local emulator). */
	endpoint?: string;
	credentials: CredentialsProvider;
	/**
	 * Sent as `folderId` when the request has none. Required with a user account's IAM token;
	 * never sent with an API key or a service account's token.
	 */
	folderId?: string;
	/** Per attempt, from sending to the last byte of the answer. */
	timeoutMs?: number;
	retry?: Partial<RetryPolicy>;
	/** Every attempt, retries included, counts against this quota. Default 10 (the service's per-cloud quota). */
	requestsPerSecond?: number;
	/** Sends `x-data-logging-enabled: true`, letting Yandex keep the images. Off unless the user opts in. */
	dataLogging?: boolean;
	/** Defaults to a keep-alive agent owned by the client. */
	dispatcher?: Dispatcher;
	maxResponseBytes?: number;
	/** Observes every attempt; receives ids, timings and statuses, never credentials. */
	onEvent?: (event: RequestEvent) => void;
	/** Injected for tests. */
	random?: () => number;
}

export interface RequestEvent {
	type: 'attempt' | 'success' | 'retry' | 'failure';
	clientRequestId: string;
	attempt: number;
	specs: number;
	requestId?: string;
	httpStatus?: number;
	elapsedMs?: number;
	delayMs?: number;
	error?: string;
}

export interface CallMeta {
	/** The service's x-request-id of the answer that was used. */
	requestId: string | undefined;
	clientRequestId: string;
	attempts: number;
	elapsedMs: number;
}

export interface BatchAnalyzeResult extends BatchAnalyzeResponse {
	meta: CallMeta;
}

export interface VisionClient {
	batchAnalyze(request: BatchAnalyzeRequest, options?: { signal?: AbortSignal }): Promise<BatchAnalyzeResult>;
	/** Closes idle keep-alive connections of the client's own agent. */
	close(): Promise<void>;
}

export function createVisionClient(options: VisionClientOptions): VisionClient {
	const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	if (!(policy.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
	const ownAgent = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 16 });
	const dispatcher = options.dispatcher ?? ownAgent!;
	const limiter = new RateLimiter({ requestsPerSecond: options.requestsPerSecond ?? 10 });
	const timeoutMs = options.timeoutMs ?? 60_000;
	const random = options.random ?? Math.random;
	const emit = options.onEvent ?? (() => undefined);

	async function batchAnalyze(request: BatchAnalyzeRequest, callOptions: { signal?: AbortSignal } = {}): Promise<BatchAnalyzeResult> {
		const { signal } = callOptions;
		const withFolder = request.folderId === undefined && options.folderId !== undefined
			? { ...request, folderId: options.folderId }
			: request;
		// Throws before anything is sent.
		const { wire } = prepareRequest(withFolder);
		// The folder depends on whose credentials go out, known only once they are resolved.
		const bodies = new Map<string, string>();
		const bodyFor = (rule: ReturnType<typeof folderIdRule>): string => {
			if (rule === 'required' && !wire.folderId) {
				throw invalidArgument('folderId', 'is required with a user account\'s IAM token: give the ID of the folder to bill, like b1g… (API keys and service accounts need none)');
			}
			const key = rule === 'omit' ? 'omit' : 'keep';
			let body = bodies.get(key);
			if (body === undefined) {
				body = JSON.stringify(rule === 'omit' ? { analyzeSpecs: wire.analyzeSpecs } : wire);
				bodies.set(key, body);
			}
			return body;
		};
		const featuresPerSpec = wire.analyzeSpecs.map(spec => spec.features.length);
		const featureTypes = wire.analyzeSpecs.map(spec => spec.features.map(feature => feature.type));
		const clientRequestId = randomUUID();
		const started = Date.now();

		for (let attempt = 1; ; attempt++) {
			const attemptStarted = Date.now();
			let secret: string | undefined;
			try {
				await limiter.acquire(signal).catch(reason => {
					throw cancelled(clientRequestId, reason);
				});
				const auth = await resolveCredentials(options.credentials, signal)
					.then(credentials => ({ header: authorizationHeader(credentials), secret: secretOf(credentials), rule: folderIdRule(credentials) }))
					.catch(reason => {
						throw signal?.aborted ? cancelled(clientRequestId, reason) : credentialsError(reason, clientRequestId);
					});
				secret = auth.secret;
				const body = bodyFor(auth.rule);
				const headers: Record<string, string> = {
					'content-type': 'application/json',
					'authorization': auth.header,
					'x-client-request-id': clientRequestId,
				};
				if (options.dataLogging) headers['x-data-logging-enabled'] = 'true';
				emit({ type: 'attempt', clientRequestId, attempt, specs: featuresPerSpec.length });
				const hidden = secret;
				const answer = await exchange({
					url: endpoint,
					dispatcher,
					headers,
					body,
					timeoutMs,
					maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
					signal,
					clientRequestId,
					redact: text => redact(text, [hidden]),
				});
				let response: BatchAnalyzeResponse;
				try {
					response = redactErrors(normalizeResponse(answer.body, { featuresPerSpec, featureTypes }), text => redact(text, [hidden]));
				} catch (err) {
					throw withIds(err, answer.requestId, clientRequestId, 200);
				}
				const elapsedMs = Date.now() - started;
				emit({ type: 'success', clientRequestId, attempt, specs: featuresPerSpec.length, requestId: answer.requestId, httpStatus: 200, elapsedMs: Date.now() - attemptStarted });
				return { ...response, meta: { requestId: answer.requestId, clientRequestId, attempts: attempt, elapsedMs } };
			} catch (caught) {
				if (!(caught instanceof VisionError)) throw caught;
				const err = secret ? caught.with({ message: redact(caught.message, [secret]) }) : caught;
				const retryAfterMs = err.retryAfterMs;
				const event = { clientRequestId, attempt, specs: featuresPerSpec.length, requestId: err.requestId, httpStatus: err.httpStatus, elapsedMs: Date.now() - attemptStarted, error: err.message };
				const delay = err.retryable && attempt < policy.maxAttempts ? backoffDelay(policy, attempt, random, retryAfterMs) : undefined;
				if (delay === undefined || delay > policy.maxRetryAfterMs) {
					emit({ type: 'failure', ...event });
					throw finalError(err, attempt, retryAfterMs, policy);
				}
				emit({ type: 'retry', ...event, delayMs: delay });
				await sleep(delay, signal).catch(reason => {
					throw cancelled(clientRequestId, reason, attempt);
				});
			}
		}
	}

	return {
		batchAnalyze,
		close: async () => {
			await ownAgent?.close();
		},
	};
}

/** Credentials go to the configured host only, over TLS unless the host is this machine. */
export function checkEndpoint(endpoint: string, what = 'endpoint'): string {
	let url: URL;
	try {
		url = new URL(endpoint);
	} catch {
		throw new TypeError(`The ${what} "${endpoint}" is not a valid URL.`);
	}
	const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
		throw new TypeError(`The ${what} must use https (plain http is allowed only for a local address): ${url.origin}`);
	}
	if (url.username || url.password) throw new TypeError(`The ${what} must not contain a user name or password.`);
	return url.toString();
}

/**
 * The per-image and per-feature errors of a 200 answer with `hide` applied to their messages and
 * details: they are the server's words, shown, logged and kept with the results, and a server
 * or proxy may echo the credentials it received in them.
 */
function redactErrors(response: BatchAnalyzeResponse, hide: (text: string) => string): BatchAnalyzeResponse {
	const status = (error: Status): Status => ({ ...error, message: hide(error.message), details: error.details.map(detail => redactStrings(detail, hide)) });
	return {
		results: response.results.map(result => ({
			...result,
			...result.error ? { error: status(result.error) } : {},
			results: result.results.map(feature => feature.error ? { ...feature, error: status(feature.error) } : feature),
		})),
	};
}

/** Every string in a JSON value, hidden; the parser has bounded the value's depth. */
function redactStrings(value: unknown, hide: (text: string) => string): unknown {
	if (typeof value === 'string') return hide(value);
	if (Array.isArray(value)) return value.map(item => redactStrings(item, hide));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item, hide)]));
	}
	return value;
}

function cancelled(clientRequestId: string, cause: unknown, attempts = 0): VisionError {
	return new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: 'The request was cancelled.', clientRequestId, attempts, cause });
}

function credentialsError(reason: unknown, clientRequestId: string): VisionError {
	if (reason instanceof VisionError) return reason;
	return new VisionError({
		kind: 'credentials',
		code: RpcCode.UNAUTHENTICATED,
		message: reason instanceof Error ? reason.message : String(reason),
		clientRequestId,
		cause: reason,
	});
}

function withIds(err: unknown, requestId: string | undefined, clientRequestId: string, httpStatus: number): VisionError {
	if (!(err instanceof VisionError)) throw err;
	return err.with({ requestId, clientRequestId, httpStatus });
}

function finalError(err: VisionError, attempts: number, retryAfterMs: number | undefined, policy: RetryPolicy): VisionError {
	let message = err.message;
	if (err.retryable && retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) {
		message += ` The service asks to retry after ${Math.ceil(retryAfterMs / 1000)} s.`;
	} else if (err.retryable && attempts > 1) {
		message += ` Gave up after ${attempts} attempts.`;
	}
	return err.with({ message, attempts });
}
