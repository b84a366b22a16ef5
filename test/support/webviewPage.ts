/**
 * The results webview outside VS Code: the bundle built from media/main.ts, the page built by
 * buildWebviewHtml with its CSP, served from 127.0.0.1, and a stand-in for `acquireVsCodeApi`
 * that records what the panel posts and saves. For browser tests and benchmarks alike.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { buildWebviewHtml, createNonce } from '../../src/panel/webviewHtml';
import { FIXTURES_DIR } from './fixtures';

export const REPO_ROOT = path.dirname(path.dirname(FIXTURES_DIR));

/** The id the panel gives its `ready` request, which `init` answers. */
export const READY_REQUEST_ID = 1;

export interface WebviewAsset {
	contentType: string;
	body: Buffer | string;
}

export interface WebviewServer {
	origin: string;
	close(): Promise<void>;
}

/** Bundles the webview as esbuild.js does for dist/, into `outDir`; returns the script's path. */
export async function buildWebviewBundle(outDir: string): Promise<string> {
	const outfile = path.join(outDir, 'webview.js');
	await esbuild.build({
		entryPoints: [path.join(REPO_ROOT, 'media', 'main.ts')],
		bundle: true,
		format: 'iife',
		platform: 'browser',
		target: 'es2022',
		outfile,
		logLevel: 'silent',
	});
	return outfile;
}

/**
 * Serves the panel's page at `/` (a fresh nonce for each load, as VS Code gives a webview its
 * HTML), the bundle, the stylesheet, and `assets` by path, on an ephemeral port of 127.0.0.1.
 */
export async function startWebviewServer(options: { bundlePath: string; assets?: ReadonlyMap<string, WebviewAsset> }): Promise<WebviewServer> {
	const script = fs.readFileSync(options.bundlePath);
	const style = fs.readFileSync(path.join(REPO_ROOT, 'media', 'main.css'));
	let origin = '';
	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const send = (contentType: string, body: Buffer | string, cacheable: boolean): void => {
			response.writeHead(200, { 'content-type': contentType, 'cache-control': cacheable ? 'max-age=3600' : 'no-store' });
			response.end(body);
		};
		const asset = options.assets?.get(url.pathname);
		if (url.pathname === '/') {
			send('text/html; charset=utf-8', buildWebviewHtml({
				cspSource: origin,
				nonce: createNonce(),
				scriptUri: `${origin}/dist/webview.js`,
				styleUri: `${origin}/media/main.css`,
				title: 'Vision: results',
				lang: url.searchParams.get('lang') ?? 'en',
			}), false);
		} else if (url.pathname === '/dist/webview.js') {
			send('text/javascript', script, true);
		} else if (url.pathname === '/media/main.css') {
			send('text/css', style, true);
		} else if (asset) {
			send(asset.contentType, asset.body, true);
		} else {
			response.writeHead(404).end();
		}
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		origin,
		close: () => new Promise<void>(resolve => {
			server.closeAllConnections();
			server.close(() => resolve());
		}),
	};
}

export interface VsCodeStubOptions {
	/** What `getState` returns first, as VS Code restores it after a reload. */
	state?: unknown;
	/** `--vscode-*` variables without the prefix, set on <html> as VS Code does. */
	theme?: Readonly<Record<string, string>>;
	/** The body class VS Code sets for the theme's kind. */
	themeClass?: string;
}

/**
 * Runs in the page before the bundle: VS Code's webview API as a recorder at `globalThis.__vscode`
 * (`posted`, `getState()`, `acquired()`), and the theme as VS Code applies it. Like VS Code's own,
 * `setState` keeps the object and serializes it to JSON once; `__vscode.getState()` parses that
 * JSON, which is what a reload would restore.
 */
export function vsCodeStubScript(options: VsCodeStubOptions = {}): string {
	const setup = { state: options.state, theme: options.theme ?? {}, themeClass: options.themeClass ?? 'vscode-dark' };
	return `(${installVsCodeStub.toString()})(${JSON.stringify(setup)})`;
}

function installVsCodeStub(setup: { state: unknown; theme: Record<string, string>; themeClass: string }): void {
	const w = globalThis as unknown as Record<string, unknown> & { document: { documentElement: { style: { setProperty(n: string, v: string): void } }; body: { classList: { add(c: string): void } } | null; addEventListener(t: string, f: () => void): void } };
	const posted: unknown[] = [];
	let state = setup.state;
	let saved: string | undefined = JSON.stringify(setup.state);
	let acquired = 0;
	w.__vscode = { posted, getState: () => saved === undefined ? undefined : JSON.parse(saved), acquired: () => acquired };
	w.acquireVsCodeApi = () => {
		acquired++;
		return {
			postMessage: (message: unknown) => posted.push(JSON.parse(JSON.stringify(message))),
			getState: () => state,
			setState: (next: unknown) => {
				state = next;
				saved = JSON.stringify(next);
				return next;
			},
		};
	};
	w.document.addEventListener('DOMContentLoaded', () => {
		for (const [name, value] of Object.entries(setup.theme)) w.document.documentElement.style.setProperty(`--vscode-${name}`, value);
		w.document.body?.classList.add(setup.themeClass);
	});
}

/**
 * A new page in `context` showing the panel, after its `ready` request was posted. Scripts in
 * `initScripts` run before the bundle, after the stub.
 */
export async function openWebviewPage(context: BrowserContext, origin: string, options: VsCodeStubOptions & { lang?: string; initScripts?: readonly string[] } = {}): Promise<Page> {
	const page = await context.newPage();
	await page.addInitScript({ content: vsCodeStubScript(options) });
	for (const content of options.initScripts ?? []) await page.addInitScript({ content });
	await page.goto(`${origin}/${options.lang ? `?lang=${encodeURIComponent(options.lang)}` : ''}`);
	await waitForExpression(page, `globalThis.__vscode.posted.some(m => m.type === 'ready' && m.requestId === ${READY_REQUEST_ID})`);
	return page;
}

/**
 * Polls a page expression from outside until it is truthy. Playwright's waitForFunction polls by
 * compiling the predicate inside the page, which the panel's CSP (no 'unsafe-eval') refuses as
 * soon as the first check is false; evaluating from outside is not subject to the CSP.
 */
export async function waitForExpression(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await page.evaluate(expression))) {
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${expression}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}
