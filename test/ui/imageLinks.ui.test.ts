/**
 * A Markdown image link as a person uses it in real VS Code: the cursor on the link, Ctrl+. for its
 * code actions, "Recognize text of this image" chosen — the image's text comes under the link.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { annotationToText } from '../../src/results/text';
import { recordingOf } from '../support/fixtures';
import { pageOfRecording } from '../support/ocrPage';
import { useSession } from './session';
import { activeEditorText, clearNotifications, closeAllEditors, expectNoErrorNotifications, expectProgressGone, explorerItem, waitUntil } from './workbench';

const LINK = '![handwritten note](documents/handwritten-note.png)';
const NOTES = `# Notes\n\n${LINK}\n\nMore text.\n`;

describe('Markdown image links in the VS Code workbench', function () {
	this.timeout(90_000);
	const session = useSession({
		signIn: true,
		viewport: { width: 1440, height: 900 },
		userSettings: { 'yandexVision.ocr.engine': 'ocr-api' },
		prepare: workspace => fs.writeFileSync(path.join(workspace.folder, 'notes.md'), NOTES),
	});

	it('Ctrl+. on a link, then "Recognize text of this image", puts the image\'s text under the link', async () => {
		const { page } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		session.emulator.clearLog();
		await (await explorerItem(page, 'notes.md')).dblclick();
		const editor = page.locator('.editor-group-container.active .monaco-editor');
		const line = editor.locator('.view-line', { hasText: 'handwritten' });
		await line.waitFor({ state: 'visible', timeout: 10_000 });
		// Into the alt text, at the start of the line.
		await line.click({ position: { x: 40, y: 5 } });

		const option = page.locator('.action-widget .monaco-list-row', { hasText: 'Recognize text of this image' });
		await waitUntil(async () => {
			// The code actions of a document just opened may come a moment later: asked again until they do.
			await page.keyboard.press('ControlOrMeta+.');
			if (await option.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) return true;
			await page.keyboard.press('Escape');
			return false;
		}, async () => `"Recognize text of this image" among the code actions; shown: ${JSON.stringify(await page.locator('.action-widget').allInnerTexts())}`);
		assert.equal(session.emulator.log.length, 0, 'nothing is sent for code actions offered');
		await session.workbench.screenshot('image-link-code-actions');
		// The list takes the keyboard: down to the action, Enter to run it.
		for (let i = 0; i < 6 && (await option.getAttribute('class'))?.split(' ').includes('focused') !== true; i++) await page.keyboard.press('ArrowDown');
		await page.keyboard.press('Enter');

		const text = annotationToText({ pages: [pageOfRecording(recordingOf('handwritten-note.png').ocr!['page']![0]!)] });
		const expected = `# Notes\n\n${LINK}\n\n${text}\n\nMore text.\n`;
		await waitUntil(async () => await activeEditorText(page) === expected, async () => `the note's text under the link; the editor holds: ${JSON.stringify((await activeEditorText(page)).slice(0, 200))}`, 30_000);
		await expectProgressGone(page, 'Yandex Vision: recognizing text');
		await page.mouse.click(1000, 600);
		// Back to the top, where the link and the text under it are, for the screenshot.
		await page.keyboard.press('ControlOrMeta+Home');
		await session.workbench.screenshot('image-link-recognized');
		assert.deepEqual(session.emulator.log.map(entry => [entry.path, entry.model, entry.status]), [['/ocr/v1/recognizeText', 'page', 200]]);
		await expectNoErrorNotifications(page);
	});
});
