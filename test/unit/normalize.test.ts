import * as assert from 'node:assert/strict';
import { VisionError } from '../../src/api/transport/errors';
import { normalizeResponse } from '../../src/api/batchAnalyze/normalize';
import { parseStatus } from '../../src/api/transport/proto3Json';
import type { FeatureType } from '../../src/results/types';
import { mulberry32 } from '../support/random';

/** One spec with one feature. */
const ONE = { featuresPerSpec: [1] };

/** A 200 body holding one feature result for one image. */
function single(featureResult: unknown): unknown {
	return { results: [{ results: [featureResult] }] };
}

/** A 200 body holding one text detection with a single word in it. */
function withWord(word: unknown): unknown {
	return single({ textDetection: { pages: [{ blocks: [{ lines: [{ words: [word] }] }] }] } });
}

function firstWord(body: unknown) {
	return normalizeResponse(body, ONE).results[0].results[0].textDetection!.pages[0].blocks[0].lines[0].words[0];
}

/** Asserts a protocol error at `path` whose message starts with that path. */
function assertProtocolError(fn: () => unknown, path: string, messagePart?: RegExp): void {
	assert.throws(fn, (err: unknown) => {
		assert.ok(err instanceof VisionError, `expected a VisionError, got ${String(err)}`);
		assert.equal(err.kind, 'protocol');
		assert.equal(err.code, 13);
		assert.equal(err.path, path);
		assert.ok(err.message.startsWith(`${path}: `), err.message);
		if (messagePart) assert.match(err.message, messagePart);
		return true;
	});
}

