/**
 * Text recognition as a person uses it: the Command Palette, the Explorer's context menu, the
 * status bar and the results panel, clicked in real VS Code against the local emulator.
 */
import * as assert from 'node:assert/strict';
import type { ConsoleMessage, FrameLocator, Page } from 'playwright-core';
import { DEFAULT_CREDENTIALS } from '../emulator';
import type { Recording } from '../emulator/recording';
import { recordingOf } from '../support/fixtures';
import { useSession } from './session';
import {
	activeEditorText,
	clearNotifications,
	closeAllEditors,
	cursorPosition,
	expectBoxOver,
	expectNoErrorNotifications,
	expectToast,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	readClipboard,
	resultsPanel,
	runCommand,
	setIamTokenFromPalette,
	waitUntil,
	writeClipboard,
} from './workbench';

const TOKEN = DEFAULT_CREDENTIALS.userIamToken;

describe('text recognition in the VS Code workbench, by mouse and keyboard', function () {
	this.timeout(60_000);
	const session = useSession();

	function requests(): [number, string | undefined][] {
		return session.emulator.log.map(entry => [entry.status, entry.authScheme]);
	}

	beforeEach(async () => {
		const { page } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		session.emulator.clearLog();
	});

	it('Set IAM Token from the Command Palette takes the token in a password box and keeps it', async () => {
		const { page } = session;
		await runCommand(page, 'Yandex Vision: Set IAM Token');
		const box = quickInputBox(page);
		await box.waitFor({ state: 'visible' });
		assert.equal(await box.getAttribute('type'), 'password', 'the token box hides what is typed');
		await box.pressSequentially(TOKEN);
		await session.workbench.screenshot('token-password-box');
		await page.keyboard.press('Enter');
		await expectToast(page, 'Yandex Vision: IAM token saved in secret storage.');

		// Signing out tells whether a token was kept.
		await runCommand(page, 'Yandex Vision: Sign Out');
		await expectToast(page, 'Yandex Vision: signed out; the stored credentials were deleted.');
		assert.deepEqual(requests(), [], 'setting a token sends nothing to the service');
		await expectNoErrorNotifications(page);
	});

	it('the first analysis without a token asks for one in a modal dialog, then analyzes', async () => {
		const { page } = session;
		await runCommand(page, 'Yandex Vision: Sign Out');
		await expectToast(page, /Yandex Vision: (signed out|no credentials were stored)/);
		await pickFromContextMenu(page, await explorerItem(page, 'images/rotated-line.png'), 'Recognize Text');
		const dialog = page.locator('.monaco-dialog-box');
		await dialog.waitFor({ state: 'visible' });
		assert.match(await dialog.innerText(), /Yandex Vision needs an IAM token to analyze images\./);
		assert.deepEqual(requests(), [], 'nothing is sent before there is a token');
		await session.workbench.screenshot('token-modal-dialog');

		await dialog.locator('.monaco-button', { hasText: /^Set IAM Token$/ }).click();
		const box = quickInputBox(page);
		await box.waitFor({ state: 'visible' });
		assert.equal(await box.getAttribute('type'), 'password', 'the token box hides what is typed');
		await box.pressSequentially(TOKEN);
		await page.keyboard.press('Enter');

		const panel = await resultsPanel(page, 'images/rotated-line.png');
		assert.equal(await panel.locator('polygon.word').count(), wordsOf(recordingOf('rotated-line.png')).length, 'a polygon per recognized word');
		assert.deepEqual(requests(), [[200, 'Bearer']], 'one request, with the token just typed');
		await expectNoErrorNotifications(page);
	});

	describe('with a token set', () => {
		before(async () => {
			await setIamTokenFromPalette(session.page, TOKEN);
		});

		it('Recognize Text from the Explorer, then a click on a word and Insert put that word at the cursor', async () => {
			const { page } = session;
			await runCommand(page, 'File: New Untitled Text File');
			await page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ state: 'visible' });
			await page.keyboard.type('Water: ');
			await page.keyboard.press('Enter');
			await page.keyboard.type('Thanks.');
			// Closes word suggestions, if any opened, before moving the cursor.
			await page.keyboard.press('Escape');
			await page.keyboard.press('ArrowUp');
			await page.keyboard.press('End');
			await waitUntil(async () => (await cursorPosition(page)) === 'Ln 1, Col 8', async () => `the cursor after "Water: " (Ln 1, Col 8); the status bar says ${await cursorPosition(page)}`);

			const words = wordsOf(recordingOf('latin-note.png'));
			await pickFromContextMenu(page, await explorerItem(page, 'images/latin-note.png'), 'Recognize Text');
			const panel = await resultsPanel(page, 'images/latin-note.png');
			const indexes = await panel.locator('polygon.word').evaluateAll(polygons => polygons.map(p => Number(p.getAttribute('data-word'))));
			assert.deepEqual(indexes.sort((a, b) => a - b), words.map((_, i) => i), `exactly one polygon per recognized word (${words.length})`);
			await expectPolygonOverWord(panel, recordingOf('latin-note.png'), 3);

			const fourth = panel.locator('polygon.word[data-word="3"]');
			await fourth.click();
			await waitUntil(async () => (await fourth.getAttribute('class'))?.split(' ').includes('selected'), 'the clicked word to be marked selected on the image');
			assert.deepEqual(await panel.locator('#text-pane span.word.selected').allTextContents(), [words[3]], 'the same word is selected in the text pane');
			assert.equal(await panel.locator('#selection-status').textContent(), `1 of ${words.length} words selected`);
			assert.equal(await panel.locator('#insert').textContent(), 'Insert selection');
			await session.workbench.screenshot('recognize-text-word-selected');

			await panel.locator('#insert').click();
			const after = `Ln 1, Col ${8 + words[3].length}`;
			await waitUntil(async () => (await cursorPosition(page)) === after, async () => `the cursor after the inserted "${words[3]}" (${after}); the status bar says ${await cursorPosition(page)}`);
			await session.workbench.screenshot('recognize-text-inserted');
			assert.equal(await activeEditorText(page), `Water: ${words[3]}\nThanks.`);
			assert.equal(session.emulator.log.length, 1, 'one request');
			await expectNoErrorNotifications(page);
		});

		it('Quick OCR in the status bar copies the text of the open image in reading order', async () => {
			const { page } = session;
			const recording = recordingOf('receipt.png');
			const quickOcr = page.locator('.statusbar-item', { hasText: 'Quick OCR' });
			await quickOcr.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {
				throw new Error('Quick OCR stays in the status bar while no image is open');
			});

			await (await explorerItem(page, 'images/receipt.png')).click();
			await quickOcr.waitFor({ state: 'visible' });
			await imagePreview(page).locator('img').waitFor({ state: 'visible' });
			await writeClipboard(page, 'before Quick OCR');
			await quickOcr.click();

			await expectToast(page, `Copied ${wordsOf(recording).length} words from images/receipt.png.`);
			assert.equal(await readClipboard(page), readingOrderText(recording));
			await session.workbench.screenshot('quick-ocr-notification');
			assert.deepEqual(requests(), [[200, 'Bearer']], 'one request');
			await expectNoErrorNotifications(page);
		});

		it('shows hostile recognized text as literal text, and runs none of it', async () => {
			const { page } = session;
			const words = wordsOf(recordingOf('hostile-text.png'));
			const imgWord = '<img/src=x/onerror=alert(1)>';
			assert.ok(words.includes(imgWord), `the fixture holds ${imgWord}`);
			const consoleLines: string[] = [];
			const onConsole = (message: ConsoleMessage) => consoleLines.push(`${message.type()}: ${message.text()}`);
			page.on('console', onConsole);
			try {
				await pickFromContextMenu(page, await explorerItem(page, 'images/hostile-text.png'), 'Recognize Text');
				const panel = await resultsPanel(page, 'images/hostile-text.png');
				// The console of the webview reaches this listener, so its silence below means something.
				await panel.locator('body').evaluate(() => console.info('console probe from the results panel'));
				await waitUntil(async () => consoleLines.some(line => line.includes('console probe from the results panel')), 'the webview console to be observed');

				assert.deepEqual(await panel.locator('#text-pane span.word').allTextContents(), words, 'every word, literally, in reading order');
				await expectOnlyOwnElements(panel, 'hostile-text.png');

				const word = panel.locator(`polygon.word[data-word="${words.indexOf(imgWord)}"]`);
				await word.hover();
				const tooltip = panel.locator('#tooltip');
				await tooltip.waitFor({ state: 'visible' });
				assert.equal(await tooltip.locator('.tooltip-text').textContent(), imgWord, 'the tooltip shows the word literally');
				assert.equal(await tooltip.locator('*').count(), await tooltip.locator('div').count(), 'the tooltip holds no elements made from the text');
				await session.workbench.screenshot('hostile-text-tooltip');

				// Analyzing again re-renders the open panel; this time with traps set for anything that runs.
				await panel.locator('body').evaluate(TRAP);
				const firstRequestId = session.emulator.log[0]?.requestId;
				await pickFromContextMenu(page, await explorerItem(page, 'images/hostile-text.png'), 'Recognize Text');
				const secondRequestId = await waitUntil(async () => session.emulator.log[1]?.status === 200 && session.emulator.log[1].requestId, 'the second request');
				assert.notEqual(secondRequestId, firstRequestId);
				await waitUntil(async () => (await panel.locator('.header .meta').textContent())?.includes(secondRequestId), 'the panel to show the second analysis');
				assert.deepEqual(await panel.locator('#text-pane span.word').allTextContents(), words);
				assert.deepEqual(await panel.locator('body').evaluate(() => (globalThis as { trapped?: string[] }).trapped), [], 'nothing ran and no active element appeared while rendering');
				await expectOnlyOwnElements(panel, 'hostile-text.png');

				assert.deepEqual(session.workbench.dialogs, [], 'no browser dialog opened');
				// A blocked `alert` ("Ignored call to 'alert()'…") or a CSP refusal would be logged here.
				const suspicious = consoleLines.filter(line => /alert|refused|onerror/i.test(line));
				assert.deepEqual(suspicious, [], 'no blocked script, image or dialog in the console');
			} finally {
				page.off('console', onConsole);
			}
			await expectNoErrorNotifications(page);
		});
	});
});

