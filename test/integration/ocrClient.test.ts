/**
 * The OCR API client against the emulator over real HTTP: what a recording holds comes back in the
 * results model for every model, whatever the stream's wrapping, field names or chunk size; the
 * folder goes in its header; the quota, faults and a mid-stream error are handled as the contract
 * says, with the request id.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { createOcrClient, VisionError, type OcrClient, type OcrClientOptions } from '../../src/api/index';
import type { RecordedOcrAnnotation } from '../emulator/recording';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { pageOfRecording } from '../support/ocrPage';

const user = { iamToken: DEFAULT_CREDENTIALS.userIamToken };

describe('OCR API client against the emulator', function () {
	let emulator: Emulator;
	const clients: OcrClient[] = [];

	before(async () => {
		emulator = await startEmulator({ stallMs: 5_000 });
	});
	after(async () => {
		await emulator.close();
	});
	beforeEach(() => {
		emulator.configure({ faults: {}, latencyMs: 0, ocrRequestsPerSecond: undefined, ocrChunkBytes: undefined, ocrAnswerStyle: undefined });
		emulator.clearLog();
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(c => c.close()));
	});

	function client(options: Partial<OcrClientOptions> = {}): OcrClient {
		const c = createOcrClient({
			endpoint: emulator.ocrUrl,
			credentials: user,
			folderId: DEFAULT_CREDENTIALS.folderId,
			retry: { baseDelayMs: 20, maxDelayMs: 100 },
			requestsPerSecond: 1000,
			...options,
		});
		clients.push(c);
		return c;
	}

	const MODELS: [string, string, string[]][] = [
		['two-column-article.png', 'page', ['en']],
		['two-column-article.png', 'page-column-sort', ['*']],
		['handwritten-note.png', 'handwritten', ['ru', 'en']],
		['table-merged.png', 'table', ['ru']],
		['formula-page.png', 'markdown', ['*']],
		['formula-page.png', 'math-markdown', ['*']],
		['passport-form.png', 'passport', ['*']],
		['car-plate.jpg', 'license-plates', ['ru']],
	];
	for (const [image, model, languageCodes] of MODELS) {
		it(`${image} with the ${model} model: the recording, in the results model, with no confidence made up`, async () => {
			const result = await client().recognizeText({ content: fixtureBytes(image), model, languageCodes });
			const recorded = recordingOf(image).ocr![model]!;
			assert.equal(result.annotation.engine, 'ocr-api');
			assert.deepEqual(result.annotation.pages, recorded.map(pageOfRecording));
			assert.equal(result.error, undefined);
			assert.match(result.meta.requestId ?? '', /^[0-9a-f-]{36}$/);
			assert.equal(emulator.log.at(-1)?.model, model);
		});
	}

	it('reads the two-column article in a different order with page-column-sort', async () => {
		const text = async (model: string) => (await client().recognizeText({ content: fixtureBytes('two-column-article.png'), model, languageCodes: ['*'] })).annotation.pages[0]!.fullText;
		const [page, sorted] = [await text('page'), await text('page-column-sort')];
		assert.notEqual(page, sorted);
		assert.equal(page!.length, sorted!.length);
	});

	it('reads the same pages whatever the wrapping, the field names and the chunk size (1 byte: cut inside every string and character)', async () => {
		const content = fixtureBytes('table-merged.png');
		const reference = await client().recognizeText({ content, model: 'table', languageCodes: ['ru'] });
		for (const style of [{ wrap: false }, { names: 'proto' as const }, { wrap: false, names: 'proto' as const }]) {
			emulator.configure({ ocrAnswerStyle: style });
			assert.deepEqual((await client().recognizeText({ content, model: 'table', languageCodes: ['ru'] })).annotation, reference.annotation, JSON.stringify(style));
		}
		emulator.configure({ ocrAnswerStyle: undefined, ocrChunkBytes: 1 });
		assert.deepEqual((await client().recognizeText({ content, model: 'table', languageCodes: ['ru'] })).annotation, reference.annotation, 'chunks of 1 byte');
	});

	it('sends the folder as x-folder-id with a user\'s token, and none with an API key', async () => {
		await client().recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] });
		assert.equal(emulator.log.at(-1)?.folderId, DEFAULT_CREDENTIALS.folderId);
		assert.equal(emulator.log.at(-1)?.authScheme, 'Bearer');
		await client({ credentials: { apiKey: DEFAULT_CREDENTIALS.apiKey } }).recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] });
		assert.equal(emulator.log.at(-1)?.folderId, undefined);
		assert.equal(emulator.log.at(-1)?.authScheme, 'Api-Key');
	});

	it('refuses a user\'s token without a folder before sending', async () => {
		const before = emulator.log.length;
		await assert.rejects(client({ folderId: undefined, credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken, account: 'user' } }).recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] }),
			(err: VisionError) => err.kind === 'validation' && /x-folder-id: is required/.test(err.message));
		assert.equal(emulator.log.length, before);
	});

	it('derives the page model of an image recorded only for batchAnalyze, words in the original\'s reading order', async () => {
		const result = await client().recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] });
		const words = result.annotation.pages[0]!.blocks.flatMap(b => b.lines.flatMap(l => l.words.map(w => w.text)));
		const recorded = recordingOf('receipt.png').textDetection!.pages[0]!.blocks.flatMap(b => b.lines.flatMap(l => l.words.map(w => w.text)));
		assert.deepEqual(words, recorded);
	});

	it('keeps within its own quota of 1 request per second by default, and the service answers no 429', async () => {
		emulator.configure({ ocrRequestsPerSecond: 1 });
		const c = client({ requestsPerSecond: undefined });
		const started = Date.now();
		for (let i = 0; i < 3; i++) await c.recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] });
		assert.ok(Date.now() - started >= 1900, `3 requests took ${Date.now() - started} ms`);
		assert.equal(emulator.log.filter(e => e.status === 429).length, 0);
	});

	it('retries a quota 429, a 503 and a stream error before any page, with the same client request id', async () => {
		emulator.configure({ faults: { script: ['http429', 'http503', 'streamError'] } });
		const result = await client().recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] });
		assert.equal(result.meta.attempts, 4);
		const ids = new Set(emulator.log.map(e => e.clientRequestId));
		assert.equal(ids.size, 1);
		assert.equal(result.annotation.pages.length, 1);
	});

	it('gives up within the retry bound, saying so with the request id', async () => {
		emulator.configure({ faults: { script: ['http500', 'http500', 'http500', 'http500'] } });
		await assert.rejects(client({ retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } }).recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] }), (err: VisionError) => {
			assert.equal(err.kind, 'service');
			assert.equal(err.attempts, 3);
			assert.match(err.message, /Gave up after 3 attempts/);
			assert.equal(err.requestId, emulator.log.at(-1)?.requestId);
			return true;
		});
	});

	it('recovers from a connection reset, a body cut in the middle, a proxy\'s 502 page and a 504', async () => {
		for (const fault of ['reset', 'truncated', 'html502', 'http504'] as const) {
			emulator.configure({ faults: { script: [fault] } });
			const result = await client().recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] });
			assert.equal(result.meta.attempts, 2, fault);
		}
	});

	it('stops at once when cancelled, without retrying', async () => {
		emulator.configure({ faults: { script: ['stall'] } });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 150);
		const started = Date.now();
		await assert.rejects(client().recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] }, { signal: controller.signal }), (err: VisionError) => err.kind === 'cancelled');
		assert.ok(Date.now() - started < 1000);
		assert.equal(emulator.log.length, 1);
	});

	it('tells each page as soon as it has been read', async () => {
		const seen: number[] = [];
		await client().recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru', 'en'] }, { onPage: (_page, index) => seen.push(index) });
		assert.deepEqual(seen, [0]);
	});

	it('puts the boxes of a page the service turned to read back onto the image as sent', async () => {
		// receipt.png (600×700) recorded as read turned 90° clockwise: a 700×600 page, and one word at
		// (10, 20)–(110, 60) of the turned page, which is (20, 590)–(60, 690) of the image as it was sent.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocr-turned-'));
		const rotated = await startEmulator({ fixturesDir: dir });
		try {
			const bytes = fixtureBytes('receipt.png');
			fs.writeFileSync(path.join(dir, 'turned.png'), bytes);
			const word = { boundingBox: { vertices: [{ x: 10, y: 20 }, { x: 10, y: 60 }, { x: 110, y: 60 }, { x: 110, y: 20 }] }, text: 'ИТОГО', entityIndex: -1, textSegments: [{ startIndex: 0, length: 5 }] };
			const page: RecordedOcrAnnotation = {
				width: 700, height: 600, rotate: 'ANGLE_90', fullText: 'ИТОГО\n', entities: [], tables: [],
				blocks: [{ boundingBox: word.boundingBox, languages: [{ languageCode: 'ru' }], textSegments: [{ startIndex: 0, length: 5 }], layoutType: 'LAYOUT_TYPE_TEXT', lines: [{ boundingBox: word.boundingBox, text: 'ИТОГО', textSegments: [{ startIndex: 0, length: 5 }], words: [word] }] }],
			};
			const recording = { image: 'turned.png', sha256: createHash('sha256').update(bytes).digest('hex'), mimeType: 'image/png', width: 600, height: 700, description: 'The receipt, recorded as read turned a quarter.', ocr: { page: [page] } };
			fs.writeFileSync(path.join(dir, 'turned.recording.json'), JSON.stringify(recording));
			rotated.configure({ fixturesDir: dir });
			const c = client({ endpoint: rotated.ocrUrl });
			const result = await c.recognizeText({ content: bytes, languageCodes: ['ru'] });
			const read = result.annotation.pages[0]!;
			assert.equal(read.rotate, 90);
			assert.deepEqual([read.width, read.height], [600, 700], 'the page is the image as sent');
			const vertices = read.blocks[0]!.lines[0]!.words[0]!.boundingBox.vertices;
			assert.deepEqual(vertices.map(v => v.x).sort((a, b) => a - b), [20, 20, 60, 60]);
			assert.deepEqual(vertices.map(v => v.y).sort((a, b) => a - b), [590, 590, 690, 690]);
		} finally {
			await rotated.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('keeps the pages that arrived before an error in the stream, with the error and its request id, and does not retry', async () => {
		const page = JSON.stringify({ result: { textAnnotation: { width: '600', height: '700', blocks: [{ lines: [{ words: [{ text: 'первая', entityIndex: '-1' }] }] }] }, page: '0' } });
		const failure = JSON.stringify({ error: { code: 13, message: 'Internal error while reading page 2', details: [] } });
		let requests = 0;
		const server = http.createServer((req, res) => {
			requests++;
			req.resume();
			req.on('end', () => {
				res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-partial-1' });
				res.write(`${page}\n`);
				setTimeout(() => res.end(`${failure}\n`), 20);
			});
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as { port: number };
			const c = client({ endpoint: `http://127.0.0.1:${port}/ocr/v1/recognizeText` });
			const result = await c.recognizeText({ content: fixtureBytes('receipt.png'), languageCodes: ['ru'] });
			assert.deepEqual(result.annotation.pages.map(p => p.blocks[0]!.lines[0]!.words[0]!.text), ['первая']);
			assert.ok(result.error);
			assert.equal(result.error.code, 13);
			assert.match(result.error.message, /reading page 2/);
			assert.equal(result.error.requestId, 'req-partial-1');
			assert.equal(requests, 1, 'the pages already paid for are not asked again');
		} finally {
			await new Promise<void>(resolve => server.close(() => resolve()));
		}
	});

	it('says what the service refused, with its request id: an unknown model, no recording', async () => {
		await assert.rejects(client().recognizeText({ content: fixtureBytes('receipt.png'), model: 'poem', languageCodes: ['ru'] }), (err: VisionError) =>
			err.kind === 'service' && err.httpStatus === 400 && /Unknown model "poem"/.test(err.message) && err.requestId !== undefined);
	});
});
