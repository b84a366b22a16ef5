import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dispatcher, request } from 'undici';
import { DEFAULT_CREDENTIALS, Emulator, EmulatorOptions, startEmulator } from '../emulator/index';
import { Recording } from '../emulator/recording';
import { jpegWithSize, minimalPdf, pngWithSize, tinyPng } from '../emulator/testImages';

// ---- What the tests send and read --------------------------------------------------------

interface StatusJson { code: number; message: string; details?: unknown[] }
interface FeatureJson {
	error?: StatusJson;
	textDetection?: { pages?: { blocks?: { lines?: { words?: { text?: string }[] }[] }[] }[] };
	classification?: unknown;
	faceDetection?: unknown;
	imageCopySearch?: unknown;
}
interface AnswerJson { results: { error?: StatusJson; results?: FeatureJson[] }[] }

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
}

const USER = { authorization: `Bearer ${DEFAULT_CREDENTIALS.userIamToken}` };
const SERVICE_ACCOUNT = { authorization: `Bearer ${DEFAULT_CREDENTIALS.serviceAccountIamToken}` };
const API_KEY = { authorization: `Api-Key ${DEFAULT_CREDENTIALS.apiKey}` };
const FOLDER = DEFAULT_CREDENTIALS.folderId;
const SECRETS = [DEFAULT_CREDENTIALS.userIamToken, DEFAULT_CREDENTIALS.serviceAccountIamToken, DEFAULT_CREDENTIALS.apiKey, 't1.unknown-token'];

const SAMPLE = tinyPng(40, 20);
const SAMPLE_SHA = sha256(SAMPLE);
const UNRECORDED = tinyPng(8, 8, 7);

const FACE = { type: 'FACE_DETECTION' };
const COPY_SEARCH = { type: 'IMAGE_COPY_SEARCH' };
const text = (languageCodes: string[] = ['en'], model?: string): object =>
	({ type: 'TEXT_DETECTION', textDetectionConfig: model === undefined ? { languageCodes } : { languageCodes, model } });
const classification = (model: string): object => ({ type: 'CLASSIFICATION', classificationConfig: { model } });

function spec(image: Buffer | string, features: unknown[] = [FACE]): object {
	return { content: typeof image === 'string' ? image : image.toString('base64'), features };
}

function batch(specs: object[], folderId: string | null = FOLDER): object {
	return folderId === null ? { analyzeSpecs: specs } : { analyzeSpecs: specs, folderId };
}

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** Pixel coordinates at (0, 0) must come out as an empty vertex. */
const SAMPLE_RECORDING: Recording = {
	image: 'sample.png',
	sha256: SAMPLE_SHA,
	mimeType: 'image/png',
	width: 40,
	height: 20,
	description: 'Two lines of text on a gradient',
	textDetection: {
		pages: [{
			width: 40,
			height: 20,
			blocks: [{
				boundingBox: { vertices: [{ x: 0, y: 0 }, { x: 0, y: 18 }, { x: 38, y: 18 }, { x: 38, y: 0 }] },
				lines: [
					{
						boundingBox: { vertices: [{ x: 0, y: 0 }, { x: 0, y: 8 }, { x: 38, y: 8 }, { x: 38, y: 0 }] },
						confidence: 0.93,
						words: [
							{
								boundingBox: { vertices: [{ x: 0, y: 0 }, { x: 0, y: 8 }, { x: 17, y: 8 }, { x: 17, y: 0 }] },
								text: 'Hello',
								confidence: 0.93,
								languages: [{ languageCode: 'en', confidence: 0.99 }],
								entityIndex: 0,
							},
							{
								boundingBox: { vertices: [{ x: 20, y: 0 }, { x: 20, y: 8 }, { x: 38, y: 8 }, { x: 38, y: 0 }] },
								text: 'world',
								confidence: 0.93,
								languages: [{ languageCode: 'en', confidence: 0.99 }],
								entityIndex: 0,
							},
						],
					},
					{
						boundingBox: { vertices: [{ x: 2, y: 10 }, { x: 2, y: 18 }, { x: 30, y: 18 }, { x: 30, y: 10 }] },
						confidence: 0,
						words: [{
							boundingBox: { vertices: [{ x: 2, y: 10 }, { x: 2, y: 18 }, { x: 30, y: 18 }, { x: 30, y: 10 }] },
							text: 'Second',
							confidence: 0,
							languages: [],
							entityIndex: 3,
						}],
					},
				],
			}],
			entities: [],
		}],
	},
	classification: { quality: [{ name: 'low', probability: 0 }, { name: 'medium', probability: 0.25 }, { name: 'high', probability: 0.75 }] },
	faceDetection: { faces: [{ boundingBox: { vertices: [{ x: 0, y: 2 }, { x: 0, y: 12 }, { x: 9, y: 12 }, { x: 9, y: 2 }] } }] },
};

// ---- Harness ------------------------------------------------------------------------------

const RESET_KNOBS: Partial<EmulatorOptions> = {
	users: undefined, serviceAccounts: undefined, latencyMs: undefined, requestsPerSecond: undefined,
	faults: undefined, stallMs: undefined, maxBodyBytes: undefined,
};

let fixturesDir: string;
let emulator: Emulator;

