/** What a panel shows when a feature is run on an image whose panel is open. */
import * as assert from 'node:assert/strict';
import { bringsText, mergeResults } from '../../src/panel/mergeResults';
import type { FeatureView, ResultsModel } from '../../src/shared/protocol';

const text = (word: string): FeatureView => ({ type: 'TEXT_DETECTION', model: 'page', result: { textDetection: { pages: [{ width: 1, height: 1, blocks: [{ boundingBox: { vertices: [] }, lines: [{ boundingBox: { vertices: [] }, words: [{ boundingBox: { vertices: [] }, text: word, entityIndex: -1 }] }] }], entities: [] }] } } });
const copies: FeatureView = { type: 'IMAGE_COPY_SEARCH', result: { imageCopySearch: { copyCount: 2, topResults: [] } } };
const faces: FeatureView = { type: 'FACE_DETECTION', result: { faceDetection: { faces: [] } } };

function model(features: FeatureView[], analyzedAt: string, requestId: string, extra: Partial<ResultsModel> = {}): ResultsModel {
	return { imageUri: 'file:///a.png', imageLabel: 'a.png', features, analyzedAt, requestId, ...extra };
}

describe('a panel gathering the features run on its image', () => {
	it('adds a new feature after those shown, each with when and by which request it was analyzed', () => {
		const merged = mergeResults(model([text('one')], '2026-01-01T00:00:00Z', 'r1'), model([copies], '2026-01-01T00:01:00Z', 'r2'));
		assert.deepEqual(merged.features.map(f => [f.type, f.analyzedAt, f.requestId]), [
			['TEXT_DETECTION', '2026-01-01T00:00:00Z', 'r1'],
			['IMAGE_COPY_SEARCH', '2026-01-01T00:01:00Z', 'r2'],
		]);
		assert.equal(merged.analyzedAt, '2026-01-01T00:01:00Z');
	});

	it('replaces a feature run again in its place, keeping the others as they were', () => {
		const shown = mergeResults(model([text('one'), faces], 't1', 'r1'), model([copies], 't2', 'r2'));
		const merged = mergeResults(shown, model([text('two')], 't3', 'r3'));
		assert.deepEqual(merged.features.map(f => [f.type, f.analyzedAt]), [['TEXT_DETECTION', 't3'], ['FACE_DETECTION', 't1'], ['IMAGE_COPY_SEARCH', 't2']]);
		assert.equal(merged.features[0]!.result.textDetection!.pages[0]!.blocks[0]!.lines[0]!.words[0]!.text, 'two');
	});

	it('keeps what was shown when the whole image failed this time, beside the error', () => {
		const error = { code: 3, message: 'Image too big', details: [] };
		const merged = mergeResults(model([text('one')], 't1', 'r1'), model([], 't2', 'r2', { imageError: error }));
		assert.deepEqual(merged.features.map(f => f.type), ['TEXT_DETECTION']);
		assert.deepEqual(merged.imageError, error);
	});

	it('tells whether the new results bring text of their own', () => {
		assert.equal(bringsText(model([copies], 't', 'r')), false);
		assert.equal(bringsText(model([copies, text('x')], 't', 'r')), true);
	});
});
