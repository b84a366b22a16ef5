/**
 * The emulator's OCR API (`POST /ocr/v1/recognizeText`) over raw HTTP: the request rules, the
 * folder header, its own quota, the faults, the streamed proto3 JSON answer, and what it answers
 * from the recordings (its own per-model answers, or derived from batchAnalyze's text).
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dispatcher, request } from 'undici';
import type Vips from 'wasm-vips';
import { loadVips } from '../emulator/decode';
import { DEFAULT_CREDENTIALS, Emulator, EmulatorOptions, FaultKind, startEmulator } from '../emulator/index';
import { RecordedOcrAnnotation, RecordedOcrBlock, RecordedPolygon, RecordedVertex, Recording } from '../emulator/recording';
import { checkRecording } from '../emulator/recordingShape';
import { pngWithSize, tinyPng } from '../emulator/testImages';
import { FIXTURES_DIR, recordedImages } from '../support/fixtures';

// ---- What is sent and read ----------------------------------------------------------------

interface StatusJson { code: number; message: string; details?: unknown[] }
interface VertexJson { x?: string; y?: string }
interface PolygonJson { vertices?: VertexJson[] }
interface SegmentJson { startIndex?: string; length?: string }
interface WordJson { boundingBox?: PolygonJson; text?: string; entityIndex?: string; textSegments?: SegmentJson[]; [key: string]: unknown }
interface LineJson { boundingBox?: PolygonJson; text?: string; words?: WordJson[]; textSegments?: SegmentJson[]; orientation?: string }
interface BlockJson { boundingBox?: PolygonJson; lines?: LineJson[]; languages?: { languageCode?: string }[]; textSegments?: SegmentJson[]; layoutType?: string }
interface AnnotationJson {
	width?: string;
	height?: string;
	blocks?: BlockJson[];
	entities?: { name?: string; text?: string }[];
	tables?: unknown[];
	fullText?: string;
	rotate?: string;
	markdown?: string;
	pictures?: unknown[];
}
interface ResponseJson { textAnnotation?: AnnotationJson; page?: string }

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
}

const USER = { authorization: `Bearer ${DEFAULT_CREDENTIALS.userIamToken}` };
const SERVICE_ACCOUNT = { authorization: `Bearer ${DEFAULT_CREDENTIALS.serviceAccountIamToken}` };
const API_KEY = { authorization: `Api-Key ${DEFAULT_CREDENTIALS.apiKey}` };
const FOLDER = DEFAULT_CREDENTIALS.folderId;
const USER_IN_FOLDER = { ...USER, 'x-folder-id': FOLDER };

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** TL, BL, BR, TR: how the service lists a box. */
function box(x0: number, y0: number, x1: number, y1: number): RecordedPolygon {
	return { vertices: [{ x: x0, y: y0 }, { x: x0, y: y1 }, { x: x1, y: y1 }, { x: x1, y: y0 }] };
}

// A small image with a batchAnalyze text page only: what the OCR answer is derived from.
const TEXT_IMAGE = tinyPng(40, 20, 3);
const TEXT_RECORDING: Recording = {
	image: 'text.png',
	sha256: sha256(TEXT_IMAGE),
	mimeType: 'image/png',
	width: 40,
	height: 20,
	description: 'Two blocks: "Hello world" / "Second", then "Привет"',
	textDetection: {
		pages: [{
			width: 40,
			height: 20,
			blocks: [
				{
					boundingBox: box(0, 0, 38, 18),
					lines: [
						{
							boundingBox: box(0, 0, 38, 8),
							confidence: 0.93,
							words: [
								{ boundingBox: box(0, 0, 17, 8), text: 'Hello', confidence: 0.93, languages: [{ languageCode: 'en', confidence: 0.99 }], entityIndex: 0 },
								{ boundingBox: box(20, 0, 38, 8), text: 'world', confidence: 0.93, languages: [{ languageCode: 'en', confidence: 0.99 }], entityIndex: -1 },
							],
						},
						{
							boundingBox: box(2, 10, 30, 18),
							confidence: 0,
							words: [{ boundingBox: box(2, 10, 30, 18), text: 'Second', confidence: 0, languages: [], entityIndex: -1 }],
						},
					],
				},
				{
					boundingBox: box(0, 18, 40, 20),
					lines: [{
						boundingBox: box(0, 18, 40, 20),
						confidence: 0.8,
						words: [{ boundingBox: box(0, 18, 40, 20), text: 'Привет', confidence: 0.8, languages: [{ languageCode: 'ru', confidence: 0.9 }], entityIndex: -1 }],
					}],
				},
			],
			entities: [{ name: 'greeting', text: 'Hello' }],
		}],
	},
};

// A small image with the OCR API's own answers for `page` and `table`.
const TABLE_IMAGE = tinyPng(60, 40, 5);
const QTY_BLOCK: RecordedOcrBlock = {
	boundingBox: box(0, 0, 50, 10),
	lines: [{
		boundingBox: box(0, 0, 50, 10),
		text: 'Qty 2',
		words: [
			{ boundingBox: box(0, 0, 20, 10), text: 'Qty', entityIndex: -1, textSegments: [{ startIndex: 0, length: 3 }] },
			{ boundingBox: box(25, 0, 50, 10), text: '2', entityIndex: -1, textSegments: [{ startIndex: 4, length: 1 }] },
		],
		textSegments: [{ startIndex: 0, length: 5 }],
		orientation: 'ANGLE_0',
	}],
	languages: [{ languageCode: 'en' }],
	textSegments: [{ startIndex: 0, length: 5 }],
	layoutType: 'LAYOUT_TYPE_TEXT',
};
const TABLE_PAGE: RecordedOcrAnnotation = {
	width: 60, height: 40, blocks: [QTY_BLOCK], entities: [], tables: [], fullText: 'Qty 2', rotate: 'ANGLE_0',
};
const TABLE_ANSWER: RecordedOcrAnnotation = {
	...TABLE_PAGE,
	tables: [{
		boundingBox: box(0, 0, 60, 40),
		rowCount: 1,
		columnCount: 2,
		cells: [
			{ boundingBox: box(0, 0, 30, 40), rowIndex: 0, columnIndex: 0, columnSpan: 1, rowSpan: 1, text: 'Qty', textSegments: [{ startIndex: 0, length: 3 }] },
			{ boundingBox: box(30, 0, 60, 40), rowIndex: 0, columnIndex: 1, columnSpan: 1, rowSpan: 1, text: '2', textSegments: [{ startIndex: 4, length: 1 }] },
		],
	}],
	pictures: [{ boundingBox: box(0, 0, 10, 10), score: 0.5 }],
};
const TABLE_RECORDING: Recording = {
	image: 'table.png',
	sha256: sha256(TABLE_IMAGE),
	mimeType: 'image/png',
	width: 60,
	height: 40,
	description: 'A one-row table: Qty | 2',
	ocr: { page: [TABLE_PAGE], table: [TABLE_ANSWER] },
};

