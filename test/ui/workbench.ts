/**
 * Helpers for UI tests that click in the real VS Code workbench: code-server with the extension
 * loaded from the repository in development mode (or installed from its .vsix), shown by headless Chromium.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { collectPageProblems, launchChromium, startCodeServer, type CodeServerRun } from '../vscode/codeServer';
import { installCodeServer, type CodeServerInstall } from '../vscode/install-code-server';

/** The repository root, from the built file in `out/test/ui/`. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

/** A cold code-server install takes about a minute; use this for the `before` hook that opens the workbench. */
export const OPEN_WORKBENCH_TIMEOUT_MS = 10 * 60_000;

const WORKBENCH_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 30_000;

/**
 * A .vsix, or a folder holding the package as `npm run package` names it (`yandex-vision-<version>.vsix`):
 * the suites then run on the extension installed from it into each run's empty profile, as a user
 * installs it, instead of on the repository.
 */
export const INSTALLED_VSIX_ENV = 'YV_UI_VSIX';

export interface OpenWorkbenchOptions {
	folder: string;
	/**
	 * Defaults to $YV_UI_EXTENSION (e.g. a .vsix unpacked, to run the suites on the package as it
	 * ships) or else the repository, so the extension under test is loaded as in F5 debugging.
	 */
	extensionDevelopmentPath?: string;
	/** Merged into the user settings, e.g. to point the extension at a local emulator. */
	userSettings?: Record<string, unknown>;
	/** Environment of code-server and so of the extension host; defaults to this process's. */
	env?: NodeJS.ProcessEnv;
	locale?: string;
	viewport?: { width: number; height: number };
	/** Workspace Trust on: the folder opens in Restricted Mode unless trusted. */
	workspaceTrust?: boolean;
	/**
	 * Installs this .vsix with code-server's `--install-extension` into the run's empty extensions
	 * folder and runs the extension from there, not from the repository. Defaults to $YV_UI_VSIX.
	 */
	vsix?: string;
}

