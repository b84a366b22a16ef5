/**
 * The IAM token endpoint, `POST /iam/v1/tokens`: checks a service account's PS256 JWT against the
 * public keys it knows and issues IAM tokens that then call batchAnalyze as that account.
 * Malformed requests get 400 code 3; a JWT that fails verification gets 401 code 16.
 */

import { constants, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { DEFAULT_SERVICE_ACCOUNT_KEY, ServiceAccountKeyConfig } from './api';
import { Code, Rejection, invalidArgument } from './status';

export const IAM_TOKENS_PATH = '/iam/v1/tokens';
export const IAM_AUDIENCE = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';
const MAX_JWT_LIFETIME_SECONDS = 3600;
/** A JWT issued this far in the future still passes: clocks differ a little. */
const ALLOWED_CLOCK_SKEW_SECONDS = 300;
const DEFAULT_TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface IssuedToken {
	serviceAccountId: string;
	folderId: string;
	/** Milliseconds since the epoch. */
	expiresAt: number;
}

interface KnownKey {
	config: ServiceAccountKeyConfig;
	publicKey: KeyObject;
}

/** The issuer's knobs, checked: build them first so that a bad setting changes nothing. */
export interface IssuerSettings {
	keys: ReadonlyMap<string, KnownKey>;
	lifetimeMs: number;
}

export function issuerSettings(keys: readonly ServiceAccountKeyConfig[] | undefined, lifetimeMs: number | undefined): IssuerSettings {
	const map = new Map<string, KnownKey>();
	for (const config of keys ?? [DEFAULT_SERVICE_ACCOUNT_KEY]) {
		map.set(config.id, { config, publicKey: createPublicKey({ key: config.publicKeyPem, format: 'pem' }) });
	}
	const lifetime = lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
	if (!(lifetime > 0)) throw new RangeError(`iamTokenLifetimeMs must be positive, got ${lifetime}`);
	return { keys: map, lifetimeMs: lifetime };
}

export class IamTokenIssuer {
	private readonly issued = new Map<string, IssuedToken>();

	constructor(private settings: IssuerSettings) {}

	/** New keys and lifetime apply to new tokens; tokens already issued stay valid until they expire. */
	configure(settings: IssuerSettings): void {
		this.settings = settings;
	}

	/** Answers a token request body, or throws the Rejection to send. `onKeyId` learns the JWT's kid once it is read. */
	issue(body: Buffer, now: number, onKeyId?: (kid: string) => void): { iamToken: string; expiresAt: string } {
		const jwt = readJwtField(body);
		const { header, claims, signingInput, signature } = splitJwt(jwt);
		if (header.alg !== 'PS256') throw invalidArgument(`Unsupported JWT algorithm ${JSON.stringify(header.alg)}; service account keys sign with PS256`);
		if (header.typ !== undefined && header.typ !== 'JWT') throw invalidArgument(`Unsupported JWT type ${JSON.stringify(header.typ)}`);
		if (typeof header.kid !== 'string' || header.kid === '') throw invalidArgument('The JWT header has no kid (the ID of the authorized key)');
		onKeyId?.(header.kid);
		const { iss, aud, iat, exp } = claims;
		if (typeof iss !== 'string' || iss === '') throw invalidArgument('The JWT has no iss (the service account ID)');
		if (typeof aud !== 'string' && !(Array.isArray(aud) && aud.every(a => typeof a === 'string'))) throw invalidArgument('The JWT has no aud');
		if (!Number.isInteger(iat) || !Number.isInteger(exp)) throw invalidArgument('The JWT needs iat and exp as whole seconds since 1970');
		if ((exp as number) <= (iat as number) || (exp as number) - (iat as number) > MAX_JWT_LIFETIME_SECONDS) {
			throw invalidArgument(`The JWT's exp - iat is ${(exp as number) - (iat as number)} s; it must be 1 to ${MAX_JWT_LIFETIME_SECONDS} s`);
		}

		const key = this.settings.keys.get(header.kid);
		if (!key) throw unauthenticated(`Key ${header.kid} is not found`);
		const valid = verify('sha256', Buffer.from(signingInput), {
			key: key.publicKey,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: 32,
		}, signature);
		if (!valid) throw unauthenticated('The JWT signature is invalid');
		if (iss !== key.config.serviceAccountId) throw unauthenticated(`Key ${header.kid} does not belong to service account ${iss}`);
		if (!(typeof aud === 'string' ? [aud] : aud as string[]).includes(IAM_AUDIENCE)) throw unauthenticated(`The JWT audience must be ${IAM_AUDIENCE}`);
		const nowSeconds = Math.floor(now / 1000);
		if ((exp as number) <= nowSeconds) throw unauthenticated('The JWT has expired');
		if ((iat as number) > nowSeconds + ALLOWED_CLOCK_SKEW_SECONDS) throw unauthenticated('The JWT is issued in the future; check the clock');

		const iamToken = `t1.${randomBytes(48).toString('base64url')}`;
		const expiresAt = now + this.settings.lifetimeMs;
		this.issued.set(iamToken, { serviceAccountId: key.config.serviceAccountId, folderId: key.config.folderId, expiresAt });
		return { iamToken, expiresAt: rfc3339Nanos(expiresAt) };
	}

	/** The account of a token issued here that has not expired yet. */
	lookup(token: string, now: number): IssuedToken | undefined {
		const issued = this.issued.get(token);
		if (issued && now >= issued.expiresAt) this.issued.delete(token);
		return issued && now < issued.expiresAt ? issued : undefined;
	}
}

function readJwtField(body: Buffer): string {
	let json: unknown;
	try {
		json = JSON.parse(body.toString('utf8'));
	} catch {
		throw invalidArgument('The request body is not JSON; send {"jwt": "<signed JWT>"}');
	}
	if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidArgument('The request body must be an object: {"jwt": "<signed JWT>"}');
	const fields = json as Record<string, unknown>;
	if ('yandexPassportOauthToken' in fields) throw invalidArgument('The emulator issues tokens for service account JWTs only, not for OAuth tokens');
	if (typeof fields.jwt !== 'string' || fields.jwt === '') throw invalidArgument('jwt is required');
	return fields.jwt;
}

function splitJwt(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signingInput: string; signature: Buffer } {
	const parts = jwt.split('.');
	if (parts.length !== 3 || parts.some(part => !/^[A-Za-z0-9_-]+$/.test(part))) {
		throw invalidArgument('Malformed JWT: expected three base64url parts separated by dots');
	}
	return {
		header: decodeJson(parts[0], 'header'),
		claims: decodeJson(parts[1], 'payload'),
		signingInput: `${parts[0]}.${parts[1]}`,
		signature: Buffer.from(parts[2], 'base64url'),
	};
}

function decodeJson(part: string, what: string): Record<string, unknown> {
	try {
		const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
	} catch {
		// Reported below.
	}
	throw invalidArgument(`Malformed JWT: the ${what} is not a JSON object`);
}

function unauthenticated(message: string): Rejection {
	return new Rejection(401, Code.UNAUTHENTICATED, message);
}

/** The service writes nanoseconds: 2019-10-01T23:04:52.579183357Z. */
function rfc3339Nanos(ms: number): string {
	return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}
