import { phrase, word, type Phrase, type Wording } from '../../shared/phrase';

/** google.rpc.Code values the service uses. */
export const enum RpcCode {
	OK = 0,
	CANCELLED = 1,
	UNKNOWN = 2,
	INVALID_ARGUMENT = 3,
	DEADLINE_EXCEEDED = 4,
	NOT_FOUND = 5,
	PERMISSION_DENIED = 7,
	RESOURCE_EXHAUSTED = 8,
	INTERNAL = 13,
	UNAVAILABLE = 14,
	UNAUTHENTICATED = 16,
}

/**
 * What went wrong, in the terms a caller acts on:
 * - `validation`: the request breaks a documented limit; nothing was sent.
 * - `service`: the service answered with an error status.
 * - `network`: no complete answer (connection refused/reset, DNS, TLS, closed mid-body).
 * - `timeout`: no answer within the per-request timeout.
 * - `cancelled`: the caller's AbortSignal fired.
 * - `protocol`: an answer that is not a batchAnalyze response (HTML from a proxy, truncated JSON, wrong shape).
 * - `credentials`: no usable credentials (none set, or getting a fresh token failed); nothing was sent.
 */
export type VisionErrorKind = 'validation' | 'service' | 'network' | 'timeout' | 'cancelled' | 'protocol' | 'credentials';

export interface VisionErrorInit {
	kind: VisionErrorKind;
	code: number;
	/**
	 * What went wrong: a phrase of ours, worded in the user's language when shown, or text as
	 * another party wrote it (the service's own message), shown as it is.
	 */
	message: Wording;
	httpStatus?: number;
	/** The service's `x-request-id`, when an answer came. */
	requestId?: string;
	/** Our `x-client-request-id`, sent with every attempt of the call. */
	clientRequestId?: string;
	/** JSON path of the offending field, for validation errors. */
	path?: string;
	details?: unknown[];
	/** How many attempts were made before giving up. */
	attempts?: number;
	/** The service's Retry-After, when it sent one. */
	retryAfterMs?: number;
	/** A network failure that sending again cannot fix, such as a refused certificate. */
	permanent?: boolean;
	cause?: unknown;
}

export class VisionError extends Error {
	override readonly name = 'VisionError';
	readonly kind: VisionErrorKind;
	readonly code: number;
	/** What `message` says in English, as data: the extension words it in the user's language. */
	readonly wording: Wording;
	readonly httpStatus: number | undefined;
	readonly requestId: string | undefined;
	readonly clientRequestId: string | undefined;
	readonly path: string | undefined;
	readonly details: unknown[];
	readonly attempts: number;
	readonly retryAfterMs: number | undefined;
	readonly permanent: boolean;

	constructor(init: VisionErrorInit) {
		super(word(init.message), init.cause === undefined ? undefined : { cause: init.cause });
		this.kind = init.kind;
		this.wording = init.message;
		this.code = init.code;
		this.httpStatus = init.httpStatus;
		this.requestId = init.requestId;
		this.clientRequestId = init.clientRequestId;
		this.path = init.path;
		this.details = init.details ?? [];
		this.attempts = init.attempts ?? 0;
		this.retryAfterMs = init.retryAfterMs;
		this.permanent = init.permanent ?? false;
	}

	/** Copy with some fields changed, keeping this error as the cause. */
	with(changes: Partial<Omit<VisionErrorInit, 'cause'>>): VisionError {
		return new VisionError({
			kind: this.kind,
			code: this.code,
			message: this.wording,
			httpStatus: this.httpStatus,
			requestId: this.requestId,
			clientRequestId: this.clientRequestId,
			path: this.path,
			details: this.details,
			attempts: this.attempts,
			retryAfterMs: this.retryAfterMs,
			permanent: this.permanent,
			...changes,
			cause: this,
		});
	}

	/** Whether the same request may succeed if sent again later. */
	get retryable(): boolean {
		switch (this.kind) {
			case 'network':
			case 'timeout':
				return !this.permanent;
			case 'service':
			case 'protocol':
				return this.httpStatus !== undefined && RETRYABLE_HTTP_STATUSES.has(this.httpStatus);
			case 'validation':
			case 'cancelled':
			case 'credentials':
				return false;
		}
	}
}

/** 429, 500, 502 (a proxy's HTML page), 503, 504. Never 400/401/403. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Builds the validation error for one field: `analyzeSpecs[2].features: 9 given, at most 8 allowed`. */
export function invalidArgument(path: string, problem: string): VisionError {
	return new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, path, message: `${path}: ${problem}` });
}

/**
 * What a google.rpc code means, for an error that came without a message of its own:
 * `The service answered HTTP 403: access is denied (PERMISSION_DENIED)…`.
 */
export function rpcCodeMeaning(code: number): Phrase {
	switch (code) {
		case RpcCode.INVALID_ARGUMENT: return phrase('the request is invalid (INVALID_ARGUMENT)');
		case RpcCode.UNAUTHENTICATED: return phrase('the credentials were not accepted (UNAUTHENTICATED)');
		case RpcCode.PERMISSION_DENIED: return phrase('access is denied (PERMISSION_DENIED): the account may lack a role in the folder');
		case RpcCode.NOT_FOUND: return phrase('nothing was found for the request (NOT_FOUND)');
		case RpcCode.RESOURCE_EXHAUSTED: return phrase('a quota is used up (RESOURCE_EXHAUSTED)');
		case RpcCode.INTERNAL: return phrase('an internal error of the service (INTERNAL)');
		case RpcCode.UNAVAILABLE: return phrase('the service is unavailable for now (UNAVAILABLE)');
		case RpcCode.DEADLINE_EXCEEDED: return phrase('the service did not finish in time (DEADLINE_EXCEEDED)');
		default: return phrase('error code {0}', code);
	}
}
