import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request, type Dispatcher } from 'undici';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { createVisionClient, VisionError, type BatchAnalyzeResult, type Feature, type VisionClientOptions } from '../../src/api/index';
import { createDispatcher, describeRoute, type ProxyOptions } from '../../src/api/transport/proxy';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';

const OCR: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en', 'ru'] } };
const PROXY_USER = 'vision';
const PROXY_PASSWORD = 's3cret-proxy-pass';

describe('requests through an HTTP proxy (tinyproxy)', function () {
	this.timeout(30_000);
	let emulator: Emulator;
	let proxy: Tinyproxy;
	let authProxy: Tinyproxy;
	/** Where the emulator listens, as a proxy's CONNECT names it. */
	let emulatorHost: string;
	const dispatchers: Dispatcher[] = [];

	before(async () => {
		emulator = await startEmulator();
		emulatorHost = new URL(emulator.url).host;
		proxy = await startTinyproxy();
		authProxy = await startTinyproxy({ basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD } });
	});
	after(async () => {
		await Promise.all([proxy?.close(), authProxy?.close(), emulator?.close()]);
	});
	beforeEach(() => {
		emulator.clearLog();
		proxy.clearLog();
		authProxy.clearLog();
	});
	afterEach(async () => {
		await Promise.all(dispatchers.splice(0).map(d => d.close()));
	});

	/** Analyzes latin-note.png with a client whose requests go where `options` say; the environment is empty unless given. */
	function analyze(options: ProxyOptions, client: Partial<VisionClientOptions> = {}): Promise<BatchAnalyzeResult> {
		const dispatcher = createDispatcher({ env: {}, ...options });
		dispatchers.push(dispatcher);
		return createVisionClient({
			endpoint: emulator.url,
			credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
			folderId: DEFAULT_CREDENTIALS.folderId,
			retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
			requestsPerSecond: 1000,
			dispatcher,
			...client,
		}).batchAnalyze({ analyzeSpecs: [{ content: fixtureBytes('latin-note.png'), features: [OCR] }] });
	}

	function assertRecognized(result: BatchAnalyzeResult): void {
		assert.deepEqual(result.results[0]!.results[0]!.textDetection, recordingOf('latin-note.png').textDetection);
	}

	async function deadPort(): Promise<number> {
		const server = createServer();
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		await new Promise(resolve => server.close(resolve));
		return port;
	}

	it('sends the request through the proxy of the proxy setting', async () => {
		assertRecognized(await analyze({ proxy: proxy.url }));
		assert.deepEqual(proxy.requests(), [`CONNECT ${emulatorHost}`], 'the proxy opened a tunnel to the emulator');
		assert.equal(emulator.log.length, 1);
		assert.equal(describeRoute(emulator.url, { proxy: proxy.url, env: {} }), `proxy ${proxy.url}`);
	});

	it('goes direct to a host in noProxy: the proxy sees nothing', async () => {
		assertRecognized(await analyze({ proxy: proxy.url, noProxy: ['127.0.0.1'] }));
		assert.equal(emulator.log.length, 1);
		assert.deepEqual(proxy.requests(), []);
		assert.equal(describeRoute(emulator.url, { proxy: proxy.url, noProxy: ['127.0.0.1'], env: {} }), 'direct');
	});

	it('uses HTTP_PROXY from the environment for the http endpoint', async () => {
		assertRecognized(await analyze({ env: { HTTP_PROXY: proxy.url } }));
		assert.deepEqual(proxy.requests(), [`CONNECT ${emulatorHost}`]);
	});

	it('does not use HTTPS_PROXY for an http endpoint, and NO_PROXY sends it direct', async () => {
		assertRecognized(await analyze({ env: { HTTPS_PROXY: proxy.url } }));
		assertRecognized(await analyze({ env: { http_proxy: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } }));
		assert.equal(emulator.log.length, 2);
		assert.deepEqual(proxy.requests(), []);
	});

	it('prefers the proxy setting over the environment', async () => {
		const dead = `http://127.0.0.1:${await deadPort()}`;
		assertRecognized(await analyze({ proxy: proxy.url, env: { HTTP_PROXY: dead } }));
		assert.deepEqual(proxy.requests(), [`CONNECT ${emulatorHost}`]);
	});

	it('authenticates to a proxy with the credentials in its URL', async () => {
		const withCredentials = authProxy.url.replace('://', `://${PROXY_USER}:${PROXY_PASSWORD}@`);
		assertRecognized(await analyze({ proxy: withCredentials }));
		assert.deepEqual(authProxy.requests(), [`CONNECT ${emulatorHost}`]);
		assert.equal(describeRoute(emulator.url, { proxy: withCredentials, env: {} }), `proxy ${authProxy.url}`, 'no credentials in the log line');
	});

	it('without credentials, a 407 says the proxy wants them, once, and nothing reaches the service', async () => {
		await assert.rejects(analyze({ proxy: authProxy.url }), (err: VisionError) => {
			assert.ok(err instanceof VisionError);
			assert.equal(err.message, `The proxy ${authProxy.url} requires a user name and password (HTTP 407); give them in the proxy URL, http://user:password@host:port. Check the http.proxy setting.`);
			assert.equal(err.attempts, 1, 'a 407 is not retried');
			return true;
		});
		assert.deepEqual(authProxy.requests(), [`CONNECT ${emulatorHost}`]);
		assert.equal(emulator.log.length, 0);
	});

	it('with a wrong password, the refusal says so without showing the password', async () => {
		const wrong = authProxy.url.replace('://', `://${PROXY_USER}:not-${PROXY_PASSWORD}@`);
		await assert.rejects(analyze({ proxy: wrong }), (err: VisionError) => {
			// tinyproxy answers wrong credentials with 401 where other proxies say 407.
			assert.match(err.message, /^The proxy http:\/\/127\.0\.0\.1:\d+ rejected the user name and password \(HTTP 40[17]\)\. Check the http\.proxy setting\.$/);
			assert.equal(err.attempts, 1);
			assert.ok(!err.message.includes(PROXY_PASSWORD) && !err.message.includes(PROXY_USER));
			return true;
		});
		assert.equal(emulator.log.length, 0);
	});

	it('a proxy that refuses connections is named, without credentials, and http.proxy is pointed at', async () => {
		const port = await deadPort();
		await assert.rejects(analyze({ proxy: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}` }), (err: VisionError) => {
			assert.equal(err.kind, 'network');
			assert.match(err.message, new RegExp(`^Cannot connect to the proxy http://127\\.0\\.0\\.1:${port} \\(connection refused\\)\\. Check the http\\.proxy setting\\.`));
			assert.ok(!err.message.includes(PROXY_PASSWORD));
			assert.equal(err.attempts, 2, 'retried like any connection failure');
			return true;
		});
		assert.equal(emulator.log.length, 0);
	});

	it('a dead proxy from the environment points at the variable', async () => {
		const port = await deadPort();
		await assert.rejects(analyze({ env: { HTTP_PROXY: `127.0.0.1:${port}` } }), (err: VisionError) => {
			assert.match(err.message, new RegExp(`^Cannot connect to the proxy http://127\\.0\\.0\\.1:${port} \\(connection refused\\)\\. Check the HTTP_PROXY environment variable, or set http\\.proxy to override it\\.`));
			return true;
		});
	});

	it('a proxy that cannot reach the service says so with its status', async () => {
		const port = await deadPort();
		const endpoint = `http://127.0.0.1:${port}/vision/v1/batchAnalyze`;
		await assert.rejects(analyze({ proxy: proxy.url }, { endpoint }), (err: VisionError) => {
			assert.equal(err.kind, 'network');
			assert.match(err.message, new RegExp(`^The proxy ${proxy.url.replace(/\./g, '\\.')} did not open a connection to 127\\.0\\.0\\.1:${port}: it answered HTTP 5\\d\\d\\. Check the http\\.proxy setting\\.`));
			return true;
		});
		assert.deepEqual(proxy.requests(), [`CONNECT 127.0.0.1:${port}`, `CONNECT 127.0.0.1:${port}`], 'retried once');
	});

	it('an unusable proxy setting fails the request without sending it anywhere', async () => {
		await assert.rejects(analyze({ proxy: 'socks5://127.0.0.1:1080', env: { HTTP_PROXY: proxy.url } }), (err: VisionError) => {
			assert.equal(err.kind, 'validation');
			assert.match(err.message, /socks5:\/\/127\.0\.0\.1:1080 from the http\.proxy setting is not supported: use an http:\/\/ or https:\/\/ proxy\./);
			assert.equal(err.attempts, 1);
			return true;
		});
		assert.equal(emulator.log.length, 0);
		assert.deepEqual(proxy.requests(), []);
	});
});

