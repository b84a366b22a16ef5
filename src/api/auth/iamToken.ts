/**
 * IAM tokens for a service account, minted from its authorized key: the key file is checked,
 * a PS256 JWT is signed with node's crypto and exchanged at the IAM token endpoint, and the token
 * is cached and renewed before it expires. No VS Code here.
 */
import { constants, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { checkEndpoint } from '../transport/callWithRetries';
import { redact } from './authorization';
import { phrase, type Phrase } from '../../shared/phrase';
import { RpcCode, VisionError } from '../transport/errors';
import { exchange, type Answer } from '../transport/http';

export const DEFAULT_IAM_ENDPOINT = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';

/** The `aud` claim the IAM service expects, whatever URL the exchange goes to. */
export const IAM_AUDIENCE = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';

/** The longest JWT the IAM service accepts; the longest also tolerates a clock that lags. */
export const JWT_LIFETIME_SECONDS = 3600;

/** Renew when less than this share of a token's life is left… */
const REFRESH_SHARE = 0.1;
/** …or less than this, whichever is larger. */
const DEFAULT_MIN_REFRESH_MARGIN_MS = 5 * 60_000;

/** A key file is about 3 KB; anything much larger is another file. */
const MAX_KEY_FILE_CHARS = 64 * 1024;

const HOW_TO_CREATE = 'Create one with `yc iam key create --service-account-name <name> --output key.json` and choose key.json.';

/** A service account's authorized key, checked and ready to sign. */
export interface ServiceAccountKey {
	readonly id: string;
	readonly serviceAccountId: string;
	readonly createdAt: string | undefined;
	readonly keyAlgorithm: string | undefined;
	readonly privateKey: KeyObject;
	/** The private key's PEM text, kept only so that it can be redacted. */
	readonly privateKeyPem: string;
}

/** A key file that cannot be used; the message says why and what to choose instead. */
export class KeyFileError extends Error {
	override readonly name = 'KeyFileError';
}

/**
 * Reads the JSON of `yc iam key create` (or the console's "Create authorized key" download):
 * `id`, `service_account_id`, `created_at`, `key_algorithm`, `public_key`, `private_key`.
 * Throws KeyFileError for anything else, naming what the file is when it can tell.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
	if (text.length > MAX_KEY_FILE_CHARS) {
		throw new KeyFileError(`The file is ${Math.round(text.length / 1024)} KB; an authorized key file is about 3 KB. ${HOW_TO_CREATE}`);
	}
	const source = text.replace(/^\uFEFF/, '').trim();
	let json: unknown;
	try {
		json = JSON.parse(source);
	} catch {
		if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(source)) {
			throw new KeyFileError(`This is a bare private key, not an authorized key file: the JSON file also names the key and its service account. ${HOW_TO_CREATE}`);
		}
		throw new KeyFileError(`The file is not JSON, so it is not an authorized key file. ${HOW_TO_CREATE}`);
	}
	if (typeof json !== 'object' || json === null || Array.isArray(json)) {
		throw new KeyFileError(`The file holds JSON, but not an authorized key object. ${HOW_TO_CREATE}`);
	}
	const fields = json as Record<string, unknown>;
	if ('api_key' in fields || ('secret' in fields && !('private_key' in fields) && !('access_key' in fields))) {
		throw new KeyFileError('This file holds an API key (from `yc iam api-key create`), not an authorized key. Set its secret as an API key instead.');
	}
	if ('access_key' in fields) {
		throw new KeyFileError(`This file holds a static access key (for the S3-compatible APIs), which Yandex Vision does not accept. ${HOW_TO_CREATE}`);
	}
	const id = identifier(fields, 'id', 'the key ID');
	const serviceAccountId = identifier(fields, 'service_account_id', 'the ID of the service account the key belongs to');
	const keyAlgorithm = optionalText(fields, 'key_algorithm');
	if (keyAlgorithm !== undefined && !/^RSA_\d+$/.test(keyAlgorithm)) {
		throw new KeyFileError(`The key's algorithm is ${keyAlgorithm}; only RSA keys (RSA_2048, RSA_4096) can sign the PS256 tokens the IAM service accepts. ${HOW_TO_CREATE}`);
	}
	const privateKeyPem = readPrivateKeyPem(fields, id);
	const privateKey = loadPrivateKey(privateKeyPem);
	const publicKey = optionalText(fields, 'public_key');
	if (publicKey !== undefined && !samePublicKey(publicKey, privateKey)) {
		throw new KeyFileError('The file\'s public_key and private_key are not a pair: the file was edited or put together from two keys. Download the key again, or create a new one.');
	}
	return { id, serviceAccountId, createdAt: optionalText(fields, 'created_at'), keyAlgorithm, privateKey, privateKeyPem };
}

function identifier(fields: Record<string, unknown>, name: string, what: string): string {
	const value = fields[name];
	if (value === undefined) throw new KeyFileError(`The file has no "${name}" (${what}), so it is not an authorized key file. ${HOW_TO_CREATE}`);
	if (typeof value !== 'string' || !/^[\x21-\x7e]{1,50}$/.test(value)) {
		throw new KeyFileError(`"${name}" (${what}) must be an ID like aje…, found ${typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : typeof value}.`);
	}
	return value;
}

function optionalText(fields: Record<string, unknown>, name: string): string | undefined {
	const value = fields[name];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw new KeyFileError(`"${name}" must be text, found ${typeof value}.`);
	return value;
}

/** Yandex prefixes the PEM with a line naming the key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <…>`. */
function readPrivateKeyPem(fields: Record<string, unknown>, id: string): string {
	const value = fields.private_key;
	if (value === undefined || value === '') {
		throw new KeyFileError('The file has no private_key: it describes the key but does not hold it. Yandex Cloud gives the private key only once, when the key is created. ' + HOW_TO_CREATE);
	}
	if (typeof value !== 'string') throw new KeyFileError(`"private_key" must be PEM text, found ${typeof value}.`);
	// A key pasted through another JSON layer may carry literal "\n" sequences instead of line breaks.
	const text = value.includes('\n') ? value : value.replace(/\\n/g, '\n');
	const marked = /Yandex\.Cloud SA Key ID <([^>]*)>/.exec(text)?.[1];
	if (marked !== undefined && marked !== id) {
		throw new KeyFileError(`The private key is marked as key ${marked}, but the file's id is ${id}: the file was put together from two keys. Download the key again, or create a new one.`);
	}
	const pem = /-----BEGIN ((?:RSA |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/.exec(text);
	if (!pem) {
		throw new KeyFileError('"private_key" is not a PEM private key (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----). The file may have been cut or edited; download the key again, or create a new one.');
	}
	if (pem[1] === 'ENCRYPTED PRIVATE KEY') {
		throw new KeyFileError('The private key is encrypted with a passphrase; authorized keys from Yandex Cloud are not. Use the key file as `yc iam key create` wrote it.');
	}
	return pem[0];
}

function loadPrivateKey(pem: string): KeyObject {
	let key: KeyObject;
	try {
		key = createPrivateKey({ key: pem, format: 'pem' });
	} catch {
		throw new KeyFileError('"private_key" cannot be read as a private key: the PEM text is damaged. Download the key again, or create a new one.');
	}
	if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') {
		throw new KeyFileError(`The private key is ${key.asymmetricKeyType ?? 'not an asymmetric key'}; the IAM service needs an RSA key. ${HOW_TO_CREATE}`);
	}
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < 2048) throw new KeyFileError(`The RSA key has ${bits} bits; the IAM service needs at least 2048.`);
	return key;
}

function samePublicKey(publicPem: string, privateKey: KeyObject): boolean {
	try {
		const given = createPublicKey({ key: publicPem, format: 'pem' }).export({ type: 'spki', format: 'der' });
		const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
		return given.equals(derived);
	} catch {
		return false;
	}
}

/** Strings of the key that must never be shown: the whole PEM and each of its lines. */
export function keySecrets(key: ServiceAccountKey): string[] {
	const lines = key.privateKeyPem.split(/\r?\n/).map(line => line.trim()).filter(line => line.length >= 16 && !line.startsWith('-----'));
	return [key.privateKeyPem, ...lines];
}

/** The signed JWT that proves possession of the key: PS256, header `{typ, alg, kid}`, payload `{iss, aud, iat, exp}`. */
export function createJwt(key: ServiceAccountKey, nowMs: number, lifetimeSeconds = JWT_LIFETIME_SECONDS): string {
	if (!(lifetimeSeconds > 0 && lifetimeSeconds <= JWT_LIFETIME_SECONDS)) {
		throw new RangeError(`A JWT for the IAM service lives 1 to ${JWT_LIFETIME_SECONDS} seconds, got ${lifetimeSeconds}.`);
	}
	const iat = Math.floor(nowMs / 1000);
	const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'PS256', kid: key.id }));
	const payload = base64url(JSON.stringify({ iss: key.serviceAccountId, aud: IAM_AUDIENCE, iat, exp: iat + lifetimeSeconds }));
	const signingInput = `${header}.${payload}`;
	const signature = sign('sha256', Buffer.from(signingInput), {
		key: key.privateKey,
		padding: constants.RSA_PKCS1_PSS_PADDING,
		saltLength: 32,
	});
	return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
	return Buffer.from(text, 'utf8').toString('base64url');
}

