/**
 * Hostile results in the real panel, in Chromium: every string the service returns — recognized
 * words, entities, language codes, classification names, titles, descriptions and addresses of
 * copies found on the web — carrying markup, `javascript:` URLs, right-to-left overrides, or
 * 100 KB without a break. Each must be shown as the very text it is (no element made from it,
 * nothing run, nowhere navigated) and stay inside its part of the panel. And should markup get
 * into the page anyway, the Content-Security-Policy must stop it from running.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { InitPayload } from '../../src/shared/protocol';
import { codeOf, findInvisible } from '../../src/results/invisibleCharacters';
import type { CopyMatch, Polygon, TextAnnotation, Word } from '../../src/results/types';
import { recordingOf } from '../support/fixtures';
import { init, lastOf, payloadOf, posted, WebviewHarness } from './webviewHarness';

/** Each sets `globalThis.__pwned` if it ever runs. */
const MARKUP = {
	img: '<img src=x onerror="globalThis.__pwned=\'img\'">',
	script: '<script>globalThis.__pwned="script"</script>',
	svg: '<svg onload="globalThis.__pwned=\'svg\'"><circle r="9"/></svg>',
	link: '<a href="javascript:globalThis.__pwned=\'a\'">open</a>',
	iframe: '"><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
	entities: '&lt;b&gt;bold&lt;/b&gt; &amp;amp;',
} as const;
const JS_URL = 'javascript:globalThis.__pwned="url"';
/** Reads "invoicefdp.exe" stored, "invoiceexe.pdf" displayed: the classic file-name spoof. */
const RTL = 'invoice\u202Efdp.exe';
const LONG = 'W'.repeat(100_000);
const LONG_WORDS = `${'lorem ipsum '.repeat(8_333)}end`;

/** "One two three": a right-to-left line, whose order no fix for the override may break. */
const HEBREW = ['אחת', 'שתיים', 'שלוש'];

const HOSTILE_TEXTS: readonly string[] = [...Object.values(MARKUP), JS_URL, RTL, LONG, LONG_WORDS];

