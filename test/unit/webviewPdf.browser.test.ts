/**
 * PDF pages in the results webview, in a real browser: the panel's bundle and the PDF bundle
 * built as esbuild.js builds them, pdf.js's worker beside it, the page served with the panel's
 * CSP, and the two-page sample PDF with its recording.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import type { InitPayload } from '../../src/shared/protocol';
import type { Recording } from '../emulator/recording';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { READY_REQUEST_ID, REPO_ROOT, type WebviewAsset } from '../support/webviewPage';
import { boundsOf, lastOf, payloadOf, posted, SCREENSHOTS, selectedWords, send, waitForExpression, WebviewHarness, type RecordedWord } from './webviewHarness';

const PDF = 'two-pages.pdf';
/** Served as a PDF by name; its bytes are no PDF a reader can parse. */
const BROKEN_PDF = 'unreadable.pdf';
const TOLERANCE = 2;

/** Each page's canvas: how many of its pixels are dark (text), and its width. */
const INK = `[...document.querySelectorAll('canvas.pdf-canvas')].map(canvas => {
	const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
	let dark = 0;
	for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 384) dark++;
	return { dark, width: canvas.width };
})`;

/** The scripts of the page, as paths under dist/. */
const SCRIPTS = `[...document.scripts].map(s => s.src.replace(/^.*\\/dist\\//, 'dist/')).sort()`;

/** Records what the panel's CSP refuses, from before the panel's script runs. */
const CSP_PROBE = `(() => {
	const refused = globalThis.__refused = [];
	document.addEventListener('securitypolicyviolation', e => refused.push(e.violatedDirective + ' ' + e.blockedURI));
})()`;

interface PageBox { x: number; y: number; width: number; height: number }

function pageWords(recording: Recording): RecordedWord[][] {
	return (recording.textDetection?.pages ?? []).map(page => page.blocks.flatMap(b => b.lines.flatMap(l => l.words)));
}