describe('normalizeResponse', () => {
	describe('a full text detection answer', () => {
		it('turns int64 strings into numbers and keeps everything the service sent', () => {
			const body = single({
				textDetection: {
					pages: [{
						width: '640',
						height: '480',
						blocks: [{
							boundingBox: { vertices: [{ x: '10', y: '20' }, { x: '10', y: '40' }, { x: '200', y: '40' }, { x: '200', y: '20' }] },
							lines: [{
								boundingBox: { vertices: [{ x: '10', y: '20' }, { x: '10', y: '40' }, { x: '200', y: '40' }, { x: '200', y: '20' }] },
								confidence: 0.98,
								words: [{
									boundingBox: { vertices: [{ x: '10', y: '20' }, { x: '10', y: '40' }, { x: '90', y: '40' }, { x: '90', y: '20' }] },
									text: 'Привет',
									confidence: 0.98,
									languages: [{ languageCode: 'ru', confidence: 0.91 }],
									entityIndex: '-1',
								}],
							}],
						}],
						entities: [{ name: 'phone', text: '+7 800' }],
					}],
				},
			});
			const page = normalizeResponse(body, ONE).results[0].results[0].textDetection!.pages[0];
			assert.equal(page.width, 640);
			assert.equal(page.height, 480);
			assert.deepEqual(page.blocks[0].boundingBox.vertices[2], { x: 200, y: 40 });
			assert.equal(page.blocks[0].lines[0].confidence, 0.98);
			assert.deepEqual(page.blocks[0].lines[0].words[0], {
				boundingBox: { vertices: [{ x: 10, y: 20 }, { x: 10, y: 40 }, { x: 90, y: 40 }, { x: 90, y: 20 }] },
				text: 'Привет',
				confidence: 0.98,
				languages: [{ languageCode: 'ru', confidence: 0.91 }],
				entityIndex: -1,
			});
			assert.deepEqual(page.entities, [{ name: 'phone', text: '+7 800' }]);
		});

		it('ignores fields it does not know', () => {
			const body = { results: [{ results: [{ textDetection: { pages: [{ width: '5', rotation: 'ANGLE_90', extra: { deep: [1, 2] } }] }, future: true }], traceId: 'x' }], nextPageToken: 'y' };
			const page = normalizeResponse(body, ONE).results[0].results[0].textDetection!.pages[0];
			assert.deepEqual(page, { width: 5, height: 0, blocks: [], entities: [] });
		});

		it('reads proto field names as well as JSON names', () => {
			const body = single({ text_detection: { pages: [{ blocks: [{ lines: [{ words: [{ text: 'a', entity_index: '2', bounding_box: { vertices: [{ x: '1' }] }, languages: [{ language_code: 'en' }] }] }] }] }] } });
			const word = firstWord(body);
			assert.equal(word.entityIndex, 2);
			assert.deepEqual(word.boundingBox.vertices, [{ x: 1, y: 0 }]);
			assert.equal(word.languages?.[0]?.languageCode, 'en');
		});
	});

	describe('omitted zero values', () => {
		it('reads a vertex without x as x = 0', () => {
			assert.deepEqual(firstWord(withWord({ boundingBox: { vertices: [{ y: '12' }] } })).boundingBox.vertices, [{ x: 0, y: 12 }]);
		});

		it('reads a vertex without y as y = 0', () => {
			assert.deepEqual(firstWord(withWord({ boundingBox: { vertices: [{ x: '7' }] } })).boundingBox.vertices, [{ x: 7, y: 0 }]);
		});

		it('reads an empty vertex as (0, 0)', () => {
			assert.deepEqual(firstWord(withWord({ boundingBox: { vertices: [{}, { x: '3', y: '4' }] } })).boundingBox.vertices, [{ x: 0, y: 0 }, { x: 3, y: 4 }]);
		});

		it('fills in every field of an empty word', () => {
			assert.deepEqual(firstWord(withWord({})), { boundingBox: { vertices: [] }, text: '', confidence: 0, languages: [], entityIndex: 0 });
		});

		it('reads a missing line confidence as 0 and missing words as []', () => {
			const body = single({ textDetection: { pages: [{ blocks: [{ lines: [{}] }] }] } });
			assert.deepEqual(normalizeResponse(body, ONE).results[0].results[0].textDetection!.pages[0].blocks[0].lines[0], { boundingBox: { vertices: [] }, words: [], confidence: 0 });
		});

		it('reads an empty page as 0 × 0 with no blocks and no entities', () => {
			const body = single({ textDetection: { pages: [{}] } });
			assert.deepEqual(normalizeResponse(body, ONE).results[0].results[0].textDetection, { pages: [{ width: 0, height: 0, blocks: [], entities: [] }] });
		});

		it('reads a text detection that found no text as no pages', () => {
			assert.deepEqual(normalizeResponse(single({ textDetection: {} }), ONE).results[0].results[0], { textDetection: { pages: [] } });
		});

		it('reads a missing language confidence, entity name and polygon vertices as zero values', () => {
			const body = single({ textDetection: { pages: [{ entities: [{}], blocks: [{ boundingBox: {}, lines: [{ words: [{ languages: [{}] }] }] }] }] } });
			const page = normalizeResponse(body, ONE).results[0].results[0].textDetection!.pages[0];
			assert.deepEqual(page.entities, [{ name: '', text: '' }]);
			assert.deepEqual(page.blocks[0].boundingBox, { vertices: [] });
			assert.deepEqual(page.blocks[0].lines[0].words[0].languages, [{ languageCode: '', confidence: 0 }]);
		});

		it('fills in empty classification, face and copy search results', () => {
			const body = { results: [{ results: [{ classification: {} }, { classification: { properties: [{ name: 'adult' }] } }, { faceDetection: { faces: [{}] } }, { imageCopySearch: { topResults: [{}] } }] }] };
			const [empty, noProbability, face, copies] = normalizeResponse(body, { featuresPerSpec: [4] }).results[0].results;
			assert.deepEqual(empty, { classification: { properties: [] } });
			assert.deepEqual(noProbability, { classification: { properties: [{ name: 'adult', probability: 0 }] } });
			assert.deepEqual(face, { faceDetection: { faces: [{ boundingBox: { vertices: [] } }] } });
			assert.deepEqual(copies, { imageCopySearch: { copyCount: 0, topResults: [{ imageUrl: '', pageUrl: '', title: '', description: '' }] } });
		});

		it('reads null as the zero value, as proto3 parsers do', () => {
			const word = firstWord(withWord({ text: null, confidence: null, entityIndex: null, languages: null, boundingBox: { vertices: [{ x: null, y: '2' }] } }));
			assert.deepEqual(word, { boundingBox: { vertices: [{ x: 0, y: 2 }] }, text: '', confidence: 0, languages: [], entityIndex: 0 });
		});

		it('reads an empty image result without an error as a count mismatch, not as success', () => {
			assertProtocolError(() => normalizeResponse({ results: [{}] }, ONE), 'results[0].results', /expected 1 feature result .*got 0/);
		});
	});

	describe('an empty feature result', () => {
		it('becomes an empty annotation of the requested kind when the feature types are known', () => {
			const types: FeatureType[] = ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH'];
			const body = { results: [{ results: [{}, {}, {}, {}] }] };
			const results = normalizeResponse(body, { featuresPerSpec: [4], featureTypes: [types] }).results[0].results;
			assert.deepEqual(results, [
				{ textDetection: { pages: [] } },
				{ classification: { properties: [] } },
				{ faceDetection: { faces: [] } },
				{ imageCopySearch: { copyCount: 0, topResults: [] } },
			]);
		});

		it('becomes an in-place UNKNOWN error when the feature type is not known', () => {
			const result = normalizeResponse(single({}), ONE).results[0].results[0];
			assert.equal(result.textDetection, undefined);
			assert.equal(result.error?.code, 2);
			assert.match(result.error!.message, /neither a result nor an error/);
		});

		it('of another kind than requested is a protocol error', () => {
			assertProtocolError(
				() => normalizeResponse(single({ classification: {} }), { featuresPerSpec: [1], featureTypes: [['TEXT_DETECTION']] }),
				'results[0].results[0]',
				/expected textDetection for a TEXT_DETECTION feature, got classification/,
			);
		});
	});

	describe('int64 fields', () => {
		it('accepts JSON numbers as well as strings', () => {
			const body = single({ textDetection: { pages: [{ width: 800, height: '600', blocks: [{ boundingBox: { vertices: [{ x: 5, y: '6' }] } }] }] } });
			const page = normalizeResponse(body, ONE).results[0].results[0].textDetection!.pages[0];
			assert.equal(page.width, 800);
			assert.equal(page.height, 600);
			assert.deepEqual(page.blocks[0].boundingBox.vertices, [{ x: 5, y: 6 }]);
		});

		it('reads copyCount and entityIndex from strings', () => {
			assert.equal(normalizeResponse(single({ imageCopySearch: { copyCount: '1234' } }), ONE).results[0].results[0].imageCopySearch!.copyCount, 1234);
			assert.equal(firstWord(withWord({ entityIndex: '3' })).entityIndex, 3);
		});

		it('accepts negative coordinates', () => {
			assert.deepEqual(firstWord(withWord({ boundingBox: { vertices: [{ x: '-4', y: -2 }] } })).boundingBox.vertices, [{ x: -4, y: -2 }]);
		});

		it('accepts the largest safe integer exactly', () => {
			assert.equal(normalizeResponse(single({ imageCopySearch: { copyCount: '9007199254740991' } }), ONE).results[0].results[0].imageCopySearch!.copyCount, Number.MAX_SAFE_INTEGER);
		});

		it('rejects a string that is not an integer, naming its path', () => {
			const vertices = [{}, {}, {}, { x: 'abc' }];
			const body = { results: [{ results: [{ textDetection: {} }, { textDetection: { pages: [{ blocks: [{}, {}, { boundingBox: { vertices } }] }] } }] }] };
			assertProtocolError(
				() => normalizeResponse(body, { featuresPerSpec: [2] }),
				'results[0].results[1].textDetection.pages[0].blocks[2].boundingBox.vertices[3].x',
				/expected an int64, got "abc"$/,
			);
		});

		for (const [label, value] of [
			['a fraction', '1.5'],
			['a fractional number', 2.5],
			['an exponent string', '1e3'],
			['a leading plus', '+5'],
			['surrounding spaces', ' 5'],
			['an empty string', ''],
			['a boolean', true],
			['an object', {}],
		] as const) {
			it(`rejects ${label}`, () => {
				assertProtocolError(() => normalizeResponse(withWord({ entityIndex: value }), ONE), 'results[0].results[0].textDetection.pages[0].blocks[0].lines[0].words[0].entityIndex', /expected an int64/);
			});
		}

		it('rejects integers beyond Number.MAX_SAFE_INTEGER rather than losing precision', () => {
			assertProtocolError(() => normalizeResponse(single({ imageCopySearch: { copyCount: '9007199254740993' } }), ONE), 'results[0].results[0].imageCopySearch.copyCount', /out of the supported range/);
			assertProtocolError(() => normalizeResponse(single({ imageCopySearch: { copyCount: 2 ** 60 } }), ONE), 'results[0].results[0].imageCopySearch.copyCount', /out of the supported range/);
			assertProtocolError(() => normalizeResponse(single({ imageCopySearch: { copyCount: '-99999999999999999999' } }), ONE), 'results[0].results[0].imageCopySearch.copyCount', /out of the supported range/);
		});
	});

	describe('double fields', () => {
		it('accepts numbers and numeric strings, keeping values outside [0, 1] as sent', () => {
			assert.equal(firstWord(withWord({ confidence: '0.75' })).confidence, 0.75);
			assert.equal(firstWord(withWord({ confidence: 1.2 })).confidence, 1.2);
			assert.equal(normalizeResponse(single({ classification: { properties: [{ name: 'x', probability: 1e-3 }] } }), ONE).results[0].results[0].classification!.properties[0].probability, 0.001);
		});

		for (const value of ['NaN', 'Infinity', '-Infinity', '1e999']) {
			it(`rejects the non-finite "${value}" with the path of the field`, () => {
				assertProtocolError(() => normalizeResponse(withWord({ confidence: value }), ONE), 'results[0].results[0].textDetection.pages[0].blocks[0].lines[0].words[0].confidence', /expected a finite number/);
			});
		}

		it('rejects a non-numeric string for a probability', () => {
			assertProtocolError(() => normalizeResponse(single({ classification: { properties: [{ probability: 'high' }] } }), ONE), 'results[0].results[0].classification.properties[0].probability', /expected a number, got "high"/);
		});
	});

	describe('errors in place', () => {
		it('keeps a per-image error and the other images’ results', () => {
			const body = { results: [
				{ error: { code: 3, message: 'Can\'t decode Image' } },
				{ results: [{ textDetection: { pages: [{ width: '10', height: '10' }] } }] },
			] };
			const response = normalizeResponse(body, { featuresPerSpec: [1, 1] });
			assert.deepEqual(response.results[0], { results: [], error: { code: 3, message: 'Can\'t decode Image', details: [] } });
			assert.equal(response.results[1].error, undefined);
			assert.equal(response.results[1].results[0].textDetection!.pages[0].width, 10);
		});

		it('keeps feature results that come along with a per-image error', () => {
			const body = { results: [{ error: { code: 3, message: 'Image too big' }, results: [{ error: { code: 3, message: 'Image too big' } }] }] };
			const result = normalizeResponse(body, ONE).results[0];
			assert.equal(result.error?.message, 'Image too big');
			assert.equal(result.results.length, 1);
		});

		it('keeps a per-feature error and the other features’ results', () => {
			const details = [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] }];
			const body = { results: [{ results: [
				{ error: { code: '8', message: 'Limit exceeded', details } },
				{ classification: { properties: [{ name: 'good', probability: 0.9 }] } },
			] }] };
			const [failed, classified] = normalizeResponse(body, { featuresPerSpec: [2] }).results[0].results;
			assert.deepEqual(failed, { error: { code: 8, message: 'Limit exceeded', details } });
			assert.deepEqual(classified.classification, { properties: [{ name: 'good', probability: 0.9 }] });
		});

		it('reads an error without a code as UNKNOWN, since an error slot always means failure', () => {
			const result = normalizeResponse(single({ error: { message: 'oops' } }), ONE).results[0].results[0];
			assert.deepEqual(result.error, { code: 2, message: 'oops', details: [] });
		});

		it('rejects a malformed error status with its path', () => {
			assertProtocolError(() => normalizeResponse(single({ error: { code: 'bad' } }), ONE), 'results[0].results[0].error.code', /expected an int32/);
			assertProtocolError(() => normalizeResponse({ results: [{ error: 'broken' }] }, ONE), 'results[0].error', /expected an object, got "broken"/);
		});
	});

	describe('count checks', () => {
		it('rejects fewer image results than images sent', () => {
			assertProtocolError(() => normalizeResponse({ results: [{ results: [{}] }] }, { featuresPerSpec: [1, 1] }), 'results', /expected 2 image results .*got 1/);
		});

		it('rejects more image results than images sent', () => {
			assertProtocolError(() => normalizeResponse({ results: [{ results: [{}] }, { results: [{}] }] }, ONE), 'results', /expected 1 image result .*got 2/);
		});

		it('rejects a missing results array', () => {
			assertProtocolError(() => normalizeResponse({}, ONE), 'results', /got 0/);
		});

		it('rejects a feature count that does not match the features requested', () => {
			const body = { results: [{ results: [{}, {}] }, { results: [{}] }] };
			assertProtocolError(() => normalizeResponse(body, { featuresPerSpec: [2, 2] }), 'results[1].results', /expected 2 feature results .*got 1/);
		});

		it('rejects a partial feature list even when the image has an error', () => {
			const body = { results: [{ error: { code: 3 }, results: [{}] }] };
			assertProtocolError(() => normalizeResponse(body, { featuresPerSpec: [2] }), 'results[0].results', /expected 0 or 2 feature results/);
		});
	});

	describe('wrong shapes', () => {
		it('rejects two annotations in one feature result', () => {
			assertProtocolError(() => normalizeResponse(single({ textDetection: {}, faceDetection: {} }), ONE), 'results[0].results[0]', /both textDetection and faceDetection/);
		});

		it('rejects a body that is not an object', () => {
			assertProtocolError(() => normalizeResponse('<html>Bad gateway</html>', ONE), 'response', /expected an object, got "<html>Bad gateway<\/html>"/);
		});

		it('rejects a number where text is expected', () => {
			assertProtocolError(() => normalizeResponse(withWord({ text: 5 }), ONE), 'results[0].results[0].textDetection.pages[0].blocks[0].lines[0].words[0].text', /expected a string, got 5$/);
		});

		it('keeps long unexpected strings out of the message', () => {
			const long = 'x'.repeat(100_000);
			assert.throws(() => normalizeResponse(long, ONE), (err: unknown) => err instanceof VisionError && err.message.length < 100);
		});
	});

	describe('malformed bodies', () => {
		const bodies: [string, unknown][] = [
			['null', null],
			['a number', 42],
			['a string', 'ok'],
			['true', true],
			['an array', []],
			['an array of results', [{ results: [{}] }]],
			['results as an object', { results: {} }],
			['results as a string', { results: 'x' }],
			['results holding null', { results: [null] }],
			['results holding a number', { results: [7] }],
			['results holding an array', { results: [[{}]] }],
			['feature results as an object', { results: [{ results: { 0: {} } }] }],
			['feature result null', { results: [{ results: [null] }] }],
			['feature result a string', { results: [{ results: ['textDetection'] }] }],
			['textDetection a string', single({ textDetection: 'hello' })],
			['textDetection an array', single({ textDetection: [] })],
			['pages an object', single({ textDetection: { pages: {} } })],
			['page null', single({ textDetection: { pages: [null] } })],
			['blocks a number', single({ textDetection: { pages: [{ blocks: 3 }] } })],
			['lines holding strings', single({ textDetection: { pages: [{ blocks: [{ lines: ['a'] }] }] } })],
			['words an object', single({ textDetection: { pages: [{ blocks: [{ lines: [{ words: { text: 'a' } }] }] }] } })],
			['boundingBox an array', withWord({ boundingBox: [] })],
			['vertices a string', withWord({ boundingBox: { vertices: '0,0' } })],
			['vertex a number', withWord({ boundingBox: { vertices: [0] } })],
			['x an array', withWord({ boundingBox: { vertices: [{ x: [1] }] } })],
			['y a float string', withWord({ boundingBox: { vertices: [{ y: '1.0' }] } })],
			['text an object', withWord({ text: {} })],
			['confidence a boolean', withWord({ confidence: false })],
			['languages a string', withWord({ languages: 'ru' })],
			['languageCode a number', withWord({ languages: [{ languageCode: 7 }] })],
			['width NaN', single({ textDetection: { pages: [{ width: 'NaN' }] } })],
			['height negative float', single({ textDetection: { pages: [{ height: -0.5 }] } })],
			['entities holding null', single({ textDetection: { pages: [{ entities: [null] }] } })],
			['properties a string', single({ classification: { properties: 'good' } })],
			['probability Infinity', single({ classification: { properties: [{ probability: 'Infinity' }] } })],
			['faces an object', single({ faceDetection: { faces: {} } })],
			['copyCount a huge number', single({ imageCopySearch: { copyCount: 1e300 } })],
			['topResults holding a string', single({ imageCopySearch: { topResults: ['http://x'] } })],
			['imageUrl a number', single({ imageCopySearch: { topResults: [{ imageUrl: 1 }] } })],
			['error a number', single({ error: 500 })],
			['error code a float', single({ error: { code: 3.5 } })],
			['error code beyond int32', single({ error: { code: 2 ** 40 } })],
			['error details an object', single({ error: { code: 3, details: {} } })],
			['error message a number', single({ error: { code: 3, message: 404 } })],
			['deeply nested garbage', single({ textDetection: { pages: [{ blocks: deepArray(100_000) }] } })],
			['a huge array of numbers', single({ textDetection: { pages: new Array(200_000).fill(1) } })],
			['__proto__ as a field', JSON.parse('{"results":[{"results":[{"__proto__":{"textDetection":{}}}]}]}')],
		];

		for (const [name, body] of bodies) {
			it(`answers ${name} with a protocol error or a result, nothing else`, () => {
				try {
					normalizeResponse(body, ONE);
				} catch (err) {
					assert.ok(err instanceof VisionError, `threw ${String(err)}`);
					assert.equal(err.kind, 'protocol');
					assert.equal(err.code, 13);
					assert.ok(err.path, 'the error names a path');
				}
			});
		}

		it('rejects every one of those bodies except the proto-polluting one, which reads as an empty feature result', () => {
			let rejected = 0;
			for (const [, body] of bodies) {
				try {
					const response = normalizeResponse(body, ONE);
					assert.deepEqual(response.results[0].results[0].textDetection, undefined);
				} catch (err) {
					if (err instanceof VisionError) rejected++;
				}
			}
			assert.equal(rejected, bodies.length - 1);
			assert.ok(bodies.length >= 30);
		});

		it('survives random mutations of a valid answer with nothing but results and protocol errors', () => {
			const random = mulberry32(20240514);
			let accepted = 0;
			for (let round = 0; round < 2000; round++) {
				const body = mutate(validAnswer(), random);
				try {
					const response = normalizeResponse(body, { featuresPerSpec: [2] });
					assert.equal(response.results.length, 1);
					accepted++;
				} catch (err) {
					if (!(err instanceof VisionError) || err.kind !== 'protocol') {
						throw new Error(`round ${round}: ${String(err)} for ${JSON.stringify(body).slice(0, 400)}`);
					}
				}
			}
			assert.ok(accepted > 0, 'some mutations are still valid answers');
		});
	});

	describe('speed', () => {
		it('normalizes a 2,000-word text detection well under 10 ms', () => {
			const body = single({ textDetection: { pages: [bigPage(2000)] } });
			for (let i = 0; i < 3; i++) normalizeResponse(body, ONE);
			let best = Infinity;
			for (let i = 0; i < 5; i++) {
				const start = process.hrtime.bigint();
				const response = normalizeResponse(body, ONE);
				best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
				assert.equal(response.results[0].results[0].textDetection!.pages[0].blocks.length, 100);
			}
			assert.ok(best < 10, `took ${best.toFixed(2)} ms`);
		});
	});
});

