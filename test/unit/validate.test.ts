import * as assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { decodedLength, encodedLength, withPadding } from '../../src/api/content/base64';
import { VisionError } from '../../src/api/transport/errors';
import type { AnalyzeSpec, BatchAnalyzeRequest } from '../../src/api/batchAnalyze/types';
import { LIMITS, prepareRequest, prepareSpec } from '../../src/api/batchAnalyze/limits';
import { pngChunk, pngHeader } from '../support/pngBytes';

// --- Files: a real PNG, PNG and JPEG headers of any size, exact file sizes ----------------------

/** A complete, decodable RGB PNG. */
function png(width: number, height: number): Buffer {
	const pixels = deflateSync(Buffer.alloc((1 + width * 3) * height));
	return Buffer.concat([pngHeader(width, height), pngChunk('IDAT', pixels), pngChunk('IEND', new Uint8Array(0))]);
}

function jpegSegment(marker: number, payload: Uint8Array): Buffer {
	const head = Buffer.from([0xff, marker, 0, 0]);
	head.writeUInt16BE(payload.length + 2, 2);
	return Buffer.concat([head, payload]);
}

/** SOI, a 40 KB EXIF block, a baseline frame header, and scan data padded to `totalBytes`. */
function jpeg(width: number, height: number, totalBytes = 0): Buffer {
	const exif = Buffer.alloc(40_000, 0x20);
	exif.write('Exif\0\0MM\0*', 'latin1');
	const frame = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
	frame.writeUInt16BE(height, 1);
	frame.writeUInt16BE(width, 3);
	const head = Buffer.concat([Buffer.from([0xff, 0xd8]), jpegSegment(0xe1, exif), jpegSegment(0xc0, frame), jpegSegment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0]))]);
	const scan = Buffer.alloc(Math.max(16, totalBytes - head.length - 2), 0x55);
	return Buffer.concat([head, scan, Buffer.from([0xff, 0xd9])]);
}

const PNG = png(3, 2);
const PNG_BASE64 = PNG.toString('base64');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
const FACE = { type: 'FACE_DETECTION' };
const TEXT = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en', 'ru'] } };

// --- Helpers ---------------------------------------------------------------------------------

function spec(fields: Record<string, unknown> = {}): Record<string, unknown> {
	return { features: [FACE], content: PNG_BASE64, ...fields };
}

function prepare(value: unknown, path = 'analyzeSpecs[0]') {
	return prepareSpec(value as AnalyzeSpec, path);
}

function request(value: unknown) {
	return prepareRequest(value as BatchAnalyzeRequest);
}

function withFeature(feature: unknown) {
	return prepare(spec({ features: [feature] }));
}