export interface IamToken {
	iamToken: string;
	/** Milliseconds since the epoch. */
	expiresAt: number;
}

export interface IamExchangeOptions {
	/** The token endpoint; https, or http only to a loopback address. Default: Yandex Cloud's. */
	endpoint?: string;
	/** undici dispatcher, e.g. a proxy agent. Default: undici's global dispatcher. */
	dispatcher?: Dispatcher;
	/** Default 30 s. */
	timeoutMs?: number;
	/** The User-Agent of the exchange, as the clients send it (ClientOptions.userAgent). */
	userAgent?: string;
	signal?: AbortSignal;
}

/**
 * Exchanges a signed JWT for an IAM token: POST `{"jwt": …}`, answer `{iamToken, expiresAt}`.
 * Every failure is a VisionError of kind `credentials` with the request ids, saying what to check.
 */
export async function requestIamToken(jwt: string, key: Pick<ServiceAccountKey, 'id' | 'serviceAccountId'>, options: IamExchangeOptions = {}): Promise<IamToken> {
	const url = checkEndpoint(options.endpoint ?? DEFAULT_IAM_ENDPOINT, 'IAM token endpoint');
	const clientRequestId = randomUUID();
	let answer: Answer;
	try {
		answer = await exchange({
			url,
			dispatcher: options.dispatcher ?? getGlobalDispatcher(),
			headers: { 'content-type': 'application/json', 'x-client-request-id': clientRequestId },
			userAgent: options.userAgent,
			body: JSON.stringify({ jwt }),
			timeoutMs: options.timeoutMs ?? 30_000,
			maxResponseBytes: 1024 * 1024,
			signal: options.signal,
			clientRequestId,
			redact: text => redact(text, [jwt]),
		});
	} catch (err) {
		throw exchangeError(err, key);
	}
	const body = typeof answer.body === 'object' && answer.body !== null ? answer.body as { iamToken?: unknown; expiresAt?: unknown } : {};
	const host = new URL(url).host;
	const badAnswer = (message: Phrase): VisionError => new VisionError({
		kind: 'credentials',
		code: RpcCode.INTERNAL,
		httpStatus: answer.status,
		requestId: answer.requestId,
		clientRequestId,
		message,
	});
	const iamToken = body.iamToken;
	if (typeof iamToken !== 'string' || !/^[\x21-\x7e]+$/.test(iamToken)) throw badAnswer(phrase('The IAM token endpoint answered without a usable iamToken; check the IAM endpoint setting ({0}).', host));
	const expiresAt = typeof body.expiresAt === 'string' ? parseRfc3339(body.expiresAt) : undefined;
	if (expiresAt === undefined) throw badAnswer(phrase('The IAM token endpoint answered without a usable expiresAt (an RFC 3339 time); check the IAM endpoint setting ({0}).', host));
	return { iamToken, expiresAt };
}

