import * as assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { redact } from '../../src/api/auth/authorization';
import { VisionError } from '../../src/api/transport/errors';
import {
	createJwt,
	IAM_AUDIENCE,
	KeyFileError,
	keySecrets,
	parseRfc3339,
	parseServiceAccountKey,
	ServiceAccountTokenSource,
	type IamToken,
	type ServiceAccountKey,
} from '../../src/api/auth/iamToken';
import { createTestServiceAccountKey, type AuthorizedKeyFile, type TestServiceAccountKey } from '../emulator/keys';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2025, 2, 1, 9, 0, 0);

/** One key pair for the whole file: generating RSA keys takes a while. */
const sample: TestServiceAccountKey = createTestServiceAccountKey({ id: 'ajekeyid000000000001', serviceAccountId: 'ajesaid0000000000001' });

function decodePart(part: string): unknown {
	return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function keyFileWith(changes: Partial<Record<keyof AuthorizedKeyFile | string, unknown>>, drop: string[] = []): string {
	const fields: Record<string, unknown> = { ...sample.file, ...changes };
	for (const name of drop) delete fields[name];
	return JSON.stringify(fields);
}

function keyFileError(text: string): string {
	try {
		parseServiceAccountKey(text);
	} catch (err) {
		assert.ok(err instanceof KeyFileError, `a KeyFileError, got ${String(err)}`);
		return err.message;
	}
	assert.fail('the file was accepted');
}

describe('service account keys and IAM tokens', () => {
	describe('the JWT', () => {
		const key = parseServiceAccountKey(sample.json);

		it('verifies with the public key as PS256 (RSA-PSS, SHA-256, salt length 32)', () => {
			const jwt = createJwt(key, T0);
			const [header, payload, signature] = jwt.split('.');
			const publicKey = createPublicKey(sample.file.public_key);
			const input = Buffer.from(`${header}.${payload}`);
			const pss = (saltLength: number) => ({ key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
			assert.equal(verify('sha256', input, pss(32), Buffer.from(signature!, 'base64url')), true);
			assert.equal(verify('sha256', input, pss(20), Buffer.from(signature!, 'base64url')), false, 'another salt length does not verify');
			assert.equal(verify('sha256', Buffer.from(`${header}.${payload}x`), pss(32), Buffer.from(signature!, 'base64url')), false);
		});

		it('has exactly the header {typ, alg, kid} and the payload {iss, aud, iat, exp}, in unpadded base64url', () => {
			const jwt = createJwt(key, T0 + 999);
			const parts = jwt.split('.');
			assert.equal(parts.length, 3);
			for (const part of parts) assert.match(part, /^[A-Za-z0-9_-]+$/);
			assert.deepEqual(decodePart(parts[0]!), { typ: 'JWT', alg: 'PS256', kid: 'ajekeyid000000000001' });
			const iat = T0 / 1000;
			assert.deepEqual(decodePart(parts[1]!), { iss: 'ajesaid0000000000001', aud: 'https://iam.api.cloud.yandex.net/iam/v1/tokens', iat, exp: iat + 3600 });
			assert.equal(IAM_AUDIENCE, 'https://iam.api.cloud.yandex.net/iam/v1/tokens');
		});

		it('never lives longer than an hour', () => {
			const [, payload] = createJwt(key, T0, 600).split('.');
			const claims = decodePart(payload!) as { iat: number; exp: number };
			assert.equal(claims.exp - claims.iat, 600);
			assert.throws(() => createJwt(key, T0, 3601), RangeError);
			assert.throws(() => createJwt(key, T0, 0), RangeError);
		});
	});

	describe('key files', () => {
		it('reads the file of `yc iam key create`, with or without the "DO NOT REMOVE" line', () => {
			const marked = parseServiceAccountKey(sample.json);
			assert.equal(marked.id, 'ajekeyid000000000001');
			assert.equal(marked.serviceAccountId, 'ajesaid0000000000001');
			assert.equal(marked.keyAlgorithm, 'RSA_2048');
			assert.ok(sample.file.private_key.startsWith('PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <ajekeyid000000000001>\n'));
			assert.match(marked.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----$/);
			const bare = createTestServiceAccountKey({ warningLine: false });
			assert.equal(parseServiceAccountKey(`\uFEFF${bare.json}\n`).id, bare.file.id);
			const unescaped = keyFileWith({ private_key: sample.file.private_key.replace(/\n/g, '\\n') });
			assert.equal(parseServiceAccountKey(unescaped).id, 'ajekeyid000000000001', 'literal \\n sequences are line breaks');
		});

		const cases: [string, () => string, RegExp][] = [
			['text that is not JSON', () => 'id: aje…', /not JSON.*yc iam key create --service-account-name <name> --output key\.json/],
			['a bare PEM private key', () => sample.file.private_key, /bare private key.*names the key and its service account/],
			['JSON that is not an object', () => '[1, 2]', /not an authorized key object/],
			['an API key', () => JSON.stringify({ api_key: { id: 'ajeapikey', service_account_id: 'ajesa' }, secret: 'AQVN-secret' }), /holds an API key.*Set its secret as an API key/],
			['a static access key', () => JSON.stringify({ access_key: { id: 'ajeaccess', key_id: 'YCAJ' }, secret: 'YCsecret' }), /static access key.*does not accept/],
			['a key without its private key', () => keyFileWith({}, ['private_key']), /no private_key.*only once, when the key is created/],
			['a key without an id', () => keyFileWith({}, ['id']), /no "id" \(the key ID\)/],
			['a key without a service account', () => keyFileWith({}, ['service_account_id']), /no "service_account_id"/],
			['an id with spaces', () => keyFileWith({ id: 'two words' }), /"id" .*must be an ID like aje…/],
			['an algorithm other than RSA', () => keyFileWith({ key_algorithm: 'ECDSA_P256' }), /algorithm is ECDSA_P256; only RSA keys/],
			['a private key that is not PEM', () => keyFileWith({ private_key: 'MIIEvQIBADANBg' }), /not a PEM private key/],
			['a damaged PEM', () => keyFileWith({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), /damaged/],
			['an encrypted key', () => keyFileWith({ private_key: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n' }), /encrypted with a passphrase/],
			['a key marked with another key ID', () => keyFileWith({ private_key: sample.file.private_key.replace('<ajekeyid000000000001>', '<ajeotherkey000000001>') }), /marked as key ajeotherkey000000001.*put together from two keys/],
			['a public key of another pair', () => keyFileWith({ public_key: createTestServiceAccountKey().file.public_key }), /public_key and private_key are not a pair/],
			['an elliptic-curve key', () => {
				const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
				return keyFileWith({ private_key: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, ['public_key']);
			}, /is ec; the IAM service needs an RSA key/],
			['an RSA key shorter than 2048 bits', () => {
				const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
				return keyFileWith({ private_key: weak.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, ['public_key']);
			}, /has 1024 bits; the IAM service needs at least 2048/],
			['a large file', () => JSON.stringify({ padding: 'x'.repeat(70_000) }), /is 68 KB; an authorized key file is about 3 KB/],
		];
		for (const [what, text, message] of cases) {
			it(`refuses ${what}, saying why`, () => {
				assert.match(keyFileError(text()), message);
			});
		}

		it('never puts the private key into a refusal', () => {
			const damaged = keyFileWith({ public_key: createTestServiceAccountKey().file.public_key });
			const message = keyFileError(damaged);
			for (const line of sample.file.private_key.split('\n').filter(l => l.length > 20)) assert.ok(!message.includes(line));
		});

		it('lists the private key and each of its lines for redaction, even inside escaped JSON', () => {
			const key = parseServiceAccountKey(sample.json);
			const secrets = keySecrets(key);
			assert.ok(secrets.includes(key.privateKeyPem));
			const echoed = `server said: ${JSON.stringify({ private_key: key.privateKeyPem })}`;
			const cleaned = redact(echoed, secrets);
			for (const line of key.privateKeyPem.split('\n').filter(l => !l.startsWith('-----'))) {
				assert.ok(!cleaned.includes(line), `"${line}" is redacted`);
			}
		});
	});

	it('reads RFC 3339 times with any fraction and an offset', () => {
		assert.equal(parseRfc3339('2019-10-01T23:04:52.579183357Z'), Date.UTC(2019, 9, 1, 23, 4, 52, 579));
		assert.equal(parseRfc3339('2019-10-01T23:04:52Z'), Date.UTC(2019, 9, 1, 23, 4, 52));
		assert.equal(parseRfc3339('2019-10-02T02:04:52.5+03:00'), Date.UTC(2019, 9, 1, 23, 4, 52, 500));
		for (const bad of ['2019-10-01 23:04:52Z', '2019-10-01T23:04:52', 'tomorrow', '2019-13-01T00:00:00Z']) assert.equal(parseRfc3339(bad), undefined, bad);
	});

	describe('the token source', () => {
		const key: ServiceAccountKey = parseServiceAccountKey(sample.json);

		/** A token endpoint under the test's control: each exchange waits until the test answers it. */
		class FakeEndpoint {
			readonly jwts: string[] = [];
			private waiting: { resolve: (t: IamToken) => void; reject: (e: unknown) => void }[] = [];
			exchange = (jwt: string): Promise<IamToken> => {
				this.jwts.push(jwt);
				return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
			};
			get pending(): number {
				return this.waiting.length;
			}
			answer(token: IamToken): void {
				for (const w of this.waiting.splice(0)) w.resolve(token);
			}
			fail(error: unknown): void {
				for (const w of this.waiting.splice(0)) w.reject(error);
			}
		}

		function setUp() {
			const clock = { now: T0 };
			const endpoint = new FakeEndpoint();
			const minted: string[] = [];
			const source = new ServiceAccountTokenSource(key, { exchange: endpoint.exchange, now: () => clock.now, onToken: t => minted.push(t.iamToken) });
			return { clock, endpoint, source, minted };
		}

		/** Lets a pending exchange reach the fake endpoint. */
		const tick = () => new Promise(resolve => setImmediate(resolve));

		async function mint(endpoint: FakeEndpoint, pending: Promise<string>, token: IamToken): Promise<string> {
			await tick();
			endpoint.answer(token);
			return pending;
		}

		it('mints on first use with a JWT signed at the current time, then reuses the token', async () => {
			const { clock, endpoint, source, minted } = setUp();
			const first = await mint(endpoint, source.token(), { iamToken: 't1.first', expiresAt: T0 + 12 * HOUR });
			assert.equal(first, 't1.first');
			const claims = decodePart(endpoint.jwts[0]!.split('.')[1]!) as { iat: number };
			assert.equal(claims.iat, T0 / 1000);
			clock.now = T0 + 10 * HOUR;
			assert.equal(await source.token(), 't1.first');
			assert.equal(endpoint.jwts.length, 1, 'no exchange before the threshold');
			assert.deepEqual(minted, ['t1.first']);
			assert.equal(source.current?.iamToken, 't1.first');
		});

		it('renews when 10 % of a 12-hour life is left (72 min), sharing one exchange among callers', async () => {
			const { clock, endpoint, source } = setUp();
			await mint(endpoint, source.token(), { iamToken: 't1.first', expiresAt: T0 + 12 * HOUR });
			clock.now = T0 + 12 * HOUR - 73 * MINUTE;
			assert.equal(await source.token(), 't1.first');
			clock.now = T0 + 12 * HOUR - 71 * MINUTE;
			const callers = [source.token(), source.token(), source.token()];
			await tick();
			assert.equal(endpoint.pending, 1, 'one exchange for three callers');
			endpoint.answer({ iamToken: 't1.second', expiresAt: clock.now + 12 * HOUR });
			assert.deepEqual(await Promise.all(callers), ['t1.second', 't1.second', 't1.second']);
			assert.equal(endpoint.jwts.length, 2);
			assert.equal(await source.token(), 't1.second');
		});

		it('renews a short-lived token 5 minutes before it expires, when that is more than 10 %', async () => {
			const { clock, endpoint, source } = setUp();
			await mint(endpoint, source.token(), { iamToken: 't1.short', expiresAt: T0 + 20 * MINUTE });
			clock.now = T0 + 14 * MINUTE;
			assert.equal(await source.token(), 't1.short');
			clock.now = T0 + 16 * MINUTE;
			const renewed = await mint(endpoint, source.token(), { iamToken: 't1.next', expiresAt: T0 + 36 * MINUTE });
			assert.equal(renewed, 't1.next');
			assert.equal(endpoint.jwts.length, 2);
		});

		it('reports a failed renewal to every waiting caller, then tries again on the next call', async () => {
			const { clock, endpoint, source } = setUp();
			await mint(endpoint, source.token(), { iamToken: 't1.first', expiresAt: T0 + HOUR });
			clock.now = T0 + 55 * MINUTE;
			const refused = new VisionError({ kind: 'credentials', code: 16, message: 'The IAM service rejected the key', requestId: 'r-1' });
			const callers = [source.token(), source.token()];
			await tick();
			assert.equal(endpoint.pending, 1);
			endpoint.fail(refused);
			for (const caller of callers) await assert.rejects(caller, (err: unknown) => err === refused);
			const retried = source.token();
			await tick();
			assert.equal(endpoint.pending, 1, 'the failure is not remembered');
			endpoint.answer({ iamToken: 't1.after-failure', expiresAt: clock.now + HOUR });
			assert.equal(await retried, 't1.after-failure');
			assert.equal(endpoint.jwts.length, 3);
		});

		it('lets one caller stop waiting without cancelling the exchange the others share', async () => {
			const { endpoint, source } = setUp();
			const controller = new AbortController();
			const impatient = source.token(controller.signal);
			const patient = source.token();
			await tick();
			controller.abort(new Error('cancelled by the user'));
			await assert.rejects(impatient, /cancelled by the user/);
			endpoint.answer({ iamToken: 't1.shared', expiresAt: T0 + HOUR });
			assert.equal(await patient, 't1.shared');
			assert.equal(endpoint.jwts.length, 1);
		});

		it('mints anew after the service refused the token', async () => {
			const { endpoint, source } = setUp();
			await mint(endpoint, source.token(), { iamToken: 't1.refused', expiresAt: T0 + 12 * HOUR });
			source.invalidate();
			assert.equal(await mint(endpoint, source.token(), { iamToken: 't1.fresh', expiresAt: T0 + 12 * HOUR }), 't1.fresh');
			assert.equal(endpoint.jwts.length, 2);
		});
	});
});
