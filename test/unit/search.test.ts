import * as assert from 'node:assert/strict';
import type { CachedResult, CacheEntryInfo } from '../../src/cache/resultCache';
import { buildSearchItems, currentCandidates, mapBounded, searchIndex, textCandidates, type SearchCandidate, type SearchEntry } from '../../src/search/searchItems';
import { selectionText, wordsInReadingOrder } from '../../src/results/text';
import type { TextAnnotation } from '../../src/results/types';
import { textAnnotation } from '../support/textAnnotation';

function textResult(text: TextAnnotation): CachedResult {
	return { features: [{ type: 'TEXT_DETECTION', result: { textDetection: text } }], analyzedAt: '2025-05-01T10:00:00.000Z' };
}

const INVOICE = textAnnotation([[
	[['Счёт', '№', '42'], ['от', '1', 'мая']],
	[['', 'Итого:', ' ', '1 200', 'руб.']],
]]);
const TWO_PAGES = textAnnotation([[[['first', 'page']]], [[['second'], ['page', 'end']]]]);

describe('search items', () => {
	const entries: SearchEntry[] = [
		{ uri: 'file:///work/invoice.png', key: 'k1', label: 'invoice.png' },
		{ uri: 'file:///work/docs/report.pdf', key: 'k2', label: 'docs/report.pdf' },
	];
	const results = new Map([['k1', textResult(INVOICE)], ['k2', textResult(TWO_PAGES)]]);

	it('lists every recognized line with its text and file, in reading order', () => {
		const items = buildSearchItems(entries, results);
		assert.deepEqual(items.map(i => [i.label, i.description]), [
			['Счёт № 42', 'invoice.png'],
			['от 1 мая', 'invoice.png'],
			['Итого: 1 200 руб.', 'invoice.png'],
			['first page', 'docs/report.pdf'],
			['second', 'docs/report.pdf'],
			['page end', 'docs/report.pdf'],
		]);
	});

	it('selects exactly the line’s words, by the indexes the results panel uses', () => {
		const items = buildSearchItems(entries, results);
		for (const item of items) {
			const text = item.key === 'k1' ? INVOICE : TWO_PAGES;
			assert.equal(selectionText(text, item.selection), item.label);
		}
		assert.deepEqual(items.map(i => i.selection), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 1], [2], [3, 4]]);
		// Empty words are not counted, as in the panel: "Итого:" is word 6, not 7.
		assert.equal(wordsInReadingOrder(INVOICE)[6]?.text, 'Итого:');
	});

	it('tells the page of a line in a document of several pages', () => {
		const items = buildSearchItems(entries, results);
		assert.deepEqual(items.map(i => [i.label, i.page, i.pageCount]), [
			['Счёт № 42', 1, 1],
			['от 1 мая', 1, 1],
			['Итого: 1 200 руб.', 1, 1],
			['first page', 1, 2],
			['second', 2, 2],
			['page end', 2, 2],
		]);
	});

	it('carries the file and the result to open', () => {
		const [first] = buildSearchItems(entries, results);
		assert.equal(first?.uri, 'file:///work/invoice.png');
		assert.equal(first?.key, 'k1');
	});

	it('offers nothing for results without text, with a failed text feature, or not read', () => {
		const noText: CachedResult = { features: [{ type: 'CLASSIFICATION', result: { classification: { properties: [] } } }], analyzedAt: '' };
		const failed: CachedResult = { features: [{ type: 'TEXT_DETECTION', result: { error: { code: 13, message: 'internal', details: [] } } }], analyzedAt: '' };
		const items = buildSearchItems([
			{ uri: 'file:///a', key: 'none', label: 'a' },
			{ uri: 'file:///b', key: 'failed', label: 'b' },
			{ uri: 'file:///c', key: 'unread', label: 'c' },
			{ uri: 'file:///d', key: 'empty', label: 'd' },
		], new Map([['none', noText], ['failed', failed], ['empty', textResult(textAnnotation([[[['', ' ']]]]))]]));
		assert.deepEqual(items, []);
	});
});

