/**
 * `npm run demo`: tries the extension without a Yandex Cloud account. Starts the local emulator of
 * the Vision API, a sample workspace of images and VS Code with the extension loaded from this
 * repository in development mode and pointed at the emulator: code-server for a browser, or
 * desktop VS Code with `--desktop`. Runs until Ctrl+C.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { DEFAULT_CREDENTIALS, type RequestLogEntry } from '../emulator/api';
import { EmulatorServer } from '../emulator/server';
import { collectPageProblems, HARMLESS_LOG, launchChromium, startCodeServer } from './codeServer';
import { installCodeServer } from './install-code-server';
import { writeUserSettings } from './userSettings';
import { prepareTestWorkspace } from './workspace';

const USAGE = `Usage: npm run demo -- [options]
  --port <n>            port of VS Code in the browser (default 8080; with --check any free port)
  --emulator-port <n>   port of the Vision API emulator (default 0: any free port)
  --desktop             open desktop VS Code (\`code\` on PATH) instead of the browser version
  --check               recognize one sample image in headless Chromium, save a screenshot and exit`;

/** The repository root, from the built file in `out/test/vscode/`. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SCREENSHOT = path.join(REPO_ROOT, 'test-results', 'screenshots', 'demo.png');
const FAILURE_SCREENSHOT = path.join(REPO_ROOT, 'test-results', 'screenshots', 'demo-failure.png');
const DEFAULT_PORT = 8080;
/** Long enough to see the progress notification, short enough not to bore. */
const EMULATOR_LATENCY_MS = 300;
/** How long the emulator takes to read a page of a document sent asynchronously. */
const EMULATOR_MS_PER_PAGE = 50;
const WORKBENCH_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 30_000;
const REPEATED_SIGNAL_MS = 1_000;
/** What --check recognizes, and a line its recording is known to contain. */
const CHECK_IMAGE = 'receipt.png';
const CHECK_TEXT = 'ИТОГО';

const DEMO_README = `# Yandex Vision demo

1. In the Explorer, right-click an image under \`images/\` (try \`receipt.png\`) and choose **Recognize Text**.
2. When asked for an IAM token, choose **Set IAM Token** and paste \`${DEFAULT_CREDENTIALS.userIamToken}\`.
3. Requests go to a local emulator that answers with recorded results; no Yandex Cloud account is used.
`;

interface DemoArgs {
	port: number | undefined;
	emulatorPort: number;
	desktop: boolean;
	check: boolean;
}

class UsageError extends Error {}

function parseDemoArgs(argv: readonly string[]): DemoArgs {
	const args: DemoArgs = { port: undefined, emulatorPort: 0, desktop: false, check: false };
	for (let i = 0; i < argv.length; i++) {
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
		if (!match) throw new UsageError(`unexpected argument: ${argv[i]}`);
		const [, name, inline] = match;
		switch (name) {
			case 'help': throw new UsageError('');
			case 'check': args.check = true; break;
			case 'desktop': args.desktop = true; break;
			case 'port': args.port = port(name, inline ?? argv[++i]); break;
			case 'emulator-port': args.emulatorPort = port(name, inline ?? argv[++i]); break;
			default: throw new UsageError(`unknown option: --${name}`);
		}
	}
	if (args.check && args.desktop) throw new UsageError('--check runs in the browser version only; leave out --desktop');
	return args;
}

function port(name: string, value: string | undefined): number {
	const parsed = Number(value);
	if (value === undefined || !/^\d+$/.test(value) || parsed > 65535) throw new UsageError(`--${name} wants a port number 0..65535, got ${value ?? 'nothing'}`);
	return parsed;
}

/** Cleanup steps, run once in reverse order of registration. */
class Teardown {
	private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
	private running: Promise<void> | undefined;

	add(name: string, run: () => Promise<void> | void): void {
		this.steps.push({ name, run });
	}

	run(): Promise<void> {
		this.running ??= (async () => {
			for (const step of this.steps.reverse()) {
				try {
					await step.run();
				} catch (error) {
					say(`could not stop ${step.name}: ${messageOf(error)}`);
				}
			}
		})();
		return this.running;
	}
}