function makeFixtures(recordings: { name: string; image: Buffer; recording: Recording | string }[]): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vision-emulator-'));
	for (const { name, image, recording } of recordings) {
		fs.writeFileSync(path.join(dir, name), image);
		const json = typeof recording === 'string' ? recording : JSON.stringify(recording, null, '\t');
		fs.writeFileSync(path.join(dir, name.replace(/\.\w+$/, '.recording.json')), json);
	}
	return dir;
}

async function send(method: Dispatcher.HttpMethod, body: string | undefined, headers: Record<string, string>, url = emulator.url, signal?: AbortSignal): Promise<Reply> {
	const response = await request(url, { method, headers: { 'content-type': 'application/json', ...headers }, body, signal });
	return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function post(body: unknown, headers: Record<string, string> = USER): Promise<Reply> {
	return send('POST', typeof body === 'string' ? body : JSON.stringify(body), headers);
}

function answer(reply: Reply): AnswerJson {
	assert.equal(reply.status, 200, reply.text);
	return JSON.parse(reply.text) as AnswerJson;
}

function statusOf(reply: Reply): StatusJson {
	return JSON.parse(reply.text) as StatusJson;
}

async function expectRejected(body: unknown, status: number, code: number, headers: Record<string, string> = USER): Promise<StatusJson> {
	const reply = await post(body, headers);
	assert.equal(reply.status, status, reply.text);
	const error = statusOf(reply);
	assert.equal(error.code, code);
	assert.deepEqual(error.details, []);
	return error;
}

async function expectInvalid(body: unknown, messagePart: string): Promise<void> {
	const error = await expectRejected(body, 400, 3);
	assert.ok(error.message.includes(messagePart), `"${error.message}" should mention "${messagePart}"`);
}

async function expectAccepted(body: unknown, headers: Record<string, string> = USER): Promise<AnswerJson> {
	return answer(await post(body, headers));
}

function captureWarnings(): { warnings: string[]; restore(): void } {
	const warnings: string[] = [];
	const original = console.warn;
	console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
	return { warnings, restore: () => { console.warn = original; } };
}

function delay(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	for (const deadline = Date.now() + timeoutMs; !condition(); await delay(10)) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
	}
}