export interface Workbench {
	readonly page: Page;
	readonly server: CodeServerRun;
	/** Browser errors so far, for assertion messages. */
	readonly problems: readonly string[];
	/** Messages of the browser dialogs (alert, confirm, prompt) that anything opened; each is dismissed. */
	readonly dialogs: readonly string[];
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
	const vsix = options.vsix ?? installedVsix();
	// An installed extension opens its walkthrough on first activation; the suites that want it say so.
	const userSettings = { [OPEN_WALKTHROUGH_ON_INSTALL]: false, ...options.userSettings };
	const server = await startCodeServer({
		install,
		env: options.env,
		userSettings,
		locale: options.locale,
		workspaceTrust: options.workspaceTrust,
	});
	let browser: Browser | undefined;
	try {
		writeMachineSettings(server, { [OPEN_WALKTHROUGH_ON_INSTALL]: userSettings[OPEN_WALKTHROUGH_ON_INSTALL] });
		// Before the page connects: the extension host starts with the workbench and finds it installed.
		if (vsix) await installExtension(install, server, vsix);
		browser = await launchChromium(server.childEnv);
		const page = await browser.newPage({
			viewport: options.viewport ?? { width: 1280, height: 800 },
			// As a person who allowed it: VS Code's copy and paste and the tests' clipboard checks need it.
			permissions: ['clipboard-read', 'clipboard-write'],
		});
		const problems = collectPageProblems(page);
		const dialogs: string[] = [];
		page.on('dialog', dialog => {
			dialogs.push(`${dialog.type()}: ${dialog.message()}`);
			void dialog.dismiss().catch(() => undefined);
		});
		const url = server.workbenchUrl({
			folder: options.folder,
			extensionDevelopmentPaths: vsix ? [] : [options.extensionDevelopmentPath ?? (process.env.YV_UI_EXTENSION || REPO_ROOT)],
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
			dialogs,
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

/**
 * Machine-scoped: the workbench reads it from the user's settings, but a remote extension host
 * (code-server's, where the extension runs) from the machine's.
 */
const OPEN_WALKTHROUGH_ON_INSTALL = 'workbench.welcomePage.walkthroughs.openOnInstall';

/** Writes the settings of the machine code-server runs on (its `<user data>/Machine/settings.json`). */
function writeMachineSettings(server: CodeServerRun, settings: Record<string, unknown>): void {
	const dir = path.join(server.runDir, 'user-data', 'Machine');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, undefined, '\t'));
}

/**
 * The .vsix that $YV_UI_VSIX names, if set: a file, or a folder with this platform's package
 * (`npm run package` names it yandex-vision-linux-x64-<version>.vsix, say).
 */
export function installedVsix(): string | undefined {
	const named = process.env[INSTALLED_VSIX_ENV];
	if (!named) return undefined;
	const resolved = path.resolve(REPO_ROOT, named);
	if (!fs.existsSync(resolved)) throw new Error(`${INSTALLED_VSIX_ENV}=${named}: ${resolved} does not exist. Build it with npm run package.`);
	if (!fs.statSync(resolved).isDirectory()) return resolved;
	const { name, version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
	const file = path.join(resolved, `${name}-${process.platform}-${process.arch}-${version}.vsix`);
	if (!fs.existsSync(file)) throw new Error(`${INSTALLED_VSIX_ENV}=${named}: no ${path.basename(file)} in ${resolved}. Build it with npm run package.`);
	return file;
}

/**
 * `code-server --install-extension` into the run's own profile (its user data and extensions
 * folders), as a user installs a .vsix; fails with code-server's output unless it says it installed it.
 */
async function installExtension(install: CodeServerInstall, server: CodeServerRun, vsix: string): Promise<void> {
	const args = [
		install.entry,
		'--user-data-dir', path.join(server.runDir, 'user-data'),
		'--extensions-dir', path.join(server.runDir, 'extensions'),
		'--install-extension', vsix,
	];
	const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
		const child = spawn(process.execPath, args, { cwd: server.runDir, env: server.childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		let text = '';
		child.stdout.on('data', (chunk: Buffer) => text += chunk.toString());
		child.stderr.on('data', (chunk: Buffer) => text += chunk.toString());
		child.on('error', reject);
		child.on('close', exitCode => resolve({ code: exitCode, output: text }));
	});
	if (code !== 0 || !/was successfully installed/.test(output)) {
		throw new Error(`code-server --install-extension ${vsix} exited with ${code}:\n${output}`);
	}
}

/** Commands registered by extensions appear a moment after the workbench, so this retries. */
export async function runCommand(page: Page, title: string): Promise<void> {
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
			// The palette closes, or a command that asks something (an input box) takes its place at once.
			await waitUntil(async () => !(await input.isVisible()) || (await input.inputValue().catch(() => '')) !== `>${title}`, `the Command Palette to run "${title}"`, 10_000);
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

// What a person does in the workbench. Each helper waits for the state it leads to and, when that
// state does not come, says what was expected and what was there instead.

const UI_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

/** Polls `probe` until it returns something other than undefined or false. */
export async function waitUntil<T>(probe: () => Promise<T | undefined | false>, what: string | (() => string | Promise<string>), timeoutMs = UI_TIMEOUT_MS): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) {
			throw new Error(`Waited ${timeoutMs / 1000} s for ${typeof what === 'string' ? what : await what()}`);
		}
		await new Promise(resolve => setTimeout(resolve, POLL_MS));
	}
}

/** The text box of the quick input: the Command Palette, or an input box such as a password prompt. */
export function quickInputBox(page: Page): Locator {
	return page.locator('.quick-input-widget .quick-input-box input');
}

/** A row of the open quick pick, by its label. */
export function quickPickRow(page: Page, label: string): Locator {
	return page.locator(`.quick-input-list .monaco-list-row[aria-label=${cssString(label)}]`);
}

/**
 * The Explorer row of a workspace file or folder, e.g. `images/latin-note.png`, after expanding
 * the folders above it by clicking them.
 */
export async function explorerItem(page: Page, relativePath: string): Promise<Locator> {
	const view = page.locator('.explorer-folders-view');
	if (!(await view.isVisible())) await runCommand(page, 'View: Show Explorer');
	const segments = relativePath.split('/');
	let row = view;
	for (const [depth, name] of segments.entries()) {
		row = view.locator(`.monaco-list-row[aria-level="${depth + 1}"][aria-label=${cssString(name)}]`);
		await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS }).catch(async () => {
			const shown = await view.locator('.monaco-list-row').evaluateAll(rows => rows.map(r => r.getAttribute('aria-label')));
			throw new Error(`No "${name}" in the Explorer (looking for ${relativePath}); it shows: ${shown.join(', ')}`);
		});
		if (depth < segments.length - 1 && (await row.getAttribute('aria-expanded')) === 'false') {
			await row.click();
			const folder = row;
			await waitUntil(async () => (await folder.getAttribute('aria-expanded')) === 'true', `the folder ${name} to expand in the Explorer`);
		}
	}
	return row;
}