function exchangeError(err: unknown, key: Pick<ServiceAccountKey, 'id' | 'serviceAccountId'>): unknown {
	if (!(err instanceof VisionError) || err.kind === 'cancelled') return err;
	let message: Phrase;
	if (err.kind === 'service' && (err.httpStatus === 401 || err.httpStatus === 403 || err.code === RpcCode.UNAUTHENTICATED)) {
		message = phrase('The IAM service rejected the service account key {0} (“{1}”). Check that it is the current key of service account {2}: a deleted key, or a file from another key, is refused.', key.id, err.wording, key.serviceAccountId);
	} else if (err.kind === 'service' && err.httpStatus === 400) {
		message = phrase('The IAM service refused the token request (“{0}”). Check the computer\'s clock: the signed request is valid for one hour from now.', err.wording);
	} else if (err.kind === 'service' || err.kind === 'protocol') {
		message = phrase('Could not get an IAM token for the service account: {0}', err.wording);
	} else {
		message = phrase('Could not reach the IAM token endpoint: {0}', err.wording);
	}
	return err.with({ kind: 'credentials', message });
}

/** RFC 3339 date-time (`2019-10-01T23:04:52.579183357Z`, any fraction, `Z` or an offset) → ms, or undefined. */
export function parseRfc3339(text: string): number | undefined {
	const match = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
	if (!match) return undefined;
	const [, date, time, fraction = '', zone] = match;
	const ms = Date.parse(`${date}T${time}.${(fraction + '000').slice(0, 3)}${zone!.toUpperCase()}`);
	return Number.isNaN(ms) ? undefined : ms;
}

