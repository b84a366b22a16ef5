/**
 * What the results webview shows of the OCR API's models, in Chromium, from the recorded answers:
 * tables drawn on the image and as a table whose cells are copied as Markdown, CSV or TSV; the
 * Markdown models' source; a passport's fields with localized labels; layout labels; and the
 * engine and model in the heading. Screenshots at 1440×900 go to test-results/screenshots.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page as PlaywrightPage } from 'playwright-core';
import type { InitPayload } from '../../src/shared/protocol';
import { WEBVIEW_STRINGS } from '../../src/shared/strings';
import type { Page } from '../../src/results/types';
import { recordingOf } from '../support/fixtures';
import { pageOfRecording } from '../support/ocrPage';
import { REPO_ROOT } from '../support/webviewPage';
import { boundsOf, classes, init, lastOf, posted, savedState, screenshot, WebviewHarness } from './webviewHarness';

const WIDE = { width: 1440, height: 900 };
const HOSTILE = '<img src=x onerror=alert(1)>';

/** What the extension sends for `image` read by the OCR API with `model`. */
function ocrPayload(image: string, model: string, edit?: (page: Page) => void): InitPayload {
	const recorded = recordingOf(image).ocr?.[model]?.[0];
	assert.ok(recorded, `${image} has a recording of ${model}`);
	const page = pageOfRecording(recorded);
	edit?.(page);
	return {
		model: {
			imageUri: `file:///workspace/${image}`,
			imageLabel: `samples/${image}`,
			features: [{ type: 'TEXT_DETECTION', model, result: { textDetection: { pages: [page], engine: 'ocr-api' } } }],
			analyzedAt: '2025-11-24T08:00:00.000Z',
			requestId: 'a1b2c3d4-0000-4000-8000-000000000002',
		},
		imageSrc: `/fixtures/${image}`,
		strings: {},
		selection: [],
	};
}

/** The panel's strings as the extension sends them in Russian. */
function russianStrings(): Record<string, string> {
	const bundle = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'l10n', 'bundle.l10n.ru.json'), 'utf8')) as Record<string, string>;
	return Object.fromEntries(Object.entries(WEBVIEW_STRINGS).map(([key, english]) => [key, bundle[english] ?? english]));
}

async function cellClasses(page: PlaywrightPage, selector: string): Promise<string[]> {
	return page.locator(selector).evaluateAll(elements => elements.map(e => `${e.getAttribute('data-row')},${e.getAttribute('data-column')}`));
}

