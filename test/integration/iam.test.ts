import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';
import { createVisionClient, VisionError, type AnalyzeSpec, type CredentialsProvider, type VisionClient } from '../../src/api/index';
import { createJwt, createServiceAccountTokenSource, parseServiceAccountKey, requestIamToken, type ServiceAccountKey, type ServiceAccountTokenSource } from '../../src/api/auth/iamToken';
import {
	createTestServiceAccountKey,
	DEFAULT_CREDENTIALS,
	DEFAULT_SERVICE_ACCOUNT_KEY,
	startEmulator,
	type Emulator,
	type TestServiceAccountKey,
} from '../emulator';
import { FIXTURES_DIR, fixtureBytes, recordingOf } from '../support/fixtures';

const FOLDER = DEFAULT_CREDENTIALS.folderId;
const OCR_SPEC = (): AnalyzeSpec => ({ content: fixtureBytes('latin-note.png'), features: [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }] });

interface StatusBody { code: number; message: string; details: unknown[] }

describe('service account keys against the emulator', function () {
	let emulator: Emulator;
	let account: TestServiceAccountKey;
	let key: ServiceAccountKey;
	const clients: VisionClient[] = [];

	before(async () => {
		account = createTestServiceAccountKey();
		key = parseServiceAccountKey(account.json);
		emulator = await startEmulator({ serviceAccountKeys: [account.config] });
	});
	after(async () => {
		await emulator.close();
	});
	beforeEach(() => {
		emulator.configure({ serviceAccountKeys: [account.config], iamTokenLifetimeMs: undefined });
		emulator.clearLog();
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(c => c.close()));
	});

	/** A client that, like the extension, has a folder configured: it must not be sent for service accounts. */
	function client(credentials: CredentialsProvider, folderId: string | null = FOLDER): VisionClient {
		const c = createVisionClient({ endpoint: emulator.url, credentials, folderId: folderId ?? undefined, retry: { maxAttempts: 1 }, requestsPerSecond: 1000 });
		clients.push(c);
		return c;
	}

	function withTokens(source: ServiceAccountTokenSource): CredentialsProvider {
		return async signal => ({ iamToken: await source.token(signal), account: 'service' });
	}

	const tokenRequests = () => emulator.log.filter(e => e.path === '/iam/v1/tokens');
	const analyzeRequests = () => emulator.log.filter(e => e.path === '/vision/v1/batchAnalyze');

	it('gets a token for the key and analyzes as the service account, sending no folderId', async () => {
		const source = createServiceAccountTokenSource(key, { endpoint: emulator.iamUrl });
		const response = await client(withTokens(source)).batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
		assert.deepEqual(response.results[0]!.results[0]!.textDetection, recordingOf('latin-note.png').textDetection);
		const [exchange] = tokenRequests();
		assert.equal(exchange!.status, 200);
		assert.equal(exchange!.keyId, account.file.id);
		const [analyze] = analyzeRequests();
		assert.equal(analyze!.status, 200);
		assert.equal(analyze!.authScheme, 'Bearer');
		assert.equal(analyze!.folderId, undefined, 'no folderId with a service account token');
		const expiresAt = source.current!.expiresAt;
		assert.ok(Math.abs(expiresAt - (Date.now() + 12 * 3600_000)) < 60_000, 'expiresAt read from the RFC 3339 answer');
	});

	it('says the key was rejected, with the request id, when the private key is not the registered one', async () => {
		const impostor = parseServiceAccountKey(createTestServiceAccountKey({ id: account.file.id, serviceAccountId: account.file.service_account_id }).json);
		const source = createServiceAccountTokenSource(impostor, { endpoint: emulator.iamUrl });
		await assert.rejects(client(withTokens(source)).batchAnalyze({ analyzeSpecs: [OCR_SPEC()] }), (err: VisionError) => {
			assert.equal(err.kind, 'credentials');
			assert.equal(err.httpStatus, 401);
			assert.match(err.message, new RegExp(`rejected the service account key ${account.file.id}.*signature is invalid.*current key of service account ${account.file.service_account_id}`));
			assert.equal(err.requestId, tokenRequests()[0]!.requestId, 'the token endpoint\'s request id');
			return true;
		});
		assert.deepEqual(tokenRequests().map(e => e.status), [401]);
		assert.equal(analyzeRequests().length, 0, 'nothing is sent to the Vision API without a token');
	});

	it('renews an expiring token before using it', async function () {
		this.timeout(10_000);
		emulator.configure({ iamTokenLifetimeMs: 1_500 });
		// Without the 5-minute floor, renewal starts when 10 % of the 1.5 s life (150 ms) is left.
		const source = createServiceAccountTokenSource(key, { endpoint: emulator.iamUrl, minRefreshMarginMs: 0 });
		const c = client(withTokens(source));
		await c.batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
		const first = source.current!.iamToken;
		await c.batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
		assert.equal(tokenRequests().length, 1, 'a fresh token is reused');

		await new Promise(resolve => setTimeout(resolve, 1_600));
		const stale = await request(emulator.url, { method: 'POST', headers: { authorization: `Bearer ${first}` }, body: JSON.stringify({ analyzeSpecs: [] }) });
		assert.equal(stale.statusCode, 401, 'the first token has expired at the emulator');
		await stale.body.dump();

		emulator.clearLog();
		const response = await c.batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
		assert.ok(response.results[0]!.results[0]!.textDetection);
		assert.deepEqual(emulator.log.map(e => [e.path, e.status]), [['/iam/v1/tokens', 200], ['/vision/v1/batchAnalyze', 200]]);
		assert.notEqual(source.current!.iamToken, first);
	});

	it('sends the exchange through the dispatcher it is given (a proxy plugs in there)', async () => {
		let dispatched = 0;
		class CountingAgent extends Agent {
			override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
				dispatched++;
				return super.dispatch(options, handler);
			}
		}
		const agent = new CountingAgent();
		try {
			const token = await requestIamToken(createJwt(key, Date.now()), key, { endpoint: emulator.iamUrl, dispatcher: agent });
			assert.match(token.iamToken, /^t1\./);
			assert.equal(dispatched, 1);
		} finally {
			await agent.close();
		}
	});

	it('refuses to send a signed JWT over plain http to another host', () => {
		assert.throws(() => createServiceAccountTokenSource(key, { endpoint: 'http://iam.example.com/iam/v1/tokens' }), /IAM token endpoint must use https/);
	});

	it('an API key sends no folderId', async () => {
		await client({ apiKey: DEFAULT_CREDENTIALS.apiKey }).batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
		const [entry] = emulator.log;
		assert.equal(entry!.status, 200);
		assert.equal(entry!.authScheme, 'Api-Key');
		assert.equal(entry!.folderId, undefined);
	});

	it('a user account\'s token sends the folder, and without one fails before sending', async () => {
		const user = { iamToken: DEFAULT_CREDENTIALS.userIamToken, account: 'user' } as const;
		await client(user).batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
		assert.equal(emulator.log[0]!.folderId, FOLDER);
		emulator.clearLog();
		await assert.rejects(client(user, null).batchAnalyze({ analyzeSpecs: [OCR_SPEC()] }), (err: VisionError) => {
			assert.equal(err.kind, 'validation');
			assert.match(err.message, /^folderId: is required with a user account's IAM token/);
			return true;
		});
		assert.equal(emulator.log.length, 0);
	});

	it('the committed sample key is the one the emulator accepts by default', async () => {
		const defaults = await startEmulator();
		try {
			const sampleKey = parseServiceAccountKey(readFileSync(path.join(FIXTURES_DIR, 'keys', 'emulator-service-account-key.json'), 'utf8'));
			assert.equal(sampleKey.id, DEFAULT_SERVICE_ACCOUNT_KEY.id);
			const source = createServiceAccountTokenSource(sampleKey, { endpoint: defaults.iamUrl });
			const c = createVisionClient({ endpoint: defaults.url, credentials: withTokens(source), folderId: FOLDER });
			clients.push(c);
			await c.batchAnalyze({ analyzeSpecs: [OCR_SPEC()] });
			assert.deepEqual(defaults.log.map(e => e.status), [200, 200]);
		} finally {
			await defaults.close();
		}
	});

	describe('the emulator\'s token endpoint', () => {
		async function post(body: unknown): Promise<{ status: number; json: StatusBody & { iamToken?: string; expiresAt?: string } }> {
			const response = await request(emulator.iamUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
			return { status: response.statusCode, json: await response.body.json() as StatusBody };
		}

		/** A JWT with the given header and claims, signed by the test key. */
		function jwtWith(header: object, claims: object): string {
			const [, , signature] = createJwt(key, Date.now()).split('.');
			const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
			// The signature belongs to other content: fine where the request fails before it is checked.
			return `${part(header)}.${part(claims)}.${signature}`;
		}

		const now = () => Math.floor(Date.now() / 1000);
		const goodHeader = () => ({ typ: 'JWT', alg: 'PS256', kid: account.file.id });
		const goodClaims = () => ({ iss: account.file.service_account_id, aud: 'https://iam.api.cloud.yandex.net/iam/v1/tokens', iat: now(), exp: now() + 3600 });

		it('answers {iamToken, expiresAt} with RFC 3339 nanoseconds', async () => {
			const { status, json } = await post({ jwt: createJwt(key, Date.now()) });
			assert.equal(status, 200);
			assert.match(json.iamToken ?? '', /^t1\.[A-Za-z0-9_-]+$/);
			assert.match(json.expiresAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
		});

		for (const [what, body, message] of [
			['a body that is not JSON', '{', /not JSON/],
			['a body without jwt', {}, /jwt is required/],
			['a JWT that is not three parts', { jwt: 'abc.def' }, /Malformed JWT/],
			['a JWT whose payload is not JSON', { jwt: 'eyJhbGciOiJQUzI1NiJ9.bm90IGpzb24.c2ln' }, /payload is not a JSON object/],
			['an RS256 JWT', () => ({ jwt: jwtWith({ ...goodHeader(), alg: 'RS256' }, goodClaims()) }), /Unsupported JWT algorithm "RS256"/],
			['a JWT living longer than an hour', () => ({ jwt: jwtWith(goodHeader(), { ...goodClaims(), exp: now() + 3601 }) }), /exp - iat is 3601 s/],
		] as const) {
			it(`answers 400 code 3 for ${what}`, async () => {
				const { status, json } = await post(typeof body === 'function' ? body() : body);
				assert.equal(status, 400);
				assert.equal(json.code, 3);
				assert.match(json.message, message);
				assert.deepEqual(json.details, []);
			});
		}

		for (const [what, jwt, message] of [
			['an unknown key', () => jwtWith({ ...goodHeader(), kid: 'ajenosuchkey00000001' }, goodClaims()), /Key ajenosuchkey00000001 is not found/],
			['a signature over other content', () => jwtWith(goodHeader(), { ...goodClaims(), exp: now() + 3000 }), /signature is invalid/],
		] as const) {
			it(`answers 401 code 16 for ${what}`, async () => {
				const { status, json } = await post({ jwt: jwt() });
				assert.equal(status, 401);
				assert.equal(json.code, 16);
				assert.match(json.message, message);
			});
		}

		it('answers 401 code 16 for an expired JWT', async () => {
			const { status, json } = await post({ jwt: createJwt(key, Date.now() - 2 * 3600_000) });
			assert.equal(status, 401);
			assert.equal(json.code, 16);
			assert.match(json.message, /expired/);
		});

		it('lets a service account token name its own folder only', async () => {
			const { json } = await post({ jwt: createJwt(key, Date.now()) });
			const send = async (folderId: string) => {
				const response = await request(emulator.url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', authorization: `Bearer ${json.iamToken!}` },
					body: JSON.stringify({ folderId, analyzeSpecs: [{ content: fixtureBytes('latin-note.png').toString('base64'), features: [{ type: 'FACE_DETECTION' }] }] }),
				});
				await response.body.dump();
				return response.statusCode;
			};
			assert.equal(await send(FOLDER), 200);
			assert.equal(await send('b1gsomeoneelsesfolder'), 403);
		});

		it('never logs the JWT or the issued token', async () => {
			const jwt = createJwt(key, Date.now());
			const { json } = await post({ jwt });
			const logged = JSON.stringify(emulator.log);
			assert.ok(!logged.includes(jwt.split('.')[2]!));
			assert.ok(!logged.includes(json.iamToken!));
		});
	});
});
