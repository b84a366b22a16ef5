/** Service-account authorized keys made at test time, in the shape `yc iam key create` writes. */

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DEFAULT_CREDENTIALS, ServiceAccountKeyConfig } from './api';

/** The key file's JSON fields, snake_case as Yandex Cloud writes them. */
export interface AuthorizedKeyFile {
	id: string;
	service_account_id: string;
	created_at: string;
	key_algorithm: string;
	public_key: string;
	private_key: string;
}

export interface TestServiceAccountKey {
	/** What the extension reads. */
	file: AuthorizedKeyFile;
	/** `file` as the text of a key file. */
	json: string;
	/** What the emulator's token endpoint is configured with. */
	config: ServiceAccountKeyConfig;
}

export interface TestKeyOptions {
	id?: string;
	serviceAccountId?: string;
	folderId?: string;
	/** Yandex writes `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <id>` before the PEM; default true. */
	warningLine?: boolean;
}

/** A fresh RSA-2048 key pair: each call gives a different private key, even for the same id. */
export function createTestServiceAccountKey(options: TestKeyOptions = {}): TestServiceAccountKey {
	const id = options.id ?? `aje${randomBytes(9).toString('hex').slice(0, 17)}`;
	const serviceAccountId = options.serviceAccountId ?? `aje${randomBytes(9).toString('hex').slice(0, 17)}`;
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
	const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
	const file: AuthorizedKeyFile = {
		id,
		service_account_id: serviceAccountId,
		created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
		key_algorithm: 'RSA_2048',
		public_key: publicPem,
		private_key: (options.warningLine ?? true) ? `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${id}>\n${privatePem}` : privatePem,
	};
	return {
		file,
		json: JSON.stringify(file, null, 3),
		config: { id, serviceAccountId, folderId: options.folderId ?? DEFAULT_CREDENTIALS.folderId, publicKeyPem: publicPem },
	};
}
