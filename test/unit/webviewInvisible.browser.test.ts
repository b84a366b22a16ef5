/**
 * Hidden and bidi control characters in the results webview, in Chromium: shown as chips in the
 * text pane and the word's tooltip, and asked about once before any Insert or Copy sends them; a
 * very long word kept to a few lines in the pane and in its tooltip. Screenshots at 1440×900 go
 * to test-results/screenshots.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { FromWebview, InitPayload } from '../../src/shared/protocol';
import { stripInvisible } from '../../src/results/invisibleCharacters';
import { annotationToText, selectionText } from '../../src/results/text';
import type { Polygon, TextAnnotation, Word } from '../../src/results/types';
import { recordingOf } from '../support/fixtures';
import { init, lastOf, payloadOf, posted, savedState, screenshot, send, WebviewHarness } from './webviewHarness';

const WIDE = { width: 1440, height: 900 };
/** Stored "invoicefdp.exe", shown "invoiceexe.pdf" when the override is left to act. */
const SPOOF = 'invoice\u202Efdp.exe';
const LONG = 'W'.repeat(20_000);
const HOSTILE = ['<img src=x onerror="globalThis.__pwned=1">\u202E', '<script>globalThis.__pwned=2</script>\u200B'];

describe('Results webview: hidden and bidi control characters in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();

	before(() => harness.start());
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	async function open(payload: InitPayload, viewport = WIDE): Promise<Page> {
		const { page } = await harness.openPanel({ viewport });
		await init(page, payload);
		return page;
	}

	describe('shown as chips', () => {
		it('shows the override in the text pane as a chip between the parts of the word, in their real order', async () => {
			const page = await open(textPayload([['Pay', SPOOF, 'now'], ['plain', 'words']]));
			const parts = await page.evaluate(`[...document.querySelector('#text-pane [data-word="1"]').childNodes].map(node => ({
				text: node.textContent,
				chip: node.nodeType === Node.ELEMENT_NODE && node.classList.contains('invisible-char'),
				title: node.nodeType === Node.ELEMENT_NODE ? node.getAttribute('title') : null,
			}))`);
			assert.deepEqual(parts, [
				{ text: 'invoice', chip: false, title: null },
				{ text: 'U+202E', chip: true, title: 'U+202E RIGHT-TO-LEFT OVERRIDE' },
				{ text: 'fdp.exe', chip: false, title: null },
			]);
			// As the reader sees them: left to right, not turned around by the override.
			const lefts = await page.evaluate(`[...document.querySelector('#text-pane [data-word="1"]').childNodes].map(node => {
				const range = document.createRange();
				range.selectNodeContents(node);
				return range.getBoundingClientRect().left;
			})`) as number[];
			assert.ok(lefts[0]! < lefts[1]! && lefts[1]! < lefts[2]!, `left edges ${JSON.stringify(lefts)}`);
			assert.equal(await page.evaluate('document.getElementById("text-pane").textContent.includes("\\u202E")'), false, 'the override itself is not in the page');
			assert.equal(await page.locator('#text-pane .invisible-char').count(), 1, 'plain words have no chip');
			assert.equal(await page.locator('#text-pane [data-word="2"]').textContent(), 'now', 'the next word keeps its index');
			// The chip is part of its word: pointing at it highlights and selects the word.
			await page.locator('#text-pane .invisible-char').click();
			assert.deepEqual(await page.locator('polygon.word.selected').evaluateAll(es => es.map(e => e.getAttribute('data-word'))), ['1']);
			await page.locator('#text-pane [data-word="1"] .invisible-char').hover();
			assert.equal(await page.locator('#text-pane [data-word="1"].hover').count(), 1);
			await screenshot(page, 'invisible-chip');
		});

		it('shows the chip in the word\'s tooltip too, with a line that says the word holds such characters', async () => {
			const page = await open(textPayload([['Pay', SPOOF, 'now']]));
			await page.locator('polygon.word[data-word="1"]').hover();
			const tooltip = page.locator('#tooltip');
			await tooltip.waitFor({ state: 'visible' });
			const parts = await tooltip.locator('.tooltip-text').evaluate(text => [...text.childNodes].map(node => node.textContent));
			assert.deepEqual(parts, ['invoice', 'U+202E', 'fdp.exe']);
			assert.equal(await tooltip.locator('.tooltip-text .invisible-char').getAttribute('title'), 'U+202E RIGHT-TO-LEFT OVERRIDE');
			assert.equal(await tooltip.locator('.tooltip-invisible').textContent(), 'Holds hidden or bidi control characters: U+202E');
			await screenshot(page, 'invisible-tooltip');
			await page.locator('polygon.word[data-word="0"]').hover();
			assert.equal(await tooltip.locator('.tooltip-invisible').isVisible(), false, 'a plain word has no such line');
		});
	});

	describe('the question before Insert and Copy', () => {
		it('asks before copying all text that holds the override, and Strip sends it without', async () => {
			const payload = textPayload([['Pay', SPOOF, 'now'], ['plain', 'words']]);
			const page = await open(payload);
			await page.locator('#copy').click();
			const bar = page.locator('.invisible-bar');
			await bar.waitFor({ state: 'visible' });
			assert.equal(await bar.getAttribute('role'), 'alertdialog');
			assert.equal(await bar.locator('.invisible-bar-message').textContent(), 'The text holds 1 hidden or bidi control character (U+202E).');
			assert.equal(await page.evaluate('document.activeElement.textContent'), 'Strip them', 'the safe answer has the focus');
			assert.equal(await bar.evaluate(e => e.previousElementSibling?.classList.contains('toolbar')), true, 'the bar is under the toolbar whose button asked');
			assert.equal(lastOf(await posted(page), 'copyText'), undefined, 'nothing is copied before the answer');
			await screenshot(page, 'invisible-warning');

			await bar.getByRole('button', { name: 'Strip them' }).click();
			await bar.waitFor({ state: 'detached' });
			const all = annotationToText(annotationIn(payload));
			assert.ok(all.includes('\u202E'));
			assert.deepEqual(lastOf(await posted(page), 'copyText'), { type: 'copyText', text: stripInvisible(all) });
			assert.equal(await page.evaluate('document.activeElement.id'), 'copy', 'the focus goes back to the button');

			// Asked once: the second copy goes as chosen, at once.
			const before = (await posted(page)).length;
			await page.locator('#copy').click();
			assert.equal(await bar.count(), 0, 'not asked again');
			const after = (await posted(page)).slice(before);
			assert.deepEqual(after.filter(m => m.type === 'copyText'), [{ type: 'copyText', text: stripInvisible(all) }]);
		});

		it('counts every hidden character and names the first few kinds', async () => {
			const page = await open(textPayload([['a\u202Eb\u202E', '\u200Bc', 'd\u2066e\u2069', 'soft\u00ADhyphen', 'bell\u0007']]));
			await page.locator('#insert').click();
			assert.equal(await page.locator('.invisible-bar-message').textContent(), 'The text holds 7 hidden or bidi control characters (U+202E, U+200B, U+2066, U+2069, …).');
		});

		it('asks before inserting a selection, and Keep sends it as it is, then and later', async () => {
			const payload = textPayload([['Pay', SPOOF, 'now']]);
			const page = await open(payload);
			await page.locator('#text-pane [data-word="1"]').click();
			await page.locator('#insert').click();
			const bar = page.locator('.invisible-bar');
			await bar.waitFor({ state: 'visible' });
			await bar.getByRole('button', { name: 'Keep them' }).click();
			assert.deepEqual(lastOf(await posted(page), 'insertText'), { type: 'insertText', text: SPOOF });
			assert.equal((await savedState(page) as { invisibleChoice?: string }).invisibleChoice, 'keep', 'the answer is kept with the panel\'s state');

			// Still so after the extension sends new results to the panel.
			await send(page, { type: 'update', payload });
			await page.locator('#text-pane [data-word="0"]').waitFor();
			await page.locator('#insert').click();
			assert.equal(await bar.count(), 0, 'not asked again');
			assert.deepEqual(lastOf(await posted(page), 'insertText'), { type: 'insertText', text: annotationToText(annotationIn(payload)) });
		});

		it('sends nothing on Cancel or Escape, gives the focus back, and asks again next time', async () => {
			const page = await open(textPayload([['Pay', SPOOF, 'now']]));
			const bar = page.locator('.invisible-bar');
			await page.locator('#copy').click();
			await bar.getByRole('button', { name: 'Cancel' }).click();
			await bar.waitFor({ state: 'detached' });
			assert.equal(await page.evaluate('document.activeElement.id'), 'copy');

			// By keyboard alone: Enter on Copy asks, Tab reaches every answer, Escape cancels.
			await page.keyboard.press('Enter');
			await bar.waitFor({ state: 'visible' });
			await page.keyboard.press('Tab');
			assert.equal(await page.evaluate('document.activeElement.textContent'), 'Keep them');
			await page.keyboard.press('Tab');
			assert.equal(await page.evaluate('document.activeElement.textContent'), 'Cancel');
			await page.keyboard.press('Escape');
			await bar.waitFor({ state: 'detached' });
			assert.equal(await page.evaluate('document.activeElement.id'), 'copy');
			assert.equal(lastOf(await posted(page), 'copyText'), undefined, 'nothing was copied');
			assert.equal((await savedState(page) as { invisibleChoice?: string }).invisibleChoice, undefined);

			await page.keyboard.press('Enter');
			await bar.waitFor({ state: 'visible' });
			await page.keyboard.press('Enter');
			assert.equal(lastOf(await posted(page), 'copyText')?.text, 'Pay invoicefdp.exe now', 'Enter on the focused answer strips');
		});

		it('asks on the clipboard shortcut with words selected, then copies through the extension', async () => {
			const payload = textPayload([['Pay', SPOOF, 'now']]);
			const page = await open(payload);
			await page.locator('polygon.word[data-word="0"]').click();
			await page.locator('polygon.word[data-word="1"]').click({ modifiers: ['Shift'] });
			const copy = `(() => {
				const event = new ClipboardEvent('copy', { clipboardData: new DataTransfer(), cancelable: true });
				document.dispatchEvent(event);
				return { copied: event.clipboardData.getData('text/plain'), prevented: event.defaultPrevented };
			})()`;
			assert.deepEqual(await page.evaluate(copy), { copied: '', prevented: true }, 'nothing goes onto the clipboard before the answer');
			const bar = page.locator('.invisible-bar');
			await bar.waitFor({ state: 'visible' });
			await bar.getByRole('button', { name: 'Strip them' }).click();
			const text = selectionText(annotationIn(payload), [0, 1]);
			assert.deepEqual(lastOf(await posted(page), 'copyText'), { type: 'copyText', text: stripInvisible(text) });
			assert.deepEqual(await page.evaluate(copy), { copied: 'Pay invoicefdp.exe', prevented: true }, 'then the shortcut copies as chosen');
		});

		it('asks before the table\'s Copy and Insert, Insert Markdown, Copy Markdown and Copy as JSON', async () => {
			const cases: { button: string; tab?: string; type: FromWebview['type']; row: string; expected: string }[] = [
				{ button: '.table-copy', tab: 'tables', type: 'copyText', row: 'table-bar', expected: '| a\u202Eb | c |' },
				{ button: '.table-insert', tab: 'tables', type: 'insertText', row: 'table-bar', expected: '| a\u202Eb | c |' },
				{ button: '.markdown-insert', tab: 'markdown', type: 'insertText', row: 'view-actions', expected: '# Title\u202E' },
				{ button: '.markdown-copy', tab: 'markdown', type: 'copyText', row: 'view-actions', expected: '# Title\u202E' },
				{ button: '.fields-copy-json', type: 'copyText', row: 'subsection-head', expected: '"12\u200B34"' },
			];
			for (const c of cases) {
				const page = await open(ocrPayload());
				if (c.tab) await page.locator(`#view-tab-${c.tab}`).click();
				await page.locator(c.button).first().click();
				const bar = page.locator('.invisible-bar');
				await bar.waitFor({ state: 'visible' });
				assert.equal(await bar.evaluate(e => e.previousElementSibling?.className), c.row, `${c.button}: the bar is under its row`);
				await bar.getByRole('button', { name: 'Strip them' }).click();
				const sent = (await posted(page)).filter(m => m.type === c.type).at(-1);
				assert.ok(sent && 'text' in sent, `${c.button} sent its text`);
				assert.ok(sent.text.includes(stripInvisible(c.expected)), `${c.button}: ${JSON.stringify(sent.text)}`);
				assert.equal(/[\u200B\u202E]/.test(sent.text), false, `${c.button}: stripped`);
			}
		});
	});

	describe('a very long word', () => {
		it('keeps the tooltip of a 20,000-character word within the panel, cut short, with its length', async () => {
			const viewport = { width: 1000, height: 600 };
			const page = await open(textPayload([['before', LONG, 'after']]), viewport);
			await page.locator('polygon.word[data-word="1"]').hover();
			const tooltip = page.locator('#tooltip');
			await tooltip.waitFor({ state: 'visible' });
			const box = await tooltip.boundingBox();
			assert.ok(box, 'the tooltip is laid out');
			assert.ok(box.y >= 0 && box.y + box.height <= viewport.height, `the tooltip ${JSON.stringify(box)} is inside the ${viewport.height}px panel`);
			assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, `and within its width: ${JSON.stringify(box)}`);
			assert.ok(box.height < 250, `a few lines tall: ${box.height}px`);
			assert.equal(await tooltip.locator('.tooltip-length').textContent(), '20,000 characters');
			await screenshot(page, 'long-word-tooltip');
			const text = (await tooltip.locator('.tooltip-text').textContent()) ?? '';
			assert.ok(text.endsWith('…') && text.length < 300, `cut short with an ellipsis: ${text.length} characters`);
			const scrolls = await page.evaluate(`[...document.querySelectorAll('#tooltip, #tooltip *')]
				.some(el => el.scrollHeight > el.clientHeight + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowY))`);
			assert.equal(scrolls, false, 'nothing in the tooltip scrolls');
			await page.locator('polygon.word[data-word="0"]').hover();
			assert.equal(await tooltip.locator('.tooltip-length').isVisible(), false, 'a short word\'s length is not given');
		});

		it('keeps the text pane a few lines tall until "Show all", by mouse or keyboard, without changing word indexes', async () => {
			const page = await open(textPayload([['before', LONG, 'after'], ['next', 'line']]));
			const word = page.locator('#text-pane [data-word="1"]');
			const toggle = page.locator('#text-pane .word-toggle');
			await toggle.waitFor({ state: 'visible' });
			assert.equal(await toggle.count(), 1, 'only the long word has the button');
			const lineHeight = await page.evaluate(`parseFloat(getComputedStyle(document.querySelector('#text-pane [data-word="1"]')).lineHeight)`) as number;
			const clipped = await word.boundingBox();
			assert.ok(clipped && clipped.height <= lineHeight * 3 + 2, `clipped to three lines: ${clipped?.height}px, lines of ${lineHeight}px`);
			const pane = await page.locator('#text-pane').boundingBox();
			assert.ok(pane && pane.height < lineHeight * 8, `the pane stays a few lines tall: ${pane?.height}px`);
			assert.equal(await word.evaluate(e => e.scrollHeight > e.clientHeight), true, 'the rest of the word is hidden, not gone');
			await screenshot(page, 'long-word');
			assert.equal(await toggle.textContent(), 'Show all');
			assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
			assert.equal(await toggle.getAttribute('aria-controls'), await word.getAttribute('id'));
			assert.equal(await toggle.getAttribute('title'), 'A word of 20,000 characters');

			await toggle.focus();
			await page.keyboard.press('Enter');
			assert.equal(await toggle.textContent(), 'Show less');
			assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
			const full = await word.boundingBox();
			assert.ok(full && full.height > lineHeight * 10, `shown in full: ${full?.height}px`);
			await page.keyboard.press('Space');
			assert.equal(await toggle.textContent(), 'Show all');
			assert.ok(((await word.boundingBox())?.height ?? Infinity) <= lineHeight * 3 + 2, 'clipped again');

			// The button is no word: clicking it selects nothing, and the words keep their indexes.
			await toggle.click();
			assert.equal(await page.locator('#text-pane .word.selected').count(), 0);
			await page.locator('#text-pane [data-word="2"]').click();
			assert.equal(await page.locator('#text-pane [data-word="2"]').textContent(), 'after');
			assert.deepEqual(await page.locator('polygon.word.selected').evaluateAll(es => es.map(e => e.getAttribute('data-word'))), ['2']);
			await page.locator('#text-pane [data-word="1"]').click({ position: { x: 10, y: 5 } });
			assert.deepEqual(await page.locator('polygon.word.selected').evaluateAll(es => es.map(e => e.getAttribute('data-word'))), ['1']);
		});
	});

	it('keeps hostile markup next to hidden characters inert, as text and in what is sent', async () => {
		const payload = textPayload([HOSTILE]);
		const page = await open(payload);
		for (const [index, text] of HOSTILE.entries()) {
			const span = page.locator(`#text-pane [data-word="${index}"]`);
			assert.equal(await span.textContent(), text.replace('\u202E', 'U+202E').replace('\u200B', 'U+200B'));
			assert.equal(await span.evaluate(e => [...e.children].every(c => c.className === 'invisible-char' && c.childElementCount === 0)), true);
		}
		await page.locator('polygon.word[data-word="0"]').hover();
		assert.equal(await page.locator('#tooltip .tooltip-text').textContent(), '<img src=x onerror="globalThis.__pwned=1">U+202E');
		await page.locator('#copy').click();
		await page.locator('.invisible-bar').getByRole('button', { name: 'Keep them' }).click();
		assert.deepEqual(lastOf(await posted(page), 'copyText'), { type: 'copyText', text: HOSTILE.join(' ') });
		assert.equal(await page.locator('img').count(), 1, 'only the analyzed image is an img');
		assert.equal(await page.locator('script').count(), 1, 'only the webview bundle is a script');
		assert.equal(await page.evaluate('globalThis.__pwned'), undefined);
	});
});

