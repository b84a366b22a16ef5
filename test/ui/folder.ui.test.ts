/**
 * Analyze Folder… as a person uses it in real VS Code against the emulator: the Explorer's context
 * menu on a folder, the results view with what failed and why, a result opened from it, the same
 * folder again from the cache, and Search Text in Images… over what was recognized.
 */
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { recordingOf } from '../support/fixtures';
import { useSession } from './session';
import {
	clearNotifications,
	closeAllEditors,
	expectToast,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	quickPickRow,
	resultsPanel,
	runCommand,
	waitUntil,
} from './workbench';

/** The workspace's images/: 8 with recordings (a 2-page PDF among them), a truncated JPEG and text named .png. */
const GOOD = ['cyrillic-sign.jpg', 'faces.jpg', 'hostile-text.png', 'latin-note.png', 'mixed-page.png', 'receipt.png', 'rotated-line.png', 'two-pages.pdf'];
const BROKEN = ['broken.jpg', 'not-an-image.png'];

describe('Analyze Folder… in the VS Code workbench', function () {
	this.timeout(90_000);
	const session = useSession({
		signIn: true,
		// The other UI tests keep the cache off; here it is the point.
		userSettings: { 'yandexVision.cache.maxMegabytes': 200 },
	});

	function batchRequests(): number {
		return session.emulator.log.filter(entry => entry.path.endsWith('batchAnalyze')).length;
	}

	it('from the folder\'s context menu: the results view lists what failed with its reason, and what was done', async () => {
		const { page } = session;
		session.emulator.clearLog();
		await analyzeImagesFolder(page);

		const summary = await expectToast(page, 'Yandex Vision: 10 images: 8 done, 2 failed', 60_000);
		const sent = session.emulator.log.filter(entry => entry.path.endsWith('batchAnalyze'));
		assert.equal(sent.reduce((sum, entry) => sum + (entry.specCount ?? 0), 0), GOOD.length, 'the good images sent once each, the broken ones never');
		assert.ok(sent.every(entry => entry.status === 200 && (entry.specCount ?? 0) <= 8));
		await summary.locator('.monaco-button', { hasText: /^Show Failed$/ }).click();

		const view = resultsView(page);
		await view.body.waitFor({ state: 'visible' });
		assert.equal((await view.tab.textContent())?.trim(), 'Yandex Vision', 'its tab in the Panel is the one shown');
		assert.equal(await panelTabBadge(page), '2', 'the failures counted on the tab');
		assert.equal(await view.message.textContent(), 'images: 10 images');

		const failedGroup = view.row('Failed (2)');
		await failedGroup.waitFor({ state: 'visible' });
		assert.equal(await failedGroup.getAttribute('aria-expanded'), 'true', 'what failed is shown open');
		assert.deepEqual(await view.children(failedGroup), BROKEN);
		const doneGroup = view.row('Done (8)');
		assert.equal(await doneGroup.getAttribute('aria-expanded'), 'true');
		// Maximized, as a person would to see the whole list: the tree draws only the rows in view.
		await withPanelMaximized(page, async () => {
			assert.deepEqual(await view.children(doneGroup), GOOD, 'every good image, in path order');
			assert.equal(await view.item('receipt.png').locator('.label-description').textContent(), 'images · analyzed');
		});

		// Hovering a failed image says why, as the notification did not.
		const broken = view.item('broken.jpg');
		await broken.hover();
		const hover = page.locator('.workbench-hover, .monaco-hover').filter({ visible: true }).filter({ hasText: 'broken.jpg' }).first();
		await hover.waitFor({ state: 'visible', timeout: 10_000 });
		assert.match(await hover.innerText(), /images\/broken\.jpg\s+images\/broken\.jpg is a truncated JPEG: it ends after [\d,]+ bytes.*\. It was cut short: copy or download it again\./s);
		await session.workbench.screenshot('folder-results-view');
		await page.mouse.move(0, 0);
	});

	it('a done image opens its results panel from the view, with no new request', async () => {
		const { page } = session;
		session.emulator.clearLog();
		const view = resultsView(page);
		await expandGroup(view, 'Done (8)');
		await scrollTo(page, view.item('receipt.png'));
		await view.item('receipt.png').click();
		const panel = await resultsPanel(page, 'images/receipt.png');
		assert.equal(await panel.locator('polygon.word').count(), wordsOf('receipt.png').length, 'a box per recorded word');
		assert.equal(batchRequests(), 0, 'opened from the cache');
	});

	it('the same folder again: all 8 from the cache, and not one request', async () => {
		const { page } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		session.emulator.clearLog();
		await analyzeImagesFolder(page);

		await expectToast(page, 'Yandex Vision: 10 images: 8 from cache, 2 failed', 60_000);
		const view = resultsView(page);
		await view.row('From cache (8)').waitFor({ state: 'visible' });
		assert.equal(await panelTabBadge(page), '2', 'the same failures');
		await expandGroup(view, 'From cache (8)');
		await withPanelMaximized(page, async () => {
			assert.deepEqual(await view.children(view.row('From cache (8)')), GOOD);
			assert.equal(await view.item('receipt.png').locator('.label-description').textContent(), 'images · from cache');
			await session.workbench.screenshot('folder-results-cached');
		});
		assert.equal(batchRequests(), 0, 'nothing sent for unchanged images');
	});

	it('Search Text in Images… finds a recognized line and opens it selected, with no request', async () => {
		const { page } = session;
		await closeAllEditors(page);
		session.emulator.clearLog();
		const line = lineOf('receipt.png', 'Молоко');
		await runCommand(page, 'Yandex Vision: Search Text in Images…');
		await quickInputBox(page).fill('Молоко');
		const row = quickPickRow(page, `${line.text}, images/receipt.png`);
		await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
			const rows = await page.locator('.quick-input-list .monaco-list-row').evaluateAll(elements => elements.map(e => e.getAttribute('aria-label')));
			throw new Error(`No search result "${line.text}" in images/receipt.png; the list shows: ${JSON.stringify(rows)}`);
		});
		await page.keyboard.press('Enter');

		const panel = await resultsPanel(page, 'images/receipt.png');
		const total = wordsOf('receipt.png').length;
		await waitUntil(async () => (await panel.locator('#selection-status').textContent()) === `${line.words} of ${total} words selected`,
			async () => `the line's ${line.words} words to be selected; the panel says "${await panel.locator('#selection-status').textContent()}"`);
		assert.equal((await panel.locator('#text-pane span.word.selected').allTextContents()).join(' '), line.text);
		assert.equal(await panel.locator('polygon.word.selected').count(), line.words, 'the line\'s words marked on the image');
		await session.workbench.screenshot('folder-search-opened');
		assert.equal(batchRequests(), 0, 'searching sends nothing');
	});
});