describe('parseStatus', () => {
	it('reads a google.rpc.Status body', () => {
		assert.deepEqual(parseStatus({ code: 16, message: 'Token is invalid or has expired.', details: [] }), { code: 16, message: 'Token is invalid or has expired.', details: [] });
	});

	it('fills in omitted fields and accepts a string code', () => {
		assert.deepEqual(parseStatus({ code: '8' }), { code: 8, message: '', details: [] });
		assert.deepEqual(parseStatus({ message: 'Internal error' }), { code: 0, message: 'Internal error', details: [] });
	});

	it('keeps details as sent', () => {
		const details = [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: 'abc' }];
		assert.deepEqual(parseStatus({ code: 3, message: 'bad', details })?.details, details);
	});

	for (const [name, body] of [
		['undefined', undefined],
		['null', null],
		['an HTML page', '<html><title>502 Bad Gateway</title></html>'],
		['an array', [{ code: 3 }]],
		['an empty object', {}],
		['an object without code or message', { error: 'nope' }],
		['a non-integer code', { code: 'UNAUTHENTICATED', message: 'x' }],
		['a numeric message', { code: 3, message: 5 }],
		['details that are not a list', { code: 3, details: 'x' }],
	] as [string, unknown][]) {
		it(`answers undefined for ${name}`, () => {
			assert.equal(parseStatus(body), undefined);
		});
	}
});

