/**
 * Tables as text (src/results/tables.ts) and the OCR API's document fields and Markdown
 * (src/results/documents.ts), from the recorded `table`, `passport` and `math-markdown` answers.
 */
import * as assert from 'node:assert/strict';
import { fieldsJson, isDocumentModel, pagesMarkdown } from '../../src/results/documents';
import { cellsIn, csvField, formatTable, rangeBetween, tableGrid, tableRows, tsvField } from '../../src/results/tables';
import type { Table } from '../../src/results/types';
import { recordingOf } from '../support/fixtures';
import { pageOfRecording } from '../support/ocrPage';

const tablePage = pageOfRecording(recordingOf('table-merged.png').ocr!.table[0]);
const table = tablePage.tables![0];

describe('tables as text', () => {
	it('reads the recording as the model: 5 × 4, 18 cells, one spanning two columns and one two rows', () => {
		assert.equal(table.rowCount, 5);
		assert.equal(table.columnCount, 4);
		assert.equal(table.cells.length, 18);
		assert.deepEqual(table.cells.filter(c => c.columnSpan > 1).map(c => c.text), ['Весь день, 9:00–18:00']);
		assert.deepEqual(table.cells.filter(c => c.rowSpan > 1).map(c => c.text), ['Заречье']);
		assert.ok(tablePage.blocks.every(b => b.lines.every(l => l.words.every(w => w.confidence === undefined && w.languages === undefined))));
		assert.equal(tablePage.blocks[0].layoutType, 'sectionHeader');
	});

	it('maps every grid position to the cell covering it', () => {
		const grid = tableGrid(table);
		const text = (r: number, c: number) => table.cells[grid[r][c]].text;
		assert.equal(text(2, 1), 'Весь день, 9:00–18:00');
		assert.equal(text(2, 2), 'Весь день, 9:00–18:00');
		assert.equal(text(4, 0), 'Заречье');
		assert.ok(grid.every(row => row.every(i => i >= 0)), 'no position is left without a cell');
	});

	it('writes a merged cell once, in its first position, the rest empty', () => {
		const rows = tableRows(table);
		assert.deepEqual(rows[2], ['Северный', 'Весь день, 9:00–18:00', '', 'Нет доставки']);
		assert.deepEqual(rows[4], ['', '17:00–20:00', '—', '17:00–20:00']);
	});

	it('writes the whole table as a GitHub table with row 0 as its header', () => {
		assert.equal(formatTable(table, 'markdown'), [
			'| Район | Понедельник | Среда | Пятница |',
			'| --- | --- | --- | --- |',
			'| Центр | 9:00–12:00 | 14:00–18:00 | 9:00–12:00 |',
			'| Северный | Весь день, 9:00–18:00 |  | Нет доставки |',
			'| Заречье | 8:00–10:00 | 8:00–10:00 | 8:00–10:00 |',
			'|  | 17:00–20:00 | — | 17:00–20:00 |',
			'',
		].join('\n'));
	});

	it('grows a selected rectangle to hold whole merged cells', () => {
		const grid = tableGrid(table);
		// From Среда in row 2 (inside the two-column cell) down to row 3: columns 1–2.
		assert.deepEqual(rangeBetween(grid, table.cells, { row: 2, column: 2 }, { row: 3, column: 2 }), { top: 2, left: 1, bottom: 3, right: 2 });
		// Row 4, column 0 is Заречье's second row: the range reaches up to row 3.
		assert.deepEqual(rangeBetween(grid, table.cells, { row: 4, column: 0 }, { row: 4, column: 1 }), { top: 3, left: 0, bottom: 4, right: 1 });
		assert.equal(cellsIn(grid, { top: 3, left: 0, bottom: 4, right: 1 }).length, 3);
	});

	it('escapes pipes, Markdown and HTML in a Markdown cell, and turns line breaks into <br>', () => {
		const hostile: Table = {
			boundingBox: { vertices: [] }, rowCount: 2, columnCount: 2, cells: [
				{ boundingBox: { vertices: [] }, rowIndex: 0, columnIndex: 0, rowSpan: 1, columnSpan: 1, text: 'a|b' },
				{ boundingBox: { vertices: [] }, rowIndex: 0, columnIndex: 1, rowSpan: 1, columnSpan: 1, text: '<img src=x onerror=alert(1)>' },
				{ boundingBox: { vertices: [] }, rowIndex: 1, columnIndex: 0, rowSpan: 1, columnSpan: 1, text: 'line 1\nline 2' },
				{ boundingBox: { vertices: [] }, rowIndex: 1, columnIndex: 1, rowSpan: 0, columnSpan: 0, text: '*$x$* [l](javascript:1)' },
			],
		};
		assert.equal(formatTable(hostile, 'markdown'), [
			'| a\\|b | \\<img src=x onerror=alert(1)\\> |',
			'| --- | --- |',
			'| line 1<br>line 2 | \\*\\$x\\$\\* \\[l\\](javascript:1) |',
			'',
		].join('\n'));
	});

	it('writes CSV per RFC 4180, with CRLF, quotes doubled and formulas defused', () => {
		assert.equal(csvField('plain'), 'plain');
		assert.equal(csvField('a,b'), '"a,b"');
		assert.equal(csvField('say "hi"'), '"say ""hi"""');
		assert.equal(csvField('two\nlines'), '"two\nlines"');
		for (const formula of ['=1+1', '+7', '-2', '@SUM(A1)']) assert.equal(csvField(formula), `"'${formula}"`);
		const grid = tableGrid(table);
		const range = rangeBetween(grid, table.cells, { row: 2, column: 0 }, { row: 2, column: 3 });
		assert.equal(formatTable(table, 'csv', range), 'Северный,"Весь день, 9:00–18:00",,Нет доставки\r\n');
		assert.equal(formatTable(table, 'csv').split('\r\n').length, 6);
	});

	it('writes TSV with tabs and line breaks inside cells turned into spaces', () => {
		assert.equal(tsvField('a\tb\nc\r\nd'), 'a b c d');
		assert.equal(tsvField('=HYPERLINK("x")'), '\'=HYPERLINK("x")');
		assert.equal(formatTable(table, 'tsv', { top: 0, left: 0, bottom: 1, right: 1 }), 'Район\tПонедельник\nЦентр\t9:00–12:00\n');
	});
});