/** Right-click images/ in the Explorer → Analyze Folder… → keep "Recognize text" → OK. */
async function analyzeImagesFolder(page: Page): Promise<void> {
	await pickFromContextMenu(page, await explorerItem(page, 'images'), 'Analyze Folder…');
	const text = quickPickRow(page, 'Recognize text');
	await text.waitFor({ state: 'visible', timeout: 10_000 });
	assert.equal(await text.getAttribute('aria-checked'), 'true', 'text recognition is picked by default');
	await page.keyboard.press('Enter');
	await quickInputBox(page).waitFor({ state: 'hidden', timeout: 10_000 });
}

interface ResultsView {
	/** The Panel's tab that is shown. */
	tab: Locator;
	/** The line above the tree: what the run was and how far it got. */
	message: Locator;
	body: Locator;
	/** A group's row, by its label, e.g. `Failed (2)`. */
	row(label: string): Locator;
	/** An image's row, by its file name. */
	item(name: string): Locator;
	/** The file names listed under an expanded group, in order. */
	children(group: Locator): Promise<string[]>;
}

function resultsView(page: Page): ResultsView {
	// In the Panel, beside Problems and Output: its tab there, its tree below.
	const panel = page.locator('.part.panel');
	const body = panel.locator('.pane-body');
	const rows = body.locator('.monaco-list-row');
	return {
		tab: panel.locator('.composite-bar .action-item.checked .action-label'),
		message: body.locator('.message'),
		body,
		row: label => rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) }).first(),
		item: name => rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escape(name)}$`) }) }).first(),
		async children(group) {
			const level = Number(await group.getAttribute('aria-level'));
			const all = await rows.evaluateAll(elements => elements.map(e => ({
				level: Number(e.getAttribute('aria-level')),
				name: e.querySelector('.label-name')?.textContent ?? '',
				top: parseFloat((e as unknown as { style: { top: string } }).style.top) || 0,
			})));
			all.sort((a, b) => a.top - b.top);
			const groupName = await group.locator('.label-name').textContent();
			const start = all.findIndex(row => row.level === level && row.name === groupName);
			const names: string[] = [];
			for (const row of all.slice(start + 1)) {
				if (row.level <= level) break;
				names.push(row.name);
			}
			return names;
		},
	};
}

/** The number on the Panel's shown tab. */
async function panelTabBadge(page: Page): Promise<string | null> {
	return page.locator('.part.panel .composite-bar .action-item.checked .badge-content').textContent();
}

/** Runs `body` with the Panel maximized, then gives it back its size. */
async function withPanelMaximized(page: Page, body: () => Promise<void>): Promise<void> {
	await runCommand(page, 'View: Toggle Maximized Panel');
	try {
		await body();
	} finally {
		await runCommand(page, 'View: Toggle Maximized Panel');
	}
}

/** Scrolls the list under the mouse until `row` is drawn and in view. */
async function scrollTo(page: Page, row: Locator): Promise<void> {
	await page.locator('.part.panel .pane-body .monaco-list').hover();
	await waitUntil(async () => {
		if (await row.isVisible()) return true;
		await page.mouse.wheel(0, 66);
		return false;
	}, 'the row to scroll into view', 10_000);
	await row.scrollIntoViewIfNeeded();
}

async function expandGroup(view: ResultsView, label: string): Promise<void> {
	const group = view.row(label);
	await group.waitFor({ state: 'visible' });
	if ((await group.getAttribute('aria-expanded')) === 'false') await group.click();
	await waitUntil(async () => (await group.getAttribute('aria-expanded')) === 'true', `the group ${label} to expand`);
}

function wordsOf(image: string): string[] {
	return recordingOf(image).textDetection!.pages.flatMap(p => p.blocks).flatMap(b => b.lines).flatMap(l => l.words).map(w => w.text);
}

/** The recorded line of `image` that starts with `first`, as Search shows it. */
function lineOf(image: string, first: string): { text: string; words: number } {
	const line = recordingOf(image).textDetection!.pages.flatMap(p => p.blocks).flatMap(b => b.lines)
		.find(l => l.words[0]?.text === first);
	assert.ok(line, `${image}'s recording has a line starting with ${first}`);
	return { text: line.words.map(w => w.text).join(' '), words: line.words.length };
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
