/**
 * What the browser tests of the results webview share: the page served as VS Code serves it
 * (test/support/webviewPage.ts), VS Code's themes as it sets them on a webview, the payloads the
 * extension would send for the sample images, and small readers of what the panel posted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { FeatureView, FromWebview, InitPayload, PersistedState, ResultsModel, ToWebview } from '../../src/shared/protocol';
import type { FeatureType, TextAnnotation } from '../../src/results/types';
import type { Recording, RecordedPolygon } from '../emulator/recording';
import { FIXTURES_DIR, recordingOf } from '../support/fixtures';
import { buildWebviewBundle, openWebviewPage, READY_REQUEST_ID, REPO_ROOT, startWebviewServer, waitForExpression, type WebviewAsset, type WebviewServer } from '../support/webviewPage';
import { launchChromium } from '../tools/chromium';

export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

// Dark Modern and Light Modern, as VS Code sets them on a webview's <html>.
export const DARK_THEME: Record<string, string> = {
	'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
	'font-size': '13px',
	'font-weight': 'normal',
	'editor-font-family': '"Droid Sans Mono", "DejaVu Sans Mono", monospace',
	'foreground': '#cccccc',
	'descriptionForeground': '#9d9d9d',
	'errorForeground': '#f85149',
	'editor-background': '#1f1f1f',
	'sideBar-background': '#181818',
	'sideBarSectionHeader-foreground': '#cccccc',
	'panel-border': '#2b2b2b',
	'widget-border': '#313131',
	'widget-shadow': 'rgba(0, 0, 0, 0.36)',
	'focusBorder': '#0078d4',
	'button-background': '#0078d4',
	'button-foreground': '#ffffff',
	'button-hoverBackground': '#026ec1',
	'button-border': 'rgba(255, 255, 255, 0.07)',
	'button-secondaryBackground': '#313131',
	'button-secondaryForeground': '#cccccc',
	'button-secondaryHoverBackground': '#3c3c3c',
	'checkbox-background': '#313131',
	'checkbox-border': '#3c3c3c',
	'checkbox-foreground': '#cccccc',
	'editor-selectionBackground': '#264f78',
	'editor-hoverHighlightBackground': 'rgba(38, 79, 120, 0.25)',
	'editorHoverWidget-background': '#202020',
	'editorHoverWidget-foreground': '#cccccc',
	'editorHoverWidget-border': '#454545',
	'editorWidget-background': '#202020',
	'badge-background': '#616161',
	'badge-foreground': '#f8f8f8',
	'progressBar-background': '#0078d4',
	'inputValidation-errorBackground': '#5a1d1d',
	'inputValidation-errorBorder': '#be1100',
	'charts-blue': '#3794ff',
	'charts-green': '#89d185',
	'charts-purple': '#b180d7',
	'charts-orange': '#d18616',
	'charts-yellow': '#cca700',
	'textLink-foreground': '#4daafc',
	'textLink-activeForeground': '#4daafc',
	'editorWarning-foreground': '#cca700',
	'list-hoverBackground': '#2a2d2e',
	'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
	'inputOption-activeBackground': 'rgba(36, 137, 219, 0.51)',
	'inputOption-activeBorder': '#2488db',
	'icon-foreground': '#cccccc',
	'panelTitle-activeBorder': '#0078d4',
	'panelTitle-activeForeground': '#cccccc',
	'scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)',
	'scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)',
};

export const LIGHT_THEME: Record<string, string> = {
	...DARK_THEME,
	'foreground': '#3b3b3b',
	'descriptionForeground': '#717171',
	'errorForeground': '#f85149',
	'editor-background': '#ffffff',
	'sideBar-background': '#f8f8f8',
	'sideBarSectionHeader-foreground': '#3b3b3b',
	'panel-border': '#e5e5e5',
	'widget-border': '#e5e5e5',
	'widget-shadow': 'rgba(0, 0, 0, 0.16)',
	'focusBorder': '#005fb8',
	'button-background': '#005fb8',
	'button-hoverBackground': '#0258a8',
	'button-border': 'rgba(0, 0, 0, 0.1)',
	'button-secondaryBackground': '#e5e5e5',
	'button-secondaryForeground': '#3b3b3b',
	'button-secondaryHoverBackground': '#cccccc',
	'checkbox-background': '#f8f8f8',
	'checkbox-border': '#cecece',
	'checkbox-foreground': '#3b3b3b',
	'editor-selectionBackground': '#add6ff',
	'editor-hoverHighlightBackground': 'rgba(173, 214, 255, 0.15)',
	'editorHoverWidget-background': '#f8f8f8',
	'editorHoverWidget-foreground': '#3b3b3b',
	'editorHoverWidget-border': '#c8c8c8',
	'editorWidget-background': '#f8f8f8',
	'badge-background': '#cccccc',
	'badge-foreground': '#3b3b3b',
	'progressBar-background': '#005fb8',
	'inputValidation-errorBackground': '#f2dede',
	'inputValidation-errorBorder': '#be1100',
	'charts-blue': '#1a85ff',
	'charts-green': '#388a34',
	'charts-purple': '#652d90',
	'charts-yellow': '#bf8803',
	'textLink-foreground': '#005fb8',
	'textLink-activeForeground': '#005fb8',
	'editorWarning-foreground': '#bf8803',
	'list-hoverBackground': '#f2f2f2',
	'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
	'inputOption-activeBackground': 'rgba(190, 195, 201, 0.2)',
	'inputOption-activeBorder': '#005fb8',
	'icon-foreground': '#3b3b3b',
	'panelTitle-activeBorder': '#005fb8',
	'panelTitle-activeForeground': '#3b3b3b',
};

export const HIGH_CONTRAST_THEME: Record<string, string> = {
	...DARK_THEME,
	'foreground': '#ffffff',
	'descriptionForeground': 'rgba(255, 255, 255, 0.7)',
	'editor-background': '#000000',
	'sideBar-background': '#000000',
	'panel-border': '#6fc3df',
	'widget-border': '#6fc3df',
	'contrastBorder': '#6fc3df',
	'contrastActiveBorder': '#f38518',
	'focusBorder': '#f38518',
	'button-background': '#000000',
	'button-border': '#6fc3df',
	'button-secondaryBackground': '#000000',
	'button-secondaryForeground': '#ffffff',
	'checkbox-background': '#000000',
	'checkbox-border': '#6fc3df',
	'editor-selectionBackground': '#ffffff',
	'editor-selectionForeground': '#000000',
	'editorHoverWidget-background': '#0c141f',
	'editorHoverWidget-border': '#6fc3df',
	'badge-background': '#000000',
	'badge-foreground': '#ffffff',
	'inputValidation-errorBackground': '#000000',
	'inputValidation-errorBorder': '#f48771',
	'textLink-foreground': '#21a6ff',
	'textLink-activeForeground': '#21a6ff',
	'editorWarning-foreground': '#ff9900',
	'list-hoverBackground': 'transparent',
	'toolbar-hoverBackground': 'transparent',
	'inputOption-activeBackground': 'transparent',
	'inputOption-activeBorder': '#6fc3df',
	'icon-foreground': '#ffffff',
	'panelTitle-activeBorder': '#6fc3df',
	'panelTitle-activeForeground': '#ffffff',
};

export const THEMES = { 'dark': DARK_THEME, 'light': LIGHT_THEME, 'high-contrast': HIGH_CONTRAST_THEME } as const;
export type ThemeName = keyof typeof THEMES;

export interface Panel {
	page: Page;
	context: BrowserContext;
	dialogs: string[];
	errors: string[];
}

export interface OpenOptions {
	state?: PersistedState;
	viewport?: { width: number; height: number };
	theme?: ThemeName;
	/** The display language, as VS Code sets it on the page. */
	lang?: string;
	/** Run in the page before the panel's own script. */
	initScripts?: readonly string[];
}

