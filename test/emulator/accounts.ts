/** Who is calling, from the Authorization header, and which folder the call is billed to. */

import { createHash } from 'node:crypto';
import { DEFAULT_CREDENTIALS, EmulatorOptions } from './api';
import { Code, Rejection, invalidArgument } from './status';

export type AuthScheme = 'Bearer' | 'Api-Key' | 'other';

export interface Credential {
	scheme: AuthScheme;
	secret: string;
}

/** `accountId` is what an operation's `createdBy` shows, and whom the operation belongs to. */
export type Principal =
	| { kind: 'user'; accountId: string; folders: readonly string[] }
	| { kind: 'serviceAccount'; accountId: string; folderId: string };

export interface Accounts {
	users: NonNullable<EmulatorOptions['users']>;
	serviceAccounts: NonNullable<EmulatorOptions['serviceAccounts']>;
}

export function accountsFrom(options: Pick<EmulatorOptions, 'users' | 'serviceAccounts'>): Accounts {
	return {
		users: options.users ?? [{ iamToken: DEFAULT_CREDENTIALS.userIamToken, folders: [DEFAULT_CREDENTIALS.folderId] }],
		serviceAccounts: options.serviceAccounts ?? [{
			folderId: DEFAULT_CREDENTIALS.folderId,
			iamTokens: [DEFAULT_CREDENTIALS.serviceAccountIamToken],
			apiKeys: [DEFAULT_CREDENTIALS.apiKey],
		}],
	};
}

const USAGE = "use 'Authorization: Bearer <IAM token>' or 'Authorization: Api-Key <API key>'";

/**
 * Splits the header into scheme and secret. Anything that is not `<scheme> <secret>`
 * has no readable scheme, so nothing of it is ever logged.
 */
export function readCredential(header: string | undefined): Credential | undefined {
	const match = /^([A-Za-z][A-Za-z0-9-]*) +(\S+)$/.exec(header?.trim() ?? '');
	if (!match) return undefined;
	const scheme = match[1].toLowerCase();
	return {
		scheme: scheme === 'bearer' ? 'Bearer' : scheme === 'api-key' ? 'Api-Key' : 'other',
		secret: match[2],
	};
}

/**
 * Step 1 of the gateway: 401 code 16 unless the header names a known IAM token or API key.
 * `issued` looks up tokens the emulator's token endpoint handed out (and that have not expired).
 */
export function authenticate(
	header: string | undefined,
	accounts: Accounts,
	issued?: (token: string) => { folderId: string; serviceAccountId: string } | undefined,
): Principal {
	if (header === undefined || header.trim() === '') {
		throw new Rejection(401, Code.UNAUTHENTICATED, `The request has no Authorization header; ${USAGE}.`);
	}
	const credential = readCredential(header);
	if (!credential || credential.scheme === 'other') {
		throw new Rejection(401, Code.UNAUTHENTICATED, `The Authorization header is malformed; ${USAGE}.`);
	}
	const { scheme, secret } = credential;
	if (scheme === 'Bearer') {
		const user = accounts.users.find(u => u.iamToken === secret);
		if (user) return { kind: 'user', accountId: accountIdOf(`user ${user.iamToken}`), folders: user.folders };
	}
	const account = accounts.serviceAccounts.find(sa =>
		scheme === 'Bearer' ? sa.iamTokens?.includes(secret) : sa.apiKeys?.includes(secret));
	if (account) {
		// One account whichever of its credentials is used.
		const first = account.iamTokens?.[0] ?? account.apiKeys?.[0] ?? '';
		return { kind: 'serviceAccount', accountId: accountIdOf(`service account ${account.folderId} ${first}`), folderId: account.folderId };
	}
	const minted = scheme === 'Bearer' ? issued?.(secret) : undefined;
	if (minted) return { kind: 'serviceAccount', accountId: minted.serviceAccountId, folderId: minted.folderId };
	throw new Rejection(401, Code.UNAUTHENTICATED, 'The token is invalid or has expired.');
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A stable ID in the service's style (20 lowercase letters and digits, `aje…` as its accounts')
 * for an account the options give no ID: derived from how the account is configured.
 */
function accountIdOf(configured: string): string {
	const digest = createHash('sha256').update(configured).digest();
	let id = 'aje';
	for (let i = 0; id.length < 20; i++) id += ID_ALPHABET[digest[i] % ID_ALPHABET.length];
	return id;
}

const FOLDER_ID_REQUIRED = 'Request validation error: folder_id: folder_id is required when calling as a user account';

/**
 * Step 4: a user names one of its folders; a service account names its own folder or none.
 * `whenMissing` is the message for a user that named none (methods name the folder differently).
 */
export function checkFolder(principal: Principal, folderId: string, whenMissing = FOLDER_ID_REQUIRED): void {
	if (principal.kind === 'user') {
		if (folderId === '') throw invalidArgument(whenMissing);
		if (!principal.folders.includes(folderId)) throw permissionDenied();
	} else if (folderId !== '' && folderId !== principal.folderId) {
		throw permissionDenied();
	}
}

function permissionDenied(): Rejection {
	return new Rejection(403, Code.PERMISSION_DENIED, 'Permission denied');
}
