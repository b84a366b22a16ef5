/**
 * The OCR API's asynchronous call through the client, against the emulator over real HTTP: a
 * 120-page contract submitted once and read in page order; a result stream cut inside a page read
 * again without giving a page twice; a refused submission (429 with Retry-After) waited out and
 * sent again, a lost one (connection reset) never; an operation that fails started once more; an
 * expired one reported as expired; another account's operation not readable.
 */
import * as assert from 'node:assert/strict';
import { createOcrClient, VisionError, type OcrClient, type OcrClientOptions } from '../../src/api/index';
import { recognizeDocument } from '../../src/api/ocr/recognizeDocument';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { fixtureBytes } from '../support/fixtures';

const user = { iamToken: DEFAULT_CREDENTIALS.userIamToken };
const CONTRACT = fixtureBytes('long-contract.pdf');

describe('OCR API asynchronous call through the client', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	const clients: OcrClient[] = [];

	before(async () => {
		emulator = await startEmulator({ stallMs: 5_000 });
	});
	after(async () => {
		await emulator.close();
	});
	beforeEach(() => {
		emulator.configure({ faults: {}, ocrChunkBytes: undefined, ocrProcessingMs: undefined, ocrProcessingMsPerPage: undefined, ocrAsyncRequestsPerSecond: undefined });
		emulator.clearLog();
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(c => c.close()));
	});

	function client(options: Partial<OcrClientOptions> = {}): OcrClient {
		const c = createOcrClient({
			endpoint: emulator.ocrUrl,
			operationEndpoint: emulator.operationsUrl,
			credentials: user,
			folderId: DEFAULT_CREDENTIALS.folderId,
			retry: { baseDelayMs: 20, maxDelayMs: 100 },
			...options,
		});
		clients.push(c);
		return c;
	}

	const fast = { firstMs: 20, minMs: 20, maxMs: 200, ageShare: 0.25 };
	const paths = (suffix: string) => emulator.log.filter(entry => entry.path.endsWith(suffix) || entry.path.startsWith(suffix));
	const clauses = (pages: readonly { fullText?: string }[]) => pages.map(page => /Clause (\d+)\./.exec(page.fullText ?? '')?.[1]);

	it('a 120-page contract: one submission, its operation asked about until done, the pages in order as they arrive', async () => {
		emulator.configure({ ocrProcessingMs: 300 });
		const arrived: number[] = [];
		let started: number | undefined;
		const result = await recognizeDocument(client(), { content: CONTRACT, languageCodes: ['en'] }, {
			schedule: fast,
			onStarted: (_operation, pages) => {
				started = pages;
			},
			onPage: (_page, index) => arrived.push(index),
		});
		assert.equal(started, 120, 'the pages counted before sending');
		assert.equal(result.annotation.pages.length, 120);
		assert.deepEqual(clauses(result.annotation.pages), Array.from({ length: 120 }, (_, n) => String(n + 1)));
		assert.deepEqual(arrived, Array.from({ length: 120 }, (_, n) => n));
		assert.equal(paths('/recognizeTextAsync').length, 1);
		assert.ok(paths('/operations/').length >= 2, 'asked about while it was running');
		assert.equal(paths('/getRecognition').filter(entry => entry.status === 200).length, 1);
		assert.ok(!paths('/getRecognition').some(entry => entry.status === 404), 'the pages asked for only once it was done');
	});

	it('a result stream cut inside a page is read again, and no page is given twice', async () => {
		emulator.configure({ ocrChunkBytes: 4096, faults: { methods: ['getRecognition'], script: ['truncated'] } });
		const arrived: number[] = [];
		const result = await recognizeDocument(client(), { content: CONTRACT, languageCodes: ['en'] }, { schedule: fast, onPage: (_page, index) => arrived.push(index) });
		assert.equal(result.annotation.pages.length, 120);
		assert.deepEqual(arrived, Array.from({ length: 120 }, (_, n) => n), 'each page once, in order');
		assert.deepEqual(paths('/getRecognition').map(entry => entry.fault ?? 'none'), ['truncated', 'none']);
	});

	it('a submission refused with 429 waits out Retry-After and goes again; one whose answer was lost is reported, not resent', async () => {
		emulator.configure({ faults: { methods: ['recognizeTextAsync'], script: ['http429'] } });
		const started = Date.now();
		const submitted = await client().recognizeTextAsync({ content: CONTRACT, languageCodes: ['en'] });
		assert.ok(Date.now() - started >= 900, 'Retry-After: 1 honoured');
		assert.deepEqual(paths('/recognizeTextAsync').map(entry => entry.status), [429, 200]);
		assert.equal(submitted.operation.id, paths('/recognizeTextAsync')[1]!.operationId);

		emulator.clearLog();
		emulator.configure({ faults: { methods: ['recognizeTextAsync'], script: ['reset'] } });
		await assert.rejects(client().recognizeTextAsync({ content: CONTRACT, languageCodes: ['en'] }), (err: VisionError) =>
			err.kind === 'network' && /not sent again/.test(err.message) && err.clientRequestId !== undefined);
		assert.equal(paths('/recognizeTextAsync').length, 1, 'sent once');
	});

	it('an operation that ends in an internal error is started once more, and the second one is read', async () => {
		emulator.configure({ faults: { methods: ['recognizeTextAsync'], script: ['operationError'] } });
		const result = await recognizeDocument(client(), { content: CONTRACT, languageCodes: ['en'] }, { schedule: fast });
		assert.equal(result.annotation.pages.length, 120);
		const submissions = paths('/recognizeTextAsync');
		assert.equal(submissions.length, 2);
		assert.equal(result.operationId, submissions[1]!.operationId);
	});

	it('an operation whose results expired is reported as expired; another account cannot read an operation', async () => {
		const ocr = client();
		const submitted = await ocr.recognizeTextAsync({ content: CONTRACT, languageCodes: ['en'] });
		const operation = { id: submitted.operation.id, createdAt: Date.now() };
		await recognizeDocument(ocr, { content: CONTRACT, languageCodes: ['en'] }, { operation, schedule: fast }).then(result => assert.equal(result.started, false));

		const stranger = client({ credentials: { iamToken: DEFAULT_CREDENTIALS.serviceAccountIamToken }, folderId: undefined });
		await assert.rejects(stranger.getOperation(operation.id), (err: VisionError) => err.kind === 'service' && (err.code === 7 || err.code === 5));

		emulator.advanceClock(4 * 24 * 60 * 60 * 1000);
		await assert.rejects(recognizeDocument(ocr, { content: CONTRACT, languageCodes: ['en'] }, { operation: { id: operation.id, createdAt: Date.now() - 4 * 24 * 60 * 60 * 1000 }, schedule: fast }),
			(err: VisionError) => err.code === 5 && /no longer kept/.test(err.message));
	});
});
