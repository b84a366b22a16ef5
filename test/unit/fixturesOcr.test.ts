import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RecordedOcrAnnotation, RecordedPolygon, RecordedTextSegment, RecordedVertex, Recording } from '../emulator/recording';
import { FIXTURES_DIR } from '../support/fixtures';

/** Each OCR sample and the models it demonstrates. */
const SAMPLES: Readonly<Record<string, readonly string[]>> = {
	'two-column-article.png': ['page', 'page-column-sort'],
	'handwritten-note.png': ['handwritten', 'page'],
	'table-merged.png': ['table', 'page'],
	'formula-page.png': ['math-markdown', 'markdown', 'page'],
	'passport-form.png': ['passport', 'page'],
	'car-plate.jpg': ['license-plates', 'page'],
};
const PASSPORT_FIELDS = ['name', 'middle_name', 'surname', 'gender', 'citizenship', 'birth_date', 'birth_place', 'number', 'issued_by', 'issue_date', 'subdivision', 'expiration_date'];
/** How far a word may stick out of its line (and a line out of its block) once corners are rounded. */
const NESTING_TOLERANCE = 2;

function fixture(name: string): Buffer {
	return readFileSync(path.join(FIXTURES_DIR, name));
}

function loadRecording(image: string): Recording {
	return JSON.parse(fixture(image.replace(/\.[a-z]+$/, '.recording.json')).toString('utf8')) as Recording;
}

function onlyPage(recording: Recording, model: string): RecordedOcrAnnotation {
	const pages = recording.ocr?.[model] ?? [];
	assert.equal(pages.length, 1, `${recording.image} has one ${model} page`);
	return pages[0];
}

function spelled(page: RecordedOcrAnnotation, segments: readonly RecordedTextSegment[]): string {
	assert.equal(segments.length, 1, 'one text segment');
	const [{ startIndex, length }] = segments;
	assert.ok(Number.isInteger(startIndex) && Number.isInteger(length) && startIndex >= 0 && length > 0, `segment ${startIndex}+${length}`);
	assert.ok(startIndex + length <= page.fullText.length, `segment ${startIndex}+${length} is inside fullText`);
	return page.fullText.substr(startIndex, length);
}

/** How far (px) a point lies outside a counter-clockwise convex quad; 0 or less when inside. */
function distanceOutside(p: RecordedVertex, quad: readonly RecordedVertex[]): number {
	let worst = -Infinity;
	for (let i = 0; i < quad.length; i++) {
		const a = quad[i];
		const b = quad[(i + 1) % quad.length];
		const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
		worst = Math.max(worst, cross / Math.hypot(b.x - a.x, b.y - a.y));
	}
	return worst;
}

function assertInside(inner: RecordedPolygon, outer: RecordedPolygon, what: string): void {
	for (const vertex of inner.vertices) {
		const outside = distanceOutside(vertex, outer.vertices);
		assert.ok(outside <= NESTING_TOLERANCE, `${what}: vertex (${vertex.x}, ${vertex.y}) is ${outside.toFixed(1)} px outside`);
	}
}

/** Four integer vertices inside the image, from the top-left corner, counter-clockwise on screen. */
function assertPolygon(p: RecordedPolygon, recording: Recording, what: string): void {
	assert.equal(p.vertices.length, 4, `${what} has 4 vertices`);
	for (const { x, y } of p.vertices) {
		assert.ok(Number.isInteger(x) && Number.isInteger(y), `${what}: integer vertex (${x}, ${y})`);
		assert.ok(x >= 0 && x <= recording.width && y >= 0 && y <= recording.height, `${what}: (${x}, ${y}) is inside the image`);
	}
	let area = 0;
	p.vertices.forEach((a, i) => {
		const b = p.vertices[(i + 1) % 4];
		area += a.x * b.y - b.x * a.y;
	});
	assert.ok(area < 0, `${what} runs counter-clockwise on screen`);
}

function allWords(page: RecordedOcrAnnotation) {
	return page.blocks.flatMap(b => b.lines.flatMap(l => l.words));
}

function lineTexts(page: RecordedOcrAnnotation): string[] {
	return page.blocks.flatMap(b => b.lines.map(l => l.text));
}

