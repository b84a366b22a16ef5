/**
 * The emulator's asynchronous OCR API over raw HTTP: `POST /ocr/v1/recognizeTextAsync` answers an
 * Operation, `GET /operations/{id}` tells when it is done, `GET /ocr/v1/getRecognition` streams
 * its pages. What a client of these three relies on: the Operation's fields, "not ready" before
 * done, every page in order after, the 200-page limit, each method's quota, whose operation it
 * is, how long it is kept, and the faults aimed at each step.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Dispatcher, request } from 'undici';
import { DEFAULT_CREDENTIALS, Emulator, EmulatorOptions, startEmulator } from '../emulator/index';
import { countPdfPages } from '../emulator/pdfPages';
import { RecordedOcrAnnotation, Recording } from '../emulator/recording';
import { checkRecording } from '../emulator/recordingShape';
import { EmulatorServer } from '../emulator/server';
import { FIXTURES_DIR } from '../support/fixtures';

// ---- What is sent and read ----------------------------------------------------------------

interface StatusJson { code: number; message: string; details?: unknown[] }
interface OperationJson {
	id: string;
	description: string;
	createdAt: string;
	createdBy: string;
	modifiedAt: string;
	done: boolean;
	metadata: unknown;
	error?: StatusJson;
	response?: unknown;
}
interface AnnotationJson { width?: string; height?: string; fullText?: string; blocks?: { lines?: { text?: string; words?: { text?: string }[] }[] }[] }
interface ResponseJson { textAnnotation?: AnnotationJson; page?: string }

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
}

const FOLDER = DEFAULT_CREDENTIALS.folderId;
const USER_IN_FOLDER = { authorization: `Bearer ${DEFAULT_CREDENTIALS.userIamToken}`, 'x-folder-id': FOLDER };
const SERVICE_ACCOUNT = { authorization: `Bearer ${DEFAULT_CREDENTIALS.serviceAccountIamToken}` };
const API_KEY = { authorization: `Api-Key ${DEFAULT_CREDENTIALS.apiKey}` };
const OTHER_FOLDER = 'b1gotheruserfolder01';
const OTHER_USER = { authorization: 'Bearer t1.other-user-token', 'x-folder-id': OTHER_FOLDER };
const BOTH_USERS: EmulatorOptions['users'] = [
	{ iamToken: DEFAULT_CREDENTIALS.userIamToken, folders: [FOLDER] },
	{ iamToken: 't1.other-user-token', folders: [OTHER_FOLDER] },
];

const CONTRACT = 'long-contract.pdf';
const CONTRACT_PAGES = 120;
const IMAGE = 'handwritten-note.png';
const SMALL_IMAGE = 'rotated-line.png';
const THREE_DAYS_MS = 3 * 24 * 60 * 60 * 1000;
const EMPTY_RESPONSE = { '@type': 'type.googleapis.com/google.protobuf.Empty', value: {} };

const RESET_KNOBS: Partial<EmulatorOptions> = {
	users: undefined, faults: undefined, latencyMs: undefined, ocrChunkBytes: undefined, ocrAnswerStyle: undefined,
	ocrRequestsPerSecond: undefined, ocrAsyncRequestsPerSecond: undefined, operationRequestsPerSecond: undefined, getRecognitionRequestsPerSecond: undefined,
	ocrProcessingMs: undefined, ocrProcessingMsPerPage: undefined, operationTtlMs: undefined, stallMs: undefined,
};

function fixture(name: string): Buffer {
	return readFileSync(path.join(FIXTURES_DIR, name));
}

function fixtureRecording(name: string): Recording {
	return JSON.parse(readFileSync(path.join(FIXTURES_DIR, name.replace(/\.\w+$/, '.recording.json')), 'utf8')) as Recording;
}

const contractBody = (): Record<string, unknown> => ({ content: fixture(CONTRACT).toString('base64'), mimeType: 'application/pdf', languageCodes: ['*'] });
const imageBody = (name = IMAGE): Record<string, unknown> => ({ content: fixture(name).toString('base64'), model: 'handwritten', languageCodes: ['ru', 'en'] });

/** A structurally plain PDF with `count` empty pages under one page tree. */
function pdfWithPages(count: number): Buffer {
	const kids = Array.from({ length: count }, (_, i) => `${i + 3} 0 R`).join(' ');
	const pages = Array.from({ length: count }, (_, i) => `${i + 3} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>\nendobj\n`).join('');
	return Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [${kids}] /Count ${count} >>\nendobj\n${pages}trailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

// ---- Harness ------------------------------------------------------------------------------

let emulator: Emulator;

async function send(method: Dispatcher.HttpMethod, url: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
	const response = await request(url, {
		method,
		headers: { 'content-type': 'application/json', ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function submit(body: unknown, headers: Record<string, string> = USER_IN_FOLDER): Promise<Reply> {
	return send('POST', emulator.ocrAsyncUrl, headers, body);
}

function getOperation(id: string, headers: Record<string, string> = USER_IN_FOLDER): Promise<Reply> {
	return send('GET', `${emulator.operationsUrl}/${id}`, headers);
}

function getRecognition(id: string, headers: Record<string, string> = USER_IN_FOLDER): Promise<Reply> {
	return send('GET', `${emulator.getRecognitionUrl}?operationId=${encodeURIComponent(id)}`, headers);
}

function json<T>(reply: Reply): T {
	assert.equal(reply.status, 200, reply.text);
	assert.equal(reply.headers['content-type'], 'application/json');
	return JSON.parse(reply.text) as T;
}

function statusOf(reply: Reply, status: number, code: number): StatusJson {
	assert.equal(reply.status, status, reply.text);
	const error = JSON.parse(reply.text) as StatusJson;
	assert.equal(error.code, code, error.message);
	assert.deepEqual(error.details, []);
	return error;
}

async function submitted(body: unknown, headers: Record<string, string> = USER_IN_FOLDER): Promise<OperationJson> {
	return json<OperationJson>(await submit(body, headers));
}

/** Polls the operation as a client does, until it is done. */
async function untilDone(id: string, headers: Record<string, string> = USER_IN_FOLDER): Promise<OperationJson> {
	for (let i = 0; i < 200; i++) {
		const operation = json<OperationJson>(await getOperation(id, headers));
		if (operation.done) return operation;
		await delay(5);
	}
	throw new Error(`operation ${id} is still running`);
}

/** The stream's pages: one wrapped JSON object per line, each line ended by a newline. */
function pagesOf(reply: Reply): ResponseJson[] {
	assert.equal(reply.status, 200, reply.text);
	assert.equal(reply.headers['content-type'], 'application/json');
	assert.equal(reply.headers['transfer-encoding'], 'chunked');
	assert.ok(reply.text.endsWith('\n'), 'each message ends with a newline');
	return reply.text.slice(0, -1).split('\n').map(line => {
		const message = JSON.parse(line) as { result?: ResponseJson };
		assert.ok(message.result, `a {"result": …} message: ${line.slice(0, 120)}`);
		return message.result;
	});
}

function delay(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/** Everything the server sent for a GET before it closed: its chunks, joined, and whether the last chunk came. */
async function rawGet(target: string, headers: Record<string, string>): Promise<{ head: string; chunks: Buffer[]; body: Buffer; complete: boolean }> {
	const { hostname, port } = new URL(emulator.origin);
	const socket = net.connect(Number(port), hostname);
	const lines = [`GET ${target} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close'];
	for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
	socket.end(`${lines.join('\r\n')}\r\n\r\n`);
	const parts: Buffer[] = [];
	for await (const part of socket) parts.push(part as Buffer);
	const all = Buffer.concat(parts);
	const headEnd = all.indexOf('\r\n\r\n');
	const chunks: Buffer[] = [];
	let at = headEnd + 4;
	let complete = false;
	while (at < all.length) {
		const lineEnd = all.indexOf('\r\n', at);
		if (lineEnd < 0) break;
		const size = parseInt(all.toString('latin1', at, lineEnd), 16);
		if (size === 0) {
			complete = true;
			break;
		}
		chunks.push(all.subarray(lineEnd + 2, Math.min(lineEnd + 2 + size, all.length)));
		at = lineEnd + 2 + size + 2;
	}
	return { head: all.toString('latin1', 0, headEnd), chunks, body: Buffer.concat(chunks), complete };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

describe('OCR API emulator, asynchronous (recognizeTextAsync, operations, getRecognition)', function () {
	this.timeout(60_000);

	before(async () => {
		emulator = await startEmulator();
	});

	after(async () => {
		await emulator.close();
	});

	beforeEach(() => {
		emulator.configure(RESET_KNOBS);
		emulator.clearLog();
	});

	it('names the three URLs beside recognizeText', () => {
		assert.equal(emulator.ocrAsyncUrl, `${emulator.origin}/ocr/v1/recognizeTextAsync`);
		assert.equal(emulator.operationsUrl, `${emulator.origin}/operations`);
		assert.equal(emulator.getRecognitionUrl, `${emulator.origin}/ocr/v1/getRecognition`);
	});

	describe('the 120-page contract', () => {
		const recording = fixtureRecording(CONTRACT);

		it('is a 120-page PDF under the 10 MB limit, recorded page by page', () => {
			const bytes = fixture(CONTRACT);
			assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
			assert.ok(bytes.length <= 10_485_760, `${bytes.length} bytes`);
			assert.equal(countPdfPages(bytes), CONTRACT_PAGES);
			const checked = checkRecording(recording);
			assert.ok('recording' in checked, 'problem' in checked ? checked.problem : '');
			const pages = recording.ocr?.page ?? [];
			assert.equal(pages.length, CONTRACT_PAGES);
			pages.forEach((page, i) => assert.match(page.fullText, new RegExp(`^Page ${i + 1} of ${CONTRACT_PAGES}$`, 'm'), `page ${i + 1}`));
			assert.equal(new Set(pages.map(page => page.fullText)).size, CONTRACT_PAGES, 'every page reads differently');
		});

		it('is submitted, not ready while processing, done after base + pages × per-page time, then streamed page by page in order', async () => {
			emulator.configure({ ocrProcessingMs: 60_000, ocrProcessingMsPerPage: 500 });
			const operation = await submitted(contractBody());
			assert.match(operation.id, /^[a-z][a-z0-9]{19}$/);
			assert.equal(operation.description, 'OCR async recognition');
			assert.match(operation.createdAt, RFC3339);
			assert.match(operation.createdBy, /^[a-z][a-z0-9]{19}$/);
			assert.equal(operation.modifiedAt, operation.createdAt);
			assert.equal(operation.done, false);
			assert.equal(operation.metadata, null);
			assert.ok(!('error' in operation) && !('response' in operation), 'no result while running');

			const running = json<OperationJson>(await getOperation(operation.id));
			assert.deepEqual(running, operation, 'polled, the same running operation');
			const notReady = statusOf(await getRecognition(operation.id), 404, 5);
			assert.equal(notReady.message, 'operation data is not ready');

			// 60 s + 120 pages × 0.5 s = 120 s (and real time passes too, far less than a second here).
			emulator.advanceClock(119_000);
			assert.equal(json<OperationJson>(await getOperation(operation.id)).done, false, 'a second before its time');
			emulator.advanceClock(1_000);
			const done = json<OperationJson>(await getOperation(operation.id));
			assert.equal(done.done, true);
			assert.deepEqual(done.response, EMPTY_RESPONSE, 'the method\'s declared response: google.protobuf.Empty');
			assert.ok(!('error' in done));
			assert.equal(Date.parse(done.modifiedAt) - Date.parse(done.createdAt), 120_000);
			assert.deepEqual([done.id, done.description, done.createdAt, done.createdBy], [operation.id, operation.description, operation.createdAt, operation.createdBy]);

			const pages = pagesOf(await getRecognition(operation.id));
			assert.equal(pages.length, CONTRACT_PAGES);
			pages.forEach((page, i) => {
				assert.equal(page.page, String(i), 'pages numbered from 0, as strings');
				assert.equal(page.textAnnotation?.width, '560');
				assert.equal(page.textAnnotation?.height, '792');
				assert.match(page.textAnnotation?.fullText ?? '', new RegExp(`^Page ${i + 1} of ${CONTRACT_PAGES}$`, 'm'));
				assert.equal(page.textAnnotation?.fullText, recording.ocr?.page[i].fullText);
			});
			assert.deepEqual(pagesOf(await getRecognition(operation.id)), pages, 'read again, the same answer');
		});

		it('streams in ocrChunkBytes pieces and in the answer style asked for, the operation too', async () => {
			emulator.configure({ ocrChunkBytes: 4096, ocrAnswerStyle: { wrap: false, names: 'proto' } });
			const reply = await submit(contractBody());
			const operation = json<Record<string, unknown>>(reply);
			assert.deepEqual(Object.keys(operation), ['id', 'description', 'created_at', 'created_by', 'modified_at', 'done', 'metadata']);
			const id = String(operation.id);
			await delay(5);
			const raw = await rawGet(`/ocr/v1/getRecognition?operationId=${id}`, USER_IN_FOLDER);
			assert.ok(raw.complete, 'the stream ends properly');
			const lines = raw.body.toString('utf8').trimEnd().split('\n').map(line => JSON.parse(line) as { text_annotation?: AnnotationJson; page?: string });
			assert.equal(lines.length, CONTRACT_PAGES);
			assert.deepEqual(lines.slice(0, 3).map(line => [Object.keys(line), line.page]), [[['text_annotation', 'page'], '0'], [['text_annotation', 'page'], '1'], [['text_annotation', 'page'], '2']]);
			assert.ok(raw.chunks.length > 100, `${raw.chunks.length} chunks`);
			assert.ok(raw.chunks.slice(0, -1).every(chunk => chunk.length === 4096), 'every chunk but the last is 4096 bytes');
		});
	});

	describe('a single image', () => {
		it('is one page, answered exactly as recognizeText answers it', async () => {
			const operation = await submitted(imageBody());
			const done = await untilDone(operation.id);
			assert.deepEqual(done.response, EMPTY_RESPONSE);
			const pages = pagesOf(await getRecognition(operation.id));
			assert.equal(pages.length, 1);
			assert.equal(pages[0].page, '0');
			const sync = await send('POST', emulator.ocrUrl, USER_IN_FOLDER, imageBody());
			assert.equal(sync.status, 200, sync.text);
			const [syncMessage] = sync.text.trimEnd().split('\n').map(line => (JSON.parse(line) as { result: ResponseJson }).result);
			assert.deepEqual(pages[0], syncMessage);
			const recorded = fixtureRecording(IMAGE).ocr?.handwritten?.[0] as RecordedOcrAnnotation;
			assert.equal(pages[0].textAnnotation?.fullText, recorded.fullText);
		});

		it('is done at once by default (the next time it is asked), never within its own answer', async () => {
			const operation = await submitted(imageBody(SMALL_IMAGE));
			assert.equal(operation.done, false);
			await delay(2);
			assert.equal(json<OperationJson>(await getOperation(operation.id)).done, true);
		});
	});

	describe('limits and refusals at submission', () => {
		it('admits a PDF of 200 pages and refuses 201 in the service\'s words, making no operation', async () => {
			const refused = statusOf(await submit({ content: pdfWithPages(201).toString('base64'), mimeType: 'application/pdf', languageCodes: ['*'] }), 400, 3);
			assert.equal(refused.message, 'Request pages 201, service page limit is 200');
			assert.equal(emulator.log[0].operationId, undefined, 'no operation for a refused request');
			const admitted = await submitted({ content: pdfWithPages(200).toString('base64'), mimeType: 'application/pdf', languageCodes: ['*'] });
			assert.equal(admitted.done, false);
			assert.equal(emulator.log[1].operationId, admitted.id);
		});

		it('refuses what recognizeText refuses (model, languages, file) with 400, before any operation', async () => {
			statusOf(await submit({ ...imageBody(), model: 'no-such-model' }), 400, 3);
			statusOf(await submit({ ...imageBody(), languageCodes: ['*'] }), 400, 3);
			statusOf(await submit({ content: Buffer.from('GIF89a').toString('base64'), languageCodes: ['*'] }), 400, 3);
			statusOf(await submit({ languageCodes: ['*'] }), 400, 3);
			statusOf(await submit(imageBody(), { authorization: USER_IN_FOLDER.authorization }), 400, 3);
			statusOf(await submit(imageBody(), { 'x-folder-id': FOLDER }), 401, 16);
			assert.deepEqual(emulator.log.map(entry => entry.operationId), emulator.log.map(() => undefined));
		});

		it('admits a file without a recording; the operation then fails NOT_FOUND, saying why, and getRecognition answers that', async () => {
			const operation = await submitted({ content: pdfWithPages(3).toString('base64'), mimeType: 'application/pdf', languageCodes: ['*'] });
			const done = await untilDone(operation.id);
			assert.equal(done.error?.code, 5);
			assert.match(done.error?.message ?? '', /^No recording for the image with sha256 [0-9a-f]{64}: .*a PDF matches by sha256 only/);
			assert.ok(!('response' in done), 'exactly one of error and response');
			const error = statusOf(await getRecognition(operation.id), 404, 5);
			assert.equal(error.message, done.error?.message);
		});
	});

	describe('quotas', () => {
		it('has one per method: 429 code 8 with Retry-After on each above its own, the others unaffected', async () => {
			emulator.configure({ ocrAsyncRequestsPerSecond: 1, operationRequestsPerSecond: 1, getRecognitionRequestsPerSecond: 1 });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			await delay(2);
			const overs: [Reply, string][] = [];
			overs.push([await submit(imageBody(SMALL_IMAGE)), '/ocr/v1/recognizeTextAsync']);
			json<OperationJson>(await getOperation(operation.id));
			overs.push([await getOperation(operation.id), '/operations']);
			pagesOf(await getRecognition(operation.id));
			overs.push([await getRecognition(operation.id), '/ocr/v1/getRecognition']);
			for (const [reply, where] of overs) {
				const error = statusOf(reply, 429, 8);
				assert.equal(error.message, `Quota exceeded: at most 1 requests per second to ${where}`);
				const retryAfter = Number(reply.headers['retry-after']);
				assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${String(reply.headers['retry-after'])}`);
			}
			assert.deepEqual(emulator.log.map(entry => [entry.path, entry.status, entry.fault]), [
				['/ocr/v1/recognizeTextAsync', 200, undefined],
				['/ocr/v1/recognizeTextAsync', 429, 'rate-limit'],
				[`/operations/${operation.id}`, 200, undefined],
				[`/operations/${operation.id}`, 429, 'rate-limit'],
				['/ocr/v1/getRecognition', 200, undefined],
				['/ocr/v1/getRecognition', 429, 'rate-limit'],
			]);
			const sync = await send('POST', emulator.ocrUrl, USER_IN_FOLDER, imageBody(SMALL_IMAGE));
			assert.equal(sync.status, 200, 'recognizeText has a quota of its own');
			await delay(1050);
			await submitted(imageBody(SMALL_IMAGE));
		});
	});

	describe('whose operation it is, and for how long', () => {
		it('shows an operation to the account that submitted it, whichever of its credentials, and 403 to any other', async () => {
			emulator.configure({ users: BOTH_USERS });
			const mine = await submitted(imageBody(SMALL_IMAGE));
			await untilDone(mine.id);
			for (const other of [OTHER_USER, SERVICE_ACCOUNT, API_KEY]) {
				assert.equal(statusOf(await getOperation(mine.id, other), 403, 7).message, 'Permission denied');
				statusOf(await getRecognition(mine.id, other), 403, 7);
			}
			const theirs = await submitted(imageBody(SMALL_IMAGE), OTHER_USER);
			assert.notEqual(theirs.createdBy, mine.createdBy);
			statusOf(await getOperation(theirs.id), 403, 7);

			const byKey = await submitted(imageBody(SMALL_IMAGE), API_KEY);
			await delay(2);
			assert.equal(json<OperationJson>(await getOperation(byKey.id, SERVICE_ACCOUNT)).createdBy, byKey.createdBy, 'the same service account by its IAM token');
			assert.equal(pagesOf(await getRecognition(byKey.id, SERVICE_ACCOUNT)).length, 1);
		});

		it('wants x-folder-id on getRecognition from a user account, as recognizeText; the operation service needs none', async () => {
			const operation = await submitted(imageBody(SMALL_IMAGE));
			await delay(2);
			const { authorization } = USER_IN_FOLDER;
			statusOf(await getRecognition(operation.id, { authorization }), 400, 3);
			statusOf(await getRecognition(operation.id, { authorization, 'x-folder-id': OTHER_FOLDER }), 403, 7);
			statusOf(await getRecognition(operation.id, {}), 401, 16);
			statusOf(await getOperation(operation.id, {}), 401, 16);
			assert.equal(json<OperationJson>(await getOperation(operation.id, { authorization })).done, true);
		});

		it('answers NOT_FOUND for an unknown id, and 400 for a missing or overlong one', async () => {
			const unknown = 'd7qunknownoperation1';
			assert.equal(statusOf(await getOperation(unknown), 404, 5).message, `Operation ${unknown} not found`);
			statusOf(await getRecognition(unknown), 404, 5);
			statusOf(await send('GET', emulator.getRecognitionUrl, USER_IN_FOLDER), 400, 3);
			statusOf(await getRecognition('x'.repeat(51)), 400, 3);
			statusOf(await getOperation('x'.repeat(51)), 400, 3);
			const byProtoName = await send('GET', `${emulator.getRecognitionUrl}?operation_id=${unknown}`, USER_IN_FOLDER);
			statusOf(byProtoName, 404, 5);
		});

		it('keeps an operation and its results for 3 days after it is done, then answers NOT_FOUND for both', async () => {
			emulator.configure({ ocrProcessingMs: 1000 });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			emulator.advanceClock(1000 + THREE_DAYS_MS - 5_000);
			assert.equal(pagesOf(await getRecognition(operation.id)).length, 1, 'still there 5 s before 3 days');
			emulator.advanceClock(5_000);
			statusOf(await getOperation(operation.id), 404, 5);
			statusOf(await getRecognition(operation.id), 404, 5);
		});

		it('honours operationTtlMs, counted from when the operation is done', async () => {
			emulator.configure({ operationTtlMs: 60_000, ocrProcessingMs: 10_000 });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			emulator.advanceClock(69_000);
			json<OperationJson>(await getOperation(operation.id));
			emulator.advanceClock(1_000);
			statusOf(await getOperation(operation.id), 404, 5);
		});

		it('keeps thousands of operations by reference, and lets them all go once expired', async () => {
			const own = await EmulatorServer.start();
			try {
				const body = JSON.stringify(imageBody(SMALL_IMAGE));
				const ids = new Set<string>();
				for (let i = 0; i < 1000; i++) {
					const response = await request(own.ocrAsyncUrl, { method: 'POST', headers: USER_IN_FOLDER, body });
					assert.equal(response.statusCode, 200);
					ids.add((await response.body.json() as OperationJson).id);
				}
				assert.equal(ids.size, 1000, 'every operation its own id');
				assert.equal(own.operationCount, 1000);
				own.advanceClock(THREE_DAYS_MS + 1000);
				const response = await request(own.ocrAsyncUrl, { method: 'POST', headers: USER_IN_FOLDER, body });
				await response.body.dump();
				assert.equal(own.operationCount, 1, 'only the newest one is left');
			} finally {
				await own.close();
			}
		});
	});

	describe('faults', () => {
		it('operationError: the operation is admitted, then done with error INTERNAL, which getRecognition answers', async () => {
			emulator.configure({ faults: { script: ['operationError'], methods: ['recognizeTextAsync'] } });
			const operation = await submitted(contractBody());
			assert.equal(operation.done, false, 'admitted as usual');
			assert.equal(emulator.log[0].fault, 'operationError');
			const done = await untilDone(operation.id);
			assert.equal(done.error?.code, 13);
			assert.match(done.error?.message ?? '', /injected by the emulator/);
			assert.deepEqual(done.error?.details, []);
			assert.ok(!('response' in done));
			statusOf(await getRecognition(operation.id), 500, 13);
		});

		it('getRecognition truncated: the stream stops inside a page and the connection drops', async () => {
			emulator.configure({ faults: { script: ['truncated'], methods: ['getRecognition'] } });
			const operation = await submitted(contractBody());
			await untilDone(operation.id);
			const raw = await rawGet(`/ocr/v1/getRecognition?operationId=${operation.id}`, USER_IN_FOLDER);
			assert.match(raw.head, /^HTTP\/1\.1 200 /);
			assert.ok(!raw.complete, 'no last chunk: the stream did not end');
			const text = raw.body.toString('utf8');
			const lines = text.split('\n');
			const partial = lines.pop() ?? '';
			assert.ok(partial.length > 0, 'cut inside a page, not between two');
			assert.throws(() => JSON.parse(partial) as unknown, 'the cut page is not whole JSON');
			const whole = lines.map(line => (JSON.parse(line) as { result: ResponseJson }).result);
			assert.ok(whole.length > 0 && whole.length < CONTRACT_PAGES, `${whole.length} whole pages arrived`);
			whole.forEach((page, i) => assert.equal(page.page, String(i)));
			assert.equal(emulator.log.at(-1)?.fault, 'truncated');
			// The next read is whole.
			assert.equal(pagesOf(await getRecognition(operation.id)).length, CONTRACT_PAGES);
		});

		it('getRecognition streamError: HTTP 200 whose stream holds a google.rpc.Status code 13', async () => {
			emulator.configure({ faults: { script: ['streamError'], methods: ['getRecognition'] } });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			await untilDone(operation.id);
			const reply = await getRecognition(operation.id);
			assert.equal(reply.status, 200);
			const { error } = JSON.parse(reply.text.trimEnd()) as { error: StatusJson };
			assert.equal(error.code, 13);
		});

		it('stalls and 5xx on the operation status, answered as usual once they pass', async () => {
			emulator.configure({ faults: { script: ['stall', 'http503', 'streamError'], methods: ['operation'] }, stallMs: 200 });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			const started = Date.now();
			json<OperationJson>(await getOperation(operation.id));
			assert.ok(Date.now() - started >= 190, 'held for stallMs');
			statusOf(await getOperation(operation.id), 503, 14);
			statusOf(await getOperation(operation.id), 500, 13);
			assert.equal(json<OperationJson>(await getOperation(operation.id)).done, true);
		});

		it('aims at the methods named, leaving the others alone and the script unspent by them', async () => {
			emulator.configure({ faults: { rate: 1, kinds: ['http503'], methods: ['operation'] } });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			await delay(2);
			statusOf(await getOperation(operation.id), 503, 14);
			assert.equal(pagesOf(await getRecognition(operation.id)).length, 1);
			assert.equal((await send('POST', emulator.ocrUrl, USER_IN_FOLDER, imageBody(SMALL_IMAGE))).status, 200);

			emulator.configure({ faults: { script: ['http500'], methods: ['getRecognition'] } });
			const next = await submitted(imageBody(SMALL_IMAGE));
			await untilDone(next.id);
			statusOf(await getRecognition(next.id), 500, 13);
			assert.equal(pagesOf(await getRecognition(next.id)).length, 1);
		});

		it('draws the same faults for the aimed method however other calls interleave', async () => {
			const plan = { rate: 0.5, kinds: ['http500', 'http503'] as ('http500' | 'http503')[], seed: 5, methods: ['operation' as const] };
			const operation = await submitted(imageBody(SMALL_IMAGE));
			await delay(2);
			const statuses = async (interleave: boolean): Promise<number[]> => {
				emulator.configure({ faults: plan });
				const seen: number[] = [];
				for (let i = 0; i < 12; i++) {
					if (interleave) {
						await submitted(imageBody(SMALL_IMAGE));
						await getRecognition(operation.id);
					}
					seen.push((await getOperation(operation.id)).status);
				}
				return seen;
			};
			const alone = await statuses(false);
			assert.ok(alone.includes(200) && alone.some(status => status >= 500), alone.join(' '));
			assert.deepEqual(await statuses(true), alone);
		});

		it('never draws operationError for the other methods, and leaves it out of the default draw', async () => {
			emulator.configure({ faults: { rate: 1, kinds: ['operationError'] } });
			const operation = await submitted(imageBody(SMALL_IMAGE));
			await untilDone(operation.id);
			assert.equal((await send('POST', emulator.ocrUrl, USER_IN_FOLDER, imageBody(SMALL_IMAGE))).status, 200);
			assert.deepEqual(emulator.log.map(entry => entry.fault).filter(Boolean), ['operationError']);

			emulator.configure({ faults: { rate: 1, seed: 3, methods: ['recognizeTextAsync'] } });
			emulator.clearLog();
			for (let i = 0; i < 30; i++) await submit(imageBody(SMALL_IMAGE)).catch(() => undefined);
			const drawn = new Set(emulator.log.map(entry => entry.fault));
			assert.ok(!drawn.has('operationError') && !drawn.has('stall') && !drawn.has('streamError'), [...drawn].join(' '));
			assert.ok(drawn.size >= 5, `several kinds were drawn: ${[...drawn].join(' ')}`);
		});
	});

	describe('routing and the request log', () => {
		it('answers the wrong HTTP method with 405 code 12 and Allow', async () => {
			const cases: [Dispatcher.HttpMethod, string, string][] = [
				['GET', emulator.ocrAsyncUrl, 'POST'],
				['PUT', emulator.ocrAsyncUrl, 'POST'],
				['POST', `${emulator.getRecognitionUrl}?operationId=abc`, 'GET'],
				['POST', `${emulator.operationsUrl}/abc`, 'GET'],
				['DELETE', `${emulator.operationsUrl}/abc`, 'GET'],
			];
			for (const [method, url, allow] of cases) {
				const reply = await send(method, url, USER_IN_FOLDER, method === 'POST' ? {} : undefined);
				statusOf(reply, 405, 12);
				assert.equal(reply.headers.allow, allow, `${method} ${url}`);
			}
			statusOf(await send('GET', `${emulator.operationsUrl}/`, USER_IN_FOLDER), 404, 5);
		});

		it('logs the operation on each of its requests, so submissions and polls can be counted', async () => {
			const operation = await submitted(contractBody(), { ...USER_IN_FOLDER, 'x-client-request-id': 'c0ffee00-0000-4000-8000-0000000000ab' });
			await untilDone(operation.id);
			await getRecognition(operation.id);
			const [submission, ...rest] = emulator.log;
			assert.deepEqual(
				{ path: submission.path, operationId: submission.operationId, model: submission.model, folderId: submission.folderId, matches: submission.matches, clientRequestId: submission.clientRequestId },
				{ path: '/ocr/v1/recognizeTextAsync', operationId: operation.id, model: 'page', folderId: FOLDER, matches: ['exact long-contract.recording.json'], clientRequestId: 'c0ffee00-0000-4000-8000-0000000000ab' },
			);
			assert.ok(rest.length >= 2);
			assert.deepEqual(rest.map(entry => entry.operationId), rest.map(() => operation.id));
			assert.equal(rest.at(-1)?.folderId, FOLDER);
			assert.equal(emulator.log.filter(entry => entry.path === '/ocr/v1/recognizeTextAsync' && entry.operationId !== undefined).length, 1, 'one submission');
			const logged = JSON.stringify(emulator.log);
			assert.ok(!logged.includes(DEFAULT_CREDENTIALS.userIamToken));
		});
	});
});
