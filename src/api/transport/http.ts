import { request, type Dispatcher } from 'undici';
import { mapText, phrase, type Phrase } from '../../shared/phrase';
import { rpcCodeMeaning, RpcCode, VisionError } from './errors';
import { parseStatus } from './proto3Json';
import { parseRetryAfter } from './retryPolicy';

/** One HTTP exchange with the service, before any interpretation of a 200 body. */
export interface Answer extends AnswerHead {
	body: unknown;
}

export interface ExchangeOptions {
	url: string;
	/** Default POST. */
	method?: 'POST' | 'GET';
	dispatcher: Dispatcher;
	headers: Record<string, string>;
	/** Sent as the User-Agent header, e.g. `yandex-vision-vscode/0.1.0 (VS Code 1.100.0; linux x64)`. */
	userAgent?: string;
	body?: string;
	timeoutMs: number;
	maxResponseBytes: number;
	signal?: AbortSignal;
	clientRequestId: string;
	/** Secrets that must never appear in an error message, even if a server echoes them. */
	redact: (text: string) => string;
}

/** What is known of an answer once its head has arrived. */
export interface AnswerHead {
	status: number;
	requestId: string | undefined;
	serverTraceId: string | undefined;
	retryAfter: string | undefined;
}

const HTTP_TO_RPC: Record<number, RpcCode> = {
	400: RpcCode.INVALID_ARGUMENT,
	401: RpcCode.UNAUTHENTICATED,
	403: RpcCode.PERMISSION_DENIED,
	404: RpcCode.NOT_FOUND,
	413: RpcCode.INVALID_ARGUMENT,
	429: RpcCode.RESOURCE_EXHAUSTED,
	500: RpcCode.INTERNAL,
	502: RpcCode.UNAVAILABLE,
	503: RpcCode.UNAVAILABLE,
	504: RpcCode.DEADLINE_EXCEEDED,
};

/** The HTTP status the gateway gives each google.rpc code; an error inside a 200 stream is judged by it. */
export const RPC_TO_HTTP: Readonly<Record<number, number>> = {
	[RpcCode.INVALID_ARGUMENT]: 400,
	[RpcCode.UNAUTHENTICATED]: 401,
	[RpcCode.PERMISSION_DENIED]: 403,
	[RpcCode.NOT_FOUND]: 404,
	[RpcCode.RESOURCE_EXHAUSTED]: 429,
	[RpcCode.INTERNAL]: 500,
	[RpcCode.UNAVAILABLE]: 503,
	[RpcCode.DEADLINE_EXCEEDED]: 504,
};

/**
 * Sends one request and reads the whole answer. Resolves with the parsed JSON of a 200 answer;
 * throws a VisionError for everything else: an error status (with the service's google.rpc.Status
 * when it sent one), a body that is not JSON, a connection failure, the timeout, or cancellation.
 */
export async function exchange(options: ExchangeOptions): Promise<Answer> {
	return exchangeStream(options, async (body, head) => ({ ...head, body: parseOkBody(await readText(body, options.maxResponseBytes)) }));
}

/**
 * Like {@link exchange}, but a 200 answer's body goes to `readOk` as it arrives, for answers read
 * as a stream. The timeout covers `readOk` too: it runs until the last byte. Errors it throws
 * leave as they are, with the answer's ids added to a VisionError.
 */