/** One browser and one server for a test file; a fresh context per panel. */
export class WebviewHarness {
	private browser: Browser | undefined;
	private server: WebviewServer | undefined;
	private bundleDir: string | undefined;
	private readonly open: Panel[] = [];

	/** `extraAssets`: served besides the panel's bundle and the fixtures' images, by path. */
	async start(extraAssets: ReadonlyMap<string, WebviewAsset> = new Map()): Promise<void> {
		this.bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webview-bundle-'));
		const bundlePath = await buildWebviewBundle(this.bundleDir);
		const assets = new Map<string, WebviewAsset>(extraAssets);
		for (const name of fs.readdirSync(FIXTURES_DIR)) {
			if (/^[\w-]+\.(png|jpg)$/.test(name)) assets.set(`/fixtures/${name}`, { contentType: name.endsWith('.png') ? 'image/png' : 'image/jpeg', body: fs.readFileSync(path.join(FIXTURES_DIR, name)) });
		}
		this.server = await startWebviewServer({ bundlePath, assets });
		this.browser = await launchChromium();
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
	}

	async stop(): Promise<void> {
		await this.browser?.close();
		await this.server?.close();
		if (this.bundleDir) fs.rmSync(this.bundleDir, { recursive: true, force: true });
	}

	/** The panel's page, after its `ready` request; page errors and dialogs are recorded. */
	async openPanel(options: OpenOptions = {}): Promise<Panel> {
		assert.ok(this.browser && this.server, 'the harness is started');
		const context = await this.browser.newContext({ viewport: options.viewport ?? { width: 1200, height: 760 }, deviceScaleFactor: 1 });
		const theme = options.theme ?? 'dark';
		const dialogs: string[] = [];
		const errors: string[] = [];
		context.on('page', page => {
			page.on('dialog', dialog => {
				dialogs.push(dialog.message());
				void dialog.dismiss();
			});
			page.on('pageerror', error => errors.push(error.message));
		});
		let page: Page;
		try {
			page = await openWebviewPage(context, this.server.origin, { state: options.state, theme: THEMES[theme], themeClass: `vscode-${theme}`, lang: options.lang, initScripts: options.initScripts });
		} catch (err) {
			await context.close();
			throw err;
		}
		const panel: Panel = { page, context, dialogs, errors };
		this.open.push(panel);
		return panel;
	}