describe('batchAnalyze emulator', () => {
	before(async () => {
		fixturesDir = makeFixtures([{ name: 'sample.png', image: SAMPLE, recording: SAMPLE_RECORDING }]);
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

	describe('routing and headers', () => {
		it('listens on 127.0.0.1 and names the method URL', () => {
			assert.match(emulator.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
			assert.equal(emulator.url, `${emulator.origin}/vision/v1/batchAnalyze`);
		});

		it('answers other paths with 404 and a google.rpc.Status code 5', async () => {
			const reply = await send('POST', '{}', USER, `${emulator.origin}/vision/v2/batchAnalyze`);
			assert.equal(reply.status, 404);
			assert.equal(statusOf(reply).code, 5);
			assert.deepEqual(statusOf(reply).details, []);
		});

		it('answers other methods with 405 code 12 and Allow: POST', async () => {
			const reply = await send('GET', undefined, USER);
			assert.equal(reply.status, 405);
			assert.equal(statusOf(reply).code, 12);
			assert.equal(reply.headers.allow, 'POST');
		});

		it('sends x-request-id (a UUID), x-server-trace-id and a JSON content type with every answer', async () => {
			for (const reply of [await post(batch([spec(SAMPLE)])), await post('{', {})]) {
				assert.match(String(reply.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
				assert.ok(String(reply.headers['x-server-trace-id']).length > 0);
				assert.equal(reply.headers['content-type'], 'application/json');
			}
			assert.deepEqual(emulator.log.map(entry => entry.status), [200, 401]);
		});

		it('logs each request with the ids support asks for and without any secret', async () => {
			await post(batch([spec(SAMPLE), spec(SAMPLE)]), { ...USER, 'x-client-request-id': 'c0ffee00-0000-4000-8000-000000000001', 'x-data-logging-enabled': 'true' });
			const reply = await post(batch([spec(SAMPLE)], null), API_KEY);
			await post(batch([spec(SAMPLE)], null), { authorization: 'Bearer t1.unknown-token' });
			await post(batch([spec(SAMPLE)]), { authorization: DEFAULT_CREDENTIALS.userIamToken });
			await post(batch([spec(SAMPLE)]), { authorization: `Basic ${DEFAULT_CREDENTIALS.apiKey}` });

			const [first, second, third, fourth, fifth] = emulator.log;
			assert.equal(first.method, 'POST');
			assert.equal(first.path, '/vision/v1/batchAnalyze');
			assert.equal(first.clientRequestId, 'c0ffee00-0000-4000-8000-000000000001');
			assert.equal(first.dataLogging, 'true');
			assert.equal(first.authScheme, 'Bearer');
			assert.equal(first.folderId, FOLDER);
			assert.equal(first.specCount, 2);
			assert.equal(first.status, 200);
			assert.equal(second.authScheme, 'Api-Key');
			assert.equal(second.folderId, undefined);
			assert.equal(second.requestId, reply.headers['x-request-id']);
			assert.equal(third.status, 401);
			assert.equal(fourth.authScheme, 'other');
			assert.equal(fifth.authScheme, 'other');
			assert.deepEqual(emulator.log.map(entry => entry.seq), [1, 2, 3, 4, 5].map(n => first.seq + n - 1));
			const logged = JSON.stringify(emulator.log);
			for (const secret of SECRETS) assert.ok(!logged.includes(secret), `the log holds ${secret}`);
		});

		it('empties the log on clearLog while request numbers keep counting', async () => {
			await post(batch([spec(SAMPLE)]));
			const seq = emulator.log[0].seq;
			emulator.clearLog();
			assert.equal(emulator.log.length, 0);
			await post(batch([spec(SAMPLE)]));
			assert.equal(emulator.log[0].seq, seq + 1);
		});
	});

	describe('authorization (401 code 16)', () => {
		it('rejects a request without an Authorization header', async () => {
			await expectRejected(batch([spec(SAMPLE)]), 401, 16, {});
		});

		it('rejects malformed headers: a scheme without a token, a bare token, an unknown scheme', async () => {
			for (const authorization of ['Bearer', 'Bearer ', DEFAULT_CREDENTIALS.userIamToken, `Basic ${DEFAULT_CREDENTIALS.userIamToken}`]) {
				await expectRejected(batch([spec(SAMPLE)]), 401, 16, { authorization });
			}
		});

		it('rejects an unknown token as invalid or expired', async () => {
			const error = await expectRejected(batch([spec(SAMPLE)]), 401, 16, { authorization: 'Bearer t1.unknown-token' });
			assert.equal(error.message, 'The token is invalid or has expired.');
		});

		it('takes API keys only with the Api-Key scheme and IAM tokens only with Bearer', async () => {
			await expectRejected(batch([spec(SAMPLE)], null), 401, 16, { authorization: `Bearer ${DEFAULT_CREDENTIALS.apiKey}` });
			await expectRejected(batch([spec(SAMPLE)], null), 401, 16, { authorization: `Api-Key ${DEFAULT_CREDENTIALS.serviceAccountIamToken}` });
		});

		it('checks the token before reading the body', async () => {
			await expectRejected('not json', 401, 16, { authorization: 'Bearer t1.unknown-token' });
		});

		it('accepts only the configured accounts once accounts are given', async () => {
			emulator.configure({ users: [{ iamToken: 't1.other-user', folders: ['b1gotherfolder'] }] });
			await expectRejected(batch([spec(SAMPLE)]), 401, 16, USER);
			await expectAccepted(batch([spec(SAMPLE)], 'b1gotherfolder'), { authorization: 'Bearer t1.other-user' });
			await expectAccepted(batch([spec(SAMPLE)], null), API_KEY);
		});
	});

	describe('folders', () => {
		it('requires folderId from a user account (400 code 3)', async () => {
			const error = await expectRejected(batch([spec(SAMPLE)], null), 400, 3);
			assert.match(error.message, /folder_id/);
		});

		it("denies a user a folder that is not one of theirs (403 code 7)", async () => {
			await expectRejected(batch([spec(SAMPLE)], 'b1gsomeoneelse'), 403, 7);
		});

		it('lets a user pick any of their folders', async () => {
			emulator.configure({ users: [{ iamToken: 't1.two-folders', folders: ['b1gfirst', 'b1gsecond'] }] });
			await expectAccepted(batch([spec(SAMPLE)], 'b1gsecond'), { authorization: 'Bearer t1.two-folders' });
		});

		it("takes a service account's call with no folderId or with its own folder", async () => {
			for (const headers of [SERVICE_ACCOUNT, API_KEY]) {
				await expectAccepted(batch([spec(SAMPLE)], null), headers);
				await expectAccepted(batch([spec(SAMPLE)], FOLDER), headers);
			}
		});

		it('denies a service account another folder (403 code 7)', async () => {
			await expectRejected(batch([spec(SAMPLE)], 'b1gsomeoneelse'), 403, 7, SERVICE_ACCOUNT);
			await expectRejected(batch([spec(SAMPLE)], 'b1gsomeoneelse'), 403, 7, API_KEY);
		});
	});

	describe('proto3 JSON input', () => {
		it('rejects a body that is not JSON or not an object (400 code 3)', async () => {
			await expectRejected('{"analyzeSpecs": [', 400, 3);
			await expectRejected('[]', 400, 3);
			await expectRejected('"text"', 400, 3);
			await expectRejected('null', 400, 3);
		});

		it('rejects unknown fields, naming them', async () => {
			await expectInvalid({ ...batch([spec(SAMPLE)]), folder: FOLDER }, '"folder"');
			await expectInvalid(batch([{ ...spec(SAMPLE), image: 'x' }]), '"image"');
			await expectInvalid(batch([spec(SAMPLE, [{ ...FACE, faceConfig: {} }])]), '"faceConfig"');
		});

		it('rejects wrong JSON types', async () => {
			await expectInvalid({ analyzeSpecs: spec(SAMPLE), folderId: FOLDER }, 'analyze_specs');
			await expectInvalid(batch([{ content: SAMPLE.toString('base64'), features: [FACE], mimeType: 7 }]), 'analyze_specs[0].mime_type');
			await expectInvalid(batch([spec(SAMPLE, [{ type: true }])]), 'analyze_specs[0].features[0].type');
			await expectInvalid(batch([spec(SAMPLE, [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: 'en' } }])]), 'language_codes');
			await expectInvalid(batch([spec(SAMPLE, [null])]), 'analyze_specs[0].features[0]');
			await expectInvalid({ analyzeSpecs: [spec(SAMPLE)], folderId: 42 }, 'folder_id');
		});

		it('rejects a field given under both its JSON and its proto name', async () => {
			await expectInvalid({ ...batch([spec(SAMPLE)]), folder_id: FOLDER }, 'folder_id');
		});

		it("accepts the proto's snake_case field names", async () => {
			const result = await expectAccepted({
				folder_id: FOLDER,
				analyze_specs: [{
					content: SAMPLE.toString('base64'),
					mime_type: 'image/png',
					features: [
						{ type: 'TEXT_DETECTION', text_detection_config: { language_codes: ['en'], model: 'page' } },
						{ type: 'CLASSIFICATION', classification_config: { model: 'quality' } },
					],
				}],
			});
			assert.ok(result.results[0].results?.[0].textDetection);
			assert.ok(result.results[0].results?.[1].classification);
		});

		it('treats null as an unset field', async () => {
			await expectAccepted({ analyzeSpecs: [{ ...spec(SAMPLE), mimeType: null, signature: null }], folderId: FOLDER });
		});

		it('accepts feature types as enum numbers 1–4 and rejects 0, TYPE_UNSPECIFIED and unknown names', async () => {
			const result = await expectAccepted(batch([spec(SAMPLE, [
				{ type: 1, textDetectionConfig: { languageCodes: ['en'] } }, { type: 2, classificationConfig: { model: 'quality' } }, { type: 3 }, { type: 4 },
			])]));
			const features = result.results[0].results ?? [];
			assert.ok(features[0].textDetection && features[1].classification && features[2].faceDetection);
			assert.equal(features[3].error?.code, 5);
			await expectInvalid(batch([spec(SAMPLE, [{ type: 0 }])]), 'analyze_specs[0].features[0].type');
			await expectInvalid(batch([spec(SAMPLE, [{ type: 'TYPE_UNSPECIFIED' }])]), 'analyze_specs[0].features[0].type');
			await expectInvalid(batch([spec(SAMPLE, [])]), 'analyze_specs[0].features');
			await expectInvalid(batch([spec(SAMPLE, [{}])]), 'analyze_specs[0].features[0].type');
			await expectInvalid(batch([spec(SAMPLE, [{ type: 'OCR' }])]), 'OCR');
			await expectInvalid(batch([spec(SAMPLE, [{ type: 9 }])]), 'analyze_specs[0].features[0].type');
		});

		it('reads content as standard or URL-safe base64, with or without padding', async () => {
			const standard = SAMPLE.toString('base64');
			const urlSafe = SAMPLE.toString('base64url');
			assert.notEqual(standard.replace(/=+$/, ''), urlSafe, 'the sample must contain + or / to tell the alphabets apart');
			const expected = await expectAccepted(batch([spec(standard, [text()])]));
			assert.deepEqual(await expectAccepted(batch([spec(urlSafe, [text()])])), expected);
			assert.deepEqual(await expectAccepted(batch([spec(standard.replace(/=+$/, ''), [text()])])), expected);
		});

		it('rejects content that is not base64', async () => {
			await expectInvalid(batch([spec('iVBORw0KGgo*')]), 'analyze_specs[0].content');
			await expectInvalid(batch([spec('iVBO+w0K_go=')]), 'analyze_specs[0].content');
			await expectInvalid(batch([spec('iVBORw0KG')]), 'analyze_specs[0].content');
			await expectInvalid(batch([spec('iVBORw0KGg=')]), 'analyze_specs[0].content');
		});

		it('answers 413 code 3 above maxBodyBytes', async () => {
			emulator.configure({ maxBodyBytes: 2048 });
			const small = batch([spec(UNRECORDED)]);
			assert.ok(JSON.stringify(small).length <= 2048);
			await expectAccepted(small);
			await expectRejected(batch([spec(pngWithSize(10, 10, 4096))]), 413, 3);
		});
	});

	describe('validation limits (400 code 3)', () => {
		const repeat = <T>(count: number, item: T): T[] => Array.from({ length: count }, () => item);

		it('takes 1 to 8 analyze_specs', async () => {
			const empty = await expectRejected({ analyzeSpecs: [], folderId: FOLDER }, 400, 3);
			assert.equal(empty.message, 'Request validation error: analyze_specs: number of elements must be in the range 1 to 8');
			await expectRejected({ folderId: FOLDER }, 400, 3);
			assert.equal((await expectAccepted(batch([spec(SAMPLE)]))).results.length, 1);
			assert.equal((await expectAccepted(batch(repeat(8, spec(SAMPLE))))).results.length, 8);
			await expectInvalid(batch(repeat(9, spec(SAMPLE))), 'analyze_specs: number of elements must be in the range 1 to 8');
		});

		it('takes 1 to 8 features per spec', async () => {
			assert.equal((await expectAccepted(batch([spec(SAMPLE, repeat(8, FACE))]))).results[0].results?.length, 8);
			await expectInvalid(batch([spec(SAMPLE), spec(SAMPLE, repeat(9, FACE))]),
				'Request validation error: analyze_specs[1].features: number of elements must be in the range 1 to 8');
			await expectInvalid(batch([spec(SAMPLE, [])]), 'analyze_specs[0].features: number of elements');
		});

		it('takes 1 to 8 language codes of at most 3 characters', async () => {
			const path = 'analyze_specs[0].features[0].text_detection_config.language_codes';
			await expectAccepted(batch([spec(SAMPLE, [text(['ru', 'en', 'de', 'fr', 'es', 'it', 'pl', 'kk'])])]));
			await expectInvalid(batch([spec(SAMPLE, [text(['ru', 'en', 'de', 'fr', 'es', 'it', 'pl', 'kk', 'tr'])])]), `${path}: number of elements`);
			await expectInvalid(batch([spec(SAMPLE, [text([])])]), `${path}: number of elements`);
			const threeLetters = await expectAccepted(batch([spec(SAMPLE, [text(['rus'])])]));
			assert.equal(threeLetters.results[0].results?.[0].error?.code, 3, 'a 3-letter code passes validation, then is unknown');
			await expectInvalid(batch([spec(SAMPLE, [text(['en', 'russ'])])]), `${path}[1]: length must be at most 3`);
		});

		it('takes a text model of at most 50 characters and a classification model of at most 256', async () => {
			await expectAccepted(batch([spec(SAMPLE, [text(['en'], 'm'.repeat(50)), classification('m'.repeat(256))])]));
			await expectInvalid(batch([spec(SAMPLE, [text(['en'], 'm'.repeat(51))])]),
				'analyze_specs[0].features[0].text_detection_config.model: length must be at most 50');
			await expectInvalid(batch([spec(SAMPLE, [FACE, classification('m'.repeat(257))])]),
				'analyze_specs[0].features[1].classification_config.model: length must be at most 256');
		});

		it('takes a mime_type of at most 255 characters', async () => {
			await expectAccepted(batch([{ ...spec(SAMPLE), mimeType: 'x'.repeat(255) }]));
			await expectInvalid(batch([{ ...spec(SAMPLE), mimeType: 'x'.repeat(256) }]), 'analyze_specs[0].mime_type: length must be at most 255');
		});

		it('takes content of at most 10,485,760 characters', async () => {
			const atLimit = await expectAccepted(batch([spec('A'.repeat(10_485_760))]));
			assert.equal(atLimit.results[0].error?.message, 'Image too big');
			await expectInvalid(batch([spec('A'.repeat(10_485_764))]), 'analyze_specs[0].content: length must be at most 10485760');
		});

		it('takes a signature of at most 16,384 characters, and exactly one of content and signature', async () => {
			await expectAccepted(batch([{ signature: 's'.repeat(16_384), features: [FACE] }]));
			await expectInvalid(batch([{ signature: 's'.repeat(16_385), features: [FACE] }]), 'analyze_specs[0].signature: length must be at most 16384');
			await expectInvalid(batch([{ ...spec(SAMPLE), signature: 'abc' }]), 'analyze_specs[0]: exactly one of content, signature');
			await expectInvalid(batch([{ features: [FACE] }]), 'analyze_specs[0]: exactly one of content, signature');
		});

		it('takes at most one of classification_config and text_detection_config', async () => {
			await expectInvalid(batch([spec(SAMPLE, [{ type: 'CLASSIFICATION', classificationConfig: { model: 'quality' }, textDetectionConfig: { languageCodes: ['en'] } }])]),
				'analyze_specs[0].features[0]: at most one of classification_config, text_detection_config');
		});

		it('takes a folder_id of at most 50 characters', async () => {
			const longest = 'b'.repeat(50);
			emulator.configure({ users: [{ iamToken: DEFAULT_CREDENTIALS.userIamToken, folders: [longest, `${longest}b`] }] });
			await expectAccepted(batch([spec(SAMPLE)], longest));
			await expectInvalid(batch([spec(SAMPLE)], `${longest}b`), 'folder_id: length must be at most 50');
		});
	});

	describe('quota', () => {
		it('answers 429 code 8 with Retry-After above requestsPerSecond, and admits again a second later', async () => {
			emulator.configure({ requestsPerSecond: 2 });
			await expectAccepted(batch([spec(SAMPLE)]));
			await expectAccepted(batch([spec(SAMPLE)]));
			const reply = await post(batch([spec(SAMPLE)]));
			assert.equal(reply.status, 429);
			assert.equal(statusOf(reply).code, 8);
			const retryAfter = Number(reply.headers['retry-after']);
			assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${String(reply.headers['retry-after'])}`);
			assert.equal(emulator.log.at(-1)?.fault, 'rate-limit');
			await delay(1050);
			await expectAccepted(batch([spec(SAMPLE)]));
		});
	});

	describe('faults', () => {
		for (const [kind, status, code] of [['http429', 429, 8], ['http500', 500, 13], ['http503', 503, 14], ['http504', 504, 4]] as const) {
			it(`${kind}: answers ${status} with a google.rpc.Status code ${code}`, async () => {
				emulator.configure({ faults: { script: [kind] } });
				const reply = await post(batch([spec(SAMPLE)]));
				assert.equal(reply.status, status);
				assert.equal(statusOf(reply).code, code);
				assert.equal(reply.headers['content-type'], 'application/json');
				if (kind === 'http429') assert.equal(reply.headers['retry-after'], '1');
				assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status, fault: kind });
			});
		}

		it("html502: answers a proxy's HTML page", async () => {
			emulator.configure({ faults: { script: ['html502'] } });
			const reply = await post(batch([spec(SAMPLE)]));
			assert.equal(reply.status, 502);
			assert.equal(reply.headers['content-type'], 'text/html');
			assert.match(reply.text, /<title>502 Bad Gateway<\/title>/);
			assert.ok(reply.headers['x-request-id']);
		});

		it('truncated: promises a full JSON answer and breaks off in the middle', async () => {
			emulator.configure({ faults: { script: ['truncated'] } });
			const response = await request(emulator.url, { method: 'POST', headers: USER, body: JSON.stringify(batch([spec(SAMPLE, [text()])])) });
			assert.equal(response.statusCode, 200);
			assert.equal(response.headers['content-type'], 'application/json');
			assert.ok(Number(response.headers['content-length']) > 100);
			await assert.rejects(response.body.text());
			assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status: 200, fault: 'truncated' });
		});

		it('reset: drops the connection without an answer', async () => {
			emulator.configure({ faults: { script: ['reset'] } });
			await assert.rejects(post(batch([spec(SAMPLE)])));
			assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status: 0, fault: 'reset' });
			await expectAccepted(batch([spec(SAMPLE)]));
		});

		it('stall: holds the request until the client gives up, and never answers it', async () => {
			emulator.configure({ faults: { script: ['stall'] }, stallMs: 400 });
			const started = Date.now();
			await assert.rejects(send('POST', JSON.stringify(batch([spec(SAMPLE)])), USER, emulator.url, AbortSignal.timeout(100)));
			assert.ok(Date.now() - started < 350);
			await delay(500);
			assert.deepEqual({ status: emulator.log[0].status, fault: emulator.log[0].fault }, { status: 0, fault: 'stall' });
		});

		it('stall: answers normally once stallMs has passed', async () => {
			emulator.configure({ faults: { script: ['stall'] }, stallMs: 150 });
			const started = Date.now();
			await expectAccepted(batch([spec(SAMPLE)]));
			assert.ok(Date.now() - started >= 140);
		});

		it('plays the script in order, "ok" meaning a normal answer, then answers normally', async () => {
			emulator.configure({ faults: { script: ['http503', 'ok', 'http500'] } });
			const statuses: number[] = [];
			for (let i = 0; i < 4; i++) statuses.push((await post(batch([spec(SAMPLE)]))).status);
			assert.deepEqual(statuses, [503, 200, 500, 200]);
		});

		it('injects faults only into requests that pass validation', async () => {
			emulator.configure({ faults: { script: ['http500'] } });
			await expectRejected(batch([spec(SAMPLE)], null), 400, 3);
			await expectRejected(batch([spec(SAMPLE)]), 500, 13);
		});

		it('draws faults at the given rate from the given kinds, the same way for the same seed', async () => {
			emulator.configure({ faults: { rate: 1, kinds: ['http503'] } });
			for (let i = 0; i < 3; i++) await expectRejected(batch([spec(SAMPLE)]), 503, 14);

			const run = async (): Promise<number[]> => {
				emulator.configure({ faults: { rate: 0.5, kinds: ['http500', 'http504'], seed: 42 } });
				const statuses: number[] = [];
				for (let i = 0; i < 12; i++) statuses.push((await post(batch([spec(SAMPLE)]))).status);
				return statuses;
			};
			const first = await run();
			assert.deepEqual(await run(), first);
			assert.ok(first.includes(200) && first.some(status => status !== 200), `a mix of answers: ${first.join(' ')}`);
			assert.ok(first.every(status => [200, 500, 504].includes(status)));
		});

		it('adds latencyMs before answering', async () => {
			emulator.configure({ latencyMs: 150 });
			const started = Date.now();
			await expectAccepted(batch([spec(SAMPLE)]));
			assert.ok(Date.now() - started >= 140);
		});

		it('close() ends stalled requests at once', async () => {
			const own = await startEmulator({ fixturesDir, faults: { script: ['stall'] } });
			try {
				const outcome = send('POST', JSON.stringify(batch([spec(SAMPLE)])), USER, own.url).then(() => 'answered', () => 'dropped');
				await waitFor(() => own.log[0]?.fault === 'stall');
				const started = Date.now();
				await own.close();
				assert.equal(await outcome, 'dropped');
				assert.ok(Date.now() - started < 1000);
			} finally {
				await own.close();
			}
		});
	});

	describe('answers as proto3 JSON', () => {
		it('writes the recorded text with int64 as strings and zero values left out', async () => {
			const result = await expectAccepted(batch([spec(SAMPLE, [text(['en', 'ru'])])]));
			assert.deepEqual(result, {
				results: [{
					results: [{
						textDetection: {
							pages: [{
								width: '40',
								height: '20',
								blocks: [{
									boundingBox: { vertices: [{}, { y: '18' }, { x: '38', y: '18' }, { x: '38' }] },
									lines: [
										{
											boundingBox: { vertices: [{}, { y: '8' }, { x: '38', y: '8' }, { x: '38' }] },
											words: [
												{
													boundingBox: { vertices: [{}, { y: '8' }, { x: '17', y: '8' }, { x: '17' }] },
													text: 'Hello',
													confidence: 0.93,
													languages: [{ languageCode: 'en', confidence: 0.99 }],
												},
												{
													boundingBox: { vertices: [{ x: '20' }, { x: '20', y: '8' }, { x: '38', y: '8' }, { x: '38' }] },
													text: 'world',
													confidence: 0.93,
													languages: [{ languageCode: 'en', confidence: 0.99 }],
												},
											],
											confidence: 0.93,
										},
										{
											boundingBox: { vertices: [{ x: '2', y: '10' }, { x: '2', y: '18' }, { x: '30', y: '18' }, { x: '30', y: '10' }] },
											words: [{
												boundingBox: { vertices: [{ x: '2', y: '10' }, { x: '2', y: '18' }, { x: '30', y: '18' }, { x: '30', y: '10' }] },
												text: 'Second',
												entityIndex: '3',
											}],
										},
									],
								}],
							}],
						},
					}],
				}],
			});
		});

		it('answers the line model with the first line alone in one block', async () => {
			const result = await expectAccepted(batch([spec(SAMPLE, [text(['en'], 'line')])]));
			const pages = result.results[0].results?.[0].textDetection?.pages ?? [];
			assert.equal(pages.length, 1);
			assert.equal(pages[0].blocks?.length, 1);
			assert.equal(pages[0].blocks?.[0].lines?.length, 1);
			assert.deepEqual(pages[0].blocks?.[0].lines?.[0].words?.map(word => word.text), ['Hello', 'world']);
		});

		it('writes classification, face detection, and a nested error without details', async () => {
			const result = await expectAccepted(batch([spec(SAMPLE, [classification('quality'), FACE, classification('moderation')])]), SERVICE_ACCOUNT);
			const [quality, faces, moderation] = result.results[0].results ?? [];
			assert.deepEqual(quality, { classification: { properties: [{ name: 'low' }, { name: 'medium', probability: 0.25 }, { name: 'high', probability: 0.75 }] } });
			assert.deepEqual(faces, { faceDetection: { faces: [{ boundingBox: { vertices: [{ y: '2' }, { y: '12' }, { x: '9', y: '12' }, { x: '9', y: '2' }] } }] } });
			assert.equal(moderation.error?.code, 5);
			assert.equal(moderation.error?.details, undefined);
			assert.ok(moderation.error?.message.includes(SAMPLE_SHA));
			assert.match(moderation.error?.message ?? '', /No recording of CLASSIFICATION with model moderation/);
		});

		it('answers an image without a recording with a per-feature code 5 naming its sha256', async () => {
			const result = await expectAccepted(batch([spec(UNRECORDED, [text(), FACE, COPY_SEARCH])]));
			const features = result.results[0].results ?? [];
			assert.equal(features.length, 3);
			for (const feature of features) {
				assert.deepEqual(Object.keys(feature), ['error']);
				assert.equal(feature.error?.code, 5);
				assert.match(feature.error?.message ?? '', new RegExp(`No recording for the image with sha256 ${sha256(UNRECORDED)}`));
			}
		});

		it('answers a feature missing from the recording with code 5 and keeps the others', async () => {
			const result = await expectAccepted(batch([spec(SAMPLE, [COPY_SEARCH, FACE])]));
			const [copies, faces] = result.results[0].results ?? [];
			assert.equal(copies.error?.code, 5);
			assert.match(copies.error?.message ?? '', /IMAGE_COPY_SEARCH/);
			assert.ok(faces.faceDetection);
		});

		it('gives per-feature errors code 3 for a missing config, an unknown language or model, in place', async () => {
			const result = await expectAccepted(batch([spec(SAMPLE, [
				{ type: 'TEXT_DETECTION' },
				text(['en', 'xx']),
				{ type: 'CLASSIFICATION' },
				classification('colors'),
				text(['en'], 'handwriting'),
				{ type: 'TEXT_DETECTION', classificationConfig: { model: 'quality' } },
				text(['*']),
				FACE,
			])]));
			const features = result.results[0].results ?? [];
			assert.deepEqual(features.slice(0, 6).map(feature => feature.error?.code), [3, 3, 3, 3, 3, 3]);
			assert.match(features[1].error?.message ?? '', /xx/);
			assert.match(features[3].error?.message ?? '', /colors/);
			assert.ok(features[6].textDetection);
			assert.ok(features[7].faceDetection);
		});

		it('puts per-file errors in place and keeps the other images\' results', async () => {
			const truncatedPng = SAMPLE.subarray(0, SAMPLE.length - 20);
			const result = await expectAccepted(batch([
				spec(SAMPLE),
				spec(pngWithSize(10, 10, 1_048_577)),
				spec(Buffer.from('GIF89a not a supported format')),
				spec(truncatedPng),
				spec(pngWithSize(5000, 4001)),
				{ signature: 'abc', features: [FACE] },
				spec(SAMPLE, [text()]),
			]));
			assert.equal(result.results.length, 7);
			assert.ok(result.results[0].results?.[0].faceDetection);
			assert.deepEqual(result.results[1], { error: { code: 3, message: 'Image too big' } });
			assert.deepEqual(result.results[2], { error: { code: 3, message: "Can't decode Image" } });
			assert.deepEqual(result.results[3], { error: { code: 3, message: "Can't decode Image" } });
			assert.deepEqual(result.results[4], { error: { code: 3, message: 'Image resolution too high' } });
			assert.equal(result.results[5].error?.code, 3);
			assert.match(result.results[5].error?.message ?? '', /[Ss]ignature/);
			assert.ok(result.results[6].results?.[0].textDetection);
		});

		it('takes files of up to 1 MB (1,048,576 bytes)', async () => {
			const result = await expectAccepted(batch([spec(pngWithSize(10, 10, 1_048_576)), spec(pngWithSize(10, 10, 1_048_577))]));
			assert.equal(result.results[0].error, undefined);
			assert.equal(result.results[0].results?.[0].error?.code, 5);
			assert.equal(result.results[1].error?.message, 'Image too big');
		});

		it('takes images of up to 20,000,000 pixels, PNG or JPEG', async () => {
			const result = await expectAccepted(batch([
				spec(pngWithSize(5000, 4000)), spec(pngWithSize(4001, 5000)), spec(jpegWithSize(4000, 5000)), spec(jpegWithSize(5001, 4000)),
			]));
			assert.deepEqual(result.results.map(r => r.error?.message), [undefined, 'Image resolution too high', undefined, 'Image resolution too high']);
		});

		it('recognizes files by their bytes, not by mimeType, and reads PDF', async () => {
			const result = await expectAccepted(batch([
				{ ...spec(jpegWithSize(64, 64)), mimeType: 'image/png' },
				{ ...spec(minimalPdf()), mimeType: 'application/pdf' },
				{ ...spec(jpegWithSize(64, 64).subarray(0, 30)), mimeType: 'image/jpeg' },
				{ ...spec(SAMPLE), mimeType: 'application/pdf' },
			]));
			assert.deepEqual(result.results.map(r => r.error?.message), [undefined, undefined, "Can't decode Image", undefined]);
			assert.equal(result.results[0].results?.[0].error?.code, 5);
			assert.ok(result.results[3].results?.[0].faceDetection);
		});
	});

	describe('recordings', () => {
		it('loads recordings when fixturesDir changes', async () => {
			const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vision-emulator-empty-'));
			const own = await startEmulator({ fixturesDir: emptyDir });
			try {
				const firstFeature = async (): Promise<FeatureJson> => {
					const reply = await send('POST', JSON.stringify(batch([spec(SAMPLE)])), USER, own.url);
					return answer(reply).results[0].results?.[0] ?? {};
				};
				assert.equal((await firstFeature()).error?.code, 5);
				own.configure({ fixturesDir });
				assert.ok((await firstFeature()).faceDetection);
			} finally {
				await own.close();
				fs.rmSync(emptyDir, { recursive: true, force: true });
			}
		});

		it('indexes a recording by its image\'s actual bytes and warns when the recorded sha256 differs', async () => {
			const image = tinyPng(12, 12, 3);
			const dir = makeFixtures([{ name: 'stale.png', image, recording: { ...SAMPLE_RECORDING, image: 'stale.png', sha256: '0'.repeat(64) } }]);
			const captured = captureWarnings();
			let own: Emulator | undefined;
			try {
				own = await startEmulator({ fixturesDir: dir });
				assert.ok(captured.warnings.some(w => w.includes('stale.recording.json') && w.includes(sha256(image))), captured.warnings.join('\n'));
				const reply = await send('POST', JSON.stringify(batch([spec(image)])), USER, own.url);
				assert.ok(answer(reply).results[0].results?.[0].faceDetection);
			} finally {
				captured.restore();
				await own?.close();
				fs.rmSync(dir, { recursive: true, force: true });
			}
		});

		it('skips a broken recording with a warning that names the bad field', async () => {
			const broken = { ...SAMPLE_RECORDING, faceDetection: { faces: [{ boundingBox: { vertices: [{ x: 1.5, y: 2 }] } }] } };
			const dir = makeFixtures([
				{ name: 'broken.png', image: SAMPLE, recording: JSON.stringify(broken) },
				{ name: 'garbled.png', image: UNRECORDED, recording: '{ not json' },
			]);
			const captured = captureWarnings();
			let own: Emulator | undefined;
			try {
				own = await startEmulator({ fixturesDir: dir });
				assert.ok(captured.warnings.some(w => w.includes('broken.recording.json') && w.includes('faceDetection.faces[0].boundingBox.vertices[0].x')), captured.warnings.join('\n'));
				assert.ok(captured.warnings.some(w => w.includes('garbled.recording.json')), captured.warnings.join('\n'));
				const reply = await send('POST', JSON.stringify(batch([spec(SAMPLE)])), USER, own.url);
				assert.equal(answer(reply).results[0].results?.[0].error?.code, 5);
			} finally {
				captured.restore();
				await own?.close();
				fs.rmSync(dir, { recursive: true, force: true });
			}
		});
	});
});