describe('Results webview under hostile results in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();

	before(() => harness.start());
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	/** The panel with the hostile payload shown, after noting every navigation and request it makes. */
	async function openHostile(): Promise<{ page: Page; payload: InitPayload; navigations: string[]; requests: string[] }> {
		const { page } = await harness.openPanel({ viewport: { width: 1100, height: 760 } });
		const navigations: string[] = [];
		const requests: string[] = [];
		page.on('framenavigated', frame => navigations.push(frame.url()));
		page.on('request', request => requests.push(request.url()));
		const payload = hostilePayload();
		await init(page, payload);
		return { page, payload, navigations, requests };
	}

	it('shows every hostile string as exactly its text, with no element made from it', async () => {
		const { page, payload } = await openHostile();
		const annotation = payload.model.features[0]!.result.textDetection!;
		const words = annotation.pages[0]!.blocks.flatMap(b => b.lines.flatMap(l => l.words));
		for (const [index, word] of words.entries()) {
			const span = page.locator(`#text-pane [data-word="${index}"]`);
			// A hidden or bidi control character shows as a chip with its code; nothing else is an element.
			assert.equal(await span.textContent(), showAsChips(word.text), `word ${index}`);
			assert.equal(await span.evaluate(e => e.querySelectorAll(':scope > :not(.invisible-char), .invisible-char *').length), 0, `word ${index} holds no element but chips`);
			assert.equal(await span.locator('.invisible-char').count(), findInvisible(word.text).count, `word ${index}: a chip per hidden character`);
		}
		const entities = annotation.pages[0]!.entities;
		assert.deepEqual(await page.locator('.entity-name').allTextContents(), entities.map(e => e.name));
		assert.deepEqual(await page.locator('.entity-text').allTextContents(), entities.map(e => e.text));
		const properties = payload.model.features[1]!.result.classification!.properties;
		const labels = await page.locator('.bar-label').evaluateAll(elements => elements.map(e => ({ text: e.textContent, title: e.getAttribute('title') })));
		assert.deepEqual(labels.map(l => l.text).sort(), properties.map(p => p.name).sort());
		assert.deepEqual(labels.map(l => l.title).sort(), properties.map(p => p.name).sort());
		const copies = payload.model.features[2]!.result.imageCopySearch!.topResults;
		assert.deepEqual(await page.locator('.copy-title').allTextContents(), copies.map(c => c.title));
		assert.deepEqual(await page.locator('.copy-description').allTextContents(), copies.map(c => c.description).filter(d => d !== ''));
		assert.equal(await page.locator('h1.title').textContent(), payload.model.imageLabel);

		// Whatever holds service text holds text only.
		const holders = '#text-pane .word, .entity-name, .entity-text, .bar-label, .copy-title, .copy-description, .copy-url, h1.title, .text-meta';
		const withElements = await page.locator(holders).evaluateAll(elements => elements.filter(e => [...e.children].some(c => !c.matches('#text-pane .word > .invisible-char') || c.childElementCount > 0)).map(e => e.className));
		assert.deepEqual(withElements, []);
		assert.equal(await page.locator('img').count(), 1, 'only the analyzed image is an img');
		assert.equal(await page.locator('script').count(), 1, 'only the webview bundle is a script');
		assert.equal(await page.locator('a, iframe, object, embed, form, [onerror], [onload], [onclick], [srcdoc]').count(), 0);
		assert.equal(await page.locator('.sections svg, .sections circle').count(), 0, 'no SVG made from text');
		assert.equal(await page.evaluate('globalThis.__pwned'), undefined);
	});

	it('shows a language code that is markup as text, in the languages line and on the line it tags', async () => {
		const { page } = await openHostile();
		assert.match((await page.locator('.text-meta').textContent()) ?? '', /<b onmouseover=x>/);
		assert.equal(await page.locator('#text-pane .line[data-lang="<b onmouseover=x>"]').count(), 1);
		assert.equal(await page.locator('#text-pane .line[lang]').evaluateAll(lines => lines.every(l => /^[a-z]{2,3}$/i.test(l.getAttribute('lang') ?? ''))), true, 'only real codes become lang');
	});

	it('runs nothing and goes nowhere when every word, entity, label and address is hovered and clicked', async () => {
		const { page, navigations, requests } = await openHostile();
		const before = page.url();
		// As events on each element: a real pointer would often land on the sticky header over a 100 KB block.
		const targets = page.locator('#text-pane .word, polygon.word, .entity-item, .bar-row, .copy-title, .copy-description, .copy-url, h1.title');
		const count = await targets.count();
		for (let i = 0; i < count; i++) {
			for (const type of ['pointerover', 'pointerenter', 'mouseover', 'pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'dblclick', 'pointerout']) {
				await targets.nth(i).dispatchEvent(type);
			}
		}
		await page.waitForTimeout(200);
		assert.equal(await page.evaluate('globalThis.__pwned'), undefined, 'nothing ran');
		assert.equal(page.url(), before, 'the panel did not navigate');
		assert.deepEqual(navigations, [], 'no frame navigated');
		const origin = new URL(before).origin;
		assert.deepEqual(requests.filter(url => !url.startsWith(origin)), [], 'nothing was requested from elsewhere');
		// Only web addresses may be handed to the extension to open or download (it checks them again).
		const asked = (await posted(page)).flatMap(m => m.type === 'openExternal' || m.type === 'loadPreview' ? [m.url] : []);
		assert.ok(asked.length > 0, 'the web addresses were clicked');
		assert.deepEqual(asked.filter(url => !/^https:\/\/example\.org\//.test(url)).map(url => url.slice(0, 80)), []);
	});

	it('offers only web addresses as links, and shows a right-to-left override in one as its escape', async () => {
		const { page } = await openHostile();
		const inert = await page.locator('.copy-url.inert').allTextContents();
		assert.ok(inert.includes(JS_URL), 'the javascript: address is inert text');
		assert.ok(inert.includes(`https://example.org/${LONG}`), 'an address over 8 KB is inert text');
		const links = await page.locator('button.copy-url').allTextContents();
		assert.ok(links.includes('https://example.org/%E2%80%AEgnp.exe'), `the override shows as %E2%80%AE: ${JSON.stringify(links)}`);
		await page.locator('button.copy-url', { hasText: '%E2%80%AE' }).click();
		assert.deepEqual(lastOf(await posted(page), 'openExternal'), { type: 'openExternal', url: 'https://example.org/%E2%80%AEgnp.exe' });
	});

	it('keeps 100 KB strings inside their containers, and the page from scrolling sideways', async () => {
		const { page } = await openHostile();
		assert.equal(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'), true, 'no horizontal scrolling of the page');
		const overflow = await page.evaluate(`(() => {
			const outside = [];
			const check = (selector, container) => {
				for (const element of document.querySelectorAll(selector)) {
					if (element.textContent.length < 50000) continue;
					const box = element.getBoundingClientRect();
					const bounds = element.closest(container).getBoundingClientRect();
					if (box.left < bounds.left - 1 || box.right > bounds.right + 1) outside.push(selector + ' ' + Math.round(box.width) + ' in ' + Math.round(bounds.width));
				}
			};
			check('#text-pane .word', 'section');
			check('.entity-text', 'section');
			check('.entity-name', 'section');
			check('.bar-label', 'section');
			check('.copy-title', '.copy');
			check('.copy-description', '.copy');
			check('.copy-url', '.copy');
			check('h1.title', 'header');
			return outside;
		})()`);
		assert.deepEqual(overflow, []);
		const pane = await page.locator('#text-pane').evaluate(e => ({ scroll: e.scrollWidth, client: e.clientWidth }));
		assert.ok(pane.scroll <= pane.client + 1, `the text pane wraps: ${JSON.stringify(pane)}`);
	});

	it('keeps a right-to-left override inside its own word: the words after it stay in reading order', async () => {
		const { page, payload } = await openHostile();
		const words = payload.model.features[0]!.result.textDetection!.pages[0]!.blocks[0]!.lines[0]!.words;
		const rtl = words.findIndex(w => w.text === RTL);
		assert.ok(rtl >= 0 && rtl + 2 < words.length, 'the override is followed by two words on its line');
		const lefts = await page.locator('#text-pane .line').first().locator('.word').evaluateAll(spans => spans.map(s => s.getBoundingClientRect().left));
		assert.ok(lefts[rtl + 1]! > lefts[rtl]! && lefts[rtl + 2]! > lefts[rtl + 1]!, `left edges ${JSON.stringify(lefts)}: the words after the override read left to right`);
	});

	it('still lays out a Hebrew line right to left, first word rightmost', async () => {
		const { page, payload } = await openHostile();
		const blocks = payload.model.features[0]!.result.textDetection!.pages[0]!.blocks;
		const hebrew = blocks.at(-1)!.lines[0]!.words.map(w => w.text);
		assert.deepEqual(hebrew, HEBREW);
		const line = page.locator('#text-pane .line', { hasText: HEBREW[0]! });
		const lefts = await line.locator('.word').evaluateAll(spans => spans.map(s => s.getBoundingClientRect().left));
		assert.ok(lefts[0]! > lefts[1]! && lefts[1]! > lefts[2]!, `left edges ${JSON.stringify(lefts)}`);
	});

	it('blocks inline scripts, inline event handlers and javascript: URLs injected into the page', async () => {
		const { page } = await openHostile();
		const result = await page.evaluate(`new Promise(resolve => {
			const violations = [];
			document.addEventListener('securitypolicyviolation', e => violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
			const script = document.createElement('script');
			script.textContent = 'globalThis.__inline = true';
			document.body.appendChild(script);
			const button = document.createElement('button');
			button.setAttribute('onclick', 'globalThis.__handler = true');
			document.body.appendChild(button);
			button.click();
			const broken = document.createElement('img');
			broken.setAttribute('onerror', 'globalThis.__onerror = true');
			broken.src = 'data:image/png;base64,AAAA';
			document.body.appendChild(broken);
			const link = document.createElement('a');
			link.href = 'javascript:globalThis.__jsUrl = true';
			document.body.appendChild(link);
			link.click();
			setTimeout(() => resolve({
				violations,
				ran: ['__inline', '__handler', '__onerror', '__jsUrl'].filter(name => globalThis[name] === true),
			}), 300);
		})`) as { violations: { directive: string; blocked: string }[]; ran: string[] };
		assert.deepEqual(result.ran, [], 'nothing injected ran');
		const seen = (directive: string, blocked: string) => result.violations.filter(v => v.directive === directive && v.blocked === blocked).length;
		assert.ok(seen('script-src-elem', 'inline') >= 2, `the inline script and the javascript: URL: ${JSON.stringify(result.violations)}`);
		assert.ok(seen('script-src-attr', 'inline') >= 2, `the onclick and onerror handlers: ${JSON.stringify(result.violations)}`);
	});
});

/** The text of a word in the text pane: each hidden or bidi control character as its chip's code. */
function showAsChips(text: string): string {
	return findInvisible(text).count === 0 ? text : [...text].map(ch => findInvisible(ch).count > 0 ? codeOf(ch.codePointAt(0)!) : ch).join('');
}

/** A word box in a row of boxes across the page. */
function box(i: number, row: number): Polygon {
	const x = 20 + (i % 6) * 60;
	const y = 20 + row * 40;
	return { vertices: [{ x, y }, { x, y: y + 24 }, { x: x + 50, y: y + 24 }, { x: x + 50, y }] };
}

function word(text: string, i: number, row: number, extra: Partial<Word> = {}): Word {
	return { boundingBox: box(i, row), text, confidence: 0.9, languages: [{ languageCode: 'en', confidence: 0.9 }], entityIndex: -1, ...extra };
}

/** The sample image's payload with every text field of every feature made hostile. */
function hostilePayload(): InitPayload {
	const page = recordingOf('latin-note.png').textDetection!.pages[0]!;
	const firstLine = ['before', RTL, 'after', 'end'].map((text, i) => word(text, i, 0));
	const otherLines = HOSTILE_TEXTS.map((text, i) => word(text, i % 6, 1 + i, i === 0 ? { entityIndex: 0 } : i === 1 ? { entityIndex: 1 } : {}));
	otherLines.push(word('tagged', 0, 1 + HOSTILE_TEXTS.length, { languages: [{ languageCode: '<b onmouseover=x>', confidence: 0.9 }] }));
	const annotation: TextAnnotation = {
		pages: [{
			width: page.width,
			height: page.height,
			blocks: [
				{ boundingBox: box(0, 0), lines: [{ boundingBox: box(0, 0), words: firstLine, confidence: 0.9 }] },
				{ boundingBox: box(0, 1), lines: otherLines.map(w => ({ boundingBox: w.boundingBox, words: [w], confidence: 0.9 })) },
				{ boundingBox: box(0, 14), lines: [{ boundingBox: box(0, 14), words: HEBREW.map((text, i) => word(text, 5 - i, 14, { languages: [{ languageCode: 'he', confidence: 0.9 }] })), confidence: 0.9 }] },
			],
			entities: [
				{ name: MARKUP.img, text: MARKUP.script },
				{ name: RTL, text: LONG },
				{ name: LONG, text: MARKUP.iframe },
			],
		}],
	};
	const copies: CopyMatch[] = [
		{ title: MARKUP.img, description: MARKUP.script, pageUrl: JS_URL, imageUrl: 'javascript:globalThis.__pwned="image"' },
		{ title: RTL, description: LONG, pageUrl: `https://example.org/${LONG}`, imageUrl: `https://example.org/\u202Egnp.exe` },
		{ title: LONG, description: LONG_WORDS, pageUrl: 'https://example.org/page', imageUrl: 'data:text/html,<script>alert(1)</script>' },
		{ title: MARKUP.entities, description: '', pageUrl: MARKUP.link, imageUrl: MARKUP.svg },
	];
	const payload = payloadOf('latin-note.png', ['TEXT_DETECTION', 'CLASSIFICATION', 'IMAGE_COPY_SEARCH']);
	payload.model.imageLabel = `${RTL} ${LONG}`;
	payload.model.features = [
		{ type: 'TEXT_DETECTION', model: 'page', result: { textDetection: annotation } },
		{ type: 'CLASSIFICATION', result: { classification: { properties: [MARKUP.img, RTL, LONG, JS_URL, MARKUP.entities].map((name, i) => ({ name, probability: 0.5 - i * 0.1 })) } } },
		{ type: 'IMAGE_COPY_SEARCH', result: { imageCopySearch: { copyCount: 4, topResults: copies } } },
	];
	return payload;
}