/** The table answer as the service writes it: int64 as strings, zeros and empty lists left out. */
const TABLE_ANSWER_JSON = {
	width: '60',
	height: '40',
	blocks: [{
		boundingBox: { vertices: [{}, { y: '10' }, { x: '50', y: '10' }, { x: '50' }] },
		lines: [{
			boundingBox: { vertices: [{}, { y: '10' }, { x: '50', y: '10' }, { x: '50' }] },
			text: 'Qty 2',
			words: [
				{ boundingBox: { vertices: [{}, { y: '10' }, { x: '20', y: '10' }, { x: '20' }] }, text: 'Qty', entityIndex: '-1', textSegments: [{ length: '3' }] },
				{ boundingBox: { vertices: [{ x: '25' }, { x: '25', y: '10' }, { x: '50', y: '10' }, { x: '50' }] }, text: '2', entityIndex: '-1', textSegments: [{ startIndex: '4', length: '1' }] },
			],
			textSegments: [{ length: '5' }],
			orientation: 'ANGLE_0',
		}],
		languages: [{ languageCode: 'en' }],
		textSegments: [{ length: '5' }],
		layoutType: 'LAYOUT_TYPE_TEXT',
	}],
	tables: [{
		boundingBox: { vertices: [{}, { y: '40' }, { x: '60', y: '40' }, { x: '60' }] },
		rowCount: '1',
		columnCount: '2',
		cells: [
			{ boundingBox: { vertices: [{}, { y: '40' }, { x: '30', y: '40' }, { x: '30' }] }, columnSpan: '1', rowSpan: '1', text: 'Qty', textSegments: [{ length: '3' }] },
			{
				boundingBox: { vertices: [{ x: '30' }, { x: '30', y: '40' }, { x: '60', y: '40' }, { x: '60' }] },
				columnIndex: '1', columnSpan: '1', rowSpan: '1', text: '2', textSegments: [{ startIndex: '4', length: '1' }],
			},
		],
	}],
	fullText: 'Qty 2',
	rotate: 'ANGLE_0',
	pictures: [{ boundingBox: { vertices: [{}, { y: '10' }, { x: '10', y: '10' }, { x: '10' }] }, score: 0.5 }],
};

const ONE_PAGE_PDF = pdfWithPages(1);
const UNRECORDED = tinyPng(8, 8, 7);

/** A structurally plain PDF with `count` empty pages under one page tree. */
function pdfWithPages(count: number): Buffer {
	const kids = Array.from({ length: count }, (_, i) => `${i + 3} 0 R`).join(' ');
	const pages = Array.from({ length: count }, (_, i) => `${i + 3} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>\nendobj\n`).join('');
	return Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [${kids}] /Count ${count} >>\nendobj\n${pages}trailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

function ocrBody(image: Buffer, fields: Record<string, unknown> = {}): Record<string, unknown> {
	return { content: image.toString('base64'), languageCodes: ['en'], ...fields };
}

// ---- Harness ------------------------------------------------------------------------------

const RESET_KNOBS: Partial<EmulatorOptions> = {
	users: undefined, serviceAccounts: undefined, latencyMs: undefined, requestsPerSecond: undefined, ocrRequestsPerSecond: undefined,
	faults: undefined, stallMs: undefined, maxBodyBytes: undefined, ocrChunkBytes: undefined, ocrAnswerStyle: undefined,
};

/** Every recorded sample, copied beside the hand-written recordings. */
const COPIED_FIXTURES = recordedImages();

/** Languages to ask a model for: named where the model cannot detect them. */
function languagesFor(model: string): string[] {
	return ['handwritten', 'table', 'license-plates'].includes(model) ? ['en', 'ru'] : ['*'];
}

let fixturesDir: string;
let emulator: Emulator;

function makeFixtures(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocr-emulator-'));
	for (const [image, name, recording] of [[TEXT_IMAGE, 'text.png', TEXT_RECORDING], [TABLE_IMAGE, 'table.png', TABLE_RECORDING]] as const) {
		fs.writeFileSync(path.join(dir, name), image);
		fs.writeFileSync(path.join(dir, name.replace(/\.png$/, '.recording.json')), JSON.stringify(recording));
	}
	for (const image of COPIED_FIXTURES) {
		const recording = image.replace(/\.\w+$/, '.recording.json');
		fs.copyFileSync(path.join(FIXTURES_DIR, image), path.join(dir, image));
		fs.copyFileSync(path.join(FIXTURES_DIR, recording), path.join(dir, recording));
	}
	return dir;
}

function fixture(name: string): Buffer {
	return fs.readFileSync(path.join(FIXTURES_DIR, name));
}

function fixtureRecording(name: string): Recording {
	return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name.replace(/\.\w+$/, '.recording.json')), 'utf8')) as Recording;
}

