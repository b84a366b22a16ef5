import * as assert from 'node:assert/strict';
import {
	batchToCsv,
	batchToJsonLines,
	batchToMarkdown,
	CSV_HEADER,
	csvText,
	exportFileName,
	type BatchRecord,
	type ResultReader,
} from '../../src/export/batchFormats';
import type { BatchItem, BatchRun, BatchStatus } from '../../src/folderRuns/types';
import type { CachedResult } from '../../src/cache/resultCache';
import type { FeatureView } from '../../src/shared/protocol';
import { textAnnotation } from '../support/textAnnotation';

/** Lines at 0.875, words at 0.9: the CSV's confidence is the line's. */
function textResult(pages: string[][][][], extra: Partial<CachedResult> = {}): CachedResult {
	const feature: FeatureView = { type: 'TEXT_DETECTION', model: 'page', result: { textDetection: textAnnotation(pages, 0.875) } };
	return { features: [feature], requestId: 'req-1', analyzedAt: '2025-05-01T10:01:00.000Z', ...extra };
}

function item(label: string, status: BatchStatus, extra: Partial<BatchItem> = {}): BatchItem {
	return { uri: `file:///work/${encodeURI(label)}`, label, status, ...extra };
}

function run(items: BatchItem[]): BatchRun {
	return { id: 1, title: 'scans', kinds: ['text'], startedAt: '2025-05-01T10:00:00.000Z', finishedAt: '2025-05-01T10:02:00.000Z', cancelled: false, items };
}

function reader(results: Record<string, CachedResult>): ResultReader {
	return async key => results[key];
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
	let text = '';
	for await (const chunk of chunks) text += chunk;
	return text;
}

/** RFC 4180 as a spreadsheet reads it: quoted fields may hold separators, quotes and line breaks. */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') {
				quoted = false;
			} else {
				field += c;
			}
		} else if (c === '"') {
			quoted = true;
		} else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i++;
		} else {
			field += c;
		}
	}
	assert.equal(field + row.join(''), '', 'the file ends with a complete row');
	return rows;
}

/** A batch with every case: text on two pages, a failure, an evicted result, one still waiting, one without text. */
const BATCH = run([
	item('scans/b.png', 'failed', { error: 'scans/b.png: Error 8 RESOURCE_EXHAUSTED: quota exceeded (request ID req-9)', requestId: 'req-9' }),
	item('scans/a.png', 'done', { cacheKey: 'key-a', requestId: 'req-1' }),
	item('scans/c.png', 'cached', { cacheKey: 'key-evicted' }),
	item('scans/d.png', 'pending'),
	item('scans/e.png', 'done', { cacheKey: 'key-empty' }),
]);
const RESULTS = {
	'key-a': textResult([[[['Invoice', '42'], ['Total:', '1,200']]], [[['Page', 'two']]]], {
		fitted: {
			note: 'converted',
			original: { format: 'WEBP', width: 4000, height: 3000, bytes: 2_000_000, orientation: 1 },
			sent: { format: 'JPEG', width: 2000, height: 1500, bytes: 900_000, quality: 85 },
		},
	}),
	'key-empty': textResult([[]]),
};