/** Right-clicks `target` and picks `entry` from the context menu. */
export async function pickFromContextMenu(page: Page, target: Locator, entry: string): Promise<void> {
	const menu = page.locator('.context-view .monaco-menu');
	const item = menu.locator('.action-item .action-label', { hasText: exactly(entry) });
	await target.click({ button: 'right' });
	await item.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
		const entries = (await menu.locator('.action-item .action-label').allTextContents()).filter(Boolean);
		throw new Error(`The context menu has no entry "${entry}"; it shows: ${entries.join(', ') || 'nothing (it did not open)'}`);
	});
	// A click while the menu is still settling is sometimes ignored and the menu stays. A click that
	// counts closes the menu before its command runs, so clicking again until it closes never runs it twice.
	const deadline = Date.now() + 10_000;
	for (;;) {
		await item.click();
		try {
			await menu.waitFor({ state: 'hidden', timeout: 1_000 });
			return;
		} catch (error) {
			if (Date.now() > deadline) throw new Error(`The context menu entry "${entry}" did not respond to clicks: ${(error as Error).message}`);
		}
	}
}

/** Closes every editor and editor group, discarding unsaved changes ("Don't Save"). */
export async function closeAllEditors(page: Page): Promise<void> {
	await runCommand(page, 'View: Close All Editor Groups');
	const tabs = page.locator('.tabs-container .tab');
	const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Don't Save$/ });
	await waitUntil(async () => {
		if (await dontSave.isVisible()) await dontSave.click();
		return (await tabs.count()) === 0;
	}, async () => `every editor to close; still open: ${(await tabs.allTextContents()).join(', ')}`);
}

/**
 * The exact text of the active editor, copied as a person would: Ctrl+A, Ctrl+C. (The rendered
 * lines hold no-break spaces and only what is scrolled into view.) Leaves the text selected and on
 * the clipboard.
 */
export async function activeEditorText(page: Page): Promise<string> {
	const editor = page.locator('.editor-group-container.active .monaco-editor');
	await editor.locator('.view-lines').click();
	const marker = `(clipboard before copying ${Date.now()})`;
	await writeClipboard(page, marker);
	await page.keyboard.press('ControlOrMeta+A');
	await page.keyboard.press('ControlOrMeta+C');
	return waitUntil(async () => {
		const text = await readClipboard(page);
		return text !== marker && text;
	}, 'Ctrl+C in the active editor to reach the clipboard', 5_000);
}

/** The cursor position the status bar shows for the active editor, e.g. `Ln 1, Col 14`. */
export async function cursorPosition(page: Page): Promise<string> {
	return (await page.locator('[id="status.editor.selection"]').textContent())?.trim() ?? '';
}

export async function readClipboard(page: Page): Promise<string> {
	// A string: the test build has no DOM types, and this runs in the page.
	const text = await page.evaluate('navigator.clipboard.readText()');
	if (typeof text !== 'string') throw new Error(`The clipboard gave ${typeof text}, not text`);
	return text;
}

export async function writeClipboard(page: Page, text: string): Promise<void> {
	await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
}

export type NotificationSeverity = 'error' | 'warning' | 'info';

export interface ShownNotification {
	severity: NotificationSeverity;
	message: string;
}

/** Waits for a notification toast containing `text`, fully faded in (for screenshots). */
export async function expectToast(page: Page, text: string | RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<Locator> {
	const toast = page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text });
	await toast.first().waitFor({ state: 'visible', timeout: timeoutMs }).catch(async () => {
		const shown = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
		throw new Error(`Expected a notification saying ${typeof text === 'string' ? `"${text}"` : text} within ${timeoutMs / 1000} s; shown: ${JSON.stringify(shown)}`);
	});
	return toast.first();
}

/**
 * Fails when a progress notification saying `text` is still on screen `graceMs` after the results
 * it was for have appeared: the workbench fades a finished one out, but one that outlives its work
 * stays with its Cancel button.
 */
export async function expectProgressGone(page: Page, text: string | RegExp, graceMs = 5_000): Promise<void> {
	const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text });
	await toast.first().waitFor({ state: 'hidden', timeout: graceMs }).catch(async () => {
		throw new Error(`The progress notification ${JSON.stringify(String(text))} is still shown ${graceMs} ms after its results: ${JSON.stringify(await toast.allInnerTexts())}`);
	});
}

