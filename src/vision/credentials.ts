/**
 * What goes into the Authorization header. An IAM token (user or service account) is sent as
 * `Bearer`, an API key (service accounts only) as `Api-Key`.
 */
export type Credentials =
	| { readonly iamToken: string }
	| { readonly apiKey: string };

/** Fixed credentials, or a function asked before every attempt (tokens expire and get refreshed). */
export type CredentialsProvider = Credentials | ((signal?: AbortSignal) => Credentials | Promise<Credentials>);

export async function resolveCredentials(provider: CredentialsProvider, signal?: AbortSignal): Promise<Credentials> {
	return typeof provider === 'function' ? provider(signal) : provider;
}

export function authorizationHeader(credentials: Credentials): string {
	if ('iamToken' in credentials) return `Bearer ${checkSecret(credentials.iamToken, 'IAM token')}`;
	return `Api-Key ${checkSecret(credentials.apiKey, 'API key')}`;
}

/** Rejects values that would corrupt the header (or smuggle another one) before they reach the wire. */
function checkSecret(value: unknown, what: string): string {
	if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`The ${what} is empty.`);
	if (!/^[\x21-\x7e]+$/.test(value.trim())) {
		throw new TypeError(`The ${what} contains spaces or characters that cannot be sent in an HTTP header.`);
	}
	return value.trim();
}

/**
 * Replaces every occurrence of the given secrets in `text`. Applied to anything that may echo a
 * request back (error bodies, proxy pages) before it is shown or logged.
 */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length >= 4) out = out.split(secret).join('***');
	}
	return out;
}

export function secretOf(credentials: Credentials): string {
	return 'iamToken' in credentials ? credentials.iamToken : credentials.apiKey;
}
