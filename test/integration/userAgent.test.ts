/**
 * The User-Agent the clients are given goes with every request they send, against the emulator
 * over real HTTP: batchAnalyze, recognizeText, recognizeTextAsync, the operation service,
 * getRecognition, the IAM token exchange, each retry, and a web image's download with its
 * redirects. It names the product and its version, never the credentials.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOcrClient, createVisionClient, type CredentialsProvider, type OcrClient, type VisionClient } from '../../src/api/index';
import { createServiceAccountTokenSource, parseServiceAccountKey } from '../../src/api/auth/iamToken';
import { recognizeDocument } from '../../src/api/ocr/recognizeDocument';
import { userAgentOf } from '../../src/api/transport/userAgent';
import { fetchImage } from '../../src/panel/remoteImage';
import { createTestServiceAccountKey, startEmulator, type Emulator, type TestServiceAccountKey } from '../emulator';
import { fixtureBytes } from '../support/fixtures';

const USER_AGENT = userAgentOf({ extensionVersion: '0.1.0', editorVersion: '1.100.0', platform: 'linux', arch: 'x64' });

describe('the User-Agent of every request', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	let account: TestServiceAccountKey;
	let credentials: CredentialsProvider;
	let minted: string[];
	const closers: (VisionClient | OcrClient)[] = [];

	before(async () => {
		account = createTestServiceAccountKey();
		emulator = await startEmulator({ serviceAccountKeys: [account.config] });
	});
	after(async () => {
		await emulator.close();
	});
	beforeEach(() => {
		emulator.configure({ faults: {} });
		emulator.clearLog();
		minted = [];
		const source = createServiceAccountTokenSource(parseServiceAccountKey(account.json), {
			endpoint: emulator.iamUrl,
			userAgent: USER_AGENT,
			onToken: token => minted.push(token.iamToken),
		});
		credentials = async signal => ({ iamToken: await source.token(signal), account: 'service' });
	});
	afterEach(async () => {
		await Promise.all(closers.splice(0).map(client => client.close()));
	});

	const fast = { baseDelayMs: 20, maxDelayMs: 100 };

	function visionClient(): VisionClient {
		const client = createVisionClient({ endpoint: emulator.url, credentials, userAgent: USER_AGENT, retry: fast, requestsPerSecond: 1000 });
		closers.push(client);
		return client;
	}

	function ocrClient(): OcrClient {
		const client = createOcrClient({
			endpoint: emulator.ocrUrl,
			operationEndpoint: emulator.operationsUrl,
			credentials,
			userAgent: USER_AGENT,
			retry: fast,
			requestsPerSecond: 1000,
			asyncRequestsPerSecond: 1000,
		});
		closers.push(client);
		return client;
	}

	/** Each path the emulator was asked, with the User-Agents it got there. */
	function agentsByPath(): Map<string, Set<string | undefined>> {
		const byPath = new Map<string, Set<string | undefined>>();
		for (const entry of emulator.log) {
			const path = entry.path.startsWith('/operations/') ? '/operations/{id}' : entry.path;
			if (!byPath.has(path)) byPath.set(path, new Set());
			byPath.get(path)!.add(entry.userAgent);
		}
		return byPath;
	}

	it('goes with every method of both services and the IAM token exchange, retries included', async () => {
		// The first attempt of each service method is refused once, so that a retry is sent too.
		emulator.configure({ faults: { script: ['http503'], methods: ['batchAnalyze'] } });
		await visionClient().batchAnalyze({ analyzeSpecs: [{ content: fixtureBytes('latin-note.png'), features: [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }] }] });
		emulator.configure({ faults: { script: ['http503'], methods: ['recognizeText'] } });
		const ocr = ocrClient();
		const sync = await ocr.recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['*'] });
		assert.ok(sync.annotation.pages[0]?.fullText, 'recognizeText read the receipt');
		emulator.configure({ faults: {} });
		const document = await recognizeDocument(ocr, { content: fixtureBytes('two-pages.pdf'), languageCodes: ['*'] }, { schedule: { firstMs: 20, minMs: 20, maxMs: 200, ageShare: 0.25 } });
		assert.equal(document.annotation.pages.length, 2, 'the asynchronous call read both pages');

		const byPath = agentsByPath();
		assert.deepEqual([...byPath.keys()].sort(), [
			'/iam/v1/tokens',
			'/ocr/v1/getRecognition',
			'/ocr/v1/recognizeText',
			'/ocr/v1/recognizeTextAsync',
			'/operations/{id}',
			'/vision/v1/batchAnalyze',
		]);
		for (const [path, agents] of byPath) assert.deepEqual([...agents], [USER_AGENT], `${path}: every request names the product`);
		const retried = emulator.log.filter(entry => entry.fault === 'http503');
		assert.equal(retried.length, 2, 'one refused attempt of batchAnalyze and of recognizeText, each sent again');
		assert.match(USER_AGENT, /^yandex-vision-vscode\/0\.1\.0 \(VS Code 1\.100\.0; linux x64\)$/);
		assert.ok(minted.length > 0 && minted.every(token => !USER_AGENT.includes(token)), 'no credential in it');
	});

	it('goes with a web image\'s download and each of its redirects', async () => {
		const seen: { path: string; userAgent: string | undefined }[] = [];
		const png = fixtureBytes('latin-note.png');
		const server = http.createServer((request, response) => {
			seen.push({ path: request.url ?? '', userAgent: request.headers['user-agent'] });
			if (request.url === '/moved.png') {
				response.writeHead(302, { location: '/image.png' }).end();
			} else {
				response.writeHead(200, { 'content-type': 'image/png' }).end(png);
			}
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as AddressInfo;
			const image = await fetchImage(`http://127.0.0.1:${port}/moved.png`, { userAgent: USER_AGENT });
			assert.equal(image.type, 'image/png');
			assert.deepEqual(seen, [{ path: '/moved.png', userAgent: USER_AGENT }, { path: '/image.png', userAgent: USER_AGENT }]);
		} finally {
			await new Promise(resolve => server.close(resolve));
		}
	});
});
