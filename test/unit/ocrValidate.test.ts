/** Every limit of recognizeText is checked before anything is sent, with a message that says what to change. */
import * as assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { prepareRecognizeText, OCR_LIMITS } from '../../src/api/ocr/limits';
import type { RecognizeTextRequest } from '../../src/api/ocr/types';
import { VisionError } from '../../src/api/transport/errors';
import { FIXTURES_DIR } from '../support/fixtures';
import { pngChunk, pngHeader } from '../support/pngBytes';

function png(width: number, height: number, pad = 0): Buffer {
	const pixels = width * height < 1e6 ? deflateSync(Buffer.alloc((1 + width * 3) * height)) : Buffer.alloc(16);
	return Buffer.concat([pngHeader(width, height), pngChunk('IDAT', pixels), pad > 0 ? pngChunk('teXt', Buffer.alloc(pad, 0x41)) : Buffer.alloc(0), pngChunk('IEND', new Uint8Array(0))]);
}

const PNG = png(3, 2);

function rejects(request: unknown, field: string, ...parts: (string | RegExp)[]): void {
	assert.throws(() => prepareRecognizeText(request as RecognizeTextRequest), (err: unknown) => {
		assert.ok(err instanceof VisionError, String(err));
		assert.equal(err.kind, 'validation');
		assert.equal(err.code, 3);
		assert.equal(err.path, field, err.message);
		for (const part of parts) {
			if (typeof part === 'string') assert.ok(err.message.includes(part), `${err.message}\n  should contain: ${part}`);
			else assert.match(err.message, part);
		}
		return true;
	});
}

describe('recognizeText request checks', () => {
	it('builds the body: the format the bytes have, the model (page by default), the languages as given', () => {
		const prepared = prepareRecognizeText({ content: PNG, languageCodes: ['ru', 'en'] });
		assert.deepEqual(prepared.wire, { mimeType: 'PNG', languageCodes: ['ru', 'en'], model: 'page' });
		assert.equal(prepared.encode(), PNG.toString('base64'));
		assert.deepEqual(prepareRecognizeText({ content: PNG.toString('base64'), model: 'table', mimeType: 'image/png', languageCodes: ['ru'] }).wire, { mimeType: 'PNG', languageCodes: ['ru'], model: 'table' });
		rejects({ content: PNG }, 'languageCodes', 'is required: give 1 to 8');
		const pdf = readFileSync(path.join(FIXTURES_DIR, 'two-pages.pdf'));
		assert.ok(pdf.length > 0);
	});

	it('takes a file of exactly 10 MB and refuses one byte more, saying the limit', () => {
		const exact = png(100, 100);
		const padded = png(100, 100, OCR_LIMITS.fileBytes - exact.length - 12);
		assert.equal(padded.length, OCR_LIMITS.fileBytes);
		assert.doesNotThrow(() => prepareRecognizeText({ content: padded, languageCodes: ['ru'] }));
		const over = png(100, 100, OCR_LIMITS.fileBytes - exact.length - 11);
		rejects({ content: over, languageCodes: ['ru'] }, 'content', 'the file is 10.000001 MB, the service accepts at most 10 MB (10,485,760 bytes)');
		rejects({ content: over.toString('base64'), languageCodes: ['ru'] }, 'content', 'at most 10 MB (10,485,760 bytes)');
	});

	it('refuses more than 20 megapixels, and takes 20 exactly', () => {
		assert.doesNotThrow(() => prepareRecognizeText({ content: png(5000, 4000), languageCodes: ['ru'] }));
		rejects({ content: png(5000, 4001), languageCodes: ['ru'] }, 'content', '5000×4001 = 20.005 MP, the OCR API accepts at most 20 MP', 'scale it down');
	});

	it('sniffs the format: JPEG, PNG and PDF only, whatever the file is called or declared', () => {
		rejects({ content: Buffer.from('GIF89a\x01\x00\x01\x00'), languageCodes: ['ru'] }, 'content', 'the file is a GIF image', 'convert it first');
		rejects({ content: Buffer.from('hello, world'), languageCodes: ['ru'] }, 'content', 'not a JPEG, PNG or PDF');
		rejects({ content: Buffer.alloc(0), languageCodes: ['ru'] }, 'content', 'empty (0 bytes)');
		rejects({ content: PNG, mimeType: 'image/jpeg', languageCodes: ['ru'] }, 'mimeType', 'is "image/jpeg" but the file is a PNG image');
		assert.doesNotThrow(() => prepareRecognizeText({ content: PNG, mimeType: 'PNG', languageCodes: ['ru'] }));
		assert.doesNotThrow(() => prepareRecognizeText({ content: PNG, mimeType: 'image', languageCodes: ['ru'] }));
	});

	it('refuses a PDF of more than one page, pointing to the asynchronous call', () => {
		const pdf = readFileSync(path.join(FIXTURES_DIR, 'two-pages.pdf'));
		rejects({ content: pdf, languageCodes: ['ru'] }, 'content', 'the PDF has 2 pages', 'reads 1 page per request', 'recognizeTextAsync');
	});

	it('takes a model name of up to 50 characters, known or not, and refuses a longer one', () => {
		assert.equal(prepareRecognizeText({ content: PNG, model: 'x'.repeat(50), languageCodes: ['ru'] }).model, 'x'.repeat(50));
		rejects({ content: PNG, model: 'x'.repeat(51), languageCodes: ['ru'] }, 'model', '51 characters long, at most 50 allowed');
		assert.equal(prepareRecognizeText({ content: PNG, model: '', languageCodes: ['ru'] }).model, 'page');
	});

	it('takes 1 to 8 languages or "*" alone, where the model can detect them', () => {
		assert.deepEqual(prepareRecognizeText({ content: PNG, languageCodes: ['*'] }).wire.languageCodes, ['*']);
		rejects({ content: PNG, languageCodes: [] }, 'languageCodes', '0 codes given, at least 1 required');
		rejects({ content: PNG, languageCodes: ['ru', 'en', 'de', 'fr', 'it', 'es', 'pt', 'pl', 'tr'] }, 'languageCodes', '9 codes given, at most 8 allowed');
		rejects({ content: PNG, languageCodes: ['russian'] }, 'languageCodes[0]', 'at most 3 allowed');
		rejects({ content: PNG, languageCodes: ['*', 'ru'] }, 'languageCodes', 'mixes "*" with "ru"');
		rejects({ content: PNG, languageCodes: ['*'], model: 'handwritten' }, 'languageCodes', '"*" (detect the language) does not work with the handwritten model', 'among ru, en');
		rejects({ content: PNG, languageCodes: ['*'], model: 'license-plates' }, 'languageCodes', 'license-plates');
		rejects({ content: PNG, languageCodes: ['ru', 'de'], model: 'handwritten' }, 'languageCodes', 'has "de", but the handwritten model reads only ru, en');
		assert.doesNotThrow(() => prepareRecognizeText({ content: PNG, languageCodes: ['*'], model: 'passport' }));
	});

	it('refuses fields the service does not know, naming the one meant', () => {
		rejects({ content: PNG, language_codes: ['ru'], languageCodes: ['ru'] }, 'language_codes', 'did you mean languageCodes?');
		rejects({ content: PNG, folderId: 'b1g', languageCodes: ['ru'] }, 'folderId', 'is not a field of a recognizeText request');
	});
});
