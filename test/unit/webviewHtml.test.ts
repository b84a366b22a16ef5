import * as assert from 'node:assert/strict';
import { buildWebviewHtml, createNonce, type WebviewHtmlOptions } from '../../src/panel/webviewHtml';

const OPTIONS: WebviewHtmlOptions = {
	cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
	nonce: 'bm9uY2Utbm9uY2Utbm9uY2U=',
	scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
	styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/main.css',
	title: 'Vision: note.png',
	lang: 'en',
};

/** Every tag in the page with its raw attribute text, e.g. `['script', ' nonce="…" src="…"']`. */
function tags(html: string): { name: string; attributes: string }[] {
	return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map(m => ({ name: m[1].toLowerCase(), attributes: m[2] }));
}

function attribute(attributes: string, name: string): string | undefined {
	return new RegExp(`\\s${name}="([^"]*)"`).exec(attributes)?.[1];
}

function cspOf(html: string): string | undefined {
	const meta = tags(html).find(t => t.name === 'meta' && attribute(t.attributes, 'http-equiv') === 'Content-Security-Policy');
	return meta && attribute(meta.attributes, 'content');
}

describe('buildWebviewHtml', () => {
	it('sets exactly the Content-Security-Policy the panel needs', () => {
		assert.equal(
			cspOf(buildWebviewHtml(OPTIONS)),
			`default-src 'none'; img-src ${OPTIONS.cspSource} data:; style-src ${OPTIONS.cspSource}; script-src 'nonce-${OPTIONS.nonce}'; font-src ${OPTIONS.cspSource}; connect-src ${OPTIONS.cspSource}; worker-src blob:;`,
		);
	});

	it('allows no inline code and no blanket sources', () => {
		const csp = cspOf(buildWebviewHtml(OPTIONS)) ?? '';
		assert.doesNotMatch(csp, /'unsafe-/);
		// No bare scheme or wildcard source such as `https:` or `*`.
		assert.doesNotMatch(csp, /(^|\s)(https?:|\*)(?=[\s;])/);
		assert.doesNotMatch(buildWebviewHtml(OPTIONS), /\sstyle=|\son[a-z]+=/i);
	});

	it('puts the nonce on the one script, which loads the webview bundle', () => {
		const html = buildWebviewHtml(OPTIONS);
		const all = tags(html);
		const scripts = all.filter(t => t.name === 'script');
		assert.equal(scripts.length, 1);
		assert.equal(attribute(scripts[0].attributes, 'nonce'), OPTIONS.nonce);
		assert.equal(attribute(scripts[0].attributes, 'src'), OPTIONS.scriptUri);
		assert.deepEqual(all.filter(t => attribute(t.attributes, 'nonce') !== undefined).map(t => t.name), ['script']);
		// The script is empty: data arrives by message, never as script text.
		assert.match(html, /<script [^>]*><\/script>/);
	});

	it('links the stylesheet and sets the language', () => {
		const all = tags(buildWebviewHtml({ ...OPTIONS, lang: 'ru' }));
		const link = all.find(t => t.name === 'link');
		assert.equal(link && attribute(link.attributes, 'href'), OPTIONS.styleUri);
		const html = all.find(t => t.name === 'html');
		assert.equal(html && attribute(html.attributes, 'lang'), 'ru');
	});

	it('escapes a hostile title, language and URIs', () => {
		const hostile = '"><img src=x onerror=alert(1)>&\'';
		const html = buildWebviewHtml({ ...OPTIONS, title: hostile, lang: hostile, scriptUri: `x${hostile}`, styleUri: `y${hostile}`, cspSource: hostile, nonce: hostile });
		assert.doesNotMatch(html, /<img/i);
		assert.doesNotMatch(html, /onerror=alert\(1\)>/);
		assert.ok(html.includes('<title>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;</title>'), html);
		const escaped = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;';
		const all = tags(html);
		assert.equal(attribute(all.find(t => t.name === 'html')?.attributes ?? '', 'lang'), escaped);
		assert.equal(attribute(all.find(t => t.name === 'script')?.attributes ?? '', 'src'), `x${escaped}`);
		assert.equal(attribute(all.find(t => t.name === 'link')?.attributes ?? '', 'href'), `y${escaped}`);
		// Still exactly one of each element: nothing broke out of its attribute.
		assert.deepEqual(all.map(t => t.name), ['html', 'head', 'meta', 'meta', 'meta', 'link', 'title', 'body', 'div', 'script']);
	});

	it('carries no runtime data besides the URIs, title and language', () => {
		const html = buildWebviewHtml(OPTIONS);
		const stripped = [OPTIONS.cspSource, OPTIONS.nonce, OPTIONS.scriptUri, OPTIONS.styleUri, OPTIONS.title]
			.reduce((text, value) => text.split(value).join(''), html);
		assert.doesNotMatch(stripped, /data-[a-z-]+=/);
		assert.doesNotMatch(stripped, /vscode-resource|note\.png/);
	});
});

describe('createNonce', () => {
	it('makes a different base64 nonce of at least 128 bits each time', () => {
		const nonces = Array.from({ length: 200 }, () => createNonce());
		assert.equal(new Set(nonces).size, nonces.length);
		for (const nonce of nonces) {
			assert.match(nonce, /^[A-Za-z0-9+/]+={0,2}$/);
			assert.ok(Buffer.from(nonce, 'base64').length >= 16, nonce);
		}
	});
});