	/** Closes every panel opened since the last call; fails if one threw or opened a dialog. */
	async closePanels(): Promise<void> {
		const closed = this.open.splice(0);
		for (const panel of closed) await panel.context.close();
		assert.deepEqual(closed.flatMap(p => p.errors), [], 'the page threw');
		assert.deepEqual(closed.flatMap(p => p.dialogs), [], 'a dialog opened');
	}
}

export async function posted(page: Page): Promise<FromWebview[]> {
	return page.evaluate('globalThis.__vscode.posted');
}

export async function savedState(page: Page): Promise<unknown> {
	return page.evaluate('globalThis.__vscode.getState()');
}

/** As the extension's postMessage arrives in the webview. */
export async function send(page: Page, message: ToWebview | unknown): Promise<void> {
	await page.evaluate(m => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(m, '*'), message);
}

/** Sends `init` in reply to the panel's `ready`, and waits until the image is shown. */
export async function init(page: Page, payload: InitPayload): Promise<void> {
	const ready = (await posted(page)).find(m => m.type === 'ready');
	assert.ok(ready && ready.type === 'ready' && ready.requestId === READY_REQUEST_ID);
	await send(page, { type: 'init', inReplyTo: ready.requestId, payload });
	await page.locator('img.image').waitFor({ state: 'attached' });
	await waitForExpression(page, 'document.querySelector("img.image").complete');
}

/**
 * Resolves once the page has drawn a frame: the panel lays itself out again for a new size (its
 * ResizeObservers) before that frame is painted, so what is measured then is what a user sees.
 */
export async function nextFrame(page: Page): Promise<void> {
	await page.evaluate('new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}

export async function classes(locator: Locator): Promise<string[]> {
	return ((await locator.getAttribute('class')) ?? '').split(/\s+/);
}

export async function screenshot(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: path.join(SCREENSHOTS, `webview-${name}.png`) });
}

