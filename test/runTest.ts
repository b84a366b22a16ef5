/**
 * The single entry of the extension-host tests (`npm run test:vscode`).
 *
 * By default VS Code is code-server from the npm registry, shown by headless Chromium, because
 * the VS Code download server may be out of reach; `VSCODE_TEST_DESKTOP=1` lets
 * `@vscode/test-electron` download and run desktop VS Code instead (`VSCODE_TEST_VERSION` picks
 * its version). Either way the same suite runs, in a fresh copy of the test workspace, with the
 * user settings of `YV_TEST_USER_SETTINGS` (a JSON object) merged into quiet defaults.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { runTests } from '@vscode/test-electron';
import { installCodeServer } from './vscode/install-code-server';
import { problemWithPassingRun, SuiteSummaryWatcher } from './vscode/suiteSummary';
import { userSettingsFromEnv, writeUserSettings } from './vscode/userSettings';
import { prepareTestWorkspace } from './vscode/workspace';

const root = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
	const extensionTestsPath = path.join(root, 'out', 'test', 'suite', 'index.js');
	const manifest: unknown = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const entry = typeof manifest === 'object' && manifest !== null && 'main' in manifest ? String(manifest.main) : 'dist/extension.js';
	for (const [file, build] of [[path.join(root, entry), 'node esbuild.js'], [extensionTestsPath, 'node esbuild.js --tests']]) {
		if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing; build it first: ${build}`);
	}

	const desktop = process.env.VSCODE_TEST_DESKTOP === '1';
	const userSettings = userSettingsFromEnv();
	const vscodeExecutablePath = desktop ? undefined : await codeServerLauncher();
	const workspace = prepareTestWorkspace(root);
	const launchArgs = [workspace.folder];
	let userDataDir: string | undefined;
	if (desktop) {
		// The code-server launcher writes these settings itself, in its own per-run profile.
		userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-vscode-user-data-'));
		writeUserSettings(userDataDir, userSettings);
		launchArgs.push(`--user-data-dir=${userDataDir}`);
	}
	const summary = new SuiteSummaryWatcher();
	const stdout = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			summary.feed(chunk);
			process.stdout.write(chunk, callback);
		},
	});
	const started = Date.now();
	try {
		await runTests({
			stdout,
			...(vscodeExecutablePath ? { vscodeExecutablePath } : {}),
			...(desktop && process.env.VSCODE_TEST_VERSION ? { version: process.env.VSCODE_TEST_VERSION } : {}),
			extensionDevelopmentPath: root,
			extensionTestsPath,
			launchArgs,
			extensionTestsEnv: { YV_TEST_WORKSPACE: workspace.folder },
		});
	} finally {
		workspace.dispose();
		if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
	}
	// An exit code of 0 proves nothing without the suite's own count (see suiteSummary.ts).
	const problem = problemWithPassingRun(summary.summary);
	if (problem) throw new Error(`VS Code exited with 0, but ${problem}`);
	console.log(`Extension-host tests in ${desktop ? 'desktop VS Code' : 'code-server'}: ${((Date.now() - started) / 1000).toFixed(1)} s.`);
	return 0;
}

/** Installs code-server when needed and returns the executable that runTests spawns as "VS Code". */
async function codeServerLauncher(): Promise<string> {
	await installCodeServer(root);
	const launcher = path.join(root, 'test', 'vscode', 'code-server-launcher');
	try {
		fs.accessSync(launcher, fs.constants.X_OK);
	} catch {
		throw new Error(`${launcher} is missing or not executable (it must be committed with mode 755).`);
	}
	return launcher;
}

main().then(
	code => process.exit(code),
	(error: unknown) => {
		// runTests rejects with "Test run failed with code N" after the suite's own output.
		console.error(`Extension-host tests FAILED: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	},
);