function box(i: number, row: number): Polygon {
	const x = 20 + i * 90;
	const y = 20 + row * 40;
	return { vertices: [{ x, y }, { x, y: y + 24 }, { x: x + 80, y: y + 24 }, { x: x + 80, y }] };
}

function word(text: string, i: number, row: number): Word {
	return { boundingBox: box(i, row), text, confidence: 0.9, languages: [{ languageCode: 'en', confidence: 0.9 }], entityIndex: -1 };
}

/** The sample image's payload with these lines of words, one block. */
function textPayload(lines: readonly (readonly string[])[]): InitPayload {
	const recorded = recordingOf('latin-note.png').textDetection!.pages[0]!;
	const annotation: TextAnnotation = {
		pages: [{
			width: recorded.width,
			height: recorded.height,
			blocks: [{ boundingBox: box(0, 0), lines: lines.map((texts, row) => ({ boundingBox: box(0, row), words: texts.map((text, i) => word(text, i, row)), confidence: 0.9 })) }],
			entities: [],
		}],
	};
	const payload = payloadOf('latin-note.png', ['TEXT_DETECTION']);
	payload.model.features = [{ type: 'TEXT_DETECTION', model: 'page', result: { textDetection: annotation } }];
	return payload;
}

/** An OCR API answer with a table, Markdown and a field, each holding a hidden character. */
function ocrPayload(): InitPayload {
	const payload = textPayload([['Title\u202E'], ['a\u202Eb', 'c']]);
	const page = annotationIn(payload).pages[0]!;
	annotationIn(payload).engine = 'ocr-api';
	page.tables = [{
		boundingBox: box(0, 1),
		rowCount: 1,
		columnCount: 2,
		cells: [
			{ boundingBox: box(0, 1), rowIndex: 0, columnIndex: 0, rowSpan: 1, columnSpan: 1, text: 'a\u202Eb' },
			{ boundingBox: box(1, 1), rowIndex: 0, columnIndex: 1, rowSpan: 1, columnSpan: 1, text: 'c' },
		],
	}];
	page.markdown = '# Title\u202E\n\n| a\u202Eb | c |\n';
	page.entities = [{ name: 'number', text: '12\u200B34' }];
	payload.model.features[0]!.model = 'table';
	return payload;
}

function annotationIn(payload: InitPayload): TextAnnotation {
	return payload.model.features[0]!.result.textDetection!;
}
