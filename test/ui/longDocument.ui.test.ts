/**
 * A 120-page PDF as a person meets it in real VS Code: Recognize Text from the Explorer sends it
 * to the OCR API's asynchronous call, the panel opens at once saying the service is reading it,
 * and the window reloaded half way (a new extension host) reads on from the same operation: the
 * pages arrive, and the service saw one submission — nothing billed twice.
 */
import * as assert from 'node:assert/strict';
import { useSession } from './session';
import { clearNotifications, closeAllEditors, explorerItem, listNotifications, pickFromContextMenu, resultsPanel, runCommand, waitUntil } from './workbench';

const PDF = 'documents/long-contract.pdf';
/** 120 pages at 150 ms each: the service takes 18 s, long enough to reload in the middle. */
const MS_PER_PAGE = 150;

describe('a 120-page PDF in the VS Code workbench', function () {
	this.timeout(180_000);
	const session = useSession({ signIn: true, viewport: { width: 1440, height: 900 }, userSettings: { 'yandexVision.ocr.engine': 'ocr-api' } });

	const submissions = () => session.emulator.log.filter(entry => entry.path.endsWith('/recognizeTextAsync'));

	it('opens at once and says the service is reading; reloaded half way, it reads on from the same operation', async () => {
		const { page, emulator } = session;
		await closeAllEditors(page);
		await clearNotifications(page);
		emulator.clearLog();
		emulator.configure({ ocrProcessingMsPerPage: MS_PER_PAGE });

		await pickFromContextMenu(page, await explorerItem(page, PDF), 'Recognize Text');
		const panel = await resultsPanel(page, PDF, 30_000).catch(async error => {
			await session.workbench.screenshot('long-document-no-panel');
			throw new Error(`${(error as Error).message}; notifications: ${JSON.stringify(await listNotifications(page))}; emulator saw ${JSON.stringify(emulator.log.map(entry => [entry.path, entry.status, entry.fault]))}`);
		});
		const pending = panel.locator('.pending');
		await waitUntil(async () => /reading 120 page/.test(await pending.textContent({ timeout: 500 }).catch(() => '') ?? ''), async () => `the panel to say the service is reading 120 pages; it says ${JSON.stringify(await pending.textContent({ timeout: 500 }).catch(() => null))}`);
		await session.workbench.screenshot('long-document-waiting');
		assert.equal(submissions().length, 1);
		const operationId = submissions()[0]!.operationId;
		assert.ok(operationId, 'the service started an operation');
		assert.ok(!emulator.log.some(entry => entry.path.endsWith('/getRecognition') && entry.status === 200), 'reloaded before any page was read');

		// A reload ends this extension host; the next one finds the operation in the extension's state.
		await runCommand(page, 'Developer: Reload Window');
		await page.waitForEvent('load', { timeout: 60_000 });
		await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
		const restored = await resultsPanel(page, PDF, 60_000).catch(async error => {
			await session.workbench.screenshot('long-document-no-restored-panel');
			throw new Error(`${(error as Error).message}; notifications: ${JSON.stringify(await listNotifications(page))}; emulator saw ${JSON.stringify(emulator.log.map(entry => [entry.path, entry.status, entry.fault]))}; ${session.workbench.server.logTail(40)}`);
		});
		const lastPage = restored.locator('#text-pane', { hasText: 'Page 120 of 120' });
		await lastPage.waitFor({ state: 'attached', timeout: 60_000 });
		await waitUntil(async () => (await restored.locator('.pending').count()) === 0, 'the panel to stop saying it is reading');
		await session.workbench.screenshot('long-document-read');

		assert.equal(submissions().length, 1, 'one submission: the reloaded window read the same operation');
		const read = emulator.log.filter(entry => entry.path.endsWith('/getRecognition') && entry.status === 200);
		assert.deepEqual(read.map(entry => entry.operationId), [operationId], 'its pages read once, from that operation');
		const text = await restored.locator('#text-pane').textContent() ?? '';
		for (const n of [1, 37, 120]) assert.ok(text.includes(`Clause ${n}.`), `page ${n}'s clause is in the text pane`);
		assert.ok(text.indexOf('Clause 2.') < text.indexOf('Clause 119.'), 'pages in order');
	});
});