describe('Results webview: OCR API models in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();
	const openPanel = harness.openPanel.bind(harness);

	before(() => harness.start());
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	describe('tables', () => {
		const table = pageOfRecording(recordingOf('table-merged.png').ocr!.table[0]).tables![0];

		it('draws every cell on its recorded pixels, merged cells as one, on a Cells layer that is on', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			await init(page, ocrPayload('table-merged.png', 'table'));
			const recording = recordingOf('table-merged.png');
			assert.equal(await page.locator('#layer-cells').isChecked(), true);
			assert.equal(await page.locator('label.toggle-cells').textContent(), 'Cells');
			const cells = page.locator('polygon.cell');
			assert.equal(await cells.count(), table.cells.length);
			const image = await page.locator('img.image').boundingBox();
			assert.ok(image);
			const scale = image.width / recording.width;
			for (const [i, cell] of table.cells.entries()) {
				const box = await page.locator(`polygon.cell[data-table="0"][data-cell="${i}"]`).boundingBox();
				const expected = boundsOf(cell.boundingBox);
				assert.ok(box);
				const message = `cell ${cell.rowIndex},${cell.columnIndex} (${cell.text})`;
				// Each edge within 1 px (the box measured includes half the 1 px outline on each side).
				assert.ok(Math.abs(box.x - (image.x + expected.x * scale)) <= 1, message);
				assert.ok(Math.abs(box.y - (image.y + expected.y * scale)) <= 1, message);
				assert.ok(Math.abs(box.x + box.width - (image.x + (expected.x + expected.width) * scale)) <= 1, message);
				assert.ok(Math.abs(box.y + box.height - (image.y + (expected.y + expected.height) * scale)) <= 1, message);
			}
			// The merged cells are each one box, as wide (tall) as the cells they cover.
			const wide = await page.locator('polygon.cell[data-row="2"][data-column="1"]').boundingBox();
			const single = await page.locator('polygon.cell[data-row="1"][data-column="1"]').boundingBox();
			const next = await page.locator('polygon.cell[data-row="1"][data-column="2"]').boundingBox();
			assert.ok(wide && single && next);
			assert.ok(Math.abs(wide.width - (single.width + next.width)) <= 1.5, 'the two-column cell spans both columns');
			const tall = await page.locator('polygon.cell[data-row="3"][data-column="0"]').boundingBox();
			assert.ok(tall && Math.abs(tall.height - 2 * single.height) <= 1.5, 'the two-row cell spans both rows');

			await page.locator('#layer-cells').uncheck();
			assert.equal(await page.locator('.layer-cells').evaluate(e => e.ownerDocument.defaultView?.getComputedStyle(e).display), 'none');
			await page.locator('#layer-cells').check();
		});

		it('shows the table with its spans and a caption, and links hovering both ways', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			await init(page, ocrPayload('table-merged.png', 'table'));
			assert.equal(await page.locator('.view-tab[aria-selected="true"]').textContent(), 'Table');
			const view = page.locator('table.ocr-table');
			assert.equal(await view.locator('caption').textContent(), 'Table 1 of 1 · 5 × 4');
			assert.equal(await view.locator('tr').count(), 5);
			assert.equal(await view.locator('.table-cell').count(), 18);
			assert.deepEqual(await view.locator('tr').evaluateAll(rows => rows.map(r => r.children.length)), [4, 4, 3, 4, 3]);
			const merged = view.locator('.table-cell[data-row="2"][data-column="1"]');
			assert.equal(await merged.getAttribute('colspan'), '2');
			assert.equal(await merged.textContent(), 'Весь день, 9:00–18:00');
			assert.equal(await view.locator('.table-cell[data-row="3"][data-column="0"]').getAttribute('rowspan'), '2');
			assert.deepEqual(await view.locator('th').allTextContents(), ['Район', 'Понедельник', 'Среда', 'Пятница']);

			// The table → the image.
			await merged.hover();
			assert.deepEqual(await cellClasses(page, 'polygon.cell.hover'), ['2,1']);
			// The image → the table: over a part of a cell with no word on it.
			const polygon = await page.locator('polygon.cell[data-row="3"][data-column="0"]').boundingBox();
			assert.ok(polygon);
			await page.mouse.move(polygon.x + 4, polygon.y + polygon.height - 4);
			assert.deepEqual(await cellClasses(page, '.ocr-table .table-cell.hover'), ['3,0']);
			assert.deepEqual(await cellClasses(page, 'polygon.cell.hover'), ['3,0']);
			// Also over a word inside a cell, which is drawn above the cells.
			const word = await page.locator('polygon.word').nth(5).boundingBox();
			assert.ok(word);
			await page.mouse.move(word.x + word.width / 2, word.y + word.height / 2);
			assert.equal(await page.locator('.ocr-table .table-cell.hover').count(), 1);
		});

		it('selects a rectangle by click and Shift+click, and Insert sends it as a Markdown table', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			await init(page, ocrPayload('table-merged.png', 'table'));
			const cell = (r: number, c: number) => page.locator(`.ocr-table .table-cell[data-row="${r}"][data-column="${c}"]`);
			await cell(0, 0).click();
			await cell(2, 1).click({ modifiers: ['Shift'] });
			// Rows 0–2, and columns 0–2 because the merged cell reaches column 2.
			assert.deepEqual(await cellClasses(page, '.ocr-table .table-cell.selected'), ['0,0', '0,1', '0,2', '1,0', '1,1', '1,2', '2,0', '2,1']);
			assert.deepEqual(await cellClasses(page, 'polygon.cell.selected'), ['0,0', '0,1', '0,2', '1,0', '1,1', '1,2', '2,0', '2,1']);
			assert.equal(await page.locator('.table-status').textContent(), '8 of 18 cells selected');
			await page.locator('.table-insert').click();
			assert.deepEqual(lastOf(await posted(page), 'insertText'), {
				type: 'insertText',
				text: [
					'| Район | Понедельник | Среда |',
					'| --- | --- | --- |',
					'| Центр | 9:00–12:00 | 14:00–18:00 |',
					'| Северный | Весь день, 9:00–18:00 |  |',
					'',
				].join('\n'),
			});
			await screenshot(page, 'ocr-table-selection');
		});

		it('copies CSV and TSV as chosen, remembers the format, and extends with drag and the keyboard', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			await init(page, ocrPayload('table-merged.png', 'table'));
			const cell = (r: number, c: number) => page.locator(`.ocr-table .table-cell[data-row="${r}"][data-column="${c}"]`);
			// Drag from Северный to Нет доставки: row 2 whole.
			await cell(2, 0).hover();
			await page.mouse.down();
			await cell(2, 3).hover();
			await page.mouse.up();
			await page.locator('select.table-format').selectOption('csv');
			await page.locator('.table-copy').click();
			assert.deepEqual(lastOf(await posted(page), 'copyText'), { type: 'copyText', text: 'Северный,"Весь день, 9:00–18:00",,Нет доставки\r\n' });
			assert.equal((await savedState(page) as { tableFormat?: string }).tableFormat, 'csv');

			// Keyboard, back on the table, from the anchor Северный and the active Нет доставки: Shift+Down takes
			// row 3, and with it Заречье's second row; Shift+Left twice leaves column 3.
			await cell(2, 3).focus();
			await page.keyboard.press('Shift+ArrowDown');
			await page.keyboard.press('Shift+ArrowLeft');
			await page.keyboard.press('Shift+ArrowLeft');
			assert.deepEqual(await cellClasses(page, '.ocr-table .table-cell.selected'), ['2,0', '2,1', '3,0', '3,1', '3,2', '4,1', '4,2']);
			await page.locator('select.table-format').selectOption('tsv');
			await page.locator('.table-copy').click();
			assert.deepEqual(lastOf(await posted(page), 'copyText'), {
				type: 'copyText',
				text: 'Северный\tВесь день, 9:00–18:00\t\nЗаречье\t8:00–10:00\t8:00–10:00\n\t17:00–20:00\t—\n',
			});

			// Nothing selected: the whole table. The format chosen is kept after a re-render.
			await page.keyboard.press('Escape');
			assert.equal(await page.locator('.ocr-table .table-cell.selected').count(), 0);
			await page.evaluate(p => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage({ type: 'update', payload: p }, '*'), ocrPayload('table-merged.png', 'table'));
			assert.equal(await page.locator('select.table-format').inputValue(), 'tsv');
			await page.locator('.table-insert').click();
			const whole = lastOf(await posted(page), 'insertText')?.text ?? '';
			assert.equal(whole.split('\n').length, 6);
			assert.ok(whole.startsWith('Район\tПонедельник\tСреда\tПятница\n'));
		});

		it('shows hostile cell text as text, and defuses it in CSV', async () => {
			const { page } = await openPanel();
			await init(page, ocrPayload('table-merged.png', 'table', p => {
				p.tables![0].cells[0].text = HOSTILE;
				p.tables![0].cells[1].text = '=HYPERLINK("http://evil.example")';
			}));
			assert.equal(await page.locator('.ocr-table th').first().textContent(), HOSTILE);
			assert.equal(await page.locator('.ocr-table img, [onerror]').count(), 0);
			await page.locator('select.table-format').selectOption('csv');
			await page.locator('.ocr-table th').nth(1).click();
			await page.locator('.table-copy').click();
			assert.equal(lastOf(await posted(page), 'copyText')?.text, '"\'=HYPERLINK(""http://evil.example"")"\r\n');
		});

		it('is screenshotted at 1440×900', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			await init(page, ocrPayload('table-merged.png', 'table'));
			await page.locator('.ocr-table .table-cell[data-row="1"][data-column="1"]').hover();
			await screenshot(page, 'ocr-table');
		});
	});

	describe('Markdown models', () => {
		it('shows the Markdown source with its LaTeX, and Insert Markdown posts it', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			const markdown = recordingOf('formula-page.png').ocr!['math-markdown'][0].markdown!;
			await init(page, ocrPayload('formula-page.png', 'math-markdown'));
			assert.equal(await page.locator('.view-tab[aria-selected="true"]').textContent(), 'Markdown');
			const source = page.locator('pre.markdown-source');
			assert.equal(await source.textContent(), markdown);
			assert.match((await source.textContent()) ?? '', /\\frac\{-b \\pm \\sqrt\{b\^\{2\} - 4ac\}\}\{2a\}/);
			assert.equal(await page.locator('.section-title .tag').textContent(), 'OCR API · math-markdown');
			await page.locator('.markdown-insert').click();
			assert.deepEqual(lastOf(await posted(page), 'insertText'), { type: 'insertText', text: markdown });
			await page.locator('.markdown-open').click();
			assert.deepEqual(lastOf(await posted(page), 'openMarkdown'), { type: 'openMarkdown' });
			await screenshot(page, 'ocr-formula');
			// The text is one tab away, with the title block styled as one.
			await page.locator('.view-tab[data-view="text"]').click();
			assert.equal(await source.isVisible(), false);
			assert.equal(await page.locator('#text-pane .block.layout-title .line').first().getAttribute('data-layout-label'), 'Title');
		});

		it('keeps hostile Markdown inert', async () => {
			const { page } = await openPanel();
			const hostile = `# ${HOSTILE}\n\n<script>alert(2)</script> [x](javascript:alert(3))\n`;
			await init(page, ocrPayload('formula-page.png', 'markdown', p => {
				p.markdown = hostile;
			}));
			assert.equal(await page.locator('pre.markdown-source').textContent(), hostile);
			assert.equal(await page.locator('img').count(), 1);
			assert.equal(await page.locator('script').count(), 1);
			assert.equal(await page.locator('a, [onerror]').count(), 0);
		});
	});

	describe('documents', () => {
		it('lists a passport\'s fields in Russian, marks a field\'s words on hover, selects them on click, and copies JSON', async () => {
			const { page } = await openPanel({ viewport: WIDE, lang: 'ru' });
			const recorded = recordingOf('passport-form.png').ocr!.passport[0];
			const payload = ocrPayload('passport-form.png', 'passport');
			payload.strings = russianStrings();
			await init(page, payload);
			const fields = page.locator('.document-fields');
			assert.equal(await fields.locator('.subsection-title').textContent(), 'Поля документа');
			const labels = await fields.locator('.entity-name').allTextContents();
			assert.deepEqual(labels.slice(0, 4), ['Имя', 'Отчество', 'Фамилия', 'Пол']);
			assert.equal(labels.length, recorded.entities.length);
			const surname = fields.locator('.entity-item[data-name="surname"]');
			assert.equal(await surname.locator('.entity-name').textContent(), 'Фамилия');
			assert.equal(await surname.locator('.entity-text').textContent(), 'СОКОЛОВА');

			const surnameIndex = recorded.entities.findIndex(e => e.name === 'surname');
			const words = recorded.blocks.flatMap(b => b.lines.flatMap(l => l.words)).filter(w => w.text.trim() !== '');
			const expected = words.flatMap((w, i) => (w.entityIndex === surnameIndex ? [i] : []));
			assert.ok(expected.length > 0);
			const marked = async (selector: string) => page.locator(selector).evaluateAll(e => e.map(x => Number(x.getAttribute('data-word'))));
			await surname.hover();
			assert.deepEqual(await marked('polygon.word.in-entity'), expected);
			assert.equal(await page.locator('polygon.word.in-entity').first().evaluate(e => e.textContent ?? ''), '');
			await screenshot(page, 'ocr-passport');
			await surname.click();
			assert.deepEqual(await marked('polygon.word.selected'), expected);
			// The word's tooltip names its field in Russian.
			await page.locator(`polygon.word[data-word="${expected[0]}"]`).hover();
			assert.equal(await page.locator('#tooltip .tooltip-entity').textContent(), 'Сущность: Фамилия');

			await fields.locator('.fields-copy-json').click();
			const json = lastOf(await posted(page), 'copyText')?.text ?? '';
			assert.deepEqual(JSON.parse(json), Object.fromEntries(recorded.entities.map(e => [e.name, e.text])));
			assert.ok(json.includes('\n  "surname": "СОКОЛОВА"'), 'pretty-printed');
		});

		it('shows unknown and hostile field names as text', async () => {
			const { page } = await openPanel();
			await init(page, ocrPayload('passport-form.png', 'passport', p => {
				p.entities[0] = { name: HOSTILE, text: '<b>bold</b>' };
				p.entities[1] = { name: 'stsfront_car_number', text: 'А001АА77' };
			}));
			const names = await page.locator('.entity-name').allTextContents();
			assert.equal(names[0], HOSTILE);
			assert.equal(names[1], 'Registration number');
			assert.equal(await page.locator('.entity-text').first().textContent(), '<b>bold</b>');
			assert.equal(await page.locator('.entities b, .entities img').count(), 0);
		});
	});

	describe('layout and provenance', () => {
		it('labels the title on the image and in the text, and names engine and model', async () => {
			const { page } = await openPanel({ viewport: WIDE });
			await init(page, ocrPayload('two-column-article.png', 'page'));
			assert.equal(await page.locator('.section-title .tag').textContent(), 'OCR API · page');
			assert.equal(await page.locator('.layout-badge[data-layout="title"]').textContent(), 'Title');
			assert.equal(await page.locator('.layout-badge').first().isVisible(), false, 'labels belong to the Blocks layer, off by default');
			await page.locator('#layer-blocks').check();
			assert.equal(await page.locator('.layout-badge[data-layout="title"]').isVisible(), true);
			assert.deepEqual(await page.locator('.layout-badge').evaluateAll(e => e.map(b => b.getAttribute('data-layout'))), ['title', 'footer']);
			const title = page.locator('#text-pane .block').first();
			assert.deepEqual((await classes(title)).filter(c => c.startsWith('layout')), ['layout', 'layout-title']);
			assert.equal(await title.locator('.line').first().evaluate(e => e.ownerDocument.defaultView?.getComputedStyle(e, '::before').content), '"Title"');
			assert.equal(await title.getAttribute('role'), 'heading');
			assert.ok(!(await page.locator('#text-pane').innerText()).includes('Title'), 'the label is not part of the text');
			await screenshot(page, 'ocr-layout');
		});

		it('shows an OCR API word without a confidence line and with its block\'s language', async () => {
			const { page } = await openPanel();
			await init(page, ocrPayload('two-column-article.png', 'page'));
			await page.locator('polygon.word[data-word="2"]').hover();
			const tooltip = page.locator('#tooltip');
			await tooltip.waitFor({ state: 'visible' });
			assert.equal(await tooltip.locator('.tooltip-confidence').isVisible(), false);
			assert.ok(!((await tooltip.innerText()).includes('Confidence')));
			assert.equal(await tooltip.locator('.tooltip-languages').textContent(), 'Language: en');
			assert.equal(await page.locator('.text-meta').first().textContent(), 'Languages: English (en)');
		});

		it('says when the service turned the page, and draws pictures with their score', async () => {
			const { page } = await openPanel();
			await init(page, ocrPayload('two-column-article.png', 'page', p => {
				p.rotate = 90;
				p.pictures = [{ boundingBox: { vertices: [{ x: 900, y: 300 }, { x: 900, y: 380 }, { x: 1080, y: 380 }, { x: 1080, y: 300 }] }, score: 0.93 }];
			}));
			assert.equal(await page.locator('.rotate-note').textContent(), 'The service turned this page 90° to read it.');
			await page.locator('#layer-blocks').check();
			const picture = page.locator('polygon.picture');
			assert.equal(await picture.evaluate(e => e.ownerDocument.defaultView?.getComputedStyle(e).strokeDasharray), '6px, 4px');
			await picture.hover();
			assert.equal(await page.locator('#tooltip .tooltip-text').textContent(), 'Picture');
			assert.equal(await page.locator('#tooltip .tooltip-languages').textContent(), 'Score: 93%');
		});

		it('names batchAnalyze and its model for batchAnalyze\'s text', async () => {
			const { page } = await openPanel();
			const payload = ocrPayload('two-column-article.png', 'page');
			payload.model.features[0].result.textDetection!.engine = undefined;
			await init(page, payload);
			assert.equal(await page.locator('.section-title .tag').textContent(), 'batchAnalyze · page');
			assert.equal(await page.locator('.section-title .tag').getAttribute('title'), 'Model: page');
		});
	});
});