export async function exchangeStream<T>(options: ExchangeOptions, readOk: (body: AsyncIterable<Buffer>, head: AnswerHead) => Promise<T>): Promise<T> {
	const timeout = new AbortController();
	const timer = setTimeout(() => timeout.abort(new Error('timeout')), options.timeoutMs);
	const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
	let status = 0;
	let requestId: string | undefined;
	let serverTraceId: string | undefined;
	try {
		const response = await request(options.url, {
			method: options.method ?? 'POST',
			dispatcher: options.dispatcher,
			headers: options.userAgent ? { ...options.headers, 'user-agent': options.userAgent } : options.headers,
			body: options.body,
			signal,
		});
		status = response.statusCode;
		requestId = header(response.headers['x-request-id']);
		serverTraceId = header(response.headers['x-server-trace-id']);
		const head: AnswerHead = { status, requestId, serverTraceId, retryAfter: header(response.headers['retry-after']) };
		if (status === 200) return await readOk(response.body as AsyncIterable<Buffer>, head);
		const contentType = header(response.headers['content-type']) ?? '';
		const text = await readText(response.body as AsyncIterable<Buffer>, options.maxResponseBytes);
		const parsed = parseJson(text);
		throw statusError(status, contentType, text, parsed.ok ? parsed.value : undefined, head, options);
	} catch (err) {
		if (err instanceof VisionError) {
			throw err.clientRequestId ? err : err.with({ httpStatus: err.httpStatus ?? (status || undefined), requestId, clientRequestId: options.clientRequestId });
		}
		const base = { httpStatus: status || undefined, requestId, clientRequestId: options.clientRequestId, cause: err };
		if (options.signal?.aborted) {
			throw new VisionError({ ...base, kind: 'cancelled', code: RpcCode.CANCELLED, message: phrase('The request was cancelled.') });
		}
		if (timeout.signal.aborted) {
			throw new VisionError({
				...base,
				kind: 'timeout',
				code: RpcCode.DEADLINE_EXCEEDED,
				message: phrase('No complete answer from {0} within {1} s. Check your network or proxy; if the service is only slow, raise the timeout setting.', hostOf(options.url), seconds(options.timeoutMs)),
			});
		}
		// A refused certificate is refused again on every attempt: said at once, not after the retries.
		throw new VisionError({ ...base, kind: 'network', code: RpcCode.UNAVAILABLE, message: networkMessage(err, options.url, status), permanent: isTlsFailure(errorCode(err)) });
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The JSON of a 200 answer's body (as decodeBody gives it); a `protocol` VisionError when it is
 * empty or not JSON. exchange adds the ids.
 */
export function parseOkBody(text: string): unknown {
	const parsed = parseJson(text);
	if (parsed.ok) return parsed.value;
	throw new VisionError({
		kind: 'protocol',
		code: RpcCode.INTERNAL,
		httpStatus: 200,
		message: text.length === 0
			? phrase('The service answered with an empty body.')
			: looksTruncated(text)
				? phrase('The service\'s answer is not valid JSON ({0}; {1} bytes received, the body looks cut off).', parsed.error, text.length)
				: phrase('The service\'s answer is not valid JSON ({0}; {1} bytes received).', parsed.error, text.length),
	});
}

/**
 * A body's bytes as text: UTF-8, invalid sequences replaced, and a leading byte order mark
 * dropped, as fetch's text() and json() do (RFC 8259 lets a parser ignore it; some proxies add one).
 */
export function decodeBody(bytes: Buffer): string {
	const text = bytes.toString('utf8');
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Longest text of an error answer put into a message: a server may send megabytes. */
const MAX_ECHOED_CHARS = 1000;

function statusError(status: number, contentType: string, text: string, json: unknown, answer: AnswerHead, options: ExchangeOptions): VisionError {
	const rpc = parseStatus(json);
	// A Status without a code (0, OK) on an error answer says nothing: the HTTP status does.
	const code = rpc?.code || HTTP_TO_RPC[status] || RpcCode.UNKNOWN;
	// Redacted before anything is cut short: a secret cut in two no longer matches whole.
	let message: string | Phrase;
	if (rpc?.message) {
		message = clip(options.redact(rpc.message), MAX_ECHOED_CHARS);
	} else if (!rpc && (/html/i.test(contentType) || /^\s*</.test(text))) {
		const title = /<title>([^<]{0,200})<\/title>/i.exec(text)?.[1]?.trim();
		message = title
			? phrase('HTTP {0} from a proxy or gateway in front of the service (“{1}”).', status, title)
			: phrase('HTTP {0} from a proxy or gateway in front of the service.', status);
	} else if (!rpc && text) {
		message = phrase('The service answered HTTP {0} with an unexpected body: {1}.', status, options.redact(text).slice(0, 200));
	} else {
		message = code === RpcCode.UNKNOWN ? phrase('The service answered HTTP {0}.', status) : phrase('The service answered HTTP {0}: {1}.', status, rpcCodeMeaning(code));
	}
	return new VisionError({
		kind: 'service',
		code,
		httpStatus: status,
		requestId: answer.requestId,
		clientRequestId: options.clientRequestId,
		message: mapText(message, options.redact),
		details: rpc?.details,
		retryAfterMs: parseRetryAfter(answer.retryAfter, Date.now()),
	});
}

/** Leaving the loop early (the throw) ends the iteration, which destroys the body: nothing more is read. */
async function readText(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += chunk.length;
		if (size > maxBytes) {
			throw new VisionError({
				kind: 'protocol',
				code: RpcCode.RESOURCE_EXHAUSTED,
				message: phrase('The answer is larger than {0} MB; refusing to read it.', Math.round(maxBytes / 1048576)),
			});
		}
		chunks.push(chunk);
	}
	return decodeBody(Buffer.concat(chunks, size));
}

function clip(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseJson(text: string): Parsed {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (err) {
		return { ok: false, error: err instanceof Error ? err.message : String(err) };
	}
}

function looksTruncated(text: string): boolean {
	const end = text.trimEnd().slice(-1);
	return end !== '}' && end !== ']';
}

function header(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

/** `3`, `0.3`: the seconds of a timeout. */
function seconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}` : (ms / 1000).toFixed(1);
}

/** Says what failed and what to check, from undici's and node's error codes. */
function networkMessage(err: unknown, url: string, status: number): Phrase {
	const host = hostOf(url);
	const code = errorCode(err);
	switch (code) {
		case 'ECONNREFUSED':
			return phrase('Connection to {0} refused. Check the endpoint setting and that the server is running.', host);
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return phrase('Cannot resolve {0} (DNS). Check the endpoint setting and your network or proxy.', host);
		case 'ECONNRESET':
		case 'UND_ERR_SOCKET':
		case 'EPIPE':
			return status
				? phrase('The connection to {0} closed while the answer was being received (HTTP {1}, body incomplete). Check your network or proxy; trying again may succeed.', host, status)
				: phrase('The connection to {0} was closed before an answer arrived. Check the endpoint setting and your network or proxy.', host);
		case 'ETIMEDOUT':
		case 'UND_ERR_CONNECT_TIMEOUT':
			return phrase('Connecting to {0} timed out. Check your network or proxy.', host);
		default: {
			const problem = code === undefined ? undefined : CERTIFICATE_PROBLEMS[code];
			if (problem) {
				return phrase('The TLS certificate of {0} {1} ({2}). Check the endpoint setting, and any proxy or security software that intercepts HTTPS: its certificate must be trusted by this computer.', host, problem, code!);
			}
			if (isTlsFailure(code)) {
				return phrase('TLS error talking to {0} ({1}): the secure connection or its certificate was refused. Check the endpoint setting and any proxy that intercepts HTTPS.', host, code!);
			}
			const detail = err instanceof Error ? err.message : String(err);
			return code ? phrase('Network error talking to {0} ({1}): {2}', host, code, detail) : phrase('Network error talking to {0}: {1}', host, detail);
		}
	}
}

function isTlsFailure(code: string | undefined): boolean {
	return code !== undefined && (CERTIFICATE_PROBLEMS[code] !== undefined || /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code));
}

const UNTRUSTED_ISSUER = phrase('is issued by an authority that is not trusted');

/** What is wrong with a certificate, by OpenSSL's and node's codes, as a predicate. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, Phrase>> = {
	DEPTH_ZERO_SELF_SIGNED_CERT: phrase('is self-signed and not trusted'),
	SELF_SIGNED_CERT_IN_CHAIN: phrase('is issued by a self-signed authority that is not trusted'),
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_ISSUER,
	UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_ISSUER,
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_ISSUER,
	CERT_HAS_EXPIRED: phrase('has expired'),
	CERT_NOT_YET_VALID: phrase('is not valid yet'),
	CERT_REVOKED: phrase('has been revoked'),
	ERR_TLS_CERT_ALTNAME_INVALID: phrase('is for another host name'),
};

function errorCode(err: unknown): string | undefined {
	for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		e = (e as { cause?: unknown }).cause;
	}
	return undefined;
}
