/**
 * Stands in for the VS Code executable given to `@vscode/test-electron`'s `runTests` as
 * `vscodeExecutablePath`: takes the same `--extensionDevelopmentPath=… --extensionTestsPath=…
 * [folder]` arguments, runs the suite in code-server's Node extension host shown by headless
 * Chromium, prints the suite's output and exits with its exit code.
 *
 * Environment:
 * - everything it is started with reaches the extension host (runTests' `extensionTestsEnv`);
 * - `YV_TEST_USER_SETTINGS`: JSON object merged into the user settings;
 * - `YV_VSCODE_TIMEOUT_MS`: overall limit of the run (default 10 minutes).
 */
import * as path from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { collectPageProblems, HARMLESS_LOG, launchChromium, startCodeServer, type CodeServerRun } from './codeServer';
import { installCodeServer } from './install-code-server';
import { problemWithPassingRun, SuiteSummaryWatcher } from './suiteSummary';
import { userSettingsFromEnv } from './userSettings';

const WORKBENCH_TIMEOUT_MS = 60_000;
const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;

export interface LaunchArgs {
	folder: string | undefined;
	extensionDevelopmentPaths: string[];
	extensionTestsPath: string | undefined;
	locale: string | undefined;
	/** Desktop-only arguments with no meaning for a browser workbench. */
	ignored: string[];
}

/** Arguments runTests always passes that matter only to desktop VS Code; accepted silently. */
const DESKTOP_ONLY = new Set([
	'--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes',
	'--no-cached-data', '--disable-workspace-trust', '--extensions-dir', '--user-data-dir',
]);
const VALUE_FLAGS = new Set(['--extensionDevelopmentPath', '--extensionTestsPath', '--locale', '--extensions-dir', '--user-data-dir']);

export function parseLaunchArgs(argv: readonly string[]): LaunchArgs {
	const parsed: LaunchArgs = { folder: undefined, extensionDevelopmentPaths: [], extensionTestsPath: undefined, locale: undefined, ignored: [] };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('-')) {
			if (parsed.folder === undefined) parsed.folder = path.resolve(arg);
			else parsed.ignored.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		const name = eq === -1 ? arg : arg.slice(0, eq);
		let value = eq === -1 ? undefined : arg.slice(eq + 1);
		if (value === undefined && VALUE_FLAGS.has(name) && i + 1 < argv.length) value = argv[++i];
		switch (name) {
			case '--extensionDevelopmentPath':
				if (value) parsed.extensionDevelopmentPaths.push(path.resolve(value));
				break;
			case '--extensionTestsPath':
				if (value) parsed.extensionTestsPath = path.resolve(value);
				break;
			case '--locale':
				parsed.locale = value;
				break;
			default:
				// Profile directories are per run here, so the desktop ones are not used.
				if (!DESKTOP_ONLY.has(name)) parsed.ignored.push(arg);
		}
	}
	return parsed;
}

function runTimeoutMs(): number {
	const raw = process.env.YV_VSCODE_TIMEOUT_MS;
	const value = raw ? Number(raw) : DEFAULT_RUN_TIMEOUT_MS;
	if (!Number.isFinite(value) || value <= 0) throw new Error(`YV_VSCODE_TIMEOUT_MS must be a positive number of milliseconds, got: ${raw}`);
	return value;
}

/** Runs the suite; resolves to the exit code the workbench reported. */
async function runSuite(args: LaunchArgs, resources: { server?: CodeServerRun; browser?: Browser }): Promise<number> {
	if (!args.extensionTestsPath) throw new Error('--extensionTestsPath=<path to the suite\'s index.js> is required.');
	if (args.ignored.length > 0) console.log(`[launcher] ignored arguments: ${args.ignored.join(' ')}`);
	const timeoutMs = runTimeoutMs();
	const userSettings = userSettingsFromEnv();

	const root = path.resolve(__dirname, '..', '..', '..');
	const install = await installCodeServer(root);
	const started = Date.now();
	resources.server = await startCodeServer({ install, env: process.env, userSettings, locale: args.locale });
	resources.browser = await launchChromium(resources.server.childEnv, false);
	const page = await resources.browser.newPage();
	const problems = collectPageProblems(page);

	let reportExit: (code: number) => void = () => undefined;
	const exited = new Promise<number>(resolve => { reportExit = resolve; });
	const summary = new SuiteSummaryWatcher();
	await page.exposeFunction('codeAutomationLog', (_type: string, logArgs: unknown) => {
		// Mocha's reporter output arrives here printf-style, as in `console.log`.
		const line = Array.isArray(logArgs) ? format(...logArgs) : format(logArgs);
		if (HARMLESS_LOG.test(line)) return;
		console.log(line);
		summary.feed(`${line}\n`);
	});
	await page.exposeFunction('codeAutomationExit', (code: unknown) => {
		reportExit(typeof code === 'number' ? code : 1);
	});
	page.on('crash', () => reportExit(fail('the workbench page crashed.')));

	const url = resources.server.workbenchUrl({
		folder: args.folder,
		extensionDevelopmentPaths: args.extensionDevelopmentPaths,
		extensionTestsPath: args.extensionTestsPath,
	});
	await page.goto(url);
	try {
		await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
	} catch {
		return fail(`the VS Code workbench did not appear within ${WORKBENCH_TIMEOUT_MS / 1000} s at ${url}.`,
			problems, resources.server);
	}

	let timer: NodeJS.Timeout | undefined;
	const timedOut = new Promise<'timeout'>(resolve => { timer = setTimeout(resolve, timeoutMs - (Date.now() - started), 'timeout'); });
	const outcome = await Promise.race([exited, timedOut]);
	clearTimeout(timer);
	if (outcome === 'timeout') {
		return fail(`the workbench never reported the end of the test run within ${timeoutMs / 1000} s ` +
			'(codeAutomationExit was not called: the suite hangs, or the extension host could not load it). ' +
			'Set YV_VSCODE_TIMEOUT_MS to allow longer runs.', problems, resources.server);
	}
	const problem = outcome === 0 ? problemWithPassingRun(summary.summary) : undefined;
	if (problem) return fail(`VS Code reported success, but ${problem}`, problems, resources.server);
	return outcome;
}

function fail(reason: string, problems: readonly string[] = [], server?: CodeServerRun): number {
	const details = [
		...(problems.length > 0 ? ['Browser errors:', ...problems] : []),
		...(server ? ['Last code-server output:', server.logTail(30)] : []),
	];
	console.error(`[launcher] FAILED: ${reason}${details.length > 0 ? `\n${details.join('\n')}` : ''}`);
	return 1;
}

async function main(): Promise<void> {
	const resources: { server?: CodeServerRun; browser?: Browser } = {};
	let closing: Promise<void> | undefined;
	const close = () => {
		closing ??= (async () => {
			await resources.browser?.close().catch(() => undefined);
			await resources.server?.stop();
		})();
		return closing;
	};
	for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
		process.once(signal, () => {
			console.error(`[launcher] ${signal}: stopping VS Code.`);
			void close().finally(() => process.exit(code));
		});
	}

	let code: number;
	try {
		code = await runSuite(parseLaunchArgs(process.argv.slice(2)), resources);
	} catch (error) {
		code = fail(error instanceof Error ? error.message : String(error));
	}
	await close();
	process.exit(code);
}

if (require.main === module) void main();