/** Asserts a validation error for `path` whose message contains every part. */
function rejects(run: () => unknown, path: string, ...parts: (string | RegExp)[]): VisionError {
	let caught: unknown;
	try {
		run();
	} catch (err) {
		caught = err;
	}
	assert.ok(caught instanceof VisionError, `expected a VisionError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
	assert.equal(caught.kind, 'validation');
	assert.equal(caught.code, 3);
	assert.equal(caught.path, path, caught.message);
	assert.ok(caught.message.startsWith(`${path}: `), caught.message);
	for (const part of parts) {
		if (typeof part === 'string') assert.ok(caught.message.includes(part), `${JSON.stringify(caught.message)}\n  should contain ${JSON.stringify(part)}`);
		else assert.match(caught.message, part);
	}
	return caught;
}

function repeat(count: number, value: unknown): unknown[] {
	return Array.from({ length: count }, () => value);
}

describe('prepareRequest', () => {
	it('builds the wire body and lists what each spec\'s file is', () => {
		const { wire, images } = request({
			analyzeSpecs: [
				{ features: [TEXT, FACE], content: PNG },
				{ features: [{ type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }], signature: 'sig' },
			],
			folderId: 'b1gabcdefghijklmnopq',
		});
		assert.deepEqual(wire, {
			analyzeSpecs: [
				{ features: [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en', 'ru'] } }, { type: 'FACE_DETECTION' }], mimeType: 'image/png', content: PNG_BASE64 },
				{ features: [{ type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }], signature: 'sig' },
			],
			folderId: 'b1gabcdefghijklmnopq',
		});
		assert.deepEqual(images, [{ format: 'png', mimeType: 'image/png', width: 3, height: 2, bytes: PNG.length }, undefined]);
	});

	it('rejects a request that is not an object', () => {
		for (const value of [undefined, null, 'analyzeSpecs', 42, [spec()], PNG]) {
			rejects(() => request(value), 'request', 'must be a request object with analyzeSpecs, got');
		}
	});

	it('takes 1 to 8 specs', () => {
		assert.equal(request({ analyzeSpecs: [spec()] }).wire.analyzeSpecs.length, 1);
		assert.equal(request({ analyzeSpecs: repeat(8, spec()) }).wire.analyzeSpecs.length, 8);
		rejects(() => request({ analyzeSpecs: repeat(9, spec()) }), 'analyzeSpecs', '9 specs given, at most 8 allowed', 'split the images into several requests');
		rejects(() => request({ analyzeSpecs: [] }), 'analyzeSpecs', '0 specs given, at least 1 required');
		rejects(() => request({}), 'analyzeSpecs', 'is required: give 1 to 8 specs');
		rejects(() => request({ analyzeSpecs: spec() }), 'analyzeSpecs', 'must be an array of 1 to 8 specs', 'got an object');
	});

	it('takes a folderId of up to 50 characters and leaves an empty one out', () => {
		const fifty = 'b'.repeat(50);
		assert.equal(request({ analyzeSpecs: [spec()], folderId: fifty }).wire.folderId, fifty);
		assert.equal('folderId' in request({ analyzeSpecs: [spec()] }).wire, false);
		assert.equal('folderId' in request({ analyzeSpecs: [spec()], folderId: '' }).wire, false);
		rejects(() => request({ analyzeSpecs: [spec()], folderId: 'b'.repeat(51) }), 'folderId', 'is 51 characters long, at most 50 allowed');
		rejects(() => request({ analyzeSpecs: [spec()], folderId: 12345 }), 'folderId', 'must be a string, got the number 12345');
	});

	it('rejects fields the service does not know, with the right spelling when close', () => {
		rejects(() => request({ analyze_specs: [spec()] }), 'analyze_specs', 'not a field of a request', 'did you mean analyzeSpecs?', 'the fields are analyzeSpecs, folderId');
		rejects(() => request({ analyzeSpecs: [spec()], 'folder id': 'x' }), '["folder id"]', 'did you mean folderId?');
		// Not sent, so not a problem.
		assert.equal(request({ analyzeSpecs: [spec()], extra: undefined }).wire.analyzeSpecs.length, 1);
	});

	it('names the spec, feature and field at fault in the request\'s own field names', () => {
		const nine = ['en', 'ru', 'de', 'fr', 'es', 'it', 'pt', 'pl', 'uk'];
		const bad = spec({ features: [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: nine } }] });
		const err = rejects(() => request({ analyzeSpecs: [spec(), spec(), bad] }), 'analyzeSpecs[2].features[0].textDetectionConfig.languageCodes');
		assert.ok(err.message.startsWith('analyzeSpecs[2].features[0].textDetectionConfig.languageCodes: 9 codes given, at most 8 allowed'), err.message);
	});

	it('reports the first violation in request order', () => {
		rejects(() => request({ analyzeSpecs: [spec(), spec({ features: [] }), spec({ content: '' })] }), 'analyzeSpecs[1].features');
	});

	it('does not change the caller\'s request', () => {
		const input = { analyzeSpecs: [spec({ mimeType: 'IMAGE/PNG', features: [{ ...TEXT, textDetectionConfig: { languageCodes: ['en'], model: '' } }] })] };
		const before = structuredClone(input);
		request(input);
		assert.deepEqual(input, before);
	});
});

describe('prepareSpec', () => {
	it('rejects a spec that is not an object', () => {
		for (const value of [null, 'spec', [], PNG]) rejects(() => prepare(value, 'analyzeSpecs[4]'), 'analyzeSpecs[4]', 'must be a spec object with features and content');
	});

	it('rejects unknown fields, suggesting the right spelling', () => {
		rejects(() => prepare(spec({ mime_type: 'image/png' })), 'analyzeSpecs[0].mime_type', 'did you mean mimeType?', 'the fields are features, mimeType, content');
		rejects(() => prepare(spec({ image: PNG })), 'analyzeSpecs[0].image', 'is not a field of a spec, and the service would reject it');
	});

	describe('features', () => {
		it('takes 1 to 8', () => {
			assert.equal(prepare(spec({ features: [FACE] })).wire.features.length, 1);
			assert.equal(prepare(spec({ features: repeat(8, FACE) })).wire.features.length, 8);
			rejects(() => prepare(spec({ features: repeat(9, FACE) })), 'analyzeSpecs[0].features', '9 features given, at most 8 allowed');
			rejects(() => prepare(spec({ features: [] })), 'analyzeSpecs[0].features', '0 features given, at least 1 required');
			rejects(() => prepare(spec({ features: undefined })), 'analyzeSpecs[0].features', 'is required: give 1 to 8 features');
			rejects(() => prepare(spec({ features: FACE })), 'analyzeSpecs[0].features', 'must be an array of 1 to 8 features', 'got an object');
		});

		it('accepts each of the four types with its config, and builds clean wire features', () => {
			const features = [
				{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'], model: 'line' } },
				{ type: 'CLASSIFICATION', classificationConfig: { model: 'moderation' } },
				{ type: 'FACE_DETECTION', textDetectionConfig: null, classificationConfig: undefined },
				{ type: 'IMAGE_COPY_SEARCH' },
			];
			assert.equal(JSON.stringify(prepare(spec({ features })).wire.features), JSON.stringify([
				{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'], model: 'line' } },
				{ type: 'CLASSIFICATION', classificationConfig: { model: 'moderation' } },
				{ type: 'FACE_DETECTION' },
				{ type: 'IMAGE_COPY_SEARCH' },
			]));
		});

		it('rejects a feature that is not an object', () => {
			rejects(() => withFeature('FACE_DETECTION'), 'analyzeSpecs[0].features[0]', 'must be a feature object with a type, got the string "FACE_DETECTION"');
			rejects(() => prepare(spec({ features: [FACE, null] })), 'analyzeSpecs[0].features[1]', 'got null');
		});

		it('requires a type among the four, listing them', () => {
			const four = 'use one of TEXT_DETECTION, CLASSIFICATION, FACE_DETECTION, IMAGE_COPY_SEARCH';
			rejects(() => withFeature({}), 'analyzeSpecs[0].features[0].type', 'is required', four);
			rejects(() => withFeature({ type: 'OCR' }), 'analyzeSpecs[0].features[0].type', '"OCR" is not a feature type', four);
			rejects(() => withFeature({ type: 3 }), 'analyzeSpecs[0].features[0].type', 'must be a string, got the number 3', four);
			rejects(() => withFeature({ type: 'face detection' }), 'analyzeSpecs[0].features[0].type', 'did you mean "FACE_DETECTION"?');
		});

		it('rejects unknown fields of a feature and of its config', () => {
			rejects(() => withFeature({ ...FACE, config: {} }), 'analyzeSpecs[0].features[0].config', 'not a field of a feature', 'the fields are type, classificationConfig, textDetectionConfig');
			rejects(() => withFeature({ type: 'TEXT_DETECTION', textDetectionConfig: { language_codes: ['en'] } }), 'analyzeSpecs[0].features[0].textDetectionConfig.language_codes', 'did you mean languageCodes?');
			rejects(() => withFeature({ type: 'CLASSIFICATION', classificationConfig: { model: 'quality', threshold: 0.5 } }), 'analyzeSpecs[0].features[0].classificationConfig.threshold', 'not a field of classificationConfig');
		});

		it('allows at most one config, and only the one for the feature\'s type', () => {
			const both = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] }, classificationConfig: { model: 'quality' } };
			rejects(() => withFeature(both), 'analyzeSpecs[0].features[0]', 'has both textDetectionConfig and classificationConfig');
			rejects(() => withFeature({ type: 'FACE_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }), 'analyzeSpecs[0].features[0].textDetectionConfig', 'does not belong to a FACE_DETECTION feature', 'remove it');
			rejects(() => withFeature({ type: 'TEXT_DETECTION', classificationConfig: { model: 'quality' } }), 'analyzeSpecs[0].features[0].classificationConfig', 'does not belong to a TEXT_DETECTION feature');
			rejects(() => withFeature({ type: 'IMAGE_COPY_SEARCH', classificationConfig: { model: 'quality' } }), 'analyzeSpecs[0].features[0].classificationConfig', 'only for CLASSIFICATION');
		});
	});

	describe('TEXT_DETECTION config', () => {
		const path = 'analyzeSpecs[0].features[0].textDetectionConfig';
		const text = (config: unknown) => withFeature({ type: 'TEXT_DETECTION', textDetectionConfig: config });

		it('is required, with the languages', () => {
			rejects(() => withFeature({ type: 'TEXT_DETECTION' }), path, 'is required for TEXT_DETECTION', '"languageCodes"');
			rejects(() => text(['en']), path, 'must be an object with languageCodes, got an array of 1');
			rejects(() => text({}), `${path}.languageCodes`, 'is required: give 1 to 8 ISO 639-1 language codes');
		});

		it('takes 1 to 8 language codes', () => {
			const codes = ['en', 'ru', 'de', 'fr', 'es', 'it', 'pt', 'pl', 'uk'];
			assert.deepEqual(text({ languageCodes: ['en'] }).wire.features[0]?.textDetectionConfig, { languageCodes: ['en'] });
			assert.deepEqual(text({ languageCodes: codes.slice(0, 8) }).wire.features[0]?.textDetectionConfig?.languageCodes, codes.slice(0, 8));
			rejects(() => text({ languageCodes: codes }), `${path}.languageCodes`, '9 codes given, at most 8 allowed');
			rejects(() => text({ languageCodes: [] }), `${path}.languageCodes`, '0 codes given, at least 1 required');
			rejects(() => text({ languageCodes: 'en' }), `${path}.languageCodes`, 'must be an array', 'got the string "en"');
		});

		it('takes codes of 1 to 3 characters', () => {
			assert.deepEqual(text({ languageCodes: ['e', 'eng'] }).wire.features[0]?.textDetectionConfig?.languageCodes, ['e', 'eng']);
			rejects(() => text({ languageCodes: ['en', 'engl'] }), `${path}.languageCodes[1]`, '"engl" is 4 characters long, at most 3 allowed', 'ISO 639-1');
			rejects(() => text({ languageCodes: [''] }), `${path}.languageCodes[0]`, 'is empty');
			rejects(() => text({ languageCodes: ['en', 7] }), `${path}.languageCodes[1]`, 'must be a string, got the number 7');
			rejects(() => text({ languageCodes: ['en', null] }), `${path}.languageCodes[1]`, 'is required');
		});

		it('takes a model of up to 50 characters, and leaves an empty one out', () => {
			const fifty = 'm'.repeat(50);
			assert.equal(text({ languageCodes: ['en'], model: fifty }).wire.features[0]?.textDetectionConfig?.model, fifty);
			assert.deepEqual(text({ languageCodes: ['en'], model: '' }).wire.features[0]?.textDetectionConfig, { languageCodes: ['en'] });
			rejects(() => text({ languageCodes: ['en'], model: 'm'.repeat(51) }), `${path}.model`, 'is 51 characters long, at most 50 allowed', '"page"', '"line"');
			rejects(() => text({ languageCodes: ['en'], model: ['page'] }), `${path}.model`, 'must be a string, got an array of 1');
		});
	});

	describe('CLASSIFICATION config', () => {
		const path = 'analyzeSpecs[0].features[0].classificationConfig';
		const classify = (config: unknown) => withFeature({ type: 'CLASSIFICATION', classificationConfig: config });

		it('is required, with a model', () => {
			rejects(() => withFeature({ type: 'CLASSIFICATION' }), path, 'is required for CLASSIFICATION', '"quality"');
			rejects(() => classify('quality'), path, 'must be an object with model', 'got the string "quality"');
			rejects(() => classify({}), `${path}.model`, 'is required', '"moderation"');
			rejects(() => classify({ model: '' }), `${path}.model`, 'is empty');
			rejects(() => classify({ model: 1 }), `${path}.model`, 'must be a string, got the number 1');
		});

		it('takes a model of up to 256 characters', () => {
			const long = 'q'.repeat(256);
			assert.equal(classify({ model: long }).wire.features[0]?.classificationConfig?.model, long);
			rejects(() => classify({ model: 'q'.repeat(257) }), `${path}.model`, 'is 257 characters long, at most 256 allowed');
		});
	});

	describe('content or signature', () => {
		it('requires one of them', () => {
			rejects(() => prepare({ features: [FACE] }), 'analyzeSpecs[0].content', 'is required: give the JPEG, PNG or PDF file to analyze');
			rejects(() => prepare({ features: [FACE], content: null, signature: null }), 'analyzeSpecs[0].content', 'is required');
		});

		it('rejects both', () => {
			rejects(() => prepare(spec({ signature: 'abc' })), 'analyzeSpecs[0]', 'has both content and signature; give only one of them');
		});

		it('sends a signature of up to 16,384 characters as it is, with no image', () => {
			const signature = 's'.repeat(16_384);
			const prepared = prepare({ features: [FACE], signature, content: null });
			assert.deepEqual(prepared, { wire: { features: [{ type: 'FACE_DETECTION' }], signature } });
			rejects(() => prepare({ features: [FACE], signature: 's'.repeat(16_385) }), 'analyzeSpecs[0].signature', 'is 16,385 characters long, at most 16,384 allowed');
			rejects(() => prepare({ features: [FACE], signature: '' }), 'analyzeSpecs[0].signature', 'is empty');
			rejects(() => prepare({ features: [FACE], signature: { id: 1 } }), 'analyzeSpecs[0].signature', 'must be a string, got an object');
		});
	});

	describe('content as base64 text', () => {
		const path = 'analyzeSpecs[0].content';

		it('is sent padded, with or without padding given', () => {
			const png = paddedPngBase64();
			assert.ok(png.endsWith('='), 'the sample needs padding');
			assert.equal(prepare(spec({ content: png })).wire.content, png);
			assert.equal(prepare(spec({ content: png.replace(/=+$/, '') })).wire.content, png);
		});

		it('rejects characters outside the standard alphabet, saying where and what to do', () => {
			const at = (index: number, char: string) => PNG_BASE64.slice(0, index) + char + PNG_BASE64.slice(index + 1);
			rejects(() => prepare(spec({ content: at(10, '-') })), path, '"-" at index 10', 'URL-safe', '"+" and "/"');
			rejects(() => prepare(spec({ content: at(11, '_') })), path, '"_" at index 11', 'URL-safe');
			rejects(() => prepare(spec({ content: at(60, '\n') })), path, 'a line break at index 60', 'remove line breaks');
			rejects(() => prepare(spec({ content: at(4, ' ') })), path, 'a space at index 4');
			rejects(() => prepare(spec({ content: at(5, '*') })), path, '"*" (U+002A) at index 5, which is not base64', 'A–Z, a–z, 0–9, "+", "/"');
			rejects(() => prepare(spec({ content: at(5, '\0') })), path, '(U+0000) at index 5');
			rejects(() => prepare(spec({ content: at(8, 'é') })), path, '"é" (U+00E9) at index 8');
		});

		it('rejects a data URL, telling to send what follows the comma', () => {
			rejects(() => prepare(spec({ content: `data:image/png;base64,${PNG_BASE64}` })), path, 'data URL header "data:image/png;base64,"', 'after the comma');
		});

		it('takes "=" only as one or two characters of padding at the end', () => {
			rejects(() => prepare(spec({ content: 'QQ==QUFB' })), path, '"=" at index 2 before the end');
			rejects(() => prepare(spec({ content: 'QQ===' })), path, 'ends with 3 "=" padding characters, at most 2');
			rejects(() => prepare(spec({ content: 'QUF=' + 'QQ=' })), path, '"=" at index 3 before the end');
			rejects(() => prepare(spec({ content: 'QUFBQQ=' })), path, 'is 7 characters long with "=" padding', 'cut off');
			rejects(() => prepare(spec({ content: 'QUFBQ' })), path, 'is 5 characters long, which no base64 text can be');
		});

		it('rejects what is neither text nor bytes', () => {
			rejects(() => prepare(spec({ content: 42 })), path, 'must be the file\'s bytes (a Uint8Array or Buffer) or base64 text, got the number 42');
			rejects(() => prepare(spec({ content: [137, 80, 78, 71] })), path, 'got an array of 4');
			rejects(() => prepare(spec({ content: PNG.buffer.slice(PNG.byteOffset, PNG.byteOffset + PNG.length) })), path, 'got an ArrayBuffer (wrap it in a Uint8Array)');
			rejects(() => prepare(spec({ content: new Uint16Array(4) })), path, 'got a Uint16Array');
			rejects(() => prepare(spec({ content: { type: 'Buffer', data: [1, 2] } })), path, 'got an object');
		});
	});

	describe('content size', () => {
		const path = 'analyzeSpecs[0].content';

		it('rejects an empty file', () => {
			rejects(() => prepare(spec({ content: '' })), path, 'the file is empty (0 bytes)');
			rejects(() => prepare(spec({ content: new Uint8Array(0) })), path, 'the file is empty (0 bytes)');
		});

		it('takes a file of exactly 1 MB and rejects one byte more, as bytes and as base64', () => {
			const limit = jpeg(1000, 800, 1_048_576);
			const over = jpeg(1000, 800, 1_048_577);
			assert.equal(limit.length, 1_048_576);
			assert.equal(over.length, 1_048_577);
			assert.equal(prepare(spec({ content: limit })).image?.bytes, 1_048_576);
			assert.equal(prepare(spec({ content: limit.toString('base64') })).image?.bytes, 1_048_576);
			const message = 'the file is 1.000001 MB, the service accepts at most 1 MB (1,048,576 bytes); this one has 1,048,577 bytes';
			rejects(() => prepare(spec({ content: over })), path, message, 'compress it or scale it down');
			rejects(() => prepare(spec({ content: over.toString('base64') })), path, message);
		});

		it('gives the size in MB as a person reads it', () => {
			rejects(() => prepare(spec({ content: jpeg(1000, 800, 1_468_006) })), path, 'the file is 1.4 MB, the service accepts at most 1 MB (1,048,576 bytes)');
		});

		it('limits base64 text to 10,485,760 characters', () => {
			// At the limit the text passes this rule and fails the file size: it is a 7.5 MB file.
			rejects(() => prepare(spec({ content: 'A'.repeat(10_485_760) })), path, 'the file is 7.5 MB, the service accepts at most 1 MB');
			rejects(() => prepare(spec({ content: 'A'.repeat(10_485_761) })), path, 'is 10,485,761 characters of base64, at most 10,485,760 allowed', 'about 7.5 MB', 'at most 1 MB (1,048,576 bytes)');
		});

		it('limits bytes to what encodes in 10,485,760 characters', () => {
			rejects(() => prepare(spec({ content: Buffer.alloc(7_864_320) })), path, 'the file is 7.5 MB, the service accepts at most 1 MB');
			rejects(() => prepare(spec({ content: Buffer.alloc(7_864_321) })), path, 'which as base64 is 10,485,764 characters, more than the 10,485,760 allowed');
		});
	});

	describe('content format', () => {
		const path = 'analyzeSpecs[0].content';

		it('encodes bytes for the wire: Uint8Array, Buffer, and a view into a larger buffer', () => {
			const file = jpeg(640, 480);
			const backing = new Uint8Array(file.length + 10);
			backing.set(file, 5);
			for (const content of [new Uint8Array(file), file, backing.subarray(5, 5 + file.length)]) {
				const prepared = prepare(spec({ content }));
				assert.equal(prepared.wire.content, file.toString('base64'));
				assert.deepEqual(prepared.image, { format: 'jpeg', mimeType: 'image/jpeg', width: 640, height: 480, bytes: file.length });
			}
		});

		it('sets mimeType from the bytes when none is given', () => {
			assert.equal(prepare(spec({ content: PNG })).wire.mimeType, 'image/png');
			assert.equal(prepare(spec({ content: jpeg(2, 2) })).wire.mimeType, 'image/jpeg');
			assert.equal(prepare(spec({ content: PDF.toString('base64'), mimeType: '' })).wire.mimeType, 'application/pdf');
		});

		it('sends a PDF with no pixel check', () => {
			const prepared = prepare(spec({ content: PDF }));
			assert.deepEqual(prepared.image, { format: 'pdf', mimeType: 'application/pdf', bytes: PDF.length });
		});

		it('takes a mimeType that agrees with the bytes, in any case or with parameters, and sends the plain form', () => {
			assert.equal(prepare(spec({ mimeType: 'image/png' })).wire.mimeType, 'image/png');
			assert.equal(prepare(spec({ mimeType: ' Image/PNG; x=1' })).wire.mimeType, 'image/png');
		});

		it('rejects a mimeType that contradicts the bytes, naming what the file is', () => {
			rejects(() => prepare(spec({ content: jpeg(2, 2), mimeType: 'image/png' })), 'analyzeSpecs[0].mimeType', 'is "image/png" but the file is a JPEG image', 'set it to "image/jpeg" or leave it out');
			rejects(() => prepare(spec({ content: jpeg(2, 2), mimeType: 'image/jpg' })), 'analyzeSpecs[0].mimeType', 'set it to "image/jpeg"');
			rejects(() => prepare(spec({ content: PDF, mimeType: 'image/png' })), 'analyzeSpecs[0].mimeType', 'the file is a PDF document', '"application/pdf"');
		});

		it('limits mimeType to 255 characters', () => {
			const type = 'x'.repeat(255);
			assert.equal(prepare({ features: [FACE], signature: 's', mimeType: type }).wire.mimeType, type);
			rejects(() => prepare({ features: [FACE], signature: 's', mimeType: 'x'.repeat(256) }), 'analyzeSpecs[0].mimeType', 'is 256 characters long, at most 255 allowed');
			rejects(() => prepare(spec({ mimeType: 'x'.repeat(256) })), 'analyzeSpecs[0].mimeType', 'at most 255 allowed');
			rejects(() => prepare(spec({ mimeType: 7 })), 'analyzeSpecs[0].mimeType', 'must be a string');
		});

		it('names the format of a file that is not JPEG, PNG or PDF, whatever mimeType says', () => {
			const gif = Buffer.from('GIF89a\x01\0\x01\0\0\0\0;', 'latin1');
			rejects(() => prepare(spec({ content: gif, mimeType: 'image/png' })), path, 'the file is a GIF image; the service accepts only JPEG, PNG and PDF — convert it first');
			rejects(() => prepare(spec({ content: Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1') })), path, 'the file is a WebP image');
			rejects(() => prepare(spec({ content: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) })), path, 'the file is not a JPEG, PNG or PDF (it starts with the bytes 00 01 02 03 04 05 06 07)');
		});

		it('recognizes a file that was base64-encoded twice', () => {
			rejects(() => prepare(spec({ content: Buffer.from(PNG_BASE64) })), path, 'base64-encoded twice');
			rejects(() => prepare(spec({ content: Buffer.from(PNG_BASE64).toString('base64') })), path, 'base64-encoded twice');
		});

		it('says "truncated or corrupt" for a JPEG or PNG with a broken header', () => {
			const cutJpeg = jpeg(100, 100).subarray(0, 30_000);
			rejects(() => prepare(spec({ content: cutJpeg })), path, 'the file is a truncated or corrupt JPEG: it ends after 30,000 bytes', 'export it again');
			rejects(() => prepare(spec({ content: cutJpeg.toString('base64') })), path, 'the file is a truncated or corrupt JPEG');
			rejects(() => prepare(spec({ content: PNG.subarray(0, 20) })), path, 'the file is a truncated or corrupt PNG: it ends after 20 bytes');
		});
	});

	describe('pixels', () => {
		const path = 'analyzeSpecs[0].content';

		it('takes 20,000,000 pixels and rejects one more', () => {
			assert.deepEqual(prepare(spec({ content: pngHeader(5000, 4000) })).image, { format: 'png', mimeType: 'image/png', width: 5000, height: 4000, bytes: 33 });
			assert.equal(prepare(spec({ content: pngHeader(20_000_000, 1) })).image?.width, 20_000_000);
			rejects(() => prepare(spec({ content: pngHeader(20_000_001, 1) })), path, 'the image is 20000001×1 = 20.000001 MP, the service accepts at most 20 MP (20,000,000 pixels); scale it down');
		});

		it('states the size in megapixels', () => {
			rejects(() => prepare(spec({ content: pngHeader(4000, 6000) })), path, 'the image is 4000×6000 = 24 MP, the service accepts at most 20 MP');
			assert.equal(prepare(spec({ content: jpeg(5000, 4000) })).image?.height, 4000);
			rejects(() => prepare(spec({ content: jpeg(5000, 4001).toString('base64') })), path, '5000×4001 = 20.005 MP');
		});
	});

	describe('untyped input', () => {
		const odd: unknown[] = [undefined, null, 0, -1, 1.5, Number.NaN, true, '', 'x', [], [null], [[]], {}, { length: 3 }, Object.create(null), new Uint8Array(0), Symbol('s'), () => 1, 10n, new Date(0)];

		const show = (value: unknown) => {
			try {
				return String(value);
			} catch {
				return Object.prototype.toString.call(value);
			}
		};

		/** Every path to a value inside `value`, the root included. */
		function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
			const found = [prefix];
			if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
				for (const [key, child] of Object.entries(value)) found.push(...paths(child, [...prefix, Array.isArray(value) ? Number(key) : key]));
			}
			return found;
		}

		function replaced(template: unknown, path: (string | number)[], value: unknown): unknown {
			if (path.length === 0) return value;
			const copy = (Array.isArray(template) ? [...template] : { ...(template as object) }) as Record<string | number, unknown>;
			copy[path[0]!] = replaced(copy[path[0]!], path.slice(1), value);
			return copy;
		}

		it('answers any value anywhere in a request with a validation error or a result, never a crash', () => {
			const template = {
				analyzeSpecs: [
					{ features: [TEXT, { type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }], mimeType: 'image/png', content: PNG_BASE64 },
					{ features: [FACE], content: jpeg(4, 4) },
					{ features: [FACE], signature: 'sig' },
				],
				folderId: 'b1g',
			};
			let checked = 0;
			for (const path of paths(template)) {
				for (const value of odd) {
					try {
						request(replaced(template, path, value));
					} catch (err) {
						if (!(err instanceof VisionError && err.kind === 'validation')) {
							assert.fail(`${path.join('.')} = ${show(value)}: ${err instanceof Error ? err.stack : show(err)}`);
						}
					}
					checked++;
				}
			}
			assert.ok(checked > 400, `only ${checked} cases`);
		});

		it('treats holes in arrays as missing values', () => {
			rejects(() => prepare(spec({ features: [FACE, , FACE] })), 'analyzeSpecs[0].features[1]', 'got nothing');
		});
	});

	it('validates and encodes 8 files of 1 MB in a few tens of milliseconds', () => {
		const files = Array.from({ length: 8 }, (_, i) => jpeg(4000 + i, 3000, 1_048_576));
		const asBytes = { analyzeSpecs: files.map(content => spec({ content })) };
		const asText = { analyzeSpecs: files.map(file => spec({ content: file.toString('base64') })) };
		const fastest = (run: () => void) => {
			let best = Infinity;
			for (let i = 0; i < 5; i++) {
				const started = performance.now();
				run();
				best = Math.min(best, performance.now() - started);
			}
			return best;
		};
		const bytesMs = fastest(() => request(asBytes));
		const textMs = fastest(() => request(asText));
		assert.ok(bytesMs < 60, `bytes: ${bytesMs.toFixed(1)} ms`);
		assert.ok(textMs < 60, `base64 text: ${textMs.toFixed(1)} ms`);
		assert.deepEqual(request(asText).images.map(image => image?.width), [4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007]);
	});
});

describe('base64 arithmetic', () => {
	it('gets the decoded length from the text alone, padded or not', () => {
		for (let n = 0; n <= 10; n++) {
			const text = Buffer.alloc(n, 0xab).toString('base64');
			assert.equal(decodedLength(text), n);
			assert.equal(decodedLength(text.replace(/=+$/, '')), n);
			assert.equal(encodedLength(n), text.length);
			assert.equal(withPadding(text.replace(/=+$/, '')), text);
		}
	});

	it('keeps LIMITS as the service documents them', () => {
		assert.deepEqual(LIMITS, {
			specs: 8, features: 8, languageCodes: 8, languageCodeChars: 3, textModelChars: 50,
			classificationModelChars: 256, mimeTypeChars: 255, contentChars: 10_485_760, signatureChars: 16_384,
			folderIdChars: 50, fileBytes: 1_048_576, pixels: 20_000_000,
		});
	});
});

/** A PNG whose base64 needs padding. */
function paddedPngBase64(): string {
	for (let width = 1; ; width++) {
		const text = png(width, 2).toString('base64');
		if (text.endsWith('=')) return text;
	}
}
