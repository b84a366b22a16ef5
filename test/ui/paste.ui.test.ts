/**
 * Pasting an image as a person does in real VS Code: an image copied with a caption (as browsers'
 * "Copy image" and many screenshot tools leave it), Ctrl+V in an untitled editor — the caption goes
 * in, as VS Code pastes text by default — then "Insert recognized text" chosen in the paste widget.
 */
import * as assert from 'node:assert/strict';
import { annotationToText } from '../../src/results/text';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { useSession } from './session';
import { activeEditorText, closeAllEditors, expectNoErrorNotifications, runCommand, waitUntil } from './workbench';

describe('pasting an image into an editor in the VS Code workbench', function () {
	this.timeout(90_000);
	const session = useSession({ signIn: true, userSettings: { 'yandexVision.ocr.engine': 'ocr-api' } });

	it('Ctrl+V, then "Insert recognized text" in the paste widget, replaces the pasted caption with the image\'s text', async () => {
		const { page } = session;
		await closeAllEditors(page);
		session.emulator.clearLog();
		await runCommand(page, 'File: New Untitled Text File');
		const editor = page.locator('.editor-group-container.active .monaco-editor');
		await editor.locator('.view-lines').click();

		const png = fixtureBytes('receipt.png').toString('base64');
		// Runs in the page, where the DOM's clipboard API is: written as source, the tests' TypeScript has no DOM types.
		await page.evaluate(`(async () => {
			const bytes = Uint8Array.from(atob(${JSON.stringify(png)}), c => c.charCodeAt(0));
			await navigator.clipboard.write([new ClipboardItem({
				'image/png': new Blob([bytes], { type: 'image/png' }),
				'text/plain': new Blob(['receipt.png'], { type: 'text/plain' }),
			})]);
		})()`);
		await page.keyboard.press('ControlOrMeta+V');
		await waitUntil(async () => (await editor.locator('.view-lines').innerText()).includes('receipt.png'), 'the caption pasted as text, VS Code\'s default');
		assert.equal(session.emulator.log.length, 0, 'nothing is sent for a paste that was not asked to recognize');

		const widget = editor.locator('.post-edit-widget .monaco-button, .post-edit-widget a, .post-edit-widget').first();
		await widget.waitFor({ state: 'visible', timeout: 10_000 });
		await widget.click();
		const option = page.locator('.context-view .action-widget .action-item, .action-widget .monaco-list-row', { hasText: 'Insert recognized text' }).first();
		await option.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
			await session.workbench.screenshot('paste-widget-failed');
			throw new Error(`The paste widget offers no "Insert recognized text": ${JSON.stringify(await page.locator('.action-widget').allInnerTexts())}`);
		});
		await session.workbench.screenshot('paste-widget-options');
		// The list takes the keyboard: down to the option, Enter to apply it.
		for (let i = 0; i < 5 && (await option.getAttribute('class'))?.split(' ').includes('focused') !== true; i++) await page.keyboard.press('ArrowDown');
		await page.keyboard.press('Enter');

		const expected = annotationToText(recordingOf('receipt.png').textDetection!);
		await waitUntil(async () => (await activeEditorText(page)).trim() === expected.trim(), async () => `the editor to hold the receipt's text; it holds: ${(await activeEditorText(page)).slice(0, 120)}`, 30_000);
		await session.workbench.screenshot('paste-recognized-text');
		assert.deepEqual(session.emulator.log.map(entry => [entry.path, entry.status]), [['/ocr/v1/recognizeText', 200]]);
		await expectNoErrorNotifications(page);
	});
});
