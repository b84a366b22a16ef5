/**
 * Fuzzing what the client makes of the service's answers: over ten thousand mutated, random,
 * huge and deeply nested bodies, most through the body parser and normalizer directly, a few
 * hundred over real HTTP through the real client. Each must end as a normalized answer that
 * keeps the types' promises (see invariantViolations) or as a typed VisionError — never another
 * exception, never a hang. Seeded: a failure names its family and case index, which reproduce it.
 */
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVisionClient, VisionError, type AnalyzeSpec, type BatchAnalyzeResult, type Feature, type FeatureType, type VisionClient } from '../../src/api/index';
import { decodeBody, parseOkBody } from '../../src/api/transport/http';
import { normalizeResponse, type ExpectedShape } from '../../src/api/batchAnalyze/normalize';
import type { BatchAnalyzeResponse } from '../../src/api/batchAnalyze/types';
import { fixtureBytes } from '../support/fixtures';
import {
	between,
	corruptBytes,
	expectedOf,
	HOSTILE_VALUES,
	invariantViolations,
	mutateTree,
	pick,
	randomBytes,
	randomJson,
	randomShape,
	RawNumber,
	validAnswer,
	writeJson,
	type Json,
	type Random,
} from '../support/fuzz';
import { mulberry32 } from '../support/random';

const SEED = 0x5eed_2025;
const TOKEN = 't1.fuzz-secret-token-0123456789abcdef';
const MB = 1024 * 1024;

type Outcome = { response: BatchAnalyzeResponse } | { error: VisionError };

interface Case {
	label: string;
	bytes: Buffer;
	expected: ExpectedShape;
}

/** Cases run, over both paths; checked against the promised 10,000 at the end. */
let casesRun = 0;

/** Exactly what exchange and the client do with a 200 answer's bytes, minus the network. */
function throughParser(bytes: Buffer, expected: ExpectedShape): BatchAnalyzeResponse {
	return normalizeResponse(parseOkBody(decodeBody(bytes)), expected);
}

/** Runs one case; anything but a result that keeps the invariants or an allowed VisionError fails, naming the case. */
function check(c: Case, run: () => BatchAnalyzeResponse, kinds: readonly VisionError['kind'][] = ['protocol']): Outcome {
	casesRun++;
	let response: BatchAnalyzeResponse;
	try {
		response = run();
	} catch (err) {
		checkError(c, err, kinds);
		return { error: err as VisionError };
	}
	checkResponse(c, response);
	return { response };
}

function checkResponse(c: Case, response: BatchAnalyzeResponse): void {
	const problems = invariantViolations(response, c.expected);
	assert.deepEqual(problems, [], `${c.label}: the result breaks its types for ${preview(c.bytes)}`);
}

function checkError(c: Case, err: unknown, kinds: readonly VisionError['kind'][]): asserts err is VisionError {
	if (!(err instanceof VisionError)) {
		assert.fail(`${c.label}: threw ${err instanceof Error ? err.stack : String(err)} for ${preview(c.bytes)}`);
	}
	assert.ok(kinds.includes(err.kind), `${c.label}: a ${err.kind} error (${err.message}) for ${preview(c.bytes)}`);
	assert.ok(Number.isInteger(err.code) && err.code !== 0, `${c.label}: code ${err.code}`);
	assert.ok(err.message.length > 0 && err.message.length <= 1200, `${c.label}: a message of ${err.message.length} characters`);
	assert.ok(!err.message.includes(TOKEN), `${c.label}: the token is in the message`);
}

function preview(bytes: Buffer): string {
	const text = bytes.subarray(0, 300).toString('utf8');
	return `${JSON.stringify(text)}${bytes.length > 300 ? ` … (${bytes.length} bytes)` : ''}`;
}

function body(json: Json, random?: Random): Buffer {
	return Buffer.from(writeJson(json, random), 'utf8');
}

