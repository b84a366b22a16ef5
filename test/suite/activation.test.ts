import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
/** Generous on purpose: it guards against an accidental heavy import, not against machine noise. */
const ACTIVATION_BUDGET_MS = 3_000;

describe('Extension activation', () => {
	it('is installed in the VS Code it runs in', () => {
		const extension = vscode.extensions.getExtension(EXTENSION_ID);
		assert.ok(extension, `${EXTENSION_ID} is not among the installed extensions`);
	});

	it('activates, within its time budget', async () => {
		const extension = vscode.extensions.getExtension(EXTENSION_ID);
		assert.ok(extension);
		const wasActive = extension.isActive;
		const started = performance.now();
		await extension.activate();
		const elapsed = performance.now() - started;
		const { activateMs } = extension.exports as { activateMs: number };
		console.log(`activation time: ${activateMs.toFixed(1)} ms in activate(), ${elapsed.toFixed(1)} ms including loading${wasActive ? ' (was already active)' : ''}`);
		assert.equal(extension.isActive, true);
		assert.ok(elapsed < ACTIVATION_BUDGET_MS, `activation took ${elapsed.toFixed(0)} ms`);
	});

	it('loads neither the client nor the webview code until a command needs them', async () => {
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		const runtime = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'runtime.js');
		assert.equal(require.cache[runtime], undefined, 'dist/runtime.js is not loaded by activation');
		const registered = await vscode.commands.getCommands(true);
		assert.ok(registered.includes('yandexVision.recognizeText'));
		await vscode.commands.executeCommand('yandexVision.signOut');
		assert.ok(require.cache[runtime], 'the first command loads dist/runtime.js');
	});

	it('runs with the test workspace open', async () => {
		const folders = vscode.workspace.workspaceFolders ?? [];
		assert.equal(folders.length, 1, 'exactly one workspace folder is open');
		const expected = process.env.YV_TEST_WORKSPACE;
		assert.ok(expected, 'YV_TEST_WORKSPACE reaches the extension host');
		assert.equal(path.resolve(folders[0].uri.fsPath), path.resolve(expected));
		const readme = await vscode.workspace.findFiles('README.md');
		assert.equal(readme.length, 1);
	});
});