/**
 * Run in the webview: records calls of alert, confirm and prompt, and every element added with a
 * script, an image other than the panel's own, or an `on…` attribute.
 */
const TRAP = `(() => {
	const trapped = globalThis.trapped = [];
	for (const name of ['alert', 'confirm', 'prompt']) window[name] = (...args) => { trapped.push(name + '(' + args.join(',') + ')'); };
	new MutationObserver(records => {
		for (const record of records) {
			for (const node of record.addedNodes) {
				if (!(node instanceof Element)) continue;
				for (const element of [node, ...node.querySelectorAll('*')]) {
					if (element.tagName === 'SCRIPT' || (element.tagName === 'IMG' && !element.classList.contains('image'))) trapped.push(element.outerHTML);
					for (const attribute of element.getAttributeNames()) if (/^on/i.test(attribute)) trapped.push(element.outerHTML);
				}
			}
		}
	}).observe(document, { childList: true, subtree: true });
})()`;

/** The panel's page holds its own image and scripts only: nothing made from recognized text. */
async function expectOnlyOwnElements(panel: FrameLocator, image: string): Promise<void> {
	const sources = await panel.locator('img').evaluateAll(images => images.map(i => i.getAttribute('src') ?? ''));
	assert.equal(sources.length, 1, `one image, the analyzed one; found ${JSON.stringify(sources)}`);
	assert.ok(sources[0].includes(`/images/${image}?`), `the image is ${image}: ${sources[0]}`);
	const scripts = await panel.locator('script').evaluateAll(elements => elements.map(s => s.id || s.getAttribute('src') || s.outerHTML));
	// VS Code's own acquireVsCodeApi script and the panel's bundle.
	assert.deepEqual(scripts.map(s => s.replace(/^.*\/(dist\/webview\.js)$/, '$1')), ['_vscodeApiScript', 'dist/webview.js'], 'no other script');
	const handlers = await panel.locator('*').evaluateAll(elements => elements.filter(e => e.getAttributeNames().some((a: string) => /^on/i.test(a))).map(e => e.outerHTML));
	assert.deepEqual(handlers, [], 'no element has an inline event handler');
}