/** A valid answer for one image with one OCR feature and one word, as `set` changes it. */
function oneWordAnswer(set: (word: Record<string, Json>, page: Record<string, Json>, root: Record<string, Json>) => void): Json {
	const word: Record<string, Json> = { boundingBox: { vertices: [{ x: '1', y: '2' }, { x: '3', y: '4' }] }, text: 'word', confidence: 0.9, languages: [{ languageCode: 'en', confidence: 0.9 }], entityIndex: '0' };
	const page: Record<string, Json> = { width: '100', height: '50', blocks: [{ boundingBox: { vertices: [] }, lines: [{ words: [word], confidence: 0.9 }] }], entities: [{ name: 'n', text: 't' }] };
	const root: Record<string, Json> = { results: [{ results: [{ textDetection: { pages: [page] } }] }] };
	set(word, page, root);
	return root;
}

const ONE_OCR: ExpectedShape = expectedOf([['TEXT_DETECTION']]);

/** `levels` of `[`, closed or not. */
function deepBrackets(levels: number, closed: boolean): Buffer {
	return Buffer.from('['.repeat(levels) + (closed ? ']'.repeat(levels) : ''));
}

/**
 * Deeply nested bodies, each a whole answer or an answer with a deep value in one place; only
 * depth in a field that is never read is harmless.
 */
function deepCases(levels: number): { label: string; bytes: Buffer; accepted?: true }[] {
	const deepText = '['.repeat(levels) + ']'.repeat(levels);
	const deepObject = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
	const inFeature = (key: string, value: string) => Buffer.from(`{"results":[{"results":[{${key}:${value}}]}]}`);
	return [
		{ label: `${levels} levels of [ ]`, bytes: deepBrackets(levels, true) },
		{ label: `${levels} levels of [ unclosed`, bytes: deepBrackets(levels, false) },
		{ label: `${levels} nested objects`, bytes: Buffer.from(deepObject) },
		{ label: `${levels} levels as the results`, bytes: Buffer.from(`{"results":${deepText}}`) },
		{ label: `${levels} levels as the pages`, bytes: inFeature('"textDetection"', `{"pages":${deepText}}`) },
		{ label: `${levels} levels in a vertex`, bytes: inFeature('"faceDetection"', `{"faces":[{"boundingBox":{"vertices":[{"x":${deepObject}}]}}]}`) },
		{ label: `${levels} levels in an unknown field`, bytes: Buffer.from(`{"results":[{"results":[{"textDetection":{"pages":[]}}]}],"extra":${deepText}}`), accepted: true },
		{ label: `${levels} levels in an error's details`, bytes: inFeature('"error"', `{"code":3,"message":"bad","details":[${deepText}]}`) },
		{ label: `${levels} nested objects in an error's details`, bytes: inFeature('"error"', `{"code":3,"message":"bad","details":[${deepObject}]}`) },
	];
}