describe('batch export as JSON Lines', () => {
	it('writes one valid JSON object per line, one per image, sorted by path', async () => {
		const text = await collect(batchToJsonLines(BATCH, reader(RESULTS)));
		assert.ok(text.endsWith('\n'));
		const lines = text.slice(0, -1).split('\n');
		assert.equal(lines.length, 5);
		const records = lines.map(line => JSON.parse(line) as BatchRecord);
		assert.deepEqual(records.map(r => [r.path, r.status]), [
			['scans/a.png', 'done'],
			['scans/b.png', 'failed'],
			['scans/c.png', 'missing'],
			['scans/d.png', 'pending'],
			['scans/e.png', 'done'],
		]);
	});

	it('carries the normalized result with its request id, time and fitting', async () => {
		const [first] = (await collect(batchToJsonLines(BATCH, reader(RESULTS)))).split('\n');
		const record = JSON.parse(first!) as BatchRecord;
		assert.equal(record.uri, 'file:///work/scans/a.png');
		assert.equal(record.requestId, 'req-1');
		assert.equal(record.analyzedAt, '2025-05-01T10:01:00.000Z');
		assert.equal(record.fitted?.original.format, 'WEBP');
		assert.deepEqual(record.features, RESULTS['key-a'].features);
		assert.equal(record.error, undefined);
	});

	it('keeps failed, evicted and waiting images with the reason there is no result', async () => {
		const records = (await collect(batchToJsonLines(BATCH, reader(RESULTS)))).trim().split('\n').map(line => JSON.parse(line) as BatchRecord);
		const byPath = new Map(records.map(r => [r.path, r]));
		assert.equal(byPath.get('scans/b.png')?.error, 'scans/b.png: Error 8 RESOURCE_EXHAUSTED: quota exceeded (request ID req-9)');
		assert.equal(byPath.get('scans/b.png')?.requestId, 'req-9');
		assert.equal(byPath.get('scans/b.png')?.features, undefined);
		assert.match(byPath.get('scans/c.png')?.error ?? '', /no longer in the result cache/);
		assert.match(byPath.get('scans/d.png')?.error ?? '', /Not analyzed yet/);
	});

	it('keeps each record on one line whatever the recognized text holds', async () => {
		const tricky = run([item('x.png', 'done', { cacheKey: 'k' })]);
		const text = await collect(batchToJsonLines(tricky, reader({ k: textResult([[[['line\nbreak', 'tab\there', 'sep\u2028x', '"quoted"']]]]) })));
		assert.equal(text.split('\n').length, 2);
		const record = JSON.parse(text) as BatchRecord;
		assert.equal(record.features?.[0]?.result.textDetection?.pages[0]?.blocks[0]?.lines[0]?.words[0]?.text, 'line\nbreak');
	});

	it('reports a result the cache cannot read instead of dropping the image', async () => {
		const broken = run([item('x.png', 'done', { cacheKey: 'k' })]);
		const text = await collect(batchToJsonLines(broken, async () => {
			throw new Error('EACCES: permission denied');
		}));
		const record = JSON.parse(text) as BatchRecord;
		assert.equal(record.status, 'missing');
		assert.match(record.error ?? '', /EACCES: permission denied/);
	});
});

describe('batch export as CSV', () => {
	it('starts with a byte order mark and the header, and ends every row with CRLF', async () => {
		const text = await collect(batchToCsv(BATCH, reader(RESULTS)));
		assert.ok(text.startsWith(`\uFEFF${CSV_HEADER.join(',')}\r\n`));
		assert.deepEqual([...CSV_HEADER], ['path', 'page', 'block', 'line', 'text', 'confidence', 'status', 'note']);
		assert.ok(text.endsWith('\r\n'));
	});

	it('writes one row per recognized line, numbered from 1, across pages', async () => {
		const rows = parseCsv((await collect(batchToCsv(BATCH, reader(RESULTS)))).slice(1));
		const a = rows.filter(row => row[0] === 'scans/a.png');
		assert.deepEqual(a, [
			['scans/a.png', '1', '1', '1', 'Invoice 42', '0.875', 'done', ''],
			['scans/a.png', '1', '1', '2', 'Total: 1,200', '0.875', 'done', ''],
			['scans/a.png', '2', '1', '1', 'Page two', '0.875', 'done', ''],
		]);
	});

	it('lists failed, evicted, waiting and textless images in a row with the reason', async () => {
		const rows = parseCsv((await collect(batchToCsv(BATCH, reader(RESULTS)))).slice(1)).slice(1);
		const noted = rows.filter(row => row[0] !== 'scans/a.png').map(row => [row[0], row[4], row[6], row[7]]);
		assert.deepEqual(noted.map(row => row.slice(0, 3)), [
			['scans/b.png', '', 'failed'],
			['scans/c.png', '', 'missing'],
			['scans/d.png', '', 'pending'],
			['scans/e.png', '', 'done'],
		]);
		assert.match(noted[0]![3]!, /RESOURCE_EXHAUSTED: quota exceeded/);
		assert.match(noted[1]![3]!, /no longer in the result cache/);
		assert.match(noted[2]![3]!, /Not analyzed yet/);
		assert.equal(noted[3]![3], 'No text found');
	});

	it('quotes commas, quotes and line breaks so that every value stays in its cell', async () => {
		const tricky = run([item('a, "b"\nc.png', 'done', { cacheKey: 'k' })]);
		const text = await collect(batchToCsv(tricky, reader({ k: textResult([[[['say', '"hi",', 'then\r\nleave;']]]]) })));
		const rows = parseCsv(text.slice(1));
		assert.equal(rows.length, 2);
		assert.equal(rows[1]![0], 'a, "b"\nc.png');
		assert.equal(rows[1]![4], 'say "hi", then\r\nleave;');
		assert.equal(rows[1]!.length, CSV_HEADER.length);
	});

	it('guards text starting like a formula so that a spreadsheet shows it instead of running it', async () => {
		const words = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3', '@SUM(A1)', '\tTab'];
		const tricky = run([item('=cmd.png', 'done', { cacheKey: 'k' })]);
		const result = textResult([[words.map(word => [word])]]);
		const rows = parseCsv((await collect(batchToCsv(tricky, reader({ k: result })))).slice(1)).slice(1);
		assert.deepEqual(rows.map(row => row[4]), words.map(word => `'${word}`));
		assert.equal(rows[0]![0], "'=cmd.png");
		for (const row of rows) assert.ok(!/^[=+\-@\t\r]/.test(row[4]!));
	});

	it('leaves ordinary text as it is', () => {
		assert.equal(csvText('Итого 1200 руб.'), 'Итого 1200 руб.');
		assert.equal(csvText(''), '');
		assert.equal(csvText('a-b=c'), 'a-b=c');
		assert.equal(csvText('a,b'), '"a,b"');
		assert.equal(csvText('-5'), '"\'-5"');
	});
});

