/**
 * The OCR API's models as a person uses them in real VS Code against the emulator: Recognize Text
 * With… from the Explorer, a model picked from the list, and what the results panel then shows for
 * a table, a two-column article, a handwritten note, a page of formulas and a passport-like form.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { formatTable } from '../../src/results/tables';
import type { RecordedOcrAnnotation } from '../emulator/recording';
import { recordingOf } from '../support/fixtures';
import { pageOfRecording } from '../support/ocrPage';
import { useSession } from './session';
import {
	activeEditorText,
	clearNotifications,
	closeAllEditors,
	expectBoxOver,
	expectNoErrorNotifications,
	expectProgressGone,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	resultsPanel,
	runCommand,
	waitUntil,
} from './workbench';

function recorded(image: string, model: string): RecordedOcrAnnotation {
	const page = recordingOf(image).ocr?.[model]?.[0];
	assert.ok(page, `${image} has a recording of ${model}`);
	return page;
}

function wordsOf(page: RecordedOcrAnnotation): string[] {
	return page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text)));
}

describe('the OCR API\'s models in the VS Code workbench', function () {
	this.timeout(90_000);
	const session = useSession({ signIn: true, userSettings: { 'yandexVision.ocr.engine': 'ocr-api' } });

	beforeEach(async () => {
		const { page } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		session.emulator.clearLog();
	});

	/** Explorer → Recognize Text With… → the model, typed and picked by its label (the model's name beside it). */
	async function recognizeWith(page: Page, file: string, label: string, model: string): Promise<FrameLocator> {
		await pickFromContextMenu(page, await explorerItem(page, file), 'Recognize Text With…');
		const input = quickInputBox(page);
		await input.waitFor({ state: 'visible' });
		await input.fill(label);
		const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^=${JSON.stringify(`${label}, ${model}`)}]`);
		await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
			const rows = await page.locator('.quick-input-list .monaco-list-row').evaluateAll(elements => elements.map(e => e.getAttribute('aria-label')));
			throw new Error(`No "${label}" (${model}) in the model list; it shows: ${JSON.stringify(rows)}`);
		});
		await row.click();
		await input.waitFor({ state: 'hidden', timeout: 10_000 });
		const panel = await resultsPanel(page, file);
		await expectProgressGone(page, 'recognizing text');
		return panel;
	}

	async function imageBox(panel: FrameLocator): Promise<{ x: number; y: number; width: number; height: number }> {
		const image = await panel.locator('img.image').boundingBox();
		assert.ok(image, 'the image is on screen');
		return image;
	}

	it('a table: its cells drawn over the image on the recorded cells, and Insert puts a Markdown table into the editor', async () => {
		const { page } = session;
		await runCommand(page, 'File: New Untitled Text File');
		await page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ state: 'visible' });

		const panel = await recognizeWith(page, 'documents/table-merged.png', 'Table', 'table');
		const want = recorded('table-merged.png', 'table');
		const cells = panel.locator('polygon.cell');
		await waitUntil(async () => (await cells.count()) === want.tables[0]!.cells.length, async () => `${want.tables[0]!.cells.length} cells on the image, ${await cells.count()} drawn`);
		const image = await imageBox(panel);
		const scale = image.width / want.width;
		for (const [i, cell] of want.tables[0]!.cells.entries()) {
			const drawn = await panel.locator(`polygon.cell[data-cell="${i}"]`).boundingBox();
			assert.ok(drawn, `cell ${i} is on screen`);
			expectBoxOver(drawn, cell.boundingBox.vertices, image, { x: scale, y: scale }, `the box of cell ${i} "${cell.text}" (row ${cell.rowIndex}, column ${cell.columnIndex}, ${cell.rowSpan}×${cell.columnSpan})`);
		}
		assert.equal(await panel.locator('table.ocr-table td[colspan="2"], table.ocr-table th[colspan="2"]').count(), 1, 'the cell merged across two columns');
		assert.equal(await panel.locator('table.ocr-table td[rowspan="2"], table.ocr-table th[rowspan="2"]').count(), 1, 'the cell merged across two rows');
		await session.workbench.screenshot('ocr-api-table');

		assert.equal(await panel.locator('select.table-format').inputValue(), 'markdown');
		await panel.locator('button.table-insert').click();
		const expected = formatTable(pageOfRecording(want).tables![0]!, 'markdown');
		await waitUntil(async () => (await activeEditorText(page)).trim() === expected.trim(), async () => `the editor to hold the Markdown table:\n${expected}\ngot:\n${await activeEditorText(page)}`);
		assert.deepEqual(session.emulator.log.map(entry => [entry.path, entry.model, entry.status]), [['/ocr/v1/recognizeText', 'table', 200]]);
		await expectNoErrorNotifications(page);
	});

	it('a two-column article with the multi-column model: the text pane reads the title, the left column, then the right', async () => {
		const { page } = session;
		const panel = await recognizeWith(page, 'documents/two-column-article.png', 'Multi-column page', 'page-column-sort');
		const sorted = recorded('two-column-article.png', 'page-column-sort');
		const shown = await panel.locator('#text-pane span.word').allTextContents();
		assert.deepEqual(shown, wordsOf(sorted));
		assert.notDeepEqual(shown, wordsOf(recorded('two-column-article.png', 'page')), 'not the order a one-column reading gives');
		const titleBlock = sorted.blocks.find(block => block.layoutType === 'LAYOUT_TYPE_TITLE');
		assert.ok(titleBlock, 'the recording has a title block');
		const title = panel.locator('#text-pane p.block[data-layout="title"]');
		assert.equal(await title.getAttribute('role'), 'heading', 'the title reads as a heading');
		assert.deepEqual(await title.locator('span.word').allTextContents(), titleBlock.lines.flatMap(line => line.words.map(word => word.text)));
		await session.workbench.screenshot('ocr-api-two-columns');
		assert.equal(session.emulator.log.at(-1)?.model, 'page-column-sort');
	});

	it('a handwritten note: every word boxed on the image, no confidence claimed', async () => {
		const { page } = session;
		const panel = await recognizeWith(page, 'documents/handwritten-note.png', 'Handwriting', 'handwritten');
		const words = wordsOf(recorded('handwritten-note.png', 'handwritten'));
		await waitUntil(async () => (await panel.locator('polygon.word').count()) === words.length, 'a box per recognized word');
		assert.deepEqual(await panel.locator('#text-pane span.word').allTextContents(), words);
		await panel.locator('polygon.word[data-word="2"]').hover();
		const tooltip = panel.locator('#tooltip');
		await tooltip.waitFor({ state: 'visible' });
		assert.equal(await tooltip.locator('.tooltip-text').textContent(), words[2]);
		assert.equal(await tooltip.locator('.tooltip-confidence').isVisible(), false, 'no confidence line: the OCR API gives none');
		await session.workbench.screenshot('ocr-api-handwritten');
	});

	it('a page of formulas with Markdown with formulas: Open as Markdown opens the page with its LaTeX', async () => {
		const { page } = session;
		const panel = await recognizeWith(page, 'documents/formula-page.png', 'Markdown with formulas', 'math-markdown');
		const markdown = recorded('formula-page.png', 'math-markdown').markdown!;
		assert.equal((await panel.locator('pre.markdown-source').textContent())?.trim(), markdown.trim());
		await session.workbench.screenshot('ocr-api-formulas');
		await panel.locator('button.markdown-open').click();
		await waitUntil(async () => (await activeEditorText(page)).includes('\\frac{-b \\pm'), async () => `a Markdown editor with the LaTeX; the active editor holds: ${(await activeEditorText(page)).slice(0, 200)}`);
		assert.equal((await activeEditorText(page)).trim(), markdown.trim());
		await page.locator('.statusbar-item', { hasText: /^Markdown$/ }).first().waitFor({ state: 'visible' });
	});

	it('Recognize Text, then Find Image Copies on the same image: one panel keeps the text and its boxes and adds the copies; no progress outlives its results', async () => {
		const { page } = session;
		const file = 'images/cyrillic-sign.jpg';
		await pickFromContextMenu(page, await explorerItem(page, file), 'Recognize Text');
		const panel = await resultsPanel(page, file);
		await expectProgressGone(page, 'recognizing text');
		const words = recordingOf('cyrillic-sign.jpg').textDetection!.pages[0]!.blocks.flatMap(b => b.lines.flatMap(l => l.words)).length;
		await waitUntil(async () => (await panel.locator('polygon.word').count()) === words, 'a box per recognized word');

		await pickFromContextMenu(page, await explorerItem(page, file), 'Find Image Copies');
		await panel.locator('section[data-feature="IMAGE_COPY_SEARCH"]').waitFor({ state: 'visible', timeout: 20_000 });
		await expectProgressGone(page, 'searching for copies');
		assert.deepEqual(await panel.locator('section[data-feature]').evaluateAll(sections => sections.map(s => s.getAttribute('data-feature'))), ['TEXT_DETECTION', 'IMAGE_COPY_SEARCH']);
		assert.equal(await panel.locator('polygon.word').count(), words, 'the text\'s boxes are still drawn');
		assert.equal(await page.locator('.tabs-container .tab', { hasText: 'cyrillic-sign.jpg' }).count(), 1, 'one panel for the image');
		await session.workbench.screenshot('panel-text-and-copies');
		assert.deepEqual(session.emulator.log.map(entry => entry.path), ['/ocr/v1/recognizeText', '/vision/v1/batchAnalyze']);
	});

	it('a passport-like form: its fields listed by name, and a field\'s words marked on the image', async () => {
		const { page } = session;
		const panel = await recognizeWith(page, 'documents/passport-form.png', 'Passport', 'passport');
		const rec = recorded('passport-form.png', 'passport');
		const items = panel.locator('.entity-item');
		await waitUntil(async () => (await items.count()) === rec.entities.length, 'a row per field');
		const surname = rec.entities.findIndex(entity => entity.name === 'surname');
		const row = items.filter({ hasText: 'Surname' });
		assert.match(await row.innerText(), new RegExp(rec.entities[surname]!.text));
		const words = rec.blocks.flatMap(b => b.lines.flatMap(l => l.words)).map((w, i) => ({ w, i })).filter(({ w }) => w.entityIndex === surname);
		assert.ok(words.length > 0);
		const image = await imageBox(panel);
		// Measured before it is marked: a marked word's outline is drawn thicker.
		const box = await panel.locator(`polygon.word[data-word="${words[0]!.i}"]`).boundingBox();
		assert.ok(box);
		expectBoxOver(box, words[0]!.w.boundingBox.vertices, image, { x: image.width / rec.width, y: image.height / rec.height }, 'the surname\'s box sits on the surname');
		await row.hover();
		for (const { i } of words) {
			await waitUntil(async () => (await panel.locator(`polygon.word[data-word="${i}"]`).getAttribute('class'))?.split(' ').includes('in-entity'), `the surname's word ${i} marked on the image`);
		}
		await session.workbench.screenshot('ocr-api-passport');
	});
});