describe('fuzzing the answer parser', function () {
	// Each family's timeout bounds its cases; together they bound these ten thousand to 50 s. A
	// case over HTTP is bounded by the client's own 10 s timeout as well.
	describe('through the body parser and normalizer', () => {
		it('accepts 1,000 valid answers with every proto3 quirk, each keeping the types', function () {
			this.timeout(5_000);
			const random = mulberry32(SEED + 1);
			for (let i = 0; i < 1_000; i++) {
				const shape = randomShape(random);
				const c = { label: `valid #${i}`, bytes: body(validAnswer(random, shape), random), expected: expectedOf(shape) };
				const outcome = check(c, () => throughParser(c.bytes, c.expected), []);
				assert.ok('response' in outcome);
			}
		});

		it('answers 4,000 mutated answers with a result or a protocol error', function () {
			this.timeout(15_000);
			const random = mulberry32(SEED + 2);
			let accepted = 0;
			for (let i = 0; i < 4_000; i++) {
				const shape = randomShape(random);
				const c = { label: `mutated #${i}`, bytes: body(mutateTree(random, validAnswer(random, shape)), random), expected: expectedOf(shape) };
				if ('response' in check(c, () => throughParser(c.bytes, c.expected))) accepted++;
			}
			// Both ends are reached: some changes are harmless (an unknown field), most are not.
			assert.ok(accepted > 200 && accepted < 3_800, `${accepted} of 4,000 accepted`);
		});

		it('answers 2,000 answers damaged byte by byte (cut, BOM, invalid UTF-8, stray characters)', function () {
			this.timeout(5_000);
			const random = mulberry32(SEED + 3);
			for (let i = 0; i < 2_000; i++) {
				const shape = randomShape(random);
				const text = writeJson(validAnswer(random, shape));
				const c = { label: `damaged #${i}`, bytes: corruptBytes(random, text), expected: expectedOf(shape) };
				check(c, () => throughParser(c.bytes, c.expected));
			}
		});

		it('answers 1,500 random JSON values and 500 random byte strings', function () {
			this.timeout(5_000);
			const random = mulberry32(SEED + 4);
			for (let i = 0; i < 2_000; i++) {
				const shape = randomShape(random);
				const bytes = i < 1_500 ? body(randomJson(random), random) : randomBytes(random, 200);
				const c = { label: `random #${i}`, bytes, expected: expectedOf(shape) };
				check(c, () => throughParser(c.bytes, c.expected));
			}
		});

		it('refuses 500 answers meant for another request: more or fewer images or features', function () {
			this.timeout(5_000);
			const random = mulberry32(SEED + 5);
			for (let i = 0; i < 500; i++) {
				const sent = randomShape(random);
				const answered = sent.map(types => [...types]);
				if (random() < 0.5) {
					if (answered.length > 1 && random() < 0.5) answered.pop();
					else answered.push([pick(random, ['TEXT_DETECTION', 'FACE_DETECTION'] as const)]);
				} else {
					const image = answered[between(random, 0, answered.length - 1)]!;
					if (image.length > 1 && random() < 0.5) image.pop();
					else image.push('CLASSIFICATION');
				}
				// Without per-image errors, which may legitimately come with no feature results.
				let answer: Json;
				do answer = validAnswer(random, answered);
				while (writeJson(answer).includes('"error"'));
				const c = { label: `mismatch #${i}`, bytes: body(answer), expected: expectedOf(sent) };
				const outcome = check(c, () => throughParser(c.bytes, c.expected));
				assert.ok('error' in outcome, `${c.label}: accepted an answer of another shape`);
				assert.match(outcome.error.message, /^results(\[\d+\]\.results)?: expected \d+ .* got \d+$/);
			}
		});

		it('puts each hostile value into each numeric and text field of a word, page and answer', function () {
			this.timeout(5_000);
			const places: [string, (value: Json) => Json][] = [
				['vertex x', v => oneWordAnswer(w => { w.boundingBox = { vertices: [{ x: v, y: '1' }] }; })],
				['vertex y', v => oneWordAnswer(w => { w.boundingBox = { vertices: [{ x: '1', y: v }] }; })],
				['word confidence', v => oneWordAnswer(w => { w.confidence = v; })],
				['word text', v => oneWordAnswer(w => { w.text = v; })],
				['entityIndex', v => oneWordAnswer(w => { w.entityIndex = v; })],
				['language code', v => oneWordAnswer(w => { w.languages = [{ languageCode: v }]; })],
				['page width', v => oneWordAnswer((_, p) => { p.width = v; })],
				['page height', v => oneWordAnswer((_, p) => { p.height = v; })],
				['error code', v => oneWordAnswer((_, __, r) => { r.results = [{ results: [{ error: { code: v, message: 'm' } }] }]; })],
				['copyCount', v => oneWordAnswer((_, __, r) => { r.results = [{ results: [{ imageCopySearch: { copyCount: v } }] }]; })],
				['probability', v => oneWordAnswer((_, __, r) => { r.results = [{ results: [{ classification: { properties: [{ name: 'high', probability: v }] } }] }]; })],
			];
			const expectedFor = (place: string): ExpectedShape => place === 'copyCount' ? expectedOf([['IMAGE_COPY_SEARCH']]) : place === 'probability' ? expectedOf([['CLASSIFICATION']]) : ONE_OCR;
			const outcomes = new Map<string, Outcome>();
			for (const [place, make] of places) {
				HOSTILE_VALUES.forEach((value, v) => {
					const c = { label: `${place} = hostile value #${v}`, bytes: body(make(value)), expected: expectedFor(place) };
					outcomes.set(`${place} ${v}`, check(c, () => throughParser(c.bytes, c.expected)));
				});
			}
			const rejected = (place: string, value: Json) => 'error' in outcomes.get(`${place} ${HOSTILE_VALUES.indexOf(value)}`)!;
			const raw = (text: string) => HOSTILE_VALUES.find(v => v instanceof RawNumber && v.text === text)!;
			// Never a silently wrong number: out of range, not finite, or not an integer is refused.
			for (const place of ['vertex x', 'page width', 'entityIndex', 'copyCount']) {
				for (const value of ['9223372036854775807', '-9223372036854775808', '9'.repeat(400), 'NaN', '1.5', '0x1F', ' 12', 2 ** 53 + 2, 0.5, raw('1e400'), raw('9'.repeat(400))]) {
					assert.ok(rejected(place, value), `${place} = ${String(value instanceof RawNumber ? value.text : value)} is refused`);
				}
			}
			for (const value of ['NaN', 'Infinity', '-Infinity', 'inf', raw('1e400'), raw('-1e400'), true, 'x'.repeat(5_000)]) {
				assert.ok(rejected('word confidence', value), `confidence = ${String(value instanceof RawNumber ? value.text : value)} is refused`);
			}
			const accepted = outcomes.get(`vertex x ${HOSTILE_VALUES.indexOf(raw('-0'))}`)!;
			assert.ok('response' in accepted && Object.is(accepted.response.results[0]!.results[0]!.textDetection!.pages[0]!.blocks[0]!.lines[0]!.words[0]!.boundingBox.vertices[0]!.x, 0), '-0 reads as 0');
			// An error code is an int32, not an enum: an unknown number is kept, a name is refused.
			const unknownCode = outcomes.get(`error code ${HOSTILE_VALUES.indexOf(999)}`)!;
			assert.ok('response' in unknownCode && unknownCode.response.results[0]!.results[0]!.error?.code === 999);
			assert.ok(rejected('error code', 'UNAVAILABLE'));
		});

		it('reads duplicate keys as JSON.parse does: the last one counts', function () {
			this.timeout(5_000);
			const valid = writeJson(oneWordAnswer(() => undefined)).slice(1);
			const lastValid = Buffer.from(`{"results":"nonsense",${valid}`);
			assert.ok('response' in check({ label: 'a bad first key', bytes: lastValid, expected: ONE_OCR }, () => throughParser(lastValid, ONE_OCR)));
			const lastBad = Buffer.from(`${writeJson(oneWordAnswer(() => undefined)).slice(0, -1)},"results":"nonsense"}`);
			const outcome = check({ label: 'a bad last key', bytes: lastBad, expected: ONE_OCR }, () => throughParser(lastBad, ONE_OCR));
			assert.ok('error' in outcome && outcome.error.message === 'results: expected an array, got "nonsense"', 'error' in outcome ? outcome.error.message : 'accepted');
		});

		it('reads a byte order mark and invalid UTF-8 inside text as fetch does', function () {
			this.timeout(5_000);
			const answer = writeJson(oneWordAnswer(w => { w.text = 'ok'; }));
			const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(answer)]);
			const bom = check({ label: 'a BOM', bytes: withBom, expected: ONE_OCR }, () => throughParser(withBom, ONE_OCR));
			assert.ok('response' in bom, 'a leading BOM is ignored');
			const [before, after] = answer.split('"ok"') as [string, string];
			const invalid = Buffer.concat([Buffer.from(`${before}"o`), Buffer.from([0xff, 0xc3]), Buffer.from(`k"${after}`)]);
			const replaced = check({ label: 'invalid UTF-8', bytes: invalid, expected: ONE_OCR }, () => throughParser(invalid, ONE_OCR));
			assert.ok('response' in replaced);
			assert.equal(replaced.response.results[0]!.results[0]!.textDetection!.pages[0]!.blocks[0]!.lines[0]!.words[0]!.text, 'o\ufffd\ufffdk');
			const twoBoms = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), withBom]);
			assert.ok('error' in check({ label: 'two BOMs', bytes: twoBoms, expected: ONE_OCR }, () => throughParser(twoBoms, ONE_OCR)), 'only one BOM is a BOM');
		});

		it('answers bodies nested 100,000 levels deep without exhausting the stack', function () {
			this.timeout(5_000);
			for (const { label, bytes, accepted } of deepCases(100_000)) {
				const outcome = check({ label, bytes, expected: ONE_OCR }, () => throughParser(bytes, ONE_OCR));
				assert.equal('response' in outcome, accepted === true, label);
				if (label.includes('details')) assert.ok('error' in outcome && outcome.error.message === 'results[0].results[0].error.details: nested more than 32 levels deep', label);
			}
		});
	});

	describe('over HTTP through the client', function () {
		let server: Server;
		let client: VisionClient;
		/** What the server answers next. */
		let answer: { status: number; headers: Record<string, string>; bytes: Buffer; delivery: 'whole' | 'chunked' | 'trickle' };
		let requests = 0;

		before(async () => {
			server = createServer((req: IncomingMessage, res: ServerResponse) => {
				req.resume();
				req.on('end', () => {
					requests++;
					respond(res, req.headers.authorization ?? '');
				});
			});
			await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
			client = createVisionClient({
				endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/vision/v1/batchAnalyze`,
				credentials: { iamToken: TOKEN },
				timeoutMs: 10_000,
				// A retry (of a 5xx) comes at once; a Retry-After over 50 ms ends the call instead.
				retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 50 },
				requestsPerSecond: 1000,
			});
		});
		after(async () => {
			await client.close();
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		});

		function respond(res: ServerResponse, authorization: string): void {
			const bytes = Buffer.from(answer.bytes.toString('latin1').split('{{AUTHORIZATION}}').join(authorization), 'latin1');
			if (answer.delivery === 'whole') {
				res.writeHead(answer.status, { ...answer.headers, 'content-length': String(bytes.length) });
				res.end(bytes);
				return;
			}
			res.writeHead(answer.status, answer.headers);
			const size = answer.delivery === 'trickle' ? 7 : 64 * 1024;
			let at = 0;
			const pump = (): void => {
				while (at < bytes.length) {
					const more = res.write(bytes.subarray(at, at + size));
					at += size;
					if (!more) {
						res.once('drain', pump);
						return;
					}
				}
				res.end();
			};
			pump();
		}

		function specsFor(shape: readonly (readonly FeatureType[])[]): AnalyzeSpec[] {
			const image = fixtureBytes('latin-note.png');
			const feature = (type: FeatureType): Feature => type === 'TEXT_DETECTION'
				? { type, textDetectionConfig: { languageCodes: ['en'] } }
				: type === 'CLASSIFICATION' ? { type, classificationConfig: { model: 'quality' } } : { type };
			return shape.map(types => ({ content: image, features: types.map(feature) }));
		}

		async function call(label: string, shape: readonly (readonly FeatureType[])[], status: number, bytes: Buffer, random: Random | undefined, kinds: readonly VisionError['kind'][]): Promise<Outcome> {
			answer = {
				status,
				headers: {
					'content-type': random ? pick(random, ['application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', 'application/octet-stream', '*/*']) : 'application/json',
					'x-request-id': 'fuzz-request',
					...(random && random() < 0.3 ? { 'retry-after': pick(random, ['0', '1', 'soon', '9'.repeat(40), new Date(0).toUTCString(), '-5']) } : {}),
				},
				bytes,
				delivery: random ? pick(random, ['whole', 'whole', 'chunked', 'trickle'] as const) : 'chunked',
			};
			if (bytes.length > 4096 && answer.delivery === 'trickle') answer.delivery = 'chunked';
			const c = { label, bytes, expected: expectedOf(shape) };
			casesRun++;
			let response: BatchAnalyzeResult;
			try {
				response = await client.batchAnalyze({ analyzeSpecs: specsFor(shape) });
			} catch (err) {
				checkError(c, err, kinds);
				assert.ok(err.clientRequestId, `${label}: the error carries the client request id`);
				assert.equal(err.httpStatus, status, `${label}: the error carries the HTTP status`);
				return { error: err };
			}
			assert.equal(status, 200, `${label}: HTTP ${status} taken as a result`);
			checkResponse(c, response);
			assert.ok(response.meta.attempts >= 1 && response.meta.clientRequestId);
			return { response };
		}

		it('answers 200 mutated, damaged and random bodies sent with HTTP 200', async function () {
			this.timeout(15_000);
			const random = mulberry32(SEED + 10);
			let accepted = 0;
			for (let i = 0; i < 200; i++) {
				const shape = randomShape(random);
				const text = writeJson(i % 4 === 3 ? randomJson(random) : mutateTree(random, validAnswer(random, shape)), random);
				const bytes = i % 4 === 2 ? corruptBytes(random, text) : Buffer.from(text);
				if ('response' in await call(`http 200 #${i}`, shape, 200, bytes, random, ['protocol'])) accepted++;
			}
			assert.ok(accepted > 0 && accepted < 200, `${accepted} of 200 accepted`);
		});

		it('answers 80 error statuses with hostile bodies as service errors that never echo the token', async function () {
			this.timeout(10_000);
			const random = mulberry32(SEED + 11);
			const bodies = [
				() => writeJson({ code: pick(random, [3, 7, 16, '8', 0, 999, -1]), message: pick(random, ['Token {{AUTHORIZATION}} is invalid', 'x'.repeat(200_000), '<script>alert(1)</script>', '']), details: [] }),
				() => `<html><head><title>Bad gateway for {{AUTHORIZATION}}</title></head><body>${'<div>'.repeat(10_000)}</body></html>`,
				() => writeJson(mutateTree(random, { code: 13, message: 'internal', details: [{ '@type': 'x' }] })),
				() => randomBytes(random, 300).toString('latin1'),
				() => '',
				() => `echo: {{AUTHORIZATION}} ${'y'.repeat(5_000)}`,
			];
			for (let i = 0; i < 80; i++) {
				const status = pick(random, [302, 400, 401, 403, 404, 413, 418, 429, 500, 502, 503, 504, 599]);
				const bytes = Buffer.from(pick(random, bodies)(), 'latin1');
				const outcome = await call(`http ${status} #${i}`, randomShape(random), status, bytes, random, ['service']);
				assert.ok('error' in outcome);
			}
			const long = await call('a 2 MB error message', [['FACE_DETECTION']], 400, Buffer.from(writeJson({ code: 3, message: `${'m'.repeat(2 * MB)}{{AUTHORIZATION}}` })), undefined, ['service']);
			assert.ok('error' in long && long.error.message.length <= 1001 && long.error.message.endsWith('…'), 'a long message is cut short');
		});

		it('answers 50 MB bodies and 100,000-level nesting over the wire', async function () {
			this.timeout(45_000);
			const shape = [['TEXT_DETECTION']] as const;
			const longWord = 'w'.repeat(50 * MB);
			const valid = await call('a 50 MB word', shape, 200, Buffer.from(`{"results":[{"results":[{"textDetection":{"pages":[{"blocks":[{"lines":[{"words":[{"text":"${longWord}"}]}]}]}]}}]}]}`), undefined, []);
			assert.ok('response' in valid);
			assert.equal(valid.response.results[0]!.results[0]!.textDetection!.pages[0]!.blocks[0]!.lines[0]!.words[0]!.text.length, 50 * MB);
			const padded = await call('50 MB of whitespace around a valid answer', shape, 200, Buffer.from(`${' \n'.repeat(25 * MB)}{"results":[{"results":[{}]}]}`), undefined, []);
			assert.ok('response' in padded);
			const cut = await call('50 MB cut off inside a string', shape, 200, Buffer.from(`{"results":[{"results":[{"textDetection":{"pages":[{"blocks":[{"lines":[{"words":[{"text":"${longWord}`), undefined, ['protocol']);
			assert.ok('error' in cut && /not valid JSON.*cut off/.test(cut.error.message), 'error' in cut ? cut.error.message : 'accepted');
			const numbers = await call('50 MB of numbers where pages go', shape, 200, Buffer.from(`{"results":[{"results":[{"textDetection":{"pages":[${'1,'.repeat(25 * MB)}1]}}]}]}`), undefined, ['protocol']);
			assert.ok('error' in numbers && /pages\[0\]: expected an object, got 1/.test(numbers.error.message), 'error' in numbers ? numbers.error.message : 'accepted');
			for (const { label, bytes, accepted } of deepCases(100_000)) {
				const outcome = await call(label, shape, 200, bytes, undefined, accepted ? [] : ['protocol']);
				assert.equal('response' in outcome, accepted === true, label);
			}
		});
	});

	// A suite of its own: mocha runs a suite's tests before its inner suites.
	describe('in all', () => {
		it('ran over 10,000 cases', () => {
			assert.ok(casesRun >= 10_000, `${casesRun} cases`);
		});
	});
});