export interface TokenSourceOptions {
	/** Turns a signed JWT into a token; `requestIamToken` over HTTP, a fake in tests. */
	exchange: (jwt: string, signal?: AbortSignal) => Promise<IamToken>;
	/** Injected for tests. */
	now?: () => number;
	/** Renewal starts at least this long before expiry (default 5 minutes). */
	minRefreshMarginMs?: number;
	/** Each new token, so that it can be redacted. */
	onToken?: (token: IamToken) => void;
}

/**
 * A service account's current IAM token. Minted on first use and renewed when less than 10 % of its
 * life or 5 minutes remain (whichever is larger); callers that arrive during a renewal share it. A
 * failed renewal is reported to its callers and not remembered, so the next call tries again.
 */
export class ServiceAccountTokenSource {
	private cached: { token: IamToken; refreshAt: number } | undefined;
	private pending: Promise<IamToken> | undefined;
	private readonly now: () => number;
	private readonly minMarginMs: number;

	constructor(readonly key: ServiceAccountKey, private readonly options: TokenSourceOptions) {
		this.now = options.now ?? Date.now;
		this.minMarginMs = options.minRefreshMarginMs ?? DEFAULT_MIN_REFRESH_MARGIN_MS;
	}

	/** The token in use, if one was minted. */
	get current(): IamToken | undefined {
		return this.cached?.token;
	}

	/** A token fresh enough to send. A caller's signal stops its own wait, not a renewal others share. */
	async token(signal?: AbortSignal): Promise<string> {
		if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token.iamToken;
		const renewal = this.pending ?? this.renew();
		return (await untilAborted(renewal, signal)).iamToken;
	}

	/** Forgets the token (the service refused it), so the next call mints a new one. */
	invalidate(): void {
		this.cached = undefined;
	}

	private renew(): Promise<IamToken> {
		const renewal = (async () => {
			const jwt = createJwt(this.key, this.now());
			const token = await this.options.exchange(jwt);
			const obtainedAt = this.now();
			const margin = Math.max(REFRESH_SHARE * (token.expiresAt - obtainedAt), this.minMarginMs);
			this.cached = { token, refreshAt: token.expiresAt - margin };
			this.options.onToken?.(token);
			return token;
		})();
		this.pending = renewal;
		const settle = (): void => {
			if (this.pending === renewal) this.pending = undefined;
		};
		renewal.then(settle, settle);
		return renewal;
	}
}

export interface ServiceAccountTokenSourceOptions extends Omit<IamExchangeOptions, 'signal'> {
	now?: () => number;
	minRefreshMarginMs?: number;
	onToken?: (token: IamToken) => void;
}

/** A token source that exchanges JWTs at the IAM endpoint over HTTP. Throws at once for an endpoint that may not carry credentials. */
export function createServiceAccountTokenSource(key: ServiceAccountKey, options: ServiceAccountTokenSourceOptions = {}): ServiceAccountTokenSource {
	const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_IAM_ENDPOINT, 'IAM token endpoint');
	return new ServiceAccountTokenSource(key, {
		// The renewal is shared, so no caller's signal ends it; the timeout does.
		exchange: jwt => requestIamToken(jwt, key, { endpoint, dispatcher: options.dispatcher, timeoutMs: options.timeoutMs, userAgent: options.userAgent }),
		now: options.now,
		minRefreshMarginMs: options.minRefreshMarginMs,
		onToken: options.onToken,
	});
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (!signal) return promise;
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => reject(signal.reason);
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(
			value => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}