describe('narrowing a long search list as the user types', () => {
	const entries: SearchEntry[] = [
		{ uri: 'file:///work/invoice.png', key: 'k1', label: 'invoice.png' },
		{ uri: 'file:///work/docs/report.pdf', key: 'k2', label: 'docs/report.pdf' },
	];
	const items = buildSearchItems(entries, new Map([['k1', textResult(INVOICE)], ['k2', textResult(TWO_PAGES)]]));
	const index = searchIndex(items);
	const labels = (query: string, limit = 100) => index.match(query, limit).items.map(i => i.label);

	it('keeps the lines holding every typed word, in any case, in list order', () => {
		assert.deepEqual(labels('PAGE'), ['first page', 'page end']);
		assert.deepEqual(labels('итого руб'), ['Итого: 1 200 руб.']);
		assert.deepEqual(labels('СЧЁТ'), ['Счёт № 42']);
		assert.deepEqual(labels('page second'), [], 'every word, on one line');
	});

	it('finds a file by its path too, as the quick pick does with descriptions', () => {
		assert.deepEqual(labels('report end'), ['page end']);
		assert.deepEqual(labels('invoice.png'), ['Счёт № 42', 'от 1 мая', 'Итого: 1 200 руб.']);
	});

	it('shows at most the limit, and says how many matched', () => {
		assert.deepEqual(index.match('', 2), { items: items.slice(0, 2), matched: 6 });
		const some = index.match('page', 1);
		assert.deepEqual([some.items.map(i => i.label), some.matched], [['first page'], 2]);
		assert.deepEqual(index.match('nothing like it', 10), { items: [], matched: 0 });
	});

	it('over 200,000 lines, counts every match and hands over only the first ones', () => {
		const many = Array.from({ length: 200_000 }, (_, i) => ({ ...items[i % items.length]!, label: `line ${i} ${items[i % items.length]!.label}` }));
		const found = searchIndex(many).match('LINE 19999', 5);
		// Every number holding 19999: 19999, 119999 and 199990–199999.
		assert.equal(found.matched, 12);
		assert.deepEqual(found.items.map(item => item.label.split(' ')[1]), ['19999', '119999', '199990', '199991', '199992']);
	});

});

describe('search candidates', () => {
	const entry = (key: string, types: CacheEntryInfo['types'], files: CacheEntryInfo['files'], lastUsed = 1): CacheEntryInfo => ({ key, types, files, lastUsed, bytes: 100 });

	it('takes the workspace’s files of results with recognized text', () => {
		const candidates = textCandidates([
			entry('text', ['TEXT_DETECTION', 'CLASSIFICATION'], [
				{ uri: 'file:///work/a.png', size: 10, mtime: 100 },
				{ uri: 'file:///elsewhere/a.png', size: 10, mtime: 100 },
			]),
			entry('faces', ['FACE_DETECTION'], [{ uri: 'file:///work/b.png', size: 20, mtime: 200 }]),
		], uri => uri.startsWith('file:///work/'));
		assert.deepEqual(candidates, [{ uri: 'file:///work/a.png', key: 'text', size: 10, mtime: 100, lastUsed: 1 }]);
	});

	it('drops files changed or deleted since they were analyzed', () => {
		const candidates: SearchCandidate[] = [
			{ uri: 'file:///same', key: 'k1', size: 10, mtime: 100, lastUsed: 1 },
			{ uri: 'file:///edited', key: 'k2', size: 10, mtime: 100, lastUsed: 1 },
			{ uri: 'file:///resized', key: 'k3', size: 10, mtime: 100, lastUsed: 1 },
			{ uri: 'file:///deleted', key: 'k4', size: 10, mtime: 100, lastUsed: 1 },
		];
		const current = currentCandidates(candidates, new Map([
			['file:///same', { size: 10, mtime: 100 }],
			['file:///edited', { size: 10, mtime: 101 }],
			['file:///resized', { size: 11, mtime: 100 }],
			['file:///deleted', undefined],
		]));
		assert.deepEqual(current.map(c => c.uri), ['file:///same']);
	});

	it('searches one result per file: the latest used of those still matching it', () => {
		const current = currentCandidates([
			{ uri: 'file:///a', key: 'old-bytes', size: 5, mtime: 50, lastUsed: 9 },
			{ uri: 'file:///a', key: 'english', size: 10, mtime: 100, lastUsed: 2 },
			{ uri: 'file:///a', key: 'russian', size: 10, mtime: 100, lastUsed: 3 },
		], new Map([['file:///a', { size: 10, mtime: 100 }]]));
		assert.deepEqual(current.map(c => c.key), ['russian']);
	});
});

describe('bounded parallel work', () => {
	it('keeps the order of its input and never runs more than the limit at once', async () => {
		let running = 0;
		let most = 0;
		const out = await mapBounded(Array.from({ length: 50 }, (_, i) => i), 4, async i => {
			running++;
			most = Math.max(most, running);
			await new Promise(resolve => setTimeout(resolve, (i * 7) % 5));
			running--;
			return i * 2;
		});
		assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i * 2));
		assert.equal(most, 4);
	});

	it('answers an empty list for no input', async () => {
		assert.deepEqual(await mapBounded([], 4, async () => 1), []);
	});
});