function deepArray(depth: number): unknown {
	let value: unknown = [];
	for (let i = 0; i < depth; i++) value = [value];
	return value;
}

function bigPage(wordCount: number): unknown {
	const box = { vertices: [{ x: '10', y: '20' }, { x: '10', y: '40' }, { x: '90', y: '40' }, { x: '90', y: '20' }] };
	const blocks = [];
	for (let b = 0; b < wordCount / 20; b++) {
		const lines = [];
		for (let l = 0; l < 2; l++) {
			const words = [];
			for (let w = 0; w < 10; w++) {
				words.push({ boundingBox: box, text: `word${b}-${l}-${w}`, confidence: 0.93, languages: [{ languageCode: 'ru', confidence: 0.9 }] });
			}
			lines.push({ boundingBox: box, words, confidence: 0.93 });
		}
		blocks.push({ boundingBox: box, lines });
	}
	return { width: '2480', height: '3508', blocks, entities: [] };
}

function validAnswer(): unknown {
	return JSON.parse(JSON.stringify({ results: [{ results: [
		{ textDetection: { pages: [{ width: '100', height: '50', blocks: [{ boundingBox: { vertices: [{ x: '1' }, { y: '2' }] }, lines: [{ confidence: 0.5, words: [{ text: 'a', confidence: 0.5, languages: [{ languageCode: 'en', confidence: 0.9 }], entityIndex: '1' }] }] }], entities: [{ name: 'n', text: 't' }] }] } },
		{ error: { code: 3, message: 'bad', details: [{}] } },
	] }] }));
}