/** Every notification of this window, read from the Notification Center (opened and closed again). */
export async function listNotifications(page: Page): Promise<ShownNotification[]> {
	await setNotificationCenterVisible(page, true);
	const items = await page.locator('.notifications-center .notification-list-item').evaluateAll(elements => elements.map(element => ({
		icon: element.querySelector('.notification-list-item-icon')?.className ?? '',
		message: element.querySelector('.notification-list-item-message')?.textContent ?? '',
	})));
	await setNotificationCenterVisible(page, false);
	return items.map(({ icon, message }) => ({
		severity: /codicon-error/.test(icon) ? 'error' : /codicon-warning/.test(icon) ? 'warning' : 'info',
		message,
	}));
}

/** Opens or closes the Notification Center with the bell in the status bar. */
async function setNotificationCenterVisible(page: Page, visible: boolean): Promise<void> {
	const center = page.locator('.notifications-center');
	if ((await center.isVisible()) !== visible) await page.locator('[id="status.notifications"]').click();
	await center.waitFor({ state: visible ? 'visible' : 'hidden', timeout: 10_000 });
}

export async function clearNotifications(page: Page): Promise<void> {
	await runCommand(page, 'Notifications: Clear All Notifications');
}

/** Fails with the messages when the window shows an error notification. */
export async function expectNoErrorNotifications(page: Page): Promise<void> {
	const errors = (await listNotifications(page)).filter(n => n.severity === 'error').map(n => n.message);
	if (errors.length > 0) throw new Error(`Expected no error notification, got: ${JSON.stringify(errors)}`);
}

// This extension's UI.

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';

/** The DOM inside a webview: VS Code nests the extension's page in an `active-frame` iframe. */
function webviewContent(webview: Locator): FrameLocator {
	return webview.contentFrame().locator('iframe#active-frame').contentFrame();
}

/**
 * The content of the visible results panel whose heading is `imageLabel` (e.g. `images/a.png`),
 * once it has rendered. Bound to that panel's own frame, so panels opened later do not change it.
 */
export async function resultsPanel(page: Page, imageLabel: string, timeoutMs = UI_TIMEOUT_MS): Promise<FrameLocator> {
	const webviews = page.locator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}&"]`).filter({ visible: true });
	const headings = new Set<string>();
	const name = await waitUntil(async () => {
		for (const webview of await webviews.all()) {
			const heading = await webviewContent(webview).locator('h1.title').textContent({ timeout: 250 }).catch(() => null);
			if (heading === null) continue;
			headings.add(heading);
			if (heading === imageLabel) return (await webview.getAttribute('name')) ?? undefined;
		}
		return undefined;
	}, () => `a results panel for ${imageLabel}; panels seen: ${JSON.stringify([...headings])}`, timeoutMs);
	return webviewContent(page.locator(`iframe.webview.ready[name=${cssString(name)}]`));
}

/** "Yandex Vision: Set IAM Token" from the Command Palette, typed into its password box. */
export async function setIamTokenFromPalette(page: Page, token: string): Promise<void> {
	await runCommand(page, 'Yandex Vision: Set IAM Token');
	const box = quickInputBox(page);
	await box.waitFor({ state: 'visible', timeout: 10_000 });
	await box.pressSequentially(token);
	await page.keyboard.press('Enter');
	await expectToast(page, 'IAM token saved in secret storage');
}

export interface ScreenBox {
	x: number;
	y: number;
	width: number;
	height: number;
}

/**
 * Asserts that a box drawn on screen covers recorded vertices, in the recording's pixels, as they
 * land on a picture whose top left is at `origin` and which is shown at `scale` of those pixels:
 * within 2 px on every side.
 */
export function expectBoxOver(drawn: ScreenBox, vertices: readonly { x: number; y: number }[], origin: { x: number; y: number }, scale: { x: number; y: number }, what: string): void {
	const xs = vertices.map(v => v.x);
	const ys = vertices.map(v => v.y);
	const expected = {
		x: origin.x + Math.min(...xs) * scale.x,
		y: origin.y + Math.min(...ys) * scale.y,
		width: (Math.max(...xs) - Math.min(...xs)) * scale.x,
		height: (Math.max(...ys) - Math.min(...ys)) * scale.y,
	};
	const off = Math.max(...(['x', 'y', 'width', 'height'] as const).map(k => Math.abs(drawn[k] - expected[k])));
	assert.ok(off <= 2, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(drawn)}`);
}

/** A CSS string literal, for attribute selectors. */
function cssString(value: string): string {
	return JSON.stringify(value);
}
