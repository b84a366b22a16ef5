/**
 * What goes into the Authorization header. An IAM token is sent as `Bearer`, an API key (service
 * accounts only) as `Api-Key`.
 *
 * The account behind an IAM token decides the body: a user account's token needs `folderId`, a
 * service account's token must go without it (the account's own folder is billed). `account`
 * absent means the caller did not say: `folderId` is sent when one is configured, never required.
 */
export type Credentials =
	| { readonly iamToken: string; readonly account?: IamAccount }
	| { readonly apiKey: string };

export type IamAccount = 'user' | 'service';

/** What a request does with a folder ID for given credentials. */
export type FolderIdRule = 'required' | 'omit' | 'optional';

/** Fixed credentials, or a function asked before every attempt (tokens expire and get refreshed). */
export type CredentialsProvider = Credentials | ((signal?: AbortSignal) => Credentials | Promise<Credentials>);

export async function resolveCredentials(provider: CredentialsProvider, signal?: AbortSignal): Promise<Credentials> {
	return typeof provider === 'function' ? provider(signal) : provider;
}

export function authorizationHeader(credentials: Credentials): string {
	if ('iamToken' in credentials) return `Bearer ${checkSecret(credentials.iamToken, 'IAM token')}`;
	return `Api-Key ${checkSecret(credentials.apiKey, 'API key')}`;
}

/**
 * What the request body does with `folderId` for these credentials: `required` (a user account's
 * token), `omit` (API keys and service-account tokens), or `optional` (unspecified account).
 */
export function folderIdRule(credentials: Credentials): FolderIdRule {
	if (!('iamToken' in credentials)) return 'omit';
	switch (credentials.account) {
		case 'user':
			return 'required';
		case 'service':
			return 'omit';
		case undefined:
			return 'optional';
	}
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
