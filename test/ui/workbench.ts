/**
 * Helpers for UI tests that click in the real VS Code workbench: code-server with the extension
 * loaded from the repository in development mode, shown by headless Chromium.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { collectPageProblems, launchChromium, startCodeServer, type CodeServerRun } from '../vscode/codeServer';
import { installCodeServer } from '../vscode/install-code-server';

/** The repository root, from the built file in `out/test/ui/`. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

/** A cold code-server install takes about a minute; use this for the `before` hook that opens the workbench. */
export const OPEN_WORKBENCH_TIMEOUT_MS = 10 * 60_000;

const WORKBENCH_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 30_000;

export interface OpenWorkbenchOptions {
	folder: string;
	/** Defaults to the repository, so the extension under test is loaded as in F5 debugging. */
	extensionDevelopmentPath?: string;
	/** Merged into the user settings, e.g. to point the extension at a local emulator. */
	userSettings?: Record<string, unknown>;
	/** Environment of code-server and so of the extension host; defaults to this process's. */
	env?: NodeJS.ProcessEnv;
	locale?: string;
	viewport?: { width: number; height: number };
}

export interface Workbench {
	readonly page: Page;
	readonly server: CodeServerRun;
	/** Browser errors so far, for assertion messages. */
	readonly problems: readonly string[];
	/** Runs a command by the title shown in the Command Palette, e.g. `View: Toggle Word Wrap`. */
	runCommand(title: string): Promise<void>;
	/** The content of a webview panel (the `index`-th visible one). */
	webview(index?: number): FrameLocator;
	/** Saves a PNG under `test-results/screenshots/` and returns its path. */
	screenshot(name: string): Promise<string>;
	close(): Promise<void>;
}

export async function openWorkbench(options: OpenWorkbenchOptions): Promise<Workbench> {
	const install = await installCodeServer(REPO_ROOT);
	const server = await startCodeServer({
		install,
		env: options.env,
		userSettings: options.userSettings,
		locale: options.locale,
	});
	let browser: Browser | undefined;
	try {
		browser = await launchChromium(server.childEnv);
		const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
		const problems = collectPageProblems(page);
		const url = server.workbenchUrl({
			folder: options.folder,
			extensionDevelopmentPaths: [options.extensionDevelopmentPath ?? REPO_ROOT],
		});
		await page.goto(url);
		try {
			await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
		} catch {
			throw new Error(`The VS Code workbench did not appear within ${WORKBENCH_TIMEOUT_MS / 1000} s at ${url}.\n` +
				`${problems.join('\n')}\n${server.logTail(30)}`);
		}
		const openedBrowser = browser;
		return {
			page,
			server,
			problems,
			runCommand: title => runCommand(page, title),
			webview: (index = 0) => page.locator('iframe.webview.ready').nth(index).contentFrame()
				.locator('iframe#active-frame').contentFrame(),
			screenshot: name => screenshot(page, name),
			async close() {
				await openedBrowser.close().catch(() => undefined);
				await server.stop();
			},
		};
	} catch (error) {
		await browser?.close().catch(() => undefined);
		await server.stop();
		throw error;
	}
}

/** Commands registered by extensions appear a moment after the workbench, so this retries. */
async function runCommand(page: Page, title: string): Promise<void> {
	const deadline = Date.now() + COMMAND_TIMEOUT_MS;
	const input = page.locator('.quick-input-widget .quick-input-box input');
	const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(title) }) }).first();
	for (;;) {
		await page.keyboard.press('F1');
		await input.waitFor({ state: 'visible', timeout: 10_000 });
		await input.fill(`>${title}`);
		try {
			await row.waitFor({ state: 'visible', timeout: 2_000 });
			await row.click();
			await input.waitFor({ state: 'hidden', timeout: 10_000 });
			return;
		} catch (error) {
			await page.keyboard.press('Escape');
			if (Date.now() > deadline) {
				throw new Error(`No command titled "${title}" in the Command Palette after ${COMMAND_TIMEOUT_MS / 1000} s: ${(error as Error).message}`);
			}
			await page.waitForTimeout(500);
		}
	}
}

function exactly(text: string): RegExp {
	return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

async function screenshot(page: Page, name: string): Promise<string> {
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
	await page.screenshot({ path: file });
	return file;
}
