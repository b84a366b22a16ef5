/**
 * Dropping an image as a person does in real VS Code: a file dragged from the Explorer into an
 * editor with Shift held — VS Code inserts its path, as it does by default — then "Insert recognized
 * text" chosen in the drop widget.
 */
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { annotationToText } from '../../src/results/text';
import { recordingOf } from '../support/fixtures';
import { useSession } from './session';
import { activeEditorText, clearNotifications, closeAllEditors, expectNoErrorNotifications, expectProgressGone, expectToast, explorerItem, runCommand, waitUntil } from './workbench';

/**
 * Drags `source` to the end of `line` in an editor, Shift held from the first move on: without it
 * the editor group takes the drop and opens the file instead.
 */
async function shiftDrag(page: Page, source: Locator, line: Locator): Promise<void> {
	const from = await source.boundingBox();
	const to = await line.boundingBox();
	assert.ok(from && to, 'the Explorer row and the editor line are on screen');
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
	await page.mouse.down();
	await page.keyboard.down('Shift');
	try {
		await page.mouse.move(to.x + to.width - 40, to.y + to.height / 2, { steps: 10 });
		await page.mouse.up();
	} finally {
		await page.keyboard.up('Shift');
	}
}

describe('dropping an image into an editor in the VS Code workbench', function () {
	this.timeout(90_000);
	const session = useSession({ signIn: true, viewport: { width: 1440, height: 900 }, userSettings: { 'yandexVision.ocr.engine': 'ocr-api' } });

	it('Shift+drag from the Explorer, then "Insert recognized text" in the drop widget, puts the image\'s text where it was dropped', async () => {
		const { page } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		session.emulator.clearLog();
		await runCommand(page, 'File: New Untitled Text File');
		const editor = page.locator('.editor-group-container.active .monaco-editor');
		await editor.locator('.view-lines').click();
		// Typing hides the hint of an empty untitled editor, whose links would take the drop and ignore it.
		await page.keyboard.type('Receipt: ');

		await shiftDrag(page, await explorerItem(page, 'images/receipt.png'), editor.locator('.view-line').first());
		await waitUntil(async () => (await editor.locator('.view-lines').innerText()).includes('images/receipt.png'), async () => `the file's path dropped into the editor, VS Code's default; the editor shows: ${await editor.locator('.view-lines').innerText()}`);
		assert.equal(session.emulator.log.length, 0, 'nothing is sent for a drop that was not asked to recognize');

		const widget = editor.locator('.post-edit-widget .monaco-button, .post-edit-widget a, .post-edit-widget').first();
		await widget.waitFor({ state: 'visible', timeout: 10_000 });
		await widget.click();
		const option = page.locator('.context-view .action-widget .action-item, .action-widget .monaco-list-row', { hasText: 'Insert recognized text' }).first();
		await option.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
			await session.workbench.screenshot('drop-widget-failed');
			throw new Error(`The drop widget offers no "Insert recognized text": ${JSON.stringify(await page.locator('.action-widget').allInnerTexts())}`);
		});
		await session.workbench.screenshot('drop-widget-options');
		// A slow answer, to see what the editor shows meanwhile.
		session.emulator.configure({ latencyMs: 3_000 });
		// The list takes the keyboard: down to the option, Enter to apply it.
		for (let i = 0; i < 5 && (await option.getAttribute('class'))?.split(' ').includes('focused') !== true; i++) await page.keyboard.press('ArrowDown');
		await page.keyboard.press('Enter');

		// The rendered lines hold no-break spaces.
		const shown = async () => (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
		await waitUntil(async () => (await shown()).includes('Receipt: Recognizing the text of receipt.png…'), async () => `the placeholder where the path was; the editor shows: ${await shown()}`, 10_000);
		await expectToast(page, 'Yandex Vision: recognizing text', 10_000);
		await session.workbench.screenshot('drop-recognizing');

		const expected = `Receipt: ${annotationToText(recordingOf('receipt.png').textDetection!)}`;
		await waitUntil(async () => !(await shown()).includes('Recognizing the text'), 'the placeholder to give way', 30_000);
		assert.equal(await activeEditorText(page), expected);
		await expectProgressGone(page, 'Yandex Vision: recognizing text');
		// Off the selection Ctrl+A left, for the picture.
		await editor.locator('.view-lines').click({ position: { x: 600, y: 500 } });
		await session.workbench.screenshot('drop-recognized-text');
		assert.deepEqual(session.emulator.log.map(entry => [entry.path, entry.status]), [['/ocr/v1/recognizeText', 200]]);
		await expectNoErrorNotifications(page);
	});
});