describe('batch export as Markdown', () => {
	it('gives each image a heading, its text, and the reason when there is no result', async () => {
		const text = await collect(batchToMarkdown(BATCH, reader(RESULTS)));
		assert.match(text, /^Results of scans, started 2025-05-01T10:00:00\.000Z\\\n5 images: 2 done, 1 from cache, 1 failed\n/);
		const headings = [...text.matchAll(/^# (.*)$/gm)].map(m => m[1]);
		assert.deepEqual(headings, ['scans/a.png', 'scans/b.png', 'scans/c.png', 'scans/d.png', 'scans/e.png']);
		assert.match(text, /Invoice 42\\\nTotal: 1,200\n\n---\n\nPage two/);
		assert.match(text, /# scans\/b\.png\n\n> \*\*The image could not be analyzed\*\*\\\n> scans\/b\.png: Error 8 RESOURCE\\_EXHAUSTED: quota exceeded/);
		assert.match(text, /# scans\/c\.png\n\n> The result is no longer in the result cache/);
		assert.match(text, /# scans\/e\.png[\s\S]*_No text found_/);
	});

	it('shows a file name and a failure as text, never as markup', async () => {
		const tricky = run([item('<img src=x onerror=alert(1)>.png', 'failed', { error: '[click](javascript:alert(1)) **now**' })]);
		const text = await collect(batchToMarkdown(tricky, reader({})));
		const fromData = text.split('\n').filter(line => line.includes('img') || line.includes('click'));
		assert.equal(fromData.length, 2);
		for (const line of fromData) assert.doesNotMatch(line, /(^|[^\\])[<[*]/, `every <, [ and * is escaped: ${line}`);
		assert.ok(text.includes('\\<img src=x onerror=alert(1)\\>.png'));
		assert.ok(text.includes('\\[click\\](javascript:alert(1)) \\*\\*now\\*\\*'));
	});

	it('uses the translation it is given', async () => {
		const upper = (message: string, ...args: (string | number)[]) => message.toUpperCase().replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
		const text = await collect(batchToMarkdown(run([item('a.png', 'pending')]), reader({}), upper));
		assert.match(text, /NOT ANALYZED YET/);
	});
});

describe('batch export streaming', () => {
	it('produces the file image by image, reading the cache only a little ahead', async () => {
		const many = run(Array.from({ length: 200 }, (_, i) => item(`img${String(i).padStart(3, '0')}.png`, 'done', { cacheKey: `k${i}` })));
		let reads = 0;
		const read: ResultReader = async () => {
			reads++;
			return textResult([[[['word']]]]);
		};
		for (const format of [batchToJsonLines, batchToCsv, batchToMarkdown]) {
			reads = 0;
			const chunks = format(many, read);
			await chunks.next();
			await chunks.next();
			assert.ok(reads > 0 && reads <= 10, `${format.name}: ${reads} results read for the first chunks`);
			let count = 2;
			while (!(await chunks.next()).done) count++;
			assert.ok(count >= 200, `${format.name}: ${count} chunks`);
			assert.equal(reads, 200);
		}
	});
});

describe('batch export file name', () => {
	it('names the file by date and time with the format’s extension', () => {
		const when = new Date(2025, 4, 1, 9, 5);
		assert.equal(exportFileName('jsonl', when), 'yandex-vision-batch-2025-05-01-0905.jsonl');
		assert.equal(exportFileName('csv', when), 'yandex-vision-batch-2025-05-01-0905.csv');
		assert.equal(exportFileName('markdown', when), 'yandex-vision-batch-2025-05-01-0905.md');
	});
});
