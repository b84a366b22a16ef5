/**
 * The panel's first impression in Chromium, at the size it has beside an editor in a 1440×900
 * window: the whole image and the first results in view without scrolling, a portrait photo
 * beside its results and a wide diagram above them, one zoom readout, a splitter the mouse and
 * the keyboard move and the panel remembers, a way to see a small-shown diagram large, and
 * selected words that stay readable.
 */
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { InitPayload, PersistedState } from '../../src/shared/protocol';
import { fixtureBytes } from '../support/fixtures';
import { loadVips, withImages } from './imagesHarness';
import { init, lastOf, nextFrame, payloadOf, posted, savedState, screenshot, waitForExpression, WebviewHarness, type ThemeName } from './webviewHarness';

/** The results panel beside an editor in a 1440×900 window, without the workbench around it. */
const BESIDE_EDITOR = { width: 700, height: 810 };

interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

describe('Results webview layout in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();
	/** Made from the samples at test time: a phone photo held upright, and a diagram wider than any panel. */
	const PORTRAIT = '/generated/receipt-photo.jpg';
	const WIDE = '/generated/wide-article.png';
	const portrait = { width: 2400, height: 2800 };
	const wide = { width: 2640, height: 960 };

	before(async () => {
		const vips = await loadVips();
		const made = withImages(keep => {
			const receipt = keep(vips.Image.newFromBuffer(fixtureBytes('receipt.png')));
			const flat = receipt.hasAlpha() ? keep(receipt.flatten()) : receipt;
			const photo = keep(flat.resize(portrait.width / receipt.width));
			const diagram = keep(keep(vips.Image.newFromBuffer(fixtureBytes('two-column-article.png'))).resize(wide.width / 1100));
			assert.deepEqual([photo.width, photo.height, diagram.width, diagram.height], [portrait.width, portrait.height, wide.width, wide.height]);
			return { photo: Buffer.from(photo.jpegsaveBuffer({ Q: 85 })), diagram: Buffer.from(diagram.pngsaveBuffer()) };
		});
		await harness.start(new Map([
			[PORTRAIT, { contentType: 'image/jpeg', body: made.photo }],
			[WIDE, { contentType: 'image/png', body: made.diagram }],
		]));
	});
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	/** The receipt photographed upright, analyzed for text, classification and faces. */
	function portraitPayload(): InitPayload {
		return { ...payloadOf('receipt.png', ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION']), imageSrc: PORTRAIT };
	}

	/** The two-column article as a wide diagram, analyzed for text and classification. */
	function widePayload(): InitPayload {
		return { ...payloadOf('two-column-article.png', ['TEXT_DETECTION', 'CLASSIFICATION']), imageSrc: WIDE };
	}

	async function open(payload: InitPayload, options: { viewport?: { width: number; height: number }; state?: unknown; theme?: ThemeName } = {}): Promise<Page> {
		const { page } = await harness.openPanel({ viewport: options.viewport ?? BESIDE_EDITOR, state: options.state as PersistedState | undefined, theme: options.theme });
		await init(page, payload);
		await waitForExpression(page, 'document.querySelector(".stage").classList.contains("fitted")');
		await nextFrame(page);
		return page;
	}

	async function boxOf(locator: Locator): Promise<Box> {
		const box = await locator.boundingBox();
		assert.ok(box, 'on screen');
		return box;
	}

	/** Within the window and within the pane that scrolls it, to the pixel. */
	async function expectInView(page: Page, locator: Locator, pane: string, what: string): Promise<void> {
		const box = await boxOf(locator);
		const within = await boxOf(page.locator(pane));
		const window = page.viewportSize();
		assert.ok(window);
		for (const outer of [within, { x: 0, y: 0, ...window }]) {
			assert.ok(box.x >= outer.x - 0.5 && box.y >= outer.y - 0.5 && box.x + box.width <= outer.x + outer.width + 0.5 && box.y + box.height <= outer.y + outer.height + 0.5,
				`${what} ${JSON.stringify(box)} is in view, within ${JSON.stringify(outer)}`);
		}
	}

	async function expectNothingScrolled(page: Page): Promise<void> {
		assert.equal(await page.evaluate('document.scrollingElement.scrollHeight <= innerHeight && document.scrollingElement.scrollWidth <= innerWidth'), true, 'the page itself does not scroll');
		assert.deepEqual(await page.locator('.viewport').evaluate(v => [v.scrollHeight <= v.clientHeight, v.scrollWidth <= v.clientWidth]), [true, true], 'nor does the image');
	}

	/** The percentage the zoom bar shows, as a number. */
	async function zoomLevel(page: Page): Promise<number> {
		return parseInt(await page.locator('#zoom-level').textContent() ?? '', 10);
	}

	describe('beside an editor in a 1440×900 window', () => {
		it('shows the whole portrait photo beside its results, the first section and the tabs of the others in view', async () => {
			const page = await open(portraitPayload());
			assert.deepEqual(await classesOf(page.locator('.content')), ['content', 'side'], 'side by side');
			await expectInView(page, page.locator('img.image'), '.viewport', 'the photo');
			await expectNothingScrolled(page);
			const image = await boxOf(page.locator('img.image'));
			const view = await boxOf(page.locator('.viewport'));
			assert.ok(image.width > view.width - 40 || image.height > view.height - 40, `the photo fills its view's width or height (${image.width}×${image.height} in ${view.width}×${view.height} px)`);
			assert.equal(await zoomLevel(page), Math.floor(image.width / portrait.width * 100 + 0.5), 'the readout says the scale shown');

			await expectInView(page, page.locator('section.feature').first().locator('.section-title'), '.sections', 'the first section\'s heading');
			await expectInView(page, page.locator('#text-pane .line').first(), '.sections', 'the first line of text');
			for (const tab of ['Text', 'Classification', 'Faces']) {
				await expectInView(page, page.locator('.nav-tab', { hasText: tab }), '.sections', `the ${tab} tab`);
			}
			assert.equal(await page.locator('#show-large').isVisible(), false, 'only a wide image offers a larger panel');
			await screenshot(page, 'layout-portrait-beside-editor');
		});

		it('shows the whole wide diagram above its results, which scroll on their own, and offers to show it large', async () => {
			const page = await open(widePayload());
			assert.deepEqual(await classesOf(page.locator('.content')), ['content', 'stacked'], 'the diagram above the results');
			await expectInView(page, page.locator('img.image'), '.viewport', 'the diagram');
			await expectNothingScrolled(page);
			const image = await boxOf(page.locator('img.image'));
			assert.ok(image.width > BESIDE_EDITOR.width - 60, `the diagram spans the panel (${image.width} px)`);
			await expectInView(page, page.locator('section.feature').first().locator('.section-title'), '.sections', 'the first section\'s heading');
			await expectInView(page, page.locator('#text-pane .line').first(), '.sections', 'the first line of text');

			// The results scroll inside their own pane; the diagram stays where it is.
			const sections = page.locator('.sections');
			assert.equal(await sections.evaluate(s => s.scrollHeight > s.clientHeight), true, 'the results are longer than their pane');
			await sections.evaluate(s => s.scrollTo(0, s.scrollHeight));
			assert.deepEqual(await boxOf(page.locator('img.image')), image, 'the diagram did not move');
			await sections.evaluate(s => s.scrollTo(0, 0));

			assert.ok(await zoomLevel(page) < 50, 'Fit shows it at under half its size');
			const showLarge = page.locator('#show-large');
			assert.equal(await showLarge.textContent(), 'Maximize');
			assert.match(await showLarge.getAttribute('title') ?? '', /editor group/);
			await screenshot(page, 'layout-wide-beside-editor');
			await showLarge.click();
			assert.ok(lastOf(await posted(page), 'toggleMaximizeGroup'), 'the extension is asked to maximize the panel\'s group');

			// VS Code maximizes the group: the panel takes the window's width.
			await page.setViewportSize({ width: 1390, height: BESIDE_EDITOR.height });
			await waitForExpression(page, 'document.querySelector("#show-large").textContent === "Restore"');
			await expectInView(page, page.locator('img.image'), '.viewport', 'the diagram in the larger panel');
			const large = await boxOf(page.locator('img.image'));
			assert.ok(large.width > 1.5 * image.width, `it is shown larger by half at least (${image.width} → ${large.width} px wide)`);
			await showLarge.click();
			assert.equal((await posted(page)).filter(m => m.type === 'toggleMaximizeGroup').length, 2, 'and then to restore it');
			await page.setViewportSize(BESIDE_EDITOR);
			await waitForExpression(page, 'document.querySelector("#show-large").textContent === "Maximize"');
		});

		it('stacks the receipt above its text in a narrow panel, each scrolling on its own', async () => {
			const page = await open(payloadOf('receipt.png', ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION']), { viewport: { width: 460, height: 760 } });
			assert.deepEqual(await classesOf(page.locator('.content')), ['content', 'stacked']);
			await expectInView(page, page.locator('img.image'), '.viewport', 'the receipt');
			await expectNothingScrolled(page);
			await expectInView(page, page.locator('section.feature').first().locator('.section-title'), '.sections', 'the first section\'s heading');
		});
	});

	describe('the zoom bar', () => {
		it('says the scale once, at Fit and at 1:1', async () => {
			const page = await open(portraitPayload());
			const percentages = async (): Promise<string[]> => (await page.locator('.zoom-bar').innerText()).match(/\d+\s?%/g) ?? [];
			assert.equal((await percentages()).length, 1, `one readout at Fit: ${await page.locator('.zoom-bar').innerText()}`);
			assert.equal(await page.locator('#zoom-actual').textContent(), '1:1');
			assert.equal(await page.locator('#zoom-actual').getAttribute('title'), 'Actual size (1)');
			await page.locator('#zoom-actual').click();
			assert.deepEqual(await percentages(), ['100%'], 'one readout at 100 %');
		});
	});

	describe('the splitter', () => {
		it('moves with the mouse and the keyboard, keeps the whole image in view, and is remembered', async () => {
			const page = await open(portraitPayload());
			const splitter = page.locator('.splitter');
			assert.equal(await splitter.getAttribute('role'), 'separator');
			assert.equal(await splitter.getAttribute('aria-orientation'), 'vertical');
			assert.equal(await splitter.getAttribute('aria-label'), 'Image and results');
			const viewer = page.locator('section.viewer');
			const before = await boxOf(viewer);

			// Dragged 100 px towards the image: its column narrows by as much, and the results widen.
			const line = await boxOf(splitter);
			await page.mouse.move(line.x + 0.5, line.y + line.height / 2);
			await page.mouse.down();
			await page.mouse.move(line.x - 99.5, line.y + line.height / 2, { steps: 5 });
			await page.mouse.up();
			const dragged = await boxOf(viewer);
			assert.ok(Math.abs(dragged.width - (before.width - 100)) <= 1, `the image's column is ${dragged.width} px, was ${before.width}`);
			await expectInView(page, page.locator('img.image'), '.viewport', 'the photo after the drag');
			await expectNothingScrolled(page);
			const kept = await savedState(page) as { split?: { side?: number } };
			assert.ok(kept.split?.side !== undefined && Math.abs(kept.split.side * BESIDE_EDITOR.width - dragged.width) <= 2, `the share is kept in the webview state: ${JSON.stringify(kept.split)}`);

			// The keyboard: the arrows move it by 5 %, Home and End to its bounds.
			await splitter.focus();
			const now = Number(await splitter.getAttribute('aria-valuenow'));
			await page.keyboard.press('ArrowLeft');
			assert.equal(Number(await splitter.getAttribute('aria-valuenow')), now - 5);
			await page.keyboard.press('ArrowRight');
			await page.keyboard.press('ArrowRight');
			assert.equal(Number(await splitter.getAttribute('aria-valuenow')), now + 5);
			await page.keyboard.press('End');
			assert.equal(await splitter.getAttribute('aria-valuenow'), await splitter.getAttribute('aria-valuemax'));
			const results = await boxOf(page.locator('.sections'));
			assert.ok(results.width >= 279, `the results keep their room (${results.width} px)`);
			await page.keyboard.press('Home');
			assert.equal(await splitter.getAttribute('aria-valuenow'), await splitter.getAttribute('aria-valuemin'));
			await page.keyboard.press('ArrowRight');
			const share = Number(await splitter.getAttribute('aria-valuenow'));
			await expectInView(page, page.locator('img.image'), '.viewport', 'the photo after the keys');

			// After a reload the panel comes back with the splitter where it was left.
			const state = await savedState(page);
			const reloaded = await open(portraitPayload(), { state });
			assert.equal(Number(await reloaded.locator('.splitter').getAttribute('aria-valuenow')), share);
			assert.ok(Math.abs((await boxOf(reloaded.locator('section.viewer'))).width - share / 100 * BESIDE_EDITOR.width) <= 4);

			// A double-click puts it back where the image needs it, and forgets it.
			await reloaded.locator('.splitter').dblclick();
			assert.ok(Math.abs((await boxOf(reloaded.locator('section.viewer'))).width - before.width) <= 1, 'back to its first place');
			assert.equal((await savedState(reloaded) as { split?: { side?: number } }).split?.side, undefined);
		});

		it('moves up and down between the diagram and the results stacked', async () => {
			const page = await open(widePayload());
			const splitter = page.locator('.splitter');
			assert.equal(await splitter.getAttribute('aria-orientation'), 'horizontal');
			const before = await boxOf(page.locator('section.viewer'));
			await splitter.focus();
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('ArrowDown');
			const after = await boxOf(page.locator('section.viewer'));
			const content = await boxOf(page.locator('.content'));
			assert.ok(Math.abs(after.height - before.height - 0.1 * content.height) <= 2, `the diagram's pane grew by 10 % (${before.height} → ${after.height} px)`);
			assert.ok((await savedState(page) as { split?: { stacked?: number } }).split?.stacked !== undefined, 'kept for the stacked layout');
		});
	});

	describe('selected words', () => {
		for (const theme of ['dark', 'light'] as const) {
			it(`are outlined and lightly tinted, so their text stays readable (${theme})`, async () => {
				const page = await open(payloadOf('latin-note.png', ['TEXT_DETECTION']), { viewport: { width: 1200, height: 760 }, theme });
				const word = page.locator('polygon.word[data-word="3"]');
				await word.click();
				await waitForExpression(page, 'document.querySelector(\'polygon.word[data-word="3"]\').classList.contains("selected")');
				await page.mouse.move(2, 2);
				const style = await word.evaluate(e => {
					const s = e.ownerDocument.defaultView?.getComputedStyle(e);
					return { fillOpacity: Number(s?.fillOpacity), stroke: s?.stroke, strokeWidth: parseFloat(s?.strokeWidth ?? '') };
				});
				assert.ok(style.fillOpacity <= 0.25, `a light tint: fill-opacity ${style.fillOpacity}`);
				assert.ok(style.stroke !== 'none' && style.strokeWidth >= 2, `an outline: ${style.stroke} ${style.strokeWidth}px`);
				await screenshot(page, `layout-selected-word-${theme}`);
			});
		}
	});
});

async function classesOf(locator: Locator): Promise<string[]> {
	return ((await locator.getAttribute('class')) ?? '').split(/\s+/).sort((a, b) => a === 'content' ? -1 : b === 'content' ? 1 : a.localeCompare(b));
}