export function lastOf<T extends FromWebview['type']>(messages: FromWebview[], type: T): Extract<FromWebview, { type: T }> | undefined {
	return messages.filter((m): m is Extract<FromWebview, { type: T }> => m.type === type).at(-1);
}

export type RecordedWord = NonNullable<Recording['textDetection']>['pages'][number]['blocks'][number]['lines'][number]['words'][number];

export function recordedWords(recording: Recording): RecordedWord[] {
	return (recording.textDetection?.pages ?? []).flatMap(p => p.blocks.flatMap(b => b.lines.flatMap(l => l.words)))
		.filter(w => w.text.trim() !== '');
}

export function recordedLines(recording: Recording): number {
	return (recording.textDetection?.pages[0].blocks ?? []).reduce((n, b) => n + b.lines.length, 0);
}

export function boundsOf(polygon: RecordedPolygon): { x: number; y: number; width: number; height: number } {
	const xs = polygon.vertices.map(v => v.x);
	const ys = polygon.vertices.map(v => v.y);
	return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
}

export function annotationOf(recording: Recording): TextAnnotation {
	assert.ok(recording.textDetection, `${recording.image} has no text recording`);
	return recording.textDetection;
}

/** What the extension would send for a sample image analyzed for `features`. */
export function payloadOf(image: string, features: FeatureType[], options: { classificationModel?: 'quality' | 'moderation' } = {}): InitPayload {
	const recording = recordingOf(image);
	const classificationModel = options.classificationModel ?? 'quality';
	const views = features.map((type): FeatureView => {
		switch (type) {
			case 'TEXT_DETECTION':
				return { type, model: 'page', result: { textDetection: annotationOf(recording) } };
			case 'CLASSIFICATION':
				return { type, model: classificationModel, result: { classification: { properties: recording.classification?.[classificationModel] ?? [] } } };
			case 'FACE_DETECTION':
				return { type, result: { faceDetection: recording.faceDetection ?? { faces: [] } } };
			case 'IMAGE_COPY_SEARCH':
				return { type, result: { imageCopySearch: recording.imageCopySearch ?? { copyCount: 0, topResults: [] } } };
		}
	});
	const model: ResultsModel = {
		imageUri: `file:///workspace/${image}`,
		imageLabel: `samples/${image}`,
		features: views,
		analyzedAt: '2025-11-24T08:00:00.000Z',
		requestId: 'a1b2c3d4-0000-4000-8000-000000000001',
	};
	return { model, imageSrc: `/fixtures/${image}`, strings: {}, selection: [] };
}

/** `count` words in rows over a `width`×`height` page, one block per 10 lines. */
export function gridOfWords(count: number, width: number, height: number): TextAnnotation {
	const perLine = 40;
	const lines = Math.ceil(count / perLine);
	const w = width / perLine;
	const h = height / lines;
	const box = (x: number, y: number, bw: number, bh: number) => ({ vertices: [{ x, y }, { x, y: y + bh }, { x: x + bw, y: y + bh }, { x: x + bw, y }] });
	const blocks: TextAnnotation['pages'][number]['blocks'] = [];
	for (let line = 0; line < lines; line++) {
		if (line % 10 === 0) blocks.push({ boundingBox: box(0, line * h, width, h * 10), lines: [] });
		const words = [];
		for (let i = 0; i < perLine && line * perLine + i < count; i++) {
			words.push({ boundingBox: box(i * w + 1, line * h + 1, w - 2, h - 2), text: `w${line * perLine + i}`, confidence: 0.9, languages: [{ languageCode: 'en', confidence: 0.9 }], entityIndex: -1 });
		}
		blocks[blocks.length - 1].lines.push({ boundingBox: box(0, line * h, width, h), words, confidence: 0.9 });
	}
	return { pages: [{ width, height, blocks, entities: [] }] };
}

/** Reading-order indexes of the words selected in the overlay. */
export async function selectedWords(page: Page): Promise<number[]> {
	return page.locator('polygon.word.selected').evaluateAll(elements => elements.map(e => Number(e.getAttribute('data-word'))));
}

export { waitForExpression };