/** Thrown between start-up steps once Ctrl+C was pressed. */
class Interrupted extends Error {}

function say(line: string): void {
	console.log(`[demo] ${line}`);
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The product bundles come from `npm run build`; without them the extension cannot load. */
function checkBuilt(root: string): void {
	const missing = ['extension.js', 'runtime.js', 'webview.js'].map(f => path.join(root, 'dist', f)).filter(f => !fs.existsSync(f));
	if (missing.length > 0) {
		throw new Error(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. Build the extension first: ` +
			'npm run build (or use npm run demo, which builds everything).');
	}
}

/** A clear message for a taken port instead of code-server's exit status. */
async function checkPortFree(portNumber: number): Promise<void> {
	if (portNumber === 0) return;
	await new Promise<void>((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
			? new Error(`Port ${portNumber} on 127.0.0.1 is in use (another demo?). Choose another one with --port <n>.`)
			: error));
		probe.listen(portNumber, '127.0.0.1', () => probe.close(() => resolve()));
	});
}

/** One line per request, as `npm run emulator` prints them; never the Authorization value. */
function formatRequest(entry: Readonly<RequestLogEntry>): string {
	return [
		`emulator #${entry.seq}`,
		entry.method,
		entry.path,
		entry.status === 0 ? 'no answer' : String(entry.status),
		entry.fault ? `fault=${entry.fault}` : '',
		`request-id=${entry.requestId}`,
		entry.specCount !== undefined ? `specs=${entry.specCount}` : '',
	].filter(Boolean).join(' ');
}

function which(command: string): string | undefined {
	const names = process.platform === 'win32' ? [`${command}.cmd`, `${command}.exe`] : [command];
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		for (const name of names) {
			const candidate = path.join(dir, name);
			try {
				fs.accessSync(candidate, fs.constants.X_OK);
				return candidate;
			} catch {
				// Not in this PATH entry.
			}
		}
	}
	return undefined;
}

/**
 * Starts everything, then waits for `stopped` (or, with --check, for the check). A step under way
 * when Ctrl+C comes finishes first, so that what it started is registered and stopped too.
 */
async function run(args: DemoArgs, teardown: Teardown, stopped: Promise<void>, interrupted: () => boolean): Promise<number> {
	const started = Date.now();
	const step = () => {
		if (interrupted()) throw new Interrupted();
	};
	checkBuilt(REPO_ROOT);
	const codeCommand = args.desktop ? which('code') : undefined;
	if (args.desktop && !codeCommand) throw new Error('--desktop needs desktop VS Code\'s `code` command on PATH. Leave out --desktop to use VS Code in the browser.');
	const serverPort = args.port ?? (args.check ? 0 : DEFAULT_PORT);
	if (!args.desktop) await checkPortFree(serverPort);

	const emulator = await EmulatorServer.start(
		{
			host: '127.0.0.1',
			port: args.emulatorPort,
			latencyMs: EMULATOR_LATENCY_MS,
			fixturesDir: path.join(REPO_ROOT, 'test', 'fixtures'),
			// The service's quotas, and time to read a document, so that long-contract.pdf fills its panel as a real one does.
			ocrRequestsPerSecond: 1,
			ocrAsyncRequestsPerSecond: 10,
			operationRequestsPerSecond: 50,
			getRecognitionRequestsPerSecond: 50,
			ocrProcessingMs: 500,
			ocrProcessingMsPerPage: EMULATOR_MS_PER_PAGE,
		},
		{ onRequestDone: entry => say(formatRequest(entry)) },
	).catch((error: unknown) => {
		throw new Error(`The emulator could not listen on 127.0.0.1:${args.emulatorPort}: ${messageOf(error)}`);
	});
	teardown.add('the emulator', () => emulator.close());
	say(`Emulator of batchAnalyze at ${emulator.url} and of the OCR API at ${emulator.ocrUrl} (${emulator.recordingCount} recordings).`);

	const workspace = prepareTestWorkspace(REPO_ROOT);
	teardown.add('the sample workspace', () => workspace.dispose());
	fs.writeFileSync(path.join(workspace.folder, 'README.md'), DEMO_README);
	say(`Sample workspace: ${workspace.folder} (${workspace.images.length} images).`);

	const userSettings = {
		'yandexVision.endpoint': emulator.url,
		'yandexVision.ocrApi.endpoint': emulator.ocrUrl,
		'yandexVision.ocrApi.operationEndpoint': `${emulator.origin}/operations`,
		'yandexVision.ocr.engine': 'ocr-api',
		'yandexVision.folderId': DEFAULT_CREDENTIALS.folderId,
		// Desktop VS Code then opens the README; the browser workbench skips it (`skipWelcome`).
		'workbench.startupEditor': 'readme',
	};
	const untilStopped = stopped.then(() => 0);
	if (codeCommand) return Promise.race([runDesktop(codeCommand, workspace.folder, userSettings, teardown), untilStopped]);

	step();
	const install = await installCodeServer(REPO_ROOT, line => say(line));
	step();
	const server = await startCodeServer({ install, userSettings, port: serverPort });
	teardown.add('code-server', () => server.stop());
	step();
	const url = server.workbenchUrl({ folder: workspace.folder, extensionDevelopmentPaths: [REPO_ROOT] });
	say(`VS Code (code-server) is up at ${server.origin} after ${seconds(started)}.`);

	if (args.check) return Promise.race([check(url, server.childEnv, emulator, server.logTail, teardown, started), untilStopped]);

	console.log([
		'',
		'Open this address in a browser:',
		'',
		`  ${url}`,
		'',
		`When the extension asks for an IAM token, paste:  ${DEFAULT_CREDENTIALS.userIamToken}`,
		'Then right-click an image under images/ in the Explorer and choose Recognize Text;',
		'under documents/, choose Recognize Text With… and a model (Table for table-merged.png, Passport for passport-form.png).',
		'documents/long-contract.pdf has 120 pages: its panel opens at once and fills when the service has read them (about 6 s).',
		'Press Ctrl+C here to stop.',
		'',
	].join('\n'));
	return untilStopped;
}

/**
 * Does in headless Chromium what the README asks of a user: finds the sample images, recognizes
 * the text of one, pastes the emulator's token when asked, and sees the result.
 */
async function check(url: string, env: NodeJS.ProcessEnv, emulator: EmulatorServer, logTail: (lines?: number) => string, teardown: Teardown, started: number): Promise<number> {
	const browser: Browser = await launchChromium(env, false);
	teardown.add('Chromium', () => browser.close());
	const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
	fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
	const problems = collectPageProblems(page);
	const expect = async (locator: Locator, what: string, timeoutMs = STEP_TIMEOUT_MS) => {
		try {
			await locator.waitFor({ state: 'visible', timeout: timeoutMs });
		} catch {
			await page.screenshot({ path: FAILURE_SCREENSHOT }).catch(() => undefined);
			const serverLog = logTail(30).split('\n').filter(line => !HARMLESS_LOG.test(line)).slice(-15);
			throw new Error(`${what} did not appear within ${timeoutMs / 1000} s (screenshot: ${FAILURE_SCREENSHOT}).\n` +
				[...problems, 'Last code-server output:', ...serverLog].join('\n'));
		}
		return locator;
	};

	await page.goto(url);
	await expect(page.locator('.monaco-workbench'), 'The VS Code workbench', WORKBENCH_TIMEOUT_MS);
	const rows = page.locator('.explorer-folders-view .monaco-list-row');
	await (await expect(rows.filter({ hasText: /^\s*images\s*$/ }), 'The images folder in the Explorer')).click();
	await (await expect(rows.filter({ hasText: CHECK_IMAGE }), `${CHECK_IMAGE} in the Explorer`)).click({ button: 'right' });
	// Exactly: "Recognize Text With…" is beside it.
	await clickUntilGone(await expect(page.locator('.monaco-menu .action-item', { hasText: /^\s*Recognize Text\s*$/ }), 'Recognize Text in the context menu'));
	await (await expect(page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Set IAM Token' }), 'The IAM token prompt')).click();
	const input = await expect(page.locator('.quick-input-widget .quick-input-box input'), 'The IAM token input box');
	await input.fill(DEFAULT_CREDENTIALS.userIamToken);
	await input.press('Enter');
	const result = page.locator('iframe.webview.ready').first().contentFrame().locator('iframe#active-frame').contentFrame();
	await expect(result.getByText(CHECK_TEXT).first(), `The recognized text "${CHECK_TEXT}" in the results panel`);
	const answered = emulator.log.filter(entry => entry.status === 200).length;
	if (answered === 0) throw new Error(`The results panel is open but the emulator answered no request with 200: ${emulator.log.map(formatRequest).join('; ') || 'none arrived'}.`);

	await page.screenshot({ path: SCREENSHOT });
	say(`Screenshot: ${path.relative(process.cwd(), SCREENSHOT)}`);
	console.log(`demo OK (${seconds(started)})`);
	return 0;
}

/** The workbench's context menu sometimes drops a click that comes right after it opened; a person would click again. */
async function clickUntilGone(item: Locator): Promise<void> {
	for (let attempt = 0; attempt < 3 && await item.isVisible(); attempt++) {
		await item.click({ timeout: 2_000 }).catch(() => undefined);
		await item.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
	}
}

/** Desktop VS Code with its own profile; `--wait` keeps this process until the window closes. */
function runDesktop(codeCommand: string, folder: string, userSettings: Record<string, unknown>, teardown: Teardown): Promise<number> {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-demo-vscode-'));
	teardown.add('the VS Code profile', () => fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 }));
	writeUserSettings(userDataDir, userSettings);
	const args = ['--new-window', '--wait', `--extensionDevelopmentPath=${REPO_ROOT}`, '--user-data-dir', userDataDir, folder];
	// `code` is a .cmd script on Windows, which runs only through the shell; paths there cannot contain quotes.
	const windows = process.platform === 'win32';
	const child = spawn(codeCommand, windows ? args.map(a => `"${a}"`) : args, { stdio: 'inherit', shell: windows });
	teardown.add('VS Code', () => {
		if (child.exitCode === null) child.kill();
	});
	console.log(`\nDesktop VS Code is opening ${folder}.\nWhen the extension asks for an IAM token, paste:  ${DEFAULT_CREDENTIALS.userIamToken}\n` +
		'Close the window or press Ctrl+C here to stop.\n');
	return new Promise(resolve => {
		child.once('error', error => {
			say(`could not run ${codeCommand}: ${error.message}`);
			resolve(1);
		});
		child.once('exit', code => resolve(code ?? 0));
	});
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
	let args: DemoArgs;
	try {
		args = parseDemoArgs(process.argv.slice(2));
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		if (!error.message) {
			console.log(USAGE);
			process.exit(0);
		}
		console.error(`demo: ${error.message}\n${USAGE}`);
		process.exit(2);
	}

	let signalled: NodeJS.Signals | undefined;
	let signalledAt = 0;
	let wake: () => void = () => undefined;
	const stopped = new Promise<void>(resolve => { wake = resolve; });
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			if (signalled) {
				// `npm run` passes Ctrl+C on as a second SIGINT at once; only a later press means "stop now".
				// The exit hooks still kill code-server's process group.
				if (Date.now() - signalledAt > REPEATED_SIGNAL_MS) process.exit(130);
				return;
			}
			signalled = signal;
			signalledAt = Date.now();
			say(`${signal}: stopping.`);
			wake();
		});
	}

	const teardown = new Teardown();
	let code: number;
	try {
		code = await run(args, teardown, stopped, () => signalled !== undefined);
	} catch (error) {
		code = error instanceof Interrupted ? 0 : 1;
		if (code !== 0) console.error(`demo FAILED: ${messageOf(error)}`);
	}
	await teardown.run();
	process.exit(signalled ? 0 : code);
}

if (require.main === module) void main();