/** Replaces one random node of the tree (or a field of it) with a random JSON value. */
function mutate(root: unknown, random: () => number): unknown {
	const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
	const walk = (value: unknown) => {
		if (Array.isArray(value)) {
			value.forEach((child, i) => {
				nodes.push({ parent: value, key: i });
				walk(child);
			});
		} else if (typeof value === 'object' && value !== null) {
			const object = value as Record<string, unknown>;
			for (const key of Object.keys(object)) {
				nodes.push({ parent: object, key });
				walk(object[key]);
			}
		}
	};
	walk(root);
	const target = nodes[Math.floor(random() * nodes.length)];
	const replacement = randomJson(random, 2);
	if (Array.isArray(target.parent)) {
		target.parent[target.key as number] = replacement;
	} else if (random() < 0.2) {
		delete target.parent[target.key];
	} else {
		target.parent[target.key] = replacement;
	}
	return root;
}

function randomJson(random: () => number, depth: number): unknown {
	const pick = Math.floor(random() * (depth > 0 ? 12 : 9));
	switch (pick) {
		case 0: return null;
		case 1: return random() < 0.5;
		case 2: return Math.floor(random() * 2000) - 1000;
		case 3: return random() * 2;
		case 4: return ['', '12', '-3', 'abc', 'NaN', 'Infinity', '1e400', '0.5', '99999999999999999999'][Math.floor(random() * 9)];
		case 5: return 2 ** 63;
		case 6: return {};
		case 7: return [];
		case 8: return 'x'.repeat(Math.floor(random() * 100));
		case 9: return [randomJson(random, depth - 1), randomJson(random, depth - 1)];
		case 10: return { x: randomJson(random, depth - 1), text: randomJson(random, depth - 1) };
		default: return { pages: [randomJson(random, depth - 1)] };
	}
}