/** The word's polygon covers the word's box in the image, as drawn at its displayed size. */
async function expectPolygonOverWord(panel: FrameLocator, recording: Recording, index: number): Promise<void> {
	const image = await panel.locator('img.image').boundingBox();
	const polygon = await panel.locator(`polygon.word[data-word="${index}"]`).boundingBox();
	assert.ok(image && polygon, 'the image and the polygon are on screen');
	const word = recording.textDetection!.pages[0].blocks.flatMap(b => b.lines).flatMap(l => l.words)[index];
	const scale = image.width / recording.width;
	expectBoxOver(polygon, word.boundingBox.vertices, image, { x: scale, y: scale }, `the polygon of "${word.text}" sits on the word`);
}

/** VS Code's built-in image preview. */
function imagePreview(page: Page): FrameLocator {
	return page.locator('iframe.webview.ready[src*="extensionId=vscode.media-preview&"]').filter({ visible: true })
		.contentFrame().locator('iframe#active-frame').contentFrame();
}

/** The recorded words in reading order. */
function wordsOf(recording: Recording): string[] {
	return recording.textDetection!.pages.flatMap(page => page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text))));
}

/** What the service's reading order gives as plain text: words by spaces, lines by newlines, blocks by blank lines. */
function readingOrderText(recording: Recording): string {
	return recording.textDetection!.pages
		.map(page => page.blocks.map(block => block.lines.map(line => line.words.map(word => word.text).join(' ')).join('\n')).join('\n\n'))
		.join('\n\f\n');
}
