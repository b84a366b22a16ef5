import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { prepareTestWorkspace, type TestWorkspace } from '../vscode/workspace';
import { OPEN_WORKBENCH_TIMEOUT_MS, openWorkbench, REPO_ROOT, type Workbench } from './workbench';

describe('VS Code workbench with the extension in development mode', () => {
	let workspace: TestWorkspace | undefined;
	let workbench: Workbench | undefined;

	before(async function () {
		this.timeout(OPEN_WORKBENCH_TIMEOUT_MS);
		workspace = prepareTestWorkspace(REPO_ROOT);
		workbench = await openWorkbench({ folder: workspace.folder });
	});

	after(async () => {
		await workbench?.close();
		workspace?.dispose();
	});

	it('shows the workspace README.md in the Explorer', async () => {
		assert.ok(workbench);
		const readme = workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'README.md' });
		await readme.waitFor({ state: 'visible', timeout: 30_000 });
		const file = await workbench.screenshot('smoke-explorer');
		assert.ok(fs.statSync(file).size > 10_000, `${file} looks empty`);
	});

	it('runs a command from the Command Palette', async () => {
		assert.ok(workbench);
		await workbench.runCommand('File: New Untitled Text File');
		const tab = workbench.page.locator('.tabs-container .tab', { hasText: 'Untitled-1' });
		await tab.waitFor({ state: 'visible', timeout: 10_000 });
		await workbench.screenshot('smoke-command-palette');
	});
});