describe('document fields and Markdown pages', () => {
	it('knows the document models', () => {
		assert.ok(isDocumentModel('passport'));
		assert.ok(isDocumentModel('vehicle-registration-back'));
		assert.ok(!isDocumentModel('page'));
		assert.ok(!isDocumentModel(undefined));
	});

	it('copies the passport fields as a JSON object of name → text', () => {
		const passport = pageOfRecording(recordingOf('passport-form.png').ocr!.passport[0]);
		const fields = JSON.parse(fieldsJson(passport.entities)) as Record<string, string>;
		assert.equal(fields.surname, 'СОКОЛОВА');
		assert.equal(fields.name, 'МАРИНА');
		assert.equal(Object.keys(fields).length, passport.entities.length);
		assert.match(fieldsJson(passport.entities), /^\{\n {2}"name": "МАРИНА",\n/);
	});

	it('keeps repeated names and a `__proto__` name as data', () => {
		const json = fieldsJson([{ name: 'plate', text: 'A1' }, { name: 'plate', text: 'B2' }, { name: '__proto__', text: 'x' }]);
		assert.deepEqual(JSON.parse(json), JSON.parse('{"plate":["A1","B2"],"__proto__":"x"}'));
	});

	it('joins pages\' Markdown with a thematic break, and has none for pages without', () => {
		const page = pageOfRecording(recordingOf('formula-page.png').ocr!['math-markdown'][0]);
		const one = pagesMarkdown({ pages: [page], engine: 'ocr-api' });
		assert.equal(one, page.markdown);
		assert.equal(pagesMarkdown({ pages: [page, page] }), `${page.markdown!.trimEnd()}\n\n---\n\n${page.markdown}`);
		assert.equal(pagesMarkdown({ pages: [tablePage] }), undefined);
	});
});
