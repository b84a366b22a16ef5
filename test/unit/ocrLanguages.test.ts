/** The languages sent with an OCR API request: detected where the model can, else the ones it reads. */
import * as assert from 'node:assert/strict';
import { ocrApiLanguages } from '../../src/analysis/languages';

const settings = (ocrApi: string[], batch: string[] = ['ru', 'en']) => ({ languageCodes: batch, ocrApi: { languageCodes: ocrApi } });

describe('OCR API languages', () => {
	it('asks the service to detect them where the model can, by default', () => {
		for (const model of ['page', 'page-column-sort', 'markdown', 'math-markdown', 'passport', 'driver-license-front', 'some-new-model']) {
			assert.deepEqual(ocrApiLanguages(model, settings(['*'])), ['*'], model);
		}
		assert.deepEqual(ocrApiLanguages('page', settings([])), ['*'], 'an empty setting detects too');
	});

	it('sends the codes set instead of detecting, when the user set codes', () => {
		assert.deepEqual(ocrApiLanguages('page', settings(['de', 'en'])), ['de', 'en']);
	});

	it('for models that cannot detect, takes batchAnalyze\'s languages, kept to those the model reads', () => {
		assert.deepEqual(ocrApiLanguages('handwritten', settings(['*'], ['ru', 'en', 'de'])), ['ru', 'en']);
		assert.deepEqual(ocrApiLanguages('table', settings(['*'], ['tr'])), ['tr']);
		assert.deepEqual(ocrApiLanguages('license-plates', settings(['*'], ['ru'])), ['ru']);
	});

	it('falls back to every language the model reads when none of those set is one of them', () => {
		assert.deepEqual(ocrApiLanguages('handwritten', settings(['de'])), ['ru', 'en']);
		assert.deepEqual(ocrApiLanguages('table', settings(['*'], ['ja'])), ['ru', 'en', 'tr']);
	});
});
