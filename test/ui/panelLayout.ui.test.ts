/**
 * The results panel as it first opens beside an editor in a 1440×900 VS Code window: a phone photo
 * held upright and a diagram far wider than the panel are each shown whole, with the first
 * results in view, without scrolling; the diagram offers to show the panel large, and Maximize
 * and Restore do so in the workbench.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { loadVips } from '../emulator/decode';
import { fixtureBytes } from '../support/fixtures';
import { writeFittingSamples, type FittingSamples } from '../support/fittingSamples';
import { useSession } from './session';
import {
	clearNotifications,
	closeAllEditors,
	expectNoErrorNotifications,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	quickPickRow,
	resultsPanel,
	waitUntil,
	type ScreenBox,
} from './workbench';

const WINDOW = { width: 1440, height: 900 };
/** two-column-article.png enlarged 2.4 times: a page-wide diagram, 2640 × 960. */
const WIDE = { name: 'wide-article.png', source: 'two-column-article.png', scale: 2.4 };

describe('the results panel at first sight, beside an editor in a 1440×900 window', function () {
	this.timeout(120_000);
	let samples: FittingSamples | undefined;
	const session = useSession({
		signIn: true,
		viewport: WINDOW,
		prepare: async workspace => {
			const dir = path.join(workspace.folder, 'images', 'generated');
			const vips = await loadVips();
			samples = await writeFittingSamples(vips, dir);
			const source = vips.Image.newFromBuffer(fixtureBytes(WIDE.source));
			const wide = source.resize(WIDE.scale);
			fs.writeFileSync(path.join(dir, WIDE.name), wide.pngsaveBuffer());
			wide.delete();
			source.delete();
		},
	});

	/** Opens the README beside nothing, then analyzes `label` from the Explorer: the panel opens beside the README. */
	async function analyzeBesideEditor(label: string, features: readonly string[]): Promise<FrameLocator> {
		const { page } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		await (await explorerItem(page, 'README.md')).dblclick();
		await page.locator('.editor-group-container.active .monaco-editor').waitFor({ state: 'visible' });
		await pickFromContextMenu(page, await explorerItem(page, label), 'Analyze Image…');
		const rows = ['Recognize text', 'Classify', 'Detect faces', 'Find image copies'].map(name => ({ name, row: quickPickRow(page, name) }));
		await rows[0]!.row.waitFor({ state: 'visible' });
		for (const { name, row } of rows) {
			const wanted = features.includes(name);
			if (((await row.getAttribute('aria-checked')) === 'true') !== wanted) await row.click();
			await waitUntil(async () => ((await row.getAttribute('aria-checked')) === 'true') === wanted, `"${name}" to be ${wanted ? 'checked' : 'unchecked'}`);
		}
		await quickInputBox(page).press('Enter');
		const panel = await resultsPanel(page, label, 90_000);
		const image = panel.locator('img.image');
		await waitUntil(async () => image.evaluate(img => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), 'the image to load in the panel');
		await panel.locator('.stage.fitted').waitFor({ state: 'attached' });
		await panel.locator('section.feature').first().waitFor({ state: 'visible' });
		return panel;
	}

	async function boxOf(locator: Locator, what: string): Promise<ScreenBox> {
		const box = await locator.boundingBox();
		assert.ok(box, `${what} is on screen`);
		return box;
	}

	/** Inside `outer` and inside the window, to the pixel. */
	function expectWithin(box: ScreenBox, outer: ScreenBox, what: string): void {
		for (const frame of [outer, { x: 0, y: 0, ...WINDOW }]) {
			assert.ok(box.x >= frame.x - 0.5 && box.y >= frame.y - 0.5 && box.x + box.width <= frame.x + frame.width + 0.5 && box.y + box.height <= frame.y + frame.height + 0.5,
				`${what} ${JSON.stringify(box)} lies within ${JSON.stringify(frame)}`);
		}
	}

	/** The whole image inside its view, the first section's heading inside the results, nothing of the page scrolled. */
	async function expectFirstImpression(page: Page, panel: FrameLocator): Promise<{ panel: ScreenBox; image: ScreenBox }> {
		const frame = await boxOf(panel.owner(), 'the panel');
		const image = await boxOf(panel.locator('img.image'), 'the image');
		expectWithin(image, await boxOf(panel.locator('.viewport'), 'the image\'s view'), 'the whole image');
		expectWithin(image, frame, 'the whole image');
		const heading = await boxOf(panel.locator('section.feature').first().locator('.section-title'), 'the first section\'s heading');
		expectWithin(heading, await boxOf(panel.locator('.sections'), 'the results'), 'the first section\'s heading');
		expectWithin(heading, frame, 'the first section\'s heading');
		const scrolled = await panel.locator('.viewport').evaluate(v => v.scrollHeight > v.clientHeight || v.scrollWidth > v.clientWidth || v.ownerDocument.documentElement.scrollHeight > v.ownerDocument.documentElement.clientHeight);
		assert.equal(scrolled, false, 'neither the image nor the page needs scrolling');
		const editor = await boxOf(page.locator('.editor-group-container').first(), 'the README\'s group');
		assert.ok(frame.x >= editor.x + editor.width - 1, 'the panel is beside the editor');
		return { panel: frame, image };
	}

	it('shows the whole photo held upright and its first results, without scrolling', async () => {
		const { page, workbench } = session;
		assert.ok(samples);
		const label = `images/generated/${samples.photo.name}`;
		const panel = await analyzeBesideEditor(label, ['Recognize text', 'Classify', 'Detect faces']);
		const { image } = await expectFirstImpression(page, panel);
		const { width, height } = samples.photo.upright;
		assert.ok(Math.abs(image.width / image.height - width / height) < 0.01, 'upright, in proportion');
		for (const tab of ['Text', 'Classification', 'Faces']) {
			expectWithin(await boxOf(panel.locator('.nav-tab', { hasText: tab }), `the ${tab} tab`), await boxOf(panel.owner(), 'the panel'), `the ${tab} tab`);
		}
		await workbench.screenshot('panel-layout-portrait-photo');
		await expectNoErrorNotifications(page);
	});

	it('shows the whole wide diagram above its results, and Maximize shows it larger until Restore', async () => {
		const { page, workbench } = session;
		const label = `images/generated/${WIDE.name}`;
		const panel = await analyzeBesideEditor(label, ['Recognize text', 'Classify']);
		const before = await expectFirstImpression(page, panel);
		assert.equal(await panel.locator('.content').getAttribute('class'), 'content stacked', 'the diagram above the results');
		const showLarge = panel.locator('#show-large');
		assert.equal(await showLarge.textContent(), 'Maximize');
		await workbench.screenshot('panel-layout-wide-diagram');

		await showLarge.click();
		await waitUntil(async () => (await showLarge.textContent()) === 'Restore', 'the button to offer Restore once the group is maximized');
		const large = await boxOf(panel.owner(), 'the maximized panel');
		assert.ok(large.width > 1.8 * before.panel.width, `the panel takes the editor area (${before.panel.width} → ${large.width} px)`);
		const image = await boxOf(panel.locator('img.image'), 'the image');
		expectWithin(image, large, 'the whole diagram, maximized');
		assert.ok(image.width > 1.5 * before.image.width, `the diagram is shown larger (${before.image.width} → ${image.width} px)`);
		assert.equal(await page.locator('.editor-group-container .monaco-editor').filter({ visible: true }).count(), 0, 'the README\'s group is out of the way');
		await workbench.screenshot('panel-layout-wide-diagram-maximized');

		await showLarge.click();
		await waitUntil(async () => (await showLarge.textContent()) === 'Maximize', 'the button to offer Maximize again once the groups are restored');
		const restored = await boxOf(panel.owner(), 'the restored panel');
		assert.ok(Math.abs(restored.width - before.panel.width) <= 2, `the panel is back beside the editor (${restored.width} px)`);
		await expectNoErrorNotifications(page);
	});
});
