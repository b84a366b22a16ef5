/**
 * One call to a Yandex service, whatever its contract: the quota, fresh credentials before every
 * attempt, retries with backoff within the policy, cancellation, the events the log shows, and
 * the credentials masked in every error. Each contract says only how one attempt goes.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { authorizationHeader, folderIdRule, redact, resolveCredentials, secretOf, type CredentialsProvider, type FolderIdRule } from '../auth/authorization';
import { mapText, phrase, type Wording } from '../../shared/phrase';
import { RpcCode, VisionError } from './errors';
import { RateLimiter, sleep } from './rateLimiter';
import { backoffDelay, type RetryPolicy } from './retryPolicy';

/** What every contract's client is made with; each names its own endpoint, folder and quota. */
export interface ClientOptions {
	/** The method's URL. https, or http only to a loopback address (a local emulator). */
	endpoint?: string;
	credentials: CredentialsProvider;
	/** The folder to bill: required with a user account's IAM token, never sent for service accounts. */
	folderId?: string;
	/** Per attempt, from sending to the last byte of the answer. */
	timeoutMs?: number;
	retry?: Partial<RetryPolicy>;
	/** Every attempt, retries included, counts against this quota. */
	requestsPerSecond?: number;
	/** Sends `x-data-logging-enabled: true`, letting Yandex keep the images. Off unless the user opts in. */
	dataLogging?: boolean;
	/** The User-Agent of every request, naming the product and its version (see ./userAgent.ts); never a credential. */
	userAgent?: string;
	/** Defaults to a keep-alive agent owned by the client. */
	dispatcher?: Dispatcher;
	maxResponseBytes?: number;
	/** Observes every attempt; receives ids, timings and statuses, never credentials. */
	onEvent?: (event: RequestEvent) => void;
	/** Injected for tests. */
	random?: () => number;
}

/** Which method of which service a call went to, as the log names it. */
export type ServiceMethod = 'batchAnalyze' | 'recognizeText' | 'recognizeTextAsync' | 'getOperation' | 'getRecognition';

export interface RequestEvent {
	type: 'attempt' | 'success' | 'retry' | 'failure';
	method: ServiceMethod;
	clientRequestId: string;
	attempt: number;
	/** Images the call carries. */
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

/** What one attempt gets: whose credentials go out this time, and how to keep them out of what it reports. */
export interface Attempt {
	clientRequestId: string;
	attempt: number;
	/** The Authorization header's value. */
	authorization: string;
	/** What the account behind the credentials does with a folder ID. */
	folderRule: FolderIdRule;
	/** Masks the credentials sent with this attempt in a text a server may have echoed them into. */
	hide(text: string): string;
}

export interface CallSettings {
	method: ServiceMethod;
	limiter: RateLimiter;
	policy: RetryPolicy;
	credentials: CredentialsProvider;
	random: () => number;
	emit: (event: RequestEvent) => void;
	/** Images the call carries, for the events. */
	specs: number;
	signal?: AbortSignal;
	/**
	 * Narrows which retryable failures are sent again: a call that starts paid work retries only
	 * what provably started nothing. Default: every retryable failure.
	 */
	retryIf?: (error: VisionError) => boolean;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's attempts are used up. An
 * attempt reports failure by throwing a VisionError; anything else thrown is a bug and leaves at once.
 */
export async function callWithRetries<T extends { requestId: string | undefined }>(settings: CallSettings, attempt: (context: Attempt) => Promise<T>): Promise<{ value: T; meta: CallMeta }> {
	const { method, limiter, policy, signal, specs, emit } = settings;
	const clientRequestId = randomUUID();
	const started = Date.now();
	for (let number = 1; ; number++) {
		const attemptStarted = Date.now();
		let secret: string | undefined;
		try {
			await limiter.acquire(signal).catch(reason => {
				throw cancelled(clientRequestId, reason);
			});
			// A secret that cannot go in a header is a credentials problem too, said before anything is sent.
			const auth = await resolveCredentials(settings.credentials, signal)
				.then(credentials => ({ authorization: authorizationHeader(credentials), secret: secretOf(credentials), folderRule: folderIdRule(credentials) }))
				.catch(reason => {
					throw signal?.aborted ? cancelled(clientRequestId, reason) : credentialsError(reason, clientRequestId);
				});
			secret = auth.secret;
			const hidden = secret;
			emit({ type: 'attempt', method, clientRequestId, attempt: number, specs });
			const value = await attempt({
				clientRequestId,
				attempt: number,
				authorization: auth.authorization,
				folderRule: auth.folderRule,
				hide: text => redact(text, [hidden]),
			});
			emit({ type: 'success', method, clientRequestId, attempt: number, specs, requestId: value.requestId, httpStatus: 200, elapsedMs: Date.now() - attemptStarted });
			return { value, meta: { requestId: value.requestId, clientRequestId, attempts: number, elapsedMs: Date.now() - started } };
		} catch (caught) {
			if (!(caught instanceof VisionError)) throw caught;
			const hidden = secret;
			const err = hidden ? caught.with({ message: mapText(caught.wording, text => redact(text, [hidden])) }) : caught;
			const retryAfterMs = err.retryAfterMs;
			const event = { method, clientRequestId, attempt: number, specs, requestId: err.requestId, httpStatus: err.httpStatus, elapsedMs: Date.now() - attemptStarted, error: err.message };
			const delay = err.retryable && (settings.retryIf?.(err) ?? true) && number < policy.maxAttempts ? backoffDelay(policy, number, settings.random, retryAfterMs) : undefined;
			if (delay === undefined || delay > policy.maxRetryAfterMs) {
				emit({ type: 'failure', ...event });
				throw finalError(err, number, retryAfterMs, policy);
			}
			emit({ type: 'retry', ...event, delayMs: delay });
			await sleep(delay, signal).catch(reason => {
				throw cancelled(clientRequestId, reason, number);
			});
		}
	}
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

/** Every string in a JSON value, hidden; the parser has bounded the value's depth. */
export function redactStrings(value: unknown, hide: (text: string) => string): unknown {
	if (typeof value === 'string') return hide(value);
	if (Array.isArray(value)) return value.map(item => redactStrings(item, hide));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item, hide)]));
	}
	return value;
}

/** Adds the answer's ids to an error that came out of reading it. */
export function withIds(err: unknown, requestId: string | undefined, clientRequestId: string, httpStatus: number): VisionError {
	if (!(err instanceof VisionError)) throw err;
	return err.with({ requestId, clientRequestId, httpStatus });
}

function cancelled(clientRequestId: string, cause: unknown, attempts = 0): VisionError {
	return new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: phrase('The request was cancelled.'), clientRequestId, attempts, cause });
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

function finalError(err: VisionError, attempts: number, retryAfterMs: number | undefined, policy: RetryPolicy): VisionError {
	let message: Wording = err.wording;
	if (err.retryable && retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) {
		message = phrase('{0} The service asks to retry after {1} s.', message, Math.ceil(retryAfterMs / 1000));
	} else if (err.retryable && attempts > 1) {
		message = phrase('{0} Gave up after {1} attempts.', message, attempts);
	}
	return err.with({ message, attempts });
}