async function send(method: Dispatcher.HttpMethod, body: string | undefined, headers: Record<string, string>, url = emulator.ocrUrl, signal?: AbortSignal): Promise<Reply> {
	const response = await request(url, { method, headers: { 'content-type': 'application/json', ...headers }, body, signal });
	return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function post(body: unknown, headers: Record<string, string> = USER_IN_FOLDER): Promise<Reply> {
	return send('POST', typeof body === 'string' ? body : JSON.stringify(body), headers);
}

function statusOf(reply: Reply): StatusJson {
	return JSON.parse(reply.text) as StatusJson;
}

/** The stream's messages: one JSON object per line, each line ended by a newline. */
function messages(reply: Reply): unknown[] {
	assert.equal(reply.status, 200, reply.text);
	assert.ok(reply.text.endsWith('\n'), 'each message ends with a newline');
	return reply.text.slice(0, -1).split('\n').map(line => JSON.parse(line) as unknown);
}

/** The one page of a wrapped answer. */
function pageOf(reply: Reply): ResponseJson {
	const all = messages(reply);
	assert.equal(all.length, 1, 'a synchronous image answer is one message');
	const { result } = all[0] as { result?: ResponseJson };
	assert.ok(result, `a {"result": …} message: ${reply.text.slice(0, 200)}`);
	return result;
}

async function recognize(body: unknown, headers: Record<string, string> = USER_IN_FOLDER): Promise<AnnotationJson> {
	const page = pageOf(await post(body, headers));
	assert.equal(page.page, '0');
	return page.textAnnotation ?? {};
}

async function expectRejected(body: unknown, status: number, code: number, headers: Record<string, string> = USER_IN_FOLDER): Promise<StatusJson> {
	const reply = await post(body, headers);
	assert.equal(reply.status, status, reply.text);
	assert.equal(reply.headers['content-type'], 'application/json');
	const error = statusOf(reply);
	assert.equal(error.code, code, error.message);
	assert.deepEqual(error.details, []);
	return error;
}

async function expectInvalid(body: unknown, message: string | RegExp): Promise<void> {
	const error = await expectRejected(body, 400, 3);
	if (typeof message === 'string') assert.equal(error.message, message);
	else assert.match(error.message, message);
}

const words = (annotation: AnnotationJson): WordJson[] => (annotation.blocks ?? []).flatMap(b => (b.lines ?? []).flatMap(l => l.words ?? []));
const vertexOf = (v: VertexJson): RecordedVertex => ({ x: Number(v.x ?? 0), y: Number(v.y ?? 0) });
const int = (value: string | undefined): number => Number(value ?? 0);

/** `text.substr(start, length)` in characters (code points), as textSegments count them. */
function segmentText(fullText: string, segment: SegmentJson | undefined): string {
	return [...fullText].slice(int(segment?.startIndex), int(segment?.startIndex) + int(segment?.length)).join('');
}

/** Every line, word and (when derived) block points at its own text in fullText. */
function assertSegmentsConsistent(annotation: AnnotationJson, what: string, derived: boolean): void {
	const fullText = annotation.fullText ?? '';
	for (const block of annotation.blocks ?? []) {
		const lines = block.lines ?? [];
		if (derived) assert.equal(segmentText(fullText, block.textSegments?.[0]), lines.map(l => l.text).join('\n'), `${what}: a block's segment is its lines`);
		for (const line of lines) {
			assert.equal(segmentText(fullText, line.textSegments?.[0]), line.text, `${what}: line "${line.text}"`);
			if (derived) assert.equal(line.text, (line.words ?? []).map(w => w.text).join(' '));
			for (const word of line.words ?? []) {
				const start = int(word.textSegments?.[0]?.startIndex);
				const length = int(word.textSegments?.[0]?.length);
				assert.equal(fullText.substr(start, length), word.text, `${what}: word "${word.text}" at ${start}+${length}`);
				assert.equal(segmentText(fullText, word.textSegments?.[0]), word.text);
			}
		}
	}
}

function delay(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/** The raw HTTP/1.1 answer: head, and each chunk of its chunked body as sent. */
async function rawChunks(body: string, headers: Record<string, string>): Promise<{ head: string; chunks: Buffer[] }> {
	const { hostname, port } = new URL(emulator.origin);
	const socket = net.connect(Number(port), hostname);
	const lines = [`POST /ocr/v1/recognizeText HTTP/1.1`, `Host: ${hostname}:${port}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
	for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
	socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
	const parts: Buffer[] = [];
	for await (const part of socket) parts.push(part as Buffer);
	const all = Buffer.concat(parts);
	const headEnd = all.indexOf('\r\n\r\n');
	const chunks: Buffer[] = [];
	let at = headEnd + 4;
	for (;;) {
		const lineEnd = all.indexOf('\r\n', at);
		const size = parseInt(all.toString('latin1', at, lineEnd), 16);
		if (!(size > 0)) break;
		chunks.push(all.subarray(lineEnd + 2, lineEnd + 2 + size));
		at = lineEnd + 2 + size + 2;
	}
	return { head: all.toString('latin1', 0, headEnd), chunks };
}

describe('OCR API emulator (recognizeText)', function () {
	this.timeout(60_000);

	before(async () => {
		fixturesDir = makeFixtures();
		emulator = await startEmulator({ fixturesDir });
	});

	after(async () => {
		await emulator.close();
		fs.rmSync(fixturesDir, { recursive: true, force: true });
	});

	beforeEach(() => {
		emulator.configure(RESET_KNOBS);
		emulator.clearLog();
	});

	describe('routing and the request log', () => {
		it('names the method URL beside batchAnalyze', () => {
			assert.equal(emulator.ocrUrl, `${emulator.origin}/ocr/v1/recognizeText`);
			assert.equal(emulator.url, `${emulator.origin}/vision/v1/batchAnalyze`);
		});

		it('answers other methods with 405 code 12 and Allow: POST', async () => {
			const reply = await send('GET', undefined, USER_IN_FOLDER);
			assert.equal(reply.status, 405);
			assert.equal(statusOf(reply).code, 12);
			assert.equal(reply.headers.allow, 'POST');
		});

		it('logs the header folder, the model and how the image matched, never a secret', async () => {
			const reply = await post(ocrBody(TABLE_IMAGE, { model: 'table' }), { ...USER_IN_FOLDER, 'x-client-request-id': 'c0ffee00-0000-4000-8000-0000000000aa' });
			await post(ocrBody(TABLE_IMAGE), API_KEY);
			const [first, second] = emulator.log;
			assert.equal(first.path, '/ocr/v1/recognizeText');
			assert.equal(first.folderId, FOLDER);
			assert.equal(first.model, 'table');
			assert.equal(first.authScheme, 'Bearer');
			assert.equal(first.clientRequestId, 'c0ffee00-0000-4000-8000-0000000000aa');
			assert.equal(first.requestId, reply.headers['x-request-id']);
			assert.ok(reply.headers['x-server-trace-id']);
			assert.deepEqual(first.matches, ['exact table.recording.json']);
			assert.equal(first.specCount, undefined);
			assert.equal(second.folderId, undefined);
			assert.equal(second.model, 'page', 'no model means page');
			assert.equal(second.authScheme, 'Api-Key');
			const logged = JSON.stringify(emulator.log);
			for (const secret of [DEFAULT_CREDENTIALS.userIamToken, DEFAULT_CREDENTIALS.apiKey]) assert.ok(!logged.includes(secret));
		});
	});

	describe('authorization and the x-folder-id header', () => {
		it('rejects a missing, malformed or unknown credential with 401 code 16', async () => {
			await expectRejected(ocrBody(TABLE_IMAGE), 401, 16, { 'x-folder-id': FOLDER });
			await expectRejected(ocrBody(TABLE_IMAGE), 401, 16, { authorization: DEFAULT_CREDENTIALS.userIamToken, 'x-folder-id': FOLDER });
			const error = await expectRejected(ocrBody(TABLE_IMAGE), 401, 16, { authorization: 'Bearer t1.unknown-token', 'x-folder-id': FOLDER });
			assert.equal(error.message, 'The token is invalid or has expired.');
		});

		it('requires x-folder-id with a user account (400 code 3)', async () => {
			const error = await expectRejected(ocrBody(TABLE_IMAGE), 400, 3, USER);
			assert.equal(error.message, 'The x-folder-id header is required when calling as a user account (the OCR API takes the folder from it, not from the body)');
			await expectRejected(ocrBody(TABLE_IMAGE), 400, 3, { ...USER, 'x-folder-id': '  ' });
		});

		it("denies a user a folder that is not theirs (403 code 7)", async () => {
			const error = await expectRejected(ocrBody(TABLE_IMAGE), 403, 7, { ...USER, 'x-folder-id': 'b1gsomeoneelse' });
			assert.equal(error.message, 'Permission denied');
		});

		it("takes a service account's call without the header or with its own folder, by IAM token or API key", async () => {
			for (const headers of [SERVICE_ACCOUNT, API_KEY]) {
				await recognize(ocrBody(TABLE_IMAGE), headers);
				await recognize(ocrBody(TABLE_IMAGE), { ...headers, 'x-folder-id': FOLDER });
			}
		});

		it('denies a service account another folder (403 code 7)', async () => {
			await expectRejected(ocrBody(TABLE_IMAGE), 403, 7, { ...SERVICE_ACCOUNT, 'x-folder-id': 'b1gsomeoneelse' });
			await expectRejected(ocrBody(TABLE_IMAGE), 403, 7, { ...API_KEY, 'x-folder-id': 'b1gsomeoneelse' });
		});

		it('refuses a folderId in the body: the method has no such field', async () => {
			const error = await expectRejected(ocrBody(TABLE_IMAGE, { folderId: FOLDER }), 400, 3);
			assert.match(error.message, /unknown field "folderId" in yandex\.cloud\.ai\.ocr\.v1\.RecognizeTextRequest .*x-folder-id header/);
		});
	});

	describe('proto3 JSON input', () => {
		it('rejects a body that is not a JSON object', async () => {
			await expectInvalid('{"content": ', /^Invalid JSON payload: /);
			await expectInvalid('[]', 'Invalid JSON payload: the request body must be a JSON object');
		});

		it('accepts the proto field names, and refuses a field given under both names', async () => {
			await recognize({ content: TABLE_IMAGE.toString('base64'), mime_type: 'PNG', language_codes: ['en'] });
			await expectInvalid({ ...ocrBody(TABLE_IMAGE), language_codes: ['ru'] }, /given twice/);
		});

		it('refuses wrong JSON types and nulls inside lists', async () => {
			await expectInvalid(ocrBody(TABLE_IMAGE, { languageCodes: 'en' }), 'Invalid JSON payload: language_codes: expected an array');
			await expectInvalid(ocrBody(TABLE_IMAGE, { languageCodes: [null] }), /language_codes\[0\]/);
			await expectInvalid(ocrBody(TABLE_IMAGE, { model: 7 }), 'Invalid JSON payload: model: expected a string');
		});

		it('treats null as not set', async () => {
			await recognize(ocrBody(TABLE_IMAGE, { model: null, mimeType: null }));
			assert.equal(emulator.log[0].model, 'page');
		});
	});

	describe('validation (400 code 3)', () => {
		it('wants content, as base64', async () => {
			await expectInvalid({ languageCodes: ['en'] }, 'Request validation error: content: the file is required (its bytes, base64-encoded)');
			await expectInvalid({ content: '', languageCodes: ['en'] }, /^Request validation error: content: /);
			await expectInvalid({ content: 'not base64!', languageCodes: ['en'] }, 'Invalid JSON payload: content: invalid base64 data');
		});

		it('accepts URL-safe base64', async () => {
			await recognize(ocrBody(TABLE_IMAGE, { content: TABLE_IMAGE.toString('base64url') }));
		});

		it('limits model to 50 characters, before the folder is looked at', async () => {
			const body = ocrBody(TABLE_IMAGE, { model: 'm'.repeat(51) });
			const error = await expectRejected(body, 400, 3, USER);
			assert.equal(error.message, 'Request validation error: model: length must be at most 50 characters');
		});

		it('knows the documented models only; an empty model is page', async () => {
			await expectInvalid(ocrBody(TABLE_IMAGE, { model: 'line' }), /^Unknown model "line": use one of page, page-column-sort, handwritten, table, markdown, math-markdown, passport, /);
			await expectInvalid(ocrBody(TABLE_IMAGE, { model: 'Page' }), /^Unknown model "Page"/);
			for (const model of ['page', 'page-column-sort', 'markdown', 'math-markdown', 'passport', 'driver-license-front', 'driver-license-back', 'vehicle-registration-front', 'vehicle-registration-back']) {
				await recognize(ocrBody(TABLE_IMAGE, { model, languageCodes: ['*'] }));
			}
			await recognize(ocrBody(TABLE_IMAGE, { model: '' }));
			assert.equal(emulator.log.at(-1)?.model, 'page');
		});

		it('wants 1 to 8 known language codes', async () => {
			await expectInvalid(ocrBody(TABLE_IMAGE, { languageCodes: [] }), 'language_codes: give 1 to 8 language codes (ISO 639-1, or "*" to detect), got 0');
			await expectInvalid(ocrBody(TABLE_IMAGE, { languageCodes: ['en', 'ru', 'de', 'fr', 'es', 'it', 'pl', 'cs', 'sk'] }), /got 9$/);
			await expectInvalid(ocrBody(TABLE_IMAGE, { languageCodes: ['xx'] }), 'Unsupported language code: "xx"');
			await expectInvalid(ocrBody(TABLE_IMAGE, { languageCodes: ['EN'] }), 'Unsupported language code: "EN"');
			await recognize(ocrBody(TABLE_IMAGE, { languageCodes: ['en', 'ru', 'de', 'fr', 'es', 'it', 'pl', 'cs'] }));
			await recognize(ocrBody(TABLE_IMAGE, { languageCodes: ['*'] }));
		});

		it('refuses "*" where the model needs the languages named, and languages those models do not read', async () => {
			for (const model of ['handwritten', 'table', 'license-plates']) {
				await expectInvalid(ocrBody(TABLE_IMAGE, { model, languageCodes: ['*'] }), new RegExp(`^Model ${model} does not detect the language automatically`));
			}
			await expectInvalid(ocrBody(TABLE_IMAGE, { model: 'handwritten', languageCodes: ['ru', 'de'] }), 'Model handwritten reads only en, ru; language_codes has de');
			await expectInvalid(ocrBody(TABLE_IMAGE, { model: 'table', languageCodes: ['de'] }), 'Model table reads only en, ru, tr; language_codes has de');
			await recognize(ocrBody(TABLE_IMAGE, { model: 'handwritten', languageCodes: ['ru', 'en'] }));
			await recognize(ocrBody(TABLE_IMAGE, { model: 'table', languageCodes: ['tr'] }));
			await recognize(ocrBody(TABLE_IMAGE, { model: 'license-plates', languageCodes: ['de'] }));
		});

		it('limits the file to 10 MB (10,485,760 bytes decoded)', async () => {
			await expectInvalid(ocrBody(pngWithSize(100, 100, 10_485_761)), 'File too big: 10485761 bytes, the limit is 10485760 bytes (10 MB)');
			// At the limit the file passes; it has no recording, so the answer says that instead.
			await expectRejected(ocrBody(pngWithSize(100, 100, 10_485_760)), 404, 5);
		});

		it('limits images to 20 megapixels, read from the header', async () => {
			await expectInvalid(ocrBody(pngWithSize(5000, 4001)), 'Image resolution too high: 5000x4001 is 20005000 pixels, the limit is 20000000 (20 MP)');
			await expectRejected(ocrBody(pngWithSize(5000, 4000)), 404, 5);
		});

		it('reads JPEG, PNG and PDF only, and refuses a damaged file', async () => {
			await expectInvalid(ocrBody(Buffer.from('GIF89a not really')), 'Unsupported file format: the service reads JPEG, PNG and PDF files');
			await expectInvalid(ocrBody(fixture('not-an-image.png')), 'Unsupported file format: the service reads JPEG, PNG and PDF files');
			await expectInvalid(ocrBody(TABLE_IMAGE.subarray(0, TABLE_IMAGE.length - 20)), "Can't decode the file: a PNG image that is damaged or cut short");
			await expectInvalid(ocrBody(fixture('broken.jpg'), { mimeType: 'JPEG' }), "Can't decode the file: a JPEG image that is damaged or cut short");
		});

		it('takes the documented mimeType spellings, and wants them to fit the file', async () => {
			for (const mimeType of ['PNG', 'png', 'image/png', 'IMAGE/PNG', 'image', '']) await recognize(ocrBody(TABLE_IMAGE, { mimeType }));
			const jpeg = fixture('cyrillic-sign.jpg');
			for (const mimeType of ['JPEG', 'image/jpeg', 'image']) await recognize(ocrBody(jpeg, { mimeType, languageCodes: ['ru'] }));
			await expectInvalid(ocrBody(TABLE_IMAGE, { mimeType: 'JPEG' }), 'mime_type "JPEG" does not match the file, which is a PNG image');
			await expectInvalid(ocrBody(jpeg, { mimeType: 'application/pdf' }), 'mime_type "application/pdf" does not match the file, which is a JPEG image');
			await expectInvalid(ocrBody(ONE_PAGE_PDF), 'mime_type "" (the default, "image") does not match the file, which is a PDF document');
			await expectInvalid(ocrBody(ONE_PAGE_PDF, { mimeType: 'image' }), /does not match the file, which is a PDF document/);
			await expectInvalid(ocrBody(TABLE_IMAGE, { mimeType: 'image/gif' }), /^Unsupported mime_type "image\/gif": use JPEG, PNG or PDF/);
			await expectInvalid(ocrBody(TABLE_IMAGE, { mimeType: 'image/jpg' }), /^Unsupported mime_type "image\/jpg"/);
		});

		it('refuses a PDF of more than one page with the service\'s own words', async () => {
			const error = await expectRejected(ocrBody(fixture('two-pages.pdf'), { mimeType: 'application/pdf' }), 400, 3);
			assert.equal(error.message, 'Request pages 2, service page limit is 1');
			await expectInvalid(ocrBody(pdfWithPages(9), { mimeType: 'PDF' }), 'Request pages 9, service page limit is 1');
		});

		it('admits a one-page PDF (answered by its recording, here none)', async () => {
			for (const mimeType of ['application/pdf', 'PDF']) {
				const error = await expectRejected(ocrBody(ONE_PAGE_PDF, { mimeType }), 404, 5);
				assert.match(error.message, /^No recording for the image with sha256 [0-9a-f]{64}: .*a PDF matches by sha256 only/);
			}
		});
	});

	describe('quota', () => {
		it('has its own: 429 code 8 with Retry-After above ocrRequestsPerSecond, batchAnalyze unaffected', async () => {
			emulator.configure({ ocrRequestsPerSecond: 1 });
			await recognize(ocrBody(TABLE_IMAGE));
			const reply = await post(ocrBody(TABLE_IMAGE));
			assert.equal(reply.status, 429);
			assert.equal(statusOf(reply).code, 8);
			assert.equal(statusOf(reply).message, 'Quota exceeded: at most 1 requests per second to /ocr/v1/recognizeText');
			const retryAfter = Number(reply.headers['retry-after']);
			assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${String(reply.headers['retry-after'])}`);
			assert.equal(emulator.log.at(-1)?.fault, 'rate-limit');

			const batch = await send('POST', JSON.stringify({ folderId: FOLDER, analyzeSpecs: [{ content: TEXT_IMAGE.toString('base64'), features: [{ type: 'FACE_DETECTION' }] }] }), USER, emulator.url);
			assert.equal(batch.status, 200, 'batchAnalyze has a quota of its own');
			await delay(1050);
			await recognize(ocrBody(TABLE_IMAGE));
		});

		it('counts only requests that pass validation and the folder check', async () => {
			emulator.configure({ ocrRequestsPerSecond: 1 });
			await expectRejected(ocrBody(TABLE_IMAGE), 400, 3, USER);
			await expectInvalid(ocrBody(TABLE_IMAGE, { model: 'x'.repeat(60) }), /length must be at most 50/);
			await recognize(ocrBody(TABLE_IMAGE));
			// Past the quota, the recognizer's own checks are not reached.
			await expectRejected(ocrBody(TABLE_IMAGE, { model: 'nonsense' }), 429, 8);
		});

		it('is unlimited by default', async () => {
			for (let i = 0; i < 5; i++) await recognize(ocrBody(TABLE_IMAGE));
		});
	});

	describe('faults', () => {
		for (const [kind, status, code] of [['http429', 429, 8], ['http500', 500, 13], ['http503', 503, 14], ['http504', 504, 4]] as const) {
			it(`${kind}: answers ${status} with a google.rpc.Status code ${code}`, async () => {
				emulator.configure({ faults: { script: [kind] } });
				const error = await expectRejected(ocrBody(TABLE_IMAGE), status, code);
				assert.match(error.message, /injected by the emulator/);
				assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status, fault: kind });
			});
		}

		it("html502: answers a proxy's HTML page", async () => {
			emulator.configure({ faults: { script: ['html502'] } });
			const reply = await post(ocrBody(TABLE_IMAGE));
			assert.equal(reply.status, 502);
			assert.equal(reply.headers['content-type'], 'text/html');
			assert.match(reply.text, /<title>502 Bad Gateway<\/title>/);
		});

		it('truncated: starts the chunked stream and breaks off in the middle', async () => {
			emulator.configure({ faults: { script: ['truncated'] } });
			const response = await request(emulator.ocrUrl, { method: 'POST', headers: USER_IN_FOLDER, body: JSON.stringify(ocrBody(TABLE_IMAGE)) });
			assert.equal(response.statusCode, 200);
			assert.equal(response.headers['transfer-encoding'], 'chunked');
			await assert.rejects(response.body.text());
			assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status: 200, fault: 'truncated' });
		});

		it('reset: drops the connection without an answer', async () => {
			emulator.configure({ faults: { script: ['reset'] } });
			await assert.rejects(post(ocrBody(TABLE_IMAGE)));
			assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status: 0, fault: 'reset' });
		});

		it('stall: holds the request until the client gives up, or answers once stallMs passed', async () => {
			emulator.configure({ faults: { script: ['stall', 'stall'] }, stallMs: 300 });
			const started = Date.now();
			await assert.rejects(send('POST', JSON.stringify(ocrBody(TABLE_IMAGE)), USER_IN_FOLDER, emulator.ocrUrl, AbortSignal.timeout(100)));
			assert.ok(Date.now() - started < 280);
			const again = Date.now();
			await recognize(ocrBody(TABLE_IMAGE));
			assert.ok(Date.now() - again >= 290);
		});

		it('streamError: HTTP 200 whose stream holds a google.rpc.Status code 13', async () => {
			emulator.configure({ faults: { script: ['streamError'] } });
			const reply = await post(ocrBody(TABLE_IMAGE));
			assert.equal(reply.status, 200);
			assert.equal(reply.headers['content-type'], 'application/json');
			assert.equal(reply.headers['transfer-encoding'], 'chunked');
			const [message, ...rest] = messages(reply);
			assert.deepEqual(rest, []);
			const { error } = message as { error: StatusJson };
			assert.equal(error.code, 13);
			assert.match(error.message, /injected by the emulator/);
			assert.deepEqual(error.details, []);
			assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status: 200, fault: 'streamError' });
		});

		it('streamError on batchAnalyze, which is no stream: a 500 code 13', async () => {
			emulator.configure({ faults: { script: ['streamError'] } });
			const reply = await send('POST', JSON.stringify({ folderId: FOLDER, analyzeSpecs: [{ content: TEXT_IMAGE.toString('base64'), features: [{ type: 'FACE_DETECTION' }] }] }), USER, emulator.url);
			assert.equal(reply.status, 500);
			assert.equal(statusOf(reply).code, 13);
		});

		it('shares the fault script with batchAnalyze and hits only requests that pass validation', async () => {
			emulator.configure({ faults: { script: ['http503', 'ok', 'http500'] } });
			await expectRejected(ocrBody(TABLE_IMAGE), 400, 3, USER);
			await expectRejected(ocrBody(TABLE_IMAGE), 503, 14);
			await recognize(ocrBody(TABLE_IMAGE));
			await expectRejected(ocrBody(TABLE_IMAGE), 500, 13);
			await recognize(ocrBody(TABLE_IMAGE));
		});

		it('leaves stall and streamError out of the default draw', async () => {
			emulator.configure({ faults: { rate: 1, seed: 3 } });
			const seen = new Set<FaultKind | 'rate-limit' | undefined>();
			for (let i = 0; i < 40; i++) {
				await post(ocrBody(TABLE_IMAGE)).catch(() => undefined);
				seen.add(emulator.log.at(-1)?.fault);
			}
			assert.ok(!seen.has('stall') && !seen.has('streamError'), [...seen].join(' '));
			assert.ok(seen.size >= 5, `several kinds were drawn: ${[...seen].join(' ')}`);
		});
	});

	describe('the streamed answer', () => {
		it('is one {"result": …} object per page, newline-ended, chunked, as application/json', async () => {
			const reply = await post(ocrBody(TABLE_IMAGE));
			assert.equal(reply.headers['content-type'], 'application/json');
			assert.equal(reply.headers['transfer-encoding'], 'chunked');
			assert.equal(reply.headers['content-length'], undefined);
			assert.match(String(reply.headers['x-request-id']), /^[0-9a-f-]{36}$/);
			const [message] = messages(reply);
			assert.deepEqual(Object.keys(message as object), ['result']);
			assert.deepEqual(Object.keys((message as { result: object }).result), ['textAnnotation', 'page']);
		});

		it('writes int64 as strings and leaves zero values and empty lists out', async () => {
			const annotation = await recognize(ocrBody(TEXT_IMAGE));
			assert.equal(annotation.width, '40');
			assert.equal(annotation.height, '20');
			assert.equal(annotation.entities, undefined, 'no entities: left out');
			assert.equal(annotation.tables, undefined, 'no tables: left out');
			assert.equal(annotation.rotate, undefined);
			const [first] = words(annotation);
			assert.deepEqual(first.boundingBox?.vertices, [{}, { y: '8' }, { x: '17', y: '8' }, { x: '17' }], 'a vertex at (0, 0) is {}');
			assert.deepEqual(first.textSegments, [{ length: '5' }], 'startIndex 0 is left out');
			assert.equal(first.entityIndex, '-1');
			for (const word of words(annotation)) {
				assert.equal(typeof word.entityIndex, 'string');
				for (const v of word.boundingBox?.vertices ?? []) for (const value of Object.values(v)) assert.equal(typeof value, 'string');
			}
		});

		it('can be the bare RecognizeTextResponse, without the result wrapper', async () => {
			emulator.configure({ ocrAnswerStyle: { wrap: false } });
			const [message] = messages(await post(ocrBody(TABLE_IMAGE, { model: 'table', languageCodes: ['en'] })));
			const bare = message as ResponseJson;
			assert.equal(bare.page, '0');
			assert.deepEqual(bare.textAnnotation, TABLE_ANSWER_JSON);
		});

		it('can use the proto field names (snake_case), as older examples show', async () => {
			emulator.configure({ ocrAnswerStyle: { names: 'proto' } });
			const reply = await post(ocrBody(TABLE_IMAGE, { model: 'table' }));
			const [message] = messages(reply);
			const result = (message as { result: { text_annotation: Record<string, unknown>; page: string } }).result;
			assert.equal(result.page, '0');
			assert.equal(result.text_annotation.full_text, 'Qty 2');
			const table = (result.text_annotation.tables as Record<string, unknown>[])[0];
			assert.equal(table.row_count, '1');
			assert.equal(table.column_count, '2');
			assert.ok(!/"[a-z]+[A-Z]\w*":/.test(reply.text), 'no lowerCamelCase key is left');
			assert.match(reply.text, /"bounding_box":/);
			assert.match(reply.text, /"entity_index":"-1"/);
			assert.match(reply.text, /"text_segments":/);
		});

		it('comes in chunks of ocrChunkBytes, cut inside strings and characters, and reads back whole', async () => {
			const body = JSON.stringify(ocrBody(fixture('cyrillic-sign.jpg'), { languageCodes: ['ru'] }));
			const whole = await send('POST', body, USER_IN_FOLDER);
			assert.ok(/[А-я]/.test(whole.text), 'the answer holds Cyrillic text (two bytes a letter)');
			for (const size of [1, 3, 7]) {
				emulator.configure({ ocrChunkBytes: size });
				const raw = await rawChunks(body, USER_IN_FOLDER);
				assert.match(raw.head, /^HTTP\/1\.1 200 /);
				assert.match(raw.head, /\r\ntransfer-encoding: chunked/i);
				assert.ok(raw.chunks.every(chunk => chunk.length <= size), `every chunk at most ${size} bytes`);
				const joined = Buffer.concat(raw.chunks);
				assert.equal(raw.chunks.length, Math.ceil(joined.length / size));
				assert.equal(joined.toString('utf8'), whole.text, `chunks of ${size} read back as the whole answer`);
				if (size > 1) assert.ok(raw.chunks.some(chunk => chunk.toString('utf8').includes('\ufffd')), 'some chunk ends inside a character');
				const reassembled = await send('POST', body, USER_IN_FOLDER);
				assert.equal(reassembled.text, whole.text);
			}
			assert.throws(() => emulator.configure({ ocrChunkBytes: 0 }), /ocrChunkBytes/);
		});
	});

	describe('answers from the recordings', () => {
		it("serves a recording's own answer for the model verbatim, as proto3 JSON", async () => {
			const annotation = await recognize(ocrBody(TABLE_IMAGE, { model: 'table' }));
			assert.deepEqual(annotation, TABLE_ANSWER_JSON);
		});

		it("falls back to the recording's page answer for the other text models, with markdown for the markdown models", async () => {
			const page = await recognize(ocrBody(TABLE_IMAGE, { model: 'page-column-sort' }));
			const { tables: _tables, pictures: _pictures, ...pageJson } = TABLE_ANSWER_JSON;
			assert.deepEqual(page, pageJson);
			const markdown = await recognize(ocrBody(TABLE_IMAGE, { model: 'math-markdown', languageCodes: ['*'] }));
			assert.equal(markdown.markdown, 'Qty 2\n');
			assert.equal(markdown.fullText, 'Qty 2');
		});

		it('answers a structural model without its recording with the page text only: no tables, no entities', async () => {
			const passport = await recognize(ocrBody(TEXT_IMAGE, { model: 'passport', languageCodes: ['*'] }));
			assert.equal(passport.entities, undefined);
			assert.equal(passport.tables, undefined);
			assert.equal(passport.markdown, undefined);
			assert.deepEqual(words(passport).map(w => w.text), ['Hello', 'world', 'Second', 'Привет']);
			assert.ok(words(passport).every(w => w.entityIndex === '-1'));
			const table = await recognize(ocrBody(TEXT_IMAGE, { model: 'table' }));
			assert.equal(table.tables, undefined);
		});

		it('derives the page from batchAnalyze text: blocks, lines, words, fullText and its positions', async () => {
			const annotation = await recognize(ocrBody(TEXT_IMAGE));
			assert.equal(annotation.fullText, 'Hello world\nSecond\nПривет');
			assert.deepEqual(annotation.blocks?.map(b => b.lines?.map(l => l.text)), [['Hello world', 'Second'], ['Привет']]);
			assert.deepEqual(annotation.blocks?.map(b => b.languages), [[{ languageCode: 'en' }], [{ languageCode: 'ru' }]]);
			assert.deepEqual(annotation.blocks?.map(b => b.textSegments), [[{ length: '18' }], [{ startIndex: '19', length: '6' }]]);
			assert.deepEqual(annotation.blocks?.map(b => b.layoutType), ['LAYOUT_TYPE_TEXT', 'LAYOUT_TYPE_TEXT']);
			for (const word of words(annotation)) {
				assert.deepEqual(Object.keys(word).sort(), ['boundingBox', 'entityIndex', 'text', 'textSegments'], 'no confidence, no languages on a word');
			}
			assert.equal(annotation.markdown, undefined, 'page has no markdown');
			const markdown = await recognize(ocrBody(TEXT_IMAGE, { model: 'markdown' }));
			assert.equal(markdown.markdown, 'Hello world\nSecond\n\nПривет\n');
		});

		it('keeps fullText and textSegments consistent in every answer for the samples, derived or recorded', async () => {
			const asked: string[] = [];
			for (const name of COPIED_FIXTURES.filter(n => !n.endsWith('.pdf'))) {
				const recording = fixtureRecording(name);
				for (const model of Object.keys(recording.ocr ?? { page: [] })) {
					const annotation = await recognize(ocrBody(fixture(name), { model, languageCodes: languagesFor(model) }));
					const what = `${name} (${model})`;
					asked.push(what);
					const recordedPage = recording.ocr?.[model]?.[0];
					const recorded = recordedPage
						? recordedPage.blocks.flatMap(b => b.lines.flatMap(l => l.words.map(w => w.text)))
						: recording.textDetection!.pages[0].blocks.flatMap(b => b.lines.flatMap(l => l.words.map(w => w.text)));
					assert.deepEqual(words(annotation).map(w => w.text), recorded, `${what}: the recorded words in order`);
					assert.equal(Number(annotation.width), recording.width);
					assertSegmentsConsistent(annotation, what, recordedPage === undefined);
				}
			}
			assert.ok(asked.length >= COPIED_FIXTURES.length - 1, asked.join(', '));
		});

		it('matches a fitted version of receipt.png by fingerprint and moves every box onto its pixels', async () => {
			const vips = await loadVips();
			const handles: Vips.Image[] = [];
			let fitted: Buffer;
			let size: { width: number; height: number };
			try {
				const image = vips.Image.newFromBuffer(fixture('receipt.png'));
				handles.push(image);
				const smaller = image.resize(0.6);
				handles.push(smaller);
				fitted = Buffer.from(smaller.jpegsaveBuffer({ Q: 80, keep: 'none' }));
				size = { width: smaller.width, height: smaller.height };
			} finally {
				for (const handle of handles) handle.delete();
			}
			const recording = fixtureRecording('receipt.png');
			const annotation = await recognize(ocrBody(fitted, { mimeType: 'JPEG', languageCodes: ['*'] }));
			assert.match(emulator.log[0].matches?.[0] ?? '', /^fingerprint d=\S+ orientation=1 scale=\S+ receipt\.recording\.json$/);
			assert.deepEqual([Number(annotation.width), Number(annotation.height)], [size.width, size.height]);
			const scaleX = size.width / recording.width;
			const scaleY = size.height / recording.height;
			const expected = recording.ocr?.page?.[0]
				? recording.ocr.page[0].blocks.flatMap(b => b.lines.flatMap(l => l.words))
				: recording.textDetection!.pages[0].blocks.flatMap(b => b.lines.flatMap(l => l.words));
			const got = words(annotation);
			assert.equal(got.length, expected.length);
			got.forEach((word, i) => {
				assert.equal(word.text, expected[i].text);
				const vertices = (word.boundingBox?.vertices ?? []).map(vertexOf);
				expected[i].boundingBox.vertices.forEach((v, k) => {
					assert.ok(Math.abs(vertices[k].x - v.x * scaleX) <= 1 && Math.abs(vertices[k].y - v.y * scaleY) <= 1,
						`"${word.text}" vertex ${k}: (${vertices[k].x}, ${vertices[k].y}), expected about (${(v.x * scaleX).toFixed(1)}, ${(v.y * scaleY).toFixed(1)})`);
				});
			});
		});

		it('answers an image it has no recording of with 404 code 5, saying so', async () => {
			const error = await expectRejected(ocrBody(UNRECORDED), 404, 5);
			assert.match(error.message, /^No recording for the image with sha256 [0-9a-f]{64}: the emulator answers only images that have a \*\.recording\.json/);
			assert.match(emulator.log[0].matches?.[0] ?? '', /^none: /);
		});
	});

	describe('recordings of OCR answers', () => {
		const base = (ocr: unknown): unknown => ({ ...TABLE_RECORDING, ocr });

		it('accepts the hand-written recording', () => {
			const checked = checkRecording(JSON.parse(JSON.stringify(TABLE_RECORDING)));
			assert.ok('recording' in checked, 'problem' in checked ? checked.problem : '');
		});

		it('names the first field that does not fit', () => {
			const problems: [unknown, RegExp][] = [
				[base({ lines: [TABLE_PAGE] }), /^recording\.ocr\.lines: unknown model/],
				[base({ page: [{ ...TABLE_PAGE, fullText: 7 }] }), /^recording\.ocr\.page\[0\]\.fullText: expected a string/],
				[base({ page: [{ ...TABLE_PAGE, rotate: 'ANGLE_45' }] }), /rotate: expected one of ANGLE_0/],
				[base({ page: [{ ...TABLE_PAGE, fullText: 'Qty' }] }), /^recording\.ocr\.page\[0\]\.blocks\[0\]\.textSegments\[0\]: outside fullText \(3 characters\)/],
				[base({ page: [{ ...TABLE_PAGE, blocks: [{ ...QTY_BLOCK, layoutType: 'TEXT' }] }] }), /layoutType: expected one of/],
				[base({ table: [{ ...TABLE_ANSWER, tables: [{ ...TABLE_ANSWER.tables[0], columnCount: 1 }] }] }), /tables\[0\]\.cells\[1\]: columns 1 spanning 1 do not fit in 1/],
				[base({ table: [{ ...TABLE_ANSWER, tables: [{ ...TABLE_ANSWER.tables[0], cells: [{ ...TABLE_ANSWER.tables[0].cells[0], rowSpan: 0 }] }] }] }), /rows 0 spanning 0 do not fit in 1/],
				[base({ page: [{ ...TABLE_PAGE, blocks: [{ ...QTY_BLOCK, lines: [{ ...QTY_BLOCK.lines[0], words: [{ ...QTY_BLOCK.lines[0].words[0], entityIndex: 0 }] }] }] }] }), /entityIndex: 0 names no entity/],
			];
			for (const [recording, expected] of problems) {
				const checked = checkRecording(JSON.parse(JSON.stringify(recording)));
				assert.ok('problem' in checked, `${String(expected)} was not found`);
				assert.match(checked.problem, expected);
			}
		});
	});
});