describe('http.proxyStrictSSL with a self-signed service', function () {
	this.timeout(30_000);
	let proxy: Tinyproxy;
	let server: Server;
	let url: string;
	const dispatchers: Dispatcher[] = [];

	before(async () => {
		proxy = await startTinyproxy();
		server = createHttpsServer(selfSignedCertificate(), (_req, res) => res.end('ok'));
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	});
	after(async () => {
		server?.closeAllConnections();
		await Promise.all([proxy?.close(), server && new Promise(resolve => server.close(resolve))]);
	});
	beforeEach(() => proxy.clearLog());
	afterEach(async () => {
		await Promise.all(dispatchers.splice(0).map(d => d.close()));
	});

	async function get(options: ProxyOptions): Promise<string> {
		const dispatcher = createDispatcher({ env: {}, ...options });
		dispatchers.push(dispatcher);
		const response = await request(url, { dispatcher });
		return `${response.statusCode} ${await response.body.text()}`;
	}

	it('verifies the certificate by default, direct and through the proxy, and does not blame the proxy', async () => {
		await assert.rejects(get({}), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
		await assert.rejects(get({ proxy: proxy.url }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
		assert.deepEqual(proxy.requests(), [`CONNECT ${new URL(url).host}`]);
	});

	it('accepts it with strictSSL: false, direct and through the proxy', async () => {
		assert.equal(await get({ strictSSL: false }), '200 ok');
		assert.deepEqual(proxy.requests(), []);
		assert.equal(await get({ strictSSL: false, proxy: proxy.url }), '200 ok');
		assert.deepEqual(proxy.requests(), [`CONNECT ${new URL(url).host}`]);
	});
});

/** A throwaway key and certificate for 127.0.0.1, made by openssl (Debian's package). */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
	const dir = mkdtempSync(path.join(tmpdir(), 'yv-tls-'));
	try {
		execFileSync('openssl', [
			'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
			'-addext', 'subjectAltName=IP:127.0.0.1',
			'-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
		], { stdio: 'pipe' });
		return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
	} catch (err) {
		throw new Error(`Could not make a test certificate with openssl (sudo apt-get install openssl): ${err instanceof Error ? err.message : String(err)}`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