describe('OCR API samples in test/fixtures', () => {
	for (const [image, models] of Object.entries(SAMPLES)) {
		describe(image, () => {
			const recording = loadRecording(image);

			it('names its image, whose bytes match the recorded sha256, type and size', () => {
				const bytes = fixture(image);
				assert.equal(recording.image, image);
				assert.equal(recording.sha256, createHash('sha256').update(bytes).digest('hex'));
				assert.equal(recording.mimeType, image.endsWith('.jpg') ? 'image/jpeg' : 'image/png');
				assert.ok(bytes.length < 1024 * 1024, 'under 1 MB');
				const longSide = Math.max(recording.width, recording.height);
				assert.ok(longSide >= 700 && longSide <= 1400, `long side ${longSide}`);
				assert.ok(recording.description.length > 0, 'has a description');
			});

			it(`answers exactly the models ${models.join(', ')}`, () => {
				assert.deepEqual(Object.keys(recording.ocr ?? {}).sort(), [...models].sort());
			});

			for (const model of models) {
				describe(model, () => {
					const page = onlyPage(recording, model);

					it('is the size of the image and has text', () => {
						assert.deepEqual([page.width, page.height], [recording.width, recording.height]);
						assert.ok(page.blocks.length > 0 && page.fullText.length > 0);
					});

					it('spells every word, line and block at its place in fullText, in reading order', () => {
						let cursor = 0;
						for (const block of page.blocks) {
							const blockText = spelled(page, block.textSegments);
							assert.equal(blockText, block.lines.map(l => l.text).join('\n'), 'a block is its lines');
							for (const line of block.lines) {
								assert.equal(spelled(page, line.textSegments), line.text);
								assert.equal(line.text, line.words.map(w => w.text).join(' '), 'a line is its words');
								assert.ok(line.textSegments[0].startIndex >= cursor, `"${line.text}" comes after what precedes it`);
								cursor = line.textSegments[0].startIndex + line.textSegments[0].length;
								for (const word of line.words) {
									assert.equal(spelled(page, word.textSegments), word.text);
									assert.ok(word.text.length > 0 && !/\s/.test(word.text), `"${word.text}" is one word`);
								}
							}
						}
						assert.equal(page.fullText, lineTexts(page).map(t => `${t}\n`).join(''), 'fullText is every line, each ended by a newline');
					});

					it('has polygons inside the image, each word inside its line and each line inside its block', () => {
						for (const block of page.blocks) {
							assertPolygon(block.boundingBox, recording, 'block');
							for (const line of block.lines) {
								assertPolygon(line.boundingBox, recording, `line "${line.text}"`);
								assertInside(line.boundingBox, block.boundingBox, `"${line.text}" in its block`);
								for (const word of line.words) {
									assertPolygon(word.boundingBox, recording, `word "${word.text}"`);
									assertInside(word.boundingBox, line.boundingBox, `"${word.text}" in its line`);
								}
							}
						}
					});

					it('gives every block its languages and a known layout type', () => {
						for (const block of page.blocks) {
							assert.ok(block.languages.length > 0, 'has a language');
							for (const { languageCode } of block.languages) assert.match(languageCode, /^(ru|en)$/);
							if (block.layoutType !== undefined) assert.match(block.layoutType, /^LAYOUT_TYPE_[A-Z_]+$/);
						}
					});

					it('points words at an entity in range, or at none with -1, the entity\'s words spelling it', () => {
						for (const word of allWords(page)) {
							assert.ok(word.entityIndex === -1 || (Number.isInteger(word.entityIndex) && word.entityIndex >= 0 && word.entityIndex < page.entities.length), `"${word.text}" entityIndex ${word.entityIndex}`);
						}
						page.entities.forEach((entity, index) => {
							assert.equal(allWords(page).filter(w => w.entityIndex === index).map(w => w.text).join(' '), entity.text, entity.name);
						});
					});

					it('covers each table\'s grid exactly once with its cells, each cell its text in fullText and inside the table', () => {
						for (const table of page.tables) {
							assertPolygon(table.boundingBox, recording, 'table');
							const grid: number[][] = Array.from({ length: table.rowCount }, () => new Array<number>(table.columnCount).fill(0));
							for (const cell of table.cells) {
								assert.ok(cell.rowSpan >= 1 && cell.columnSpan >= 1, 'spans are at least 1');
								assert.ok(cell.rowIndex + cell.rowSpan <= table.rowCount && cell.columnIndex + cell.columnSpan <= table.columnCount, `cell ${cell.text} fits the grid`);
								for (let r = cell.rowIndex; r < cell.rowIndex + cell.rowSpan; r++) {
									for (let c = cell.columnIndex; c < cell.columnIndex + cell.columnSpan; c++) grid[r][c]++;
								}
								assert.equal(spelled(page, cell.textSegments), cell.text);
								assertPolygon(cell.boundingBox, recording, `cell "${cell.text}"`);
								assertInside(cell.boundingBox, table.boundingBox, `cell "${cell.text}" in the table`);
							}
							assert.ok(grid.every(row => row.every(n => n === 1)), `every slot is covered once: ${JSON.stringify(grid)}`);
						}
					});
				});
			}
		});
	}

	it('reads the article\'s columns one after the other with page-column-sort, interleaved with page', () => {
		const recording = loadRecording('two-column-article.png');
		const page = onlyPage(recording, 'page');
		const sorted = onlyPage(recording, 'page-column-sort');
		assert.notEqual(page.fullText, sorted.fullText);
		assert.deepEqual([...lineTexts(page)].sort(), [...lineTexts(sorted)].sort(), 'the same lines');
		assert.deepEqual(sorted.blocks.map(b => b.layoutType), ['LAYOUT_TYPE_TITLE', 'LAYOUT_TYPE_TEXT', 'LAYOUT_TYPE_TEXT', 'LAYOUT_TYPE_FOOTER']);
		const [, left, right] = sorted.blocks;
		const leftEdge = (b: typeof left) => Math.min(...b.boundingBox.vertices.map(v => v.x));
		const rightEdge = (b: typeof left) => Math.max(...b.boundingBox.vertices.map(v => v.x));
		assert.ok(rightEdge(left) < leftEdge(right), 'two columns side by side');
		const body = page.blocks[1].lines.map(l => l.text);
		const interleaved = left.lines.flatMap((line, i) => [line.text, right.lines[i].text]);
		assert.deepEqual(body, interleaved, 'page reads across both columns, row by row');
		assert.ok(recording.textDetection?.pages[0].blocks.length === 4, 'batchAnalyze reads it too');
	});

	it('finds the schedule\'s spanning cells', () => {
		const [table] = onlyPage(loadRecording('table-merged.png'), 'table').tables;
		assert.deepEqual([table.rowCount, table.columnCount], [5, 4]);
		assert.ok(table.cells.some(c => c.columnSpan === 2 && c.rowSpan === 1), 'a cell spans two columns');
		assert.ok(table.cells.some(c => c.rowSpan === 2 && c.columnSpan === 1), 'a cell spans two rows');
		assert.deepEqual(onlyPage(loadRecording('table-merged.png'), 'page').tables, [], 'the page model finds no table');
	});

	it('writes the formula page as Markdown: LaTeX with math-markdown, plain text with markdown', () => {
		const recording = loadRecording('formula-page.png');
		const math = onlyPage(recording, 'math-markdown').markdown ?? '';
		const plain = onlyPage(recording, 'markdown').markdown ?? '';
		assert.match(math, /^# \S/);
		assert.match(plain, /^# \S/);
		assert.equal((math.match(/^\$\$[^$]+\$\$$/gm) ?? []).length, 2, 'two displayed formulas');
		assert.match(math, /\\frac\{-b \\pm \\sqrt\{b\^\{2\} - 4ac\}\}\{2a\}/);
		assert.match(math, / \$[^$]+\$ /, 'an inline formula');
		assert.ok(!plain.includes('$') && !plain.includes('\\'), 'no LaTeX without math');
	});

	it('returns the passport\'s fields under the documented names, in the documented order', () => {
		const { entities } = onlyPage(loadRecording('passport-form.png'), 'passport');
		const names = entities.map(e => e.name);
		assert.deepEqual(names, PASSPORT_FIELDS.filter(name => names.includes(name)));
		for (const name of ['name', 'middle_name', 'surname', 'gender', 'birth_date', 'birth_place', 'number', 'issued_by', 'issue_date', 'subdivision']) {
			assert.ok(names.includes(name), name);
		}
		const words = allWords(onlyPage(loadRecording('passport-form.png'), 'passport'));
		for (const label of ['Фамилия', 'Имя', 'Отчество', 'Пол', 'ОБРАЗЕЦ', 'SPECIMEN']) {
			assert.equal(words.find(w => w.text === label)?.entityIndex, -1, `${label} is no entity`);
		}
	});

	it('reads only the licence plate from the car, with no entities', () => {
		const page = onlyPage(loadRecording('car-plate.jpg'), 'license-plates');
		assert.deepEqual(lineTexts(page), ['А123ВС 77']);
		assert.match(page.fullText, /^[АВЕКМНОРСТУХ]\d{3}[АВЕКМНОРСТУХ]{2} \d{2,3}\n$/);
		assert.deepEqual(page.entities, []);
	});
});