describe('PDF pages in the results webview, in Chromium', function () {
	this.timeout(60_000);
	const recording = recordingOf(PDF);
	const [firstPage, secondPage] = pageWords(recording);
	const recordedPages = recording.textDetection?.pages ?? [];
	const harness = new WebviewHarness();

	before(async () => {
		// As esbuild.js builds dist/webview/pdf.js.
		const pdfBundle = await esbuild.build({
			entryPoints: [path.join(REPO_ROOT, 'media', 'pdf', 'pdfRenderer.ts')],
			bundle: true,
			format: 'iife',
			platform: 'browser',
			target: 'es2022',
			write: false,
			outfile: 'pdf.js',
			logLevel: 'silent',
			logOverride: { 'empty-import-meta': 'silent' },
		});
		const pdfjs = path.dirname(require.resolve('pdfjs-dist/package.json'));
		await harness.start(new Map<string, WebviewAsset>([
			['/dist/webview/pdf.js', { contentType: 'text/javascript', body: Buffer.from(pdfBundle.outputFiles[0]!.contents) }],
			['/dist/webview/pdf.worker.mjs', { contentType: 'text/javascript', body: fs.readFileSync(path.join(pdfjs, 'legacy', 'build', 'pdf.worker.min.mjs')) }],
			[`/fixtures/${PDF}`, { contentType: 'application/pdf', body: fixtureBytes(PDF) }],
			[`/fixtures/${BROKEN_PDF}`, { contentType: 'application/pdf', body: '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n%%EOF\n' }],
		]));
	});
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	async function openPanel(payload: InitPayload, viewport = { width: 1200, height: 900 }): Promise<Page> {
		const { page } = await harness.openPanel({ viewport, initScripts: [CSP_PROBE] });
		await send(page, { type: 'init', inReplyTo: READY_REQUEST_ID, payload });
		await page.locator('.viewer').waitFor({ state: 'attached' });
		return page;
	}

	function pdfPayload(features: Parameters<typeof payloadOf>[1] = ['TEXT_DETECTION']): InitPayload {
		return payloadOf(PDF, features);
	}

	/** Waits until `count` pages have their canvas. */
	async function drawnPages(page: Page, count = 2): Promise<void> {
		await waitForExpression(page, `document.querySelectorAll('.pdf-page.drawn > canvas.pdf-canvas').length === ${count}`);
	}

	async function refused(page: Page): Promise<string[]> {
		return page.evaluate('globalThis.__refused');
	}

	async function pageBox(page: Page, index: number): Promise<PageBox> {
		const box = await page.locator(`.pdf-page[data-page="${index}"]`).boundingBox();
		assert.ok(box, `page ${index + 1} is on screen`);
		return box;
	}

	/** The word's polygon sits on the recorded box, scaled from the page's pixels to the page as shown. */
	async function expectOnPage(page: Page, wordIndex: number, pageIndex: number, word: RecordedWord): Promise<void> {
		const shown = await pageBox(page, pageIndex);
		const polygon = await page.locator(`polygon.word[data-word="${wordIndex}"]`).boundingBox();
		assert.ok(polygon, `"${word.text}" has a polygon on screen`);
		const scale = shown.width / recordedPages[pageIndex].width;
		const expected = boundsOf(word.boundingBox);
		const off = {
			x: polygon.x - (shown.x + expected.x * scale),
			y: polygon.y - (shown.y + expected.y * scale),
			width: polygon.width - expected.width * scale,
			height: polygon.height - expected.height * scale,
		};
		assert.ok(Object.values(off).every(d => Math.abs(d) <= TOLERANCE), `"${word.text}" on page ${pageIndex + 1} is off by ${JSON.stringify(off)}`);
	}

	it('draws each page on a canvas of its own proportions, one under the other, with nothing refused by the CSP', async () => {
		const page = await openPanel(pdfPayload());
		await drawnPages(page);
		assert.equal(await page.locator('.pdf-page').count(), 2);
		assert.equal(await page.locator('img').count(), 0, 'no <img> for a PDF');
		const [first, second] = [await pageBox(page, 0), await pageBox(page, 1)];
		assert.ok(Math.abs(first.width / first.height - 560 / 792) < 0.01, 'the first page is upright');
		assert.ok(Math.abs(second.width / second.height - 792 / 560) < 0.01, 'the second page is landscape');
		assert.ok(second.y > first.y + first.height, 'the second page is below the first, with a gap');
		assert.ok(Math.abs((first.x + first.width / 2) - (second.x + second.width / 2)) <= 1, 'the pages are centred on each other');

		const ink: { dark: number; width: number }[] = await page.evaluate(INK);
		for (const [i, canvas] of ink.entries()) {
			assert.ok(canvas.dark > 2000, `page ${i + 1} has text drawn on it (${canvas.dark} dark pixels)`);
		}
		assert.equal(ink[1].width, Math.round(second.width), 'page 2 is drawn at the width it is shown at');
		assert.deepEqual(await refused(page), [], 'the CSP refused nothing');
		await page.screenshot({ path: path.join(SCREENSHOTS, 'webview-pdf-two-pages.png') });
	});

	it('puts each page\'s word boxes over that page, in that page\'s pixels', async () => {
		const page = await openPanel(pdfPayload());
		await drawnPages(page);
		for (const [p, words] of [firstPage, secondPage].entries()) {
			assert.equal(await page.locator(`svg.page-regions[data-page="${p}"] polygon.word`).count(), words.length, `a box per word of page ${p + 1}`);
		}
		const offset = firstPage.length;
		for (const i of [0, 1, 8, firstPage.length - 1]) await expectOnPage(page, i, 0, firstPage[i]);
		for (const i of [0, 2, 12, secondPage.length - 1]) await expectOnPage(page, offset + i, 1, secondPage[i]);
	});

	it('selects a word of page 2 on its page, in the text pane and for Insert, and moves across pages with the arrows', async () => {
		const page = await openPanel(pdfPayload());
		await drawnPages(page);
		const terms = firstPage.length;
		assert.equal(secondPage[0].text, 'Terms');
		await page.locator(`polygon.word[data-word="${terms}"]`).click();
		assert.deepEqual(await selectedWords(page), [terms]);
		assert.deepEqual(await page.locator('#text-pane span.word.selected').allTextContents(), ['Terms']);
		assert.equal(await page.locator('#selection-status').textContent(), `1 of ${firstPage.length + secondPage.length} words selected`);
		await page.locator('#insert').click();
		assert.deepEqual(lastOf(await posted(page), 'insertText'), { type: 'insertText', text: 'Terms' });

		await page.locator(`polygon.word[data-word="${terms}"]`).hover();
		await page.locator('#tooltip').waitFor({ state: 'visible' });
		assert.equal(await page.locator('#tooltip .tooltip-text').textContent(), 'Terms');

		await page.locator('.viewer').focus();
		await page.keyboard.press('ArrowLeft');
		assert.deepEqual(await selectedWords(page), [terms - 1], 'Left goes back to the last word of page 1');
		assert.equal(await page.locator('#text-pane span.word.selected').textContent(), firstPage[firstPage.length - 1].text);
		await page.keyboard.press('Shift+ArrowRight');
		assert.deepEqual(await selectedWords(page), [terms - 1, terms], 'a selection spans the two pages');
		assert.deepEqual(lastOf(await posted(page), 'selectionChanged')?.selection, [terms - 1, terms]);
	});

	it('fits the widest page to the panel and zooms the whole stack, redrawing pages sharper within the canvas limit', async () => {
		const page = await openPanel(pdfPayload(), { width: 900, height: 700 });
		await drawnPages(page);
		const viewport = await page.locator('.viewport').boundingBox();
		assert.ok(viewport);
		let [first, second] = [await pageBox(page, 0), await pageBox(page, 1)];
		assert.ok(second.width <= viewport.width && second.width > viewport.width - 60, `Fit: the landscape page (${second.width}px) spans the view (${viewport.width}px)`);
		assert.ok(Math.abs(first.width / second.width - 560 / 792) < 0.01, 'the upright page keeps its size relative to the wider one');
		await expectOnPage(page, firstPage.length + 3, 1, secondPage[3]);

		await page.locator('#zoom-actual').click();
		[first, second] = [await pageBox(page, 0), await pageBox(page, 1)];
		assert.ok(Math.abs(second.width - 792) <= 1 && Math.abs(first.width - 560) <= 1, `100 % shows the pages at 96 dpi: ${first.width}, ${second.width}`);
		await waitForExpression(page, `document.querySelector('.pdf-page[data-page="0"] canvas').width === 560`);
		await expectOnPage(page, 3, 0, firstPage[3]);

		// The largest zoom: the upright page would be 6,336 px tall; its canvas stops at 4,096.
		await page.locator('.viewer').focus();
		for (let i = 0; i < 8; i++) await page.keyboard.press('+');
		assert.equal(await page.locator('#zoom-level').textContent(), '800%');
		await page.locator('.viewport').evaluate(v => v.scrollTo(0, 0));
		await waitForExpression(page, `document.querySelector('.pdf-page[data-page="0"] canvas')?.height === 4096`);
		assert.equal(await page.evaluate('document.querySelector(\'.pdf-page[data-page="0"] canvas\').width'), Math.round(4096 * 560 / 792));
		await expectOnPage(page, 0, 0, firstPage[0]);
	});

	it('draws only the pages in or near the view, and lets go of those scrolled far away', async () => {
		const page = await openPanel(pdfPayload(), { width: 1000, height: 500 });
		await drawnPages(page);
		await page.locator('.viewer').focus();
		for (let i = 0; i < 4; i++) await page.keyboard.press('+');
		await page.locator('.viewport').evaluate(v => v.scrollTo(0, 0));
		await waitForExpression(page, `document.querySelectorAll('.pdf-page canvas').length === 1 && document.querySelector('.pdf-page[data-page="0"] canvas') !== null`);

		await page.locator('.viewport').evaluate(v => v.scrollTo(0, v.scrollHeight));
		await waitForExpression(page, `document.querySelectorAll('.pdf-page canvas').length === 1 && document.querySelector('.pdf-page[data-page="1"] canvas') !== null`);
		assert.deepEqual(await refused(page), []);
	});

	it('shows a note in place of the pages of a PDF it cannot read, and keeps the text and the other results', async () => {
		const payload = pdfPayload(['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION']);
		const page = await openPanel({ ...payload, imageSrc: `/fixtures/${BROKEN_PDF}` });
		const note = page.locator('.pdf-unavailable');
		await note.waitFor({ state: 'visible' });
		assert.match(await note.textContent() ?? '', /^The pages of this PDF cannot be shown here: .+\. The results are not affected\.$/);
		assert.equal(await page.locator('.stage').isVisible(), false, 'no empty page is left in its place');
		assert.equal(await page.locator('#text-pane span.word').count(), firstPage.length + secondPage.length, 'the recognized text is all there');
		assert.equal(await page.locator('section.feature-classification').count(), 1);
		assert.equal(await page.locator('section.feature-face_detection').count(), 1);
		assert.equal(await page.locator('#zoom-fit').isDisabled(), true, 'nothing to zoom');
		assert.deepEqual(await refused(page), []);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'webview-pdf-unreadable.png') });
	});

	it('shows classification and face detection for a PDF as for an image', async () => {
		const page = await openPanel(pdfPayload(['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION']));
		await drawnPages(page);
		await page.locator('#feature-classification').waitFor({ state: 'attached' });
		assert.match(await page.locator('#feature-classification').textContent() ?? '', /High quality/);
		assert.match(await page.locator('#feature-face_detection').textContent() ?? '', /No faces found/);
		assert.equal(await page.locator('polygon.word').count(), firstPage.length + secondPage.length);
	});

	it('loads pdf.js only for a PDF', async () => {
		const page = await openPanel(payloadOf('latin-note.png', ['TEXT_DETECTION']));
		await page.locator('img.image').waitFor({ state: 'visible' });
		assert.deepEqual(await page.evaluate(SCRIPTS), ['dist/webview.js']);
		assert.equal(await page.evaluate('typeof globalThis.yandexVisionPdfRenderer'), 'undefined');

		const pdfPage = await openPanel(pdfPayload());
		await drawnPages(pdfPage);
		assert.deepEqual(await pdfPage.evaluate(SCRIPTS), ['dist/webview.js', 'dist/webview/pdf.js']);
	});
});
