/**
 * The results webview's feature views in Chromium: classification, faces, copies on the web,
 * entities and languages, tabs over several features, zoom and pan, keyboard navigation — what a
 * user sees and does, with screenshots of each view in the dark, light and high-contrast themes.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { InitPayload } from '../../src/shared/protocol';
import type { CopyMatch } from '../../src/results/types';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import {
	boundsOf,
	classes,
	init,
	lastOf,
	payloadOf,
	posted,
	recordedWords,
	screenshot,
	selectedWords,
	SCREENSHOTS,
	send,
	THEMES,
	waitForExpression,
	WebviewHarness,
} from './webviewHarness';

const HOSTILE_TITLE = '<img src=x onerror=alert(1)>';

describe('Results webview features in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();
	const openPanel = harness.openPanel.bind(harness);

	before(() => harness.start());
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	describe('a panel gathering the features run on its image', () => {
		it('says under each feature when it was analyzed and by which request, when they differ', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('cyrillic-sign.jpg', ['TEXT_DETECTION', 'IMAGE_COPY_SEARCH']);
			const [text, copies] = payload.model.features;
			Object.assign(text!, { analyzedAt: '2025-11-24T08:00:00.000Z', requestId: 'req-text' });
			Object.assign(copies!, { analyzedAt: '2025-11-24T09:30:00.000Z', requestId: 'req-copies' });
			await init(page, payload);
			const notes = await page.locator('section[data-feature] .section-analyzed').allTextContents();
			assert.equal(notes.length, 2);
			assert.match(notes[0]!, /^Analyzed .+ · Request ID: req-text$/);
			assert.match(notes[1]!, /^Analyzed .+ · Request ID: req-copies$/);
			assert.notEqual(notes[0], notes[1]);
		});

		it('says nothing more under features analyzed together', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('cyrillic-sign.jpg', ['TEXT_DETECTION', 'IMAGE_COPY_SEARCH']));
			await page.locator('section[data-feature]').first().waitFor();
			assert.equal(await page.locator('.section-analyzed').count(), 0);
		});
	});

	describe('classification', () => {
		it('shows quality as one distribution with the most likely class, and every class as a sorted bar', async () => {
			const { page } = await openPanel();
			const quality = recordingOf('faces.jpg').classification!.quality;
			await init(page, payloadOf('faces.jpg', ['CLASSIFICATION']));
			const view = page.locator('.classification');
			assert.equal(await view.getAttribute('data-kind'), 'exclusive');
			assert.equal(await view.locator('.verdict').textContent(), 'Most likely: High quality 68%');

			const sorted = [...quality].sort((a, b) => b.probability - a.probability);
			assert.deepEqual(await view.locator('.bar-label').allTextContents(), ['High quality', 'Medium quality', 'Low quality']);
			assert.deepEqual(await view.locator('.bar-value').allTextContents(), sorted.map(p => `${Math.round(p.probability * 100)}%`));
			assert.deepEqual(await view.locator('.bar-row.top').evaluateAll(rows => rows.map(r => r.getAttribute('data-property'))), ['high']);
			const meters = await view.locator('.bar[role="meter"]').evaluateAll(bars => bars.map(b => [b.getAttribute('aria-label'), b.getAttribute('aria-valuenow')]));
			assert.deepEqual(meters, [['High quality', '68'], ['Medium quality', '27'], ['Low quality', '5']]);

			// One bar split low → medium → high, each share as wide as its probability.
			const segments = view.locator('.distribution .segment');
			assert.deepEqual(await segments.evaluateAll(s => s.map(e => e.getAttribute('data-property'))), ['low', 'medium', 'high']);
			const total = await view.locator('.distribution').boundingBox();
			const widths = await segments.evaluateAll(s => s.map(e => e.getBoundingClientRect().width));
			assert.ok(total);
			const gaps = 2 * 2;
			for (const [i, name] of ['low', 'medium', 'high'].entries()) {
				const expected = quality.find(p => p.name === name)!.probability * (total.width - gaps);
				assert.ok(Math.abs(widths[i] - expected) <= 3, `${name}: ${widths[i]} px, expected ${expected}`);
			}
			assert.equal(await view.locator('.threshold').count(), 0, 'no threshold: the classes are not judged one by one');
			assert.match((await view.locator('.hint').textContent()) ?? '', /add up to 100/);
		});

		it('shows moderation as independent flags against a threshold, translated', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('cyrillic-sign.jpg', ['CLASSIFICATION'], { classificationModel: 'moderation' });
			payload.strings = { 'classification.moderation.text': 'Текст', 'classification.flagged': 'Вероятно' };
			await init(page, payload);
			const view = page.locator('.classification');
			assert.equal(await view.getAttribute('data-kind'), 'independent');
			assert.deepEqual(await view.locator('.bar-row').evaluateAll(rows => rows.map(r => r.getAttribute('data-property'))), ['text', 'watermarks', 'adult', 'gruesome']);
			assert.deepEqual(await view.locator('.bar-label').allTextContents(), ['Текст', 'Watermarks', 'Adult content', 'Gruesome content']);
			assert.equal(await view.locator('.verdict').textContent(), 'Likely: Текст');
			assert.deepEqual(await view.locator('.bar-row.flagged').evaluateAll(rows => rows.map(r => r.getAttribute('data-property'))), ['text']);
			assert.deepEqual(await view.locator('.flag:not(.off)').allTextContents(), ['Вероятно']);
			assert.equal(await view.locator('.distribution').count(), 0, 'independent classes are not one distribution');
			assert.match((await view.locator('.hint').textContent()) ?? '', /do not add up\. Marked from 50%/);

			// Each bar has a mark at 50 %, and the likely class's bar reaches past it.
			for (const row of await view.locator('.bar-row').all()) {
				const bar = await row.locator('.bar').boundingBox();
				const mark = await row.locator('.threshold').boundingBox();
				assert.ok(bar && mark);
				assert.ok(Math.abs(mark.x - (bar.x + bar.width / 2)) <= 1.5, 'the threshold mark sits at 50 %');
			}
			const fill = await view.locator('.bar-row.flagged .bar-fill').boundingBox();
			const flaggedMark = await view.locator('.bar-row.flagged .threshold').boundingBox();
			assert.ok(fill && flaggedMark && fill.x + fill.width > flaggedMark.x);
		});

		it('says nothing is likely when no moderation class reaches the threshold, and shows unknown classes by name', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('faces.jpg', ['CLASSIFICATION', 'CLASSIFICATION'], { classificationModel: 'moderation' });
			payload.model.features[1] = { type: 'CLASSIFICATION', model: 'custom', result: { classification: { properties: [{ name: 'cat', probability: 0.2 }, { name: 'dog', probability: 0.7 }] } } };
			await init(page, payload);
			const [moderation, custom] = await page.locator('.classification').all();
			assert.equal(await moderation.locator('.verdict').textContent(), 'No class reaches 50%.');
			assert.equal(await moderation.locator('.bar-row.flagged').count(), 0);
			assert.equal(await custom.getAttribute('data-kind'), 'unknown');
			assert.deepEqual(await custom.locator('.bar-label').allTextContents(), ['dog', 'cat']);
			assert.equal(await custom.locator('.verdict').count(), 0);
			assert.deepEqual(await page.locator('section.feature').evaluateAll(s => s.map(e => e.id)), ['feature-classification', 'feature-classification-2'], 'ids stay unique');
		});
	});

	describe('faces', () => {
		it('numbers the boxes and the list alike, and hovering either highlights both', async () => {
			const { page } = await openPanel();
			const faces = recordingOf('faces.jpg').faceDetection!.faces;
			await init(page, payloadOf('faces.jpg', ['FACE_DETECTION']));
			await page.locator('polygon.face').first().waitFor();
			const items = page.locator('.face-item');
			assert.deepEqual(await items.locator('.face-name').allTextContents(), faces.map((_, i) => `Face ${i + 1}`));
			assert.deepEqual(await page.locator('.face-label').allTextContents(), faces.map((_, i) => String(i + 1)));
			const box = boundsOf(faces[1].boundingBox);
			assert.equal(await items.nth(1).locator('.face-size').textContent(), `${box.width} × ${box.height} px`);
			assert.equal(await items.nth(1).locator('.face-position').textContent(), `at ${box.x}, ${box.y}`);

			const hovered = async (): Promise<{ boxes: string[]; items: string[] }> => ({
				boxes: await page.locator('polygon.face.hover').evaluateAll(e => e.map(p => p.getAttribute('data-face') ?? '')),
				items: await page.locator('.face-item.hover').evaluateAll(e => e.map(p => p.getAttribute('data-face') ?? '')),
			});
			// The box on the image → the list.
			const polygon = await page.locator('polygon.face[data-face="2"]').boundingBox();
			assert.ok(polygon);
			await page.mouse.move(polygon.x + polygon.width / 2, polygon.y + polygon.height / 3);
			assert.deepEqual(await hovered(), { boxes: ['2'], items: ['2'] });
			// The list → the image.
			await items.nth(0).hover();
			assert.deepEqual(await hovered(), { boxes: ['0'], items: ['0'] });
			await page.mouse.move(2, 2);
			assert.deepEqual(await hovered(), { boxes: [], items: [] });
			// The keyboard: focusing an entry highlights its box.
			await items.nth(1).focus();
			assert.deepEqual(await hovered(), { boxes: ['1'], items: ['1'] });
			await screenshot(page, 'faces-hover');
		});
	});

	describe('copies on the web', () => {
		it('shows cards whose links ask the extension to open them', async () => {
			const { page } = await openPanel();
			const copies = recordingOf('faces.jpg').imageCopySearch!;
			await init(page, payloadOf('faces.jpg', ['IMAGE_COPY_SEARCH']));
			const cards = page.locator('.copy');
			assert.equal(await page.locator('.copies .summary').textContent(), `Copies found: ${copies.copyCount}`);
			assert.match((await page.locator('.copies-hint').textContent()) ?? '', /^Showing the top 2\. /);
			assert.equal(await cards.count(), copies.topResults.length);
			assert.deepEqual(await cards.locator('.copy-title').allTextContents(), copies.topResults.map(r => r.title));
			assert.deepEqual(await cards.locator('.copy-description').allTextContents(), copies.topResults.map(r => r.description));
			const first = cards.nth(0);
			assert.equal(await first.locator('[data-kind="page"] .copy-url').textContent(), copies.topResults[0].pageUrl);
			assert.equal(await first.locator('[data-kind="image"] .copy-url').textContent(), copies.topResults[0].imageUrl);

			await first.locator('[data-kind="page"] button.link').click();
			assert.deepEqual(lastOf(await posted(page), 'openExternal'), { type: 'openExternal', url: copies.topResults[0].pageUrl });
			await cards.nth(1).locator('[data-kind="image"] button.link').click();
			assert.deepEqual(lastOf(await posted(page), 'openExternal'), { type: 'openExternal', url: copies.topResults[1].imageUrl });
			assert.equal(await page.locator('a').count(), 0, 'no link the webview itself could follow');
			assert.equal(await page.locator('img').count(), 1, 'no image of the matches is loaded unasked');
		});

		it('shows hostile titles and addresses as inert text, and never posts them', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('faces.jpg', ['IMAGE_COPY_SEARCH']);
			const hostile: CopyMatch[] = [
				{ title: HOSTILE_TITLE, description: '<script>alert(2)</script>', pageUrl: 'javascript:alert(1)', imageUrl: 'javascript:alert(3)' },
				{ title: 'Data', description: '', pageUrl: 'data:text/html,<script>alert(4)</script>', imageUrl: 'data:image/svg+xml,<svg onload=alert(5)>' },
				{ title: 'Look-alike', description: '', pageUrl: 'https://bank.example@evil.example/', imageUrl: 'file:///etc/passwd' },
				{ title: 'Command', description: '', pageUrl: 'command:workbench.action.terminal.new', imageUrl: 'vscode://file/etc/passwd' },
			];
			payload.model.features[0].result = { imageCopySearch: { copyCount: 4, topResults: hostile } };
			await init(page, payload);
			const cards = page.locator('.copy');
			assert.equal(await cards.nth(0).locator('.copy-title').textContent(), HOSTILE_TITLE);
			assert.equal(await cards.nth(0).locator('.copy-description').textContent(), '<script>alert(2)</script>');
			assert.equal(await page.locator('.copy button').count(), 0, 'no address became a button, no preview is offered');
			const inert = await page.locator('.copy-url.inert').allTextContents();
			assert.deepEqual(inert, hostile.flatMap(h => [h.pageUrl, h.imageUrl]));
			for (const element of await page.locator('.copy-url.inert').all()) await element.click();
			assert.deepEqual((await posted(page)).filter(m => m.type === 'openExternal' || m.type === 'loadPreview'), []);
			assert.equal(await page.locator('a').count(), 0);
			assert.equal(await page.locator('img').count(), 1);
			assert.equal(await page.locator('script').count(), 1);
			assert.equal(await page.locator('[onerror], [onload]').count(), 0);
		});

		it('loads a preview only when asked, as a data URI from the extension, within the CSP', async () => {
			const { page } = await openPanel();
			const copies = recordingOf('faces.jpg').imageCopySearch!;
			await init(page, payloadOf('faces.jpg', ['IMAGE_COPY_SEARCH']));
			await page.evaluate(`globalThis.violations = []; document.addEventListener('securitypolicyviolation', e => globalThis.violations.push(e.blockedURI))`);
			const cards = page.locator('.copy');
			const load = cards.nth(0).locator('.load-preview');
			assert.equal(await load.textContent(), 'Load preview');
			assert.equal(await load.getAttribute('title'), 'Download the image from example.org and show it here');
			await load.click();
			const request = lastOf(await posted(page), 'loadPreview');
			assert.ok(request);
			assert.equal(request.url, copies.topResults[0].imageUrl);
			assert.ok(request.requestId > 1, 'its own request id');
			assert.equal(await load.textContent(), 'Loading…');
			assert.ok(await load.isDisabled());

			// A reply for another request, and one that is not a raster image, change nothing.
			await send(page, { type: 'previewLoaded', inReplyTo: request.requestId + 100, dataUri: `data:image/jpeg;base64,${fixtureBytes('faces.jpg').toString('base64')}` });
			await send(page, { type: 'previewLoaded', inReplyTo: request.requestId, dataUri: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' });
			await page.waitForTimeout(100);
			assert.equal(await page.locator('.copy-image').count(), 0);

			const dataUri = `data:image/jpeg;base64,${fixtureBytes('faces.jpg').toString('base64')}`;
			await send(page, { type: 'previewLoaded', inReplyTo: request.requestId, dataUri });
			const preview = cards.nth(0).locator('img.copy-image');
			await preview.waitFor();
			assert.equal(await preview.getAttribute('src'), dataUri);
			assert.equal(await preview.getAttribute('alt'), `Preview of ${copies.topResults[0].title}`);
			await waitForExpression(page, 'document.querySelector("img.copy-image").naturalWidth > 0');
			assert.deepEqual(await page.evaluate('globalThis.violations'), [], 'the data URI is allowed by the CSP as it is');

			// A failure says why and offers another try.
			await cards.nth(1).locator('.load-preview').click();
			const second = lastOf(await posted(page), 'loadPreview');
			assert.ok(second && second.requestId !== request.requestId);
			await send(page, { type: 'previewFailed', inReplyTo: second.requestId, message: 'the site answered HTTP 404.' });
			await page.locator('.preview-status', { hasText: 'No preview' }).waitFor();
			assert.equal(await cards.nth(1).locator('.preview-status').textContent(), 'No preview: the site answered HTTP 404.');
			assert.equal(await cards.nth(1).locator('.load-preview').textContent(), 'Try again');
			assert.equal(await cards.nth(1).locator('.load-preview').isDisabled(), false);
		});

		it('keeps the panel\'s Content-Security-Policy strict', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('faces.jpg', ['IMAGE_COPY_SEARCH']));
			const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
			assert.match(csp ?? '', /^default-src 'none'; img-src http:\/\/127\.0\.0\.1:\d+ data:; style-src http:\/\/127\.0\.0\.1:\d+; script-src 'nonce-[A-Za-z0-9+/=]+'; font-src http:\/\/127\.0\.0\.1:\d+; connect-src http:\/\/127\.0\.0\.1:\d+; worker-src blob:;$/);
			const blocked = await page.evaluate(`new Promise(resolve => {
				const blocked = [];
				document.addEventListener('securitypolicyviolation', e => blocked.push(e.effectiveDirective));
				const image = document.createElement('img');
				image.src = ${JSON.stringify(recordingOf('faces.jpg').imageCopySearch!.topResults[0].imageUrl)};
				document.body.appendChild(image);
				setTimeout(() => resolve(blocked), 200);
			})`);
			assert.deepEqual(blocked, ['img-src'], 'a remote image is refused');
		});
	});

	describe('text: languages and entities', () => {
		it('shows the languages found, gives every line its own, and tags the lines where it changes', async () => {
			const { page } = await openPanel();
			const recording = recordingOf('mixed-page.png');
			await init(page, payloadOf('mixed-page.png', ['TEXT_DETECTION']));
			assert.equal(await page.locator('.text-meta').textContent(), 'Languages: Russian (ru), English (en)');
			const blocks = recording.textDetection!.pages[0].blocks;
			const lines = page.locator('#text-pane .line');
			const expected = blocks.flatMap(b => b.lines.map(l => l.words[0].languages[0].languageCode));
			assert.deepEqual(await lines.evaluateAll(e => e.map(l => l.getAttribute('lang'))), expected);
			// The tag shows where the language changes, as a pseudo-element: not in the text.
			const tags = await page.evaluate('[...document.querySelectorAll("#text-pane .line")].map(l => getComputedStyle(l, "::after").content)');
			const starts = expected.map((code, i) => (i === 0 || code !== expected[i - 1] ? `"${code}"` : 'none'));
			assert.ok(starts.filter(tag => tag !== 'none').length >= 2, 'the sample changes language');
			assert.deepEqual(tags, starts);
			const text = await page.locator('#text-pane').innerText();
			assert.equal(text.replace(/\s+/g, ' ').trim(), recordedWords(recording).map(w => w.text).join(' '), 'the tags are not part of the text');
		});

		it('lists entities and highlights an entity\'s words on the image and in the text on hover', async () => {
			const { page } = await openPanel();
			const recording = recordingOf('mixed-page.png');
			const entity = recording.textDetection!.pages[0].entities[0];
			const entityWords = recordedWords(recording).flatMap((w, i) => (w.entityIndex === 0 ? [i] : []));
			assert.equal(entityWords.length, 3, 'the sample\'s phone number is three words');
			await init(page, payloadOf('mixed-page.png', ['TEXT_DETECTION']));
			const item = page.locator('.entity-item');
			assert.equal(await item.count(), 1);
			assert.equal(await item.locator('.entity-name').textContent(), entity.name);
			assert.equal(await item.locator('.entity-text').textContent(), entity.text);

			const marked = async (selector: string): Promise<number[]> => page.locator(selector).evaluateAll(e => e.map(x => Number(x.getAttribute('data-word'))));
			await item.hover();
			assert.deepEqual(await marked('polygon.word.in-entity'), entityWords);
			assert.deepEqual(await marked('#text-pane .word.in-entity'), entityWords);
			await screenshot(page, 'entity-hover');
			await page.mouse.move(2, 2);
			assert.deepEqual(await marked('polygon.word.in-entity'), []);
			assert.deepEqual(await marked('#text-pane .word.in-entity'), []);

			// A word of the entity names it in its tooltip.
			await page.locator(`polygon.word[data-word="${entityWords[0]}"]`).hover();
			assert.equal(await page.locator('#tooltip .tooltip-entity').textContent(), `Entity: ${entity.name}`);
			await page.locator('polygon.word[data-word="0"]').hover();
			assert.equal(await page.locator('#tooltip .tooltip-entity').isVisible(), false);
		});
	});

	describe('several features in one panel', () => {
		it('tells two classification models apart in the tabs', async () => {
			const { page } = await openPanel({ viewport: { width: 1200, height: 640 } });
			const payload = payloadOf('faces.jpg', ['CLASSIFICATION', 'CLASSIFICATION']);
			const moderation = payloadOf('faces.jpg', ['CLASSIFICATION'], { classificationModel: 'moderation' }).model.features[0]!;
			payload.model.features[1] = moderation;
			await init(page, payload);
			assert.deepEqual(await page.locator('.feature-nav .nav-tab .nav-label').allTextContents(), ['Classification · quality', 'Classification · moderation']);
		});

		it('puts tabs over the sections; a tab brings its section into view and every section stays', async () => {
			const { page } = await openPanel({ viewport: { width: 1200, height: 640 } });
			await init(page, payloadOf('faces.jpg', ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH']));
			const tabs = page.locator('.feature-nav .nav-tab');
			assert.deepEqual(await tabs.locator('.nav-label').allTextContents(), ['Text', 'Classification', 'Faces', 'Copies on the web']);
			assert.deepEqual(await tabs.locator('.nav-badge').allTextContents(), ['7', '3', '3']);
			assert.equal(await tabs.nth(0).getAttribute('aria-current'), 'true');

			await tabs.nth(3).click();
			const column = await page.locator('.sections').boundingBox();
			const nav = await page.locator('.feature-nav').boundingBox();
			await waitForExpression(page, 'document.querySelector(".nav-tab:nth-child(4)").getAttribute("aria-current") === "true"');
			const heading = await page.locator('#feature-image_copy_search-title').boundingBox();
			assert.ok(column && nav && heading);
			assert.ok(heading.y >= nav.y + nav.height - 1 && heading.y < column.y + column.height / 2, `the Copies heading is at the top of the column, below the tabs (y ${heading.y})`);
			assert.equal(await page.evaluate('document.activeElement.id'), 'feature-image_copy_search-title');
			assert.equal(await page.locator('section.feature').count(), 4, 'no section was hidden');
			assert.deepEqual(await tabs.evaluateAll(t => t.map(e => e.getAttribute('aria-current'))), [null, null, null, 'true']);
		});

		it('has no tabs for a single feature', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('faces.jpg', ['FACE_DETECTION']));
			assert.equal(await page.locator('.feature-nav').count(), 0);
		});
	});

	describe('zoom and pan', () => {
		/** Every tested word's polygon lies on the word's recorded box, drawn at the image's displayed scale. */
		async function expectAligned(page: Page, image: string, label: string): Promise<number> {
			const recording = recordingOf(image);
			const words = recordedWords(recording);
			const shown = await page.locator('img.image').boundingBox();
			assert.ok(shown);
			const scale = shown.width / recording.width;
			assert.ok(Math.abs(shown.height / recording.height - scale) < 0.005, `${label}: the image keeps its aspect ratio`);
			for (const index of [0, Math.floor(words.length / 2), words.length - 1]) {
				const box = await page.locator(`polygon.word[data-word="${index}"]`).boundingBox();
				const expected = boundsOf(words[index].boundingBox);
				assert.ok(box);
				const off = Math.max(
					Math.abs(box.x - (shown.x + expected.x * scale)),
					Math.abs(box.y - (shown.y + expected.y * scale)),
					Math.abs(box.width - expected.width * scale),
					Math.abs(box.height - expected.height * scale));
				assert.ok(off <= 1.5, `${label}: "${words[index].text}" is off by ${off.toFixed(2)} px`);
			}
			return scale;
		}

		it('keeps the overlay on the words at fit, 100 % and a wheel zoom', async () => {
			const { page } = await openPanel();
			const recording = recordingOf('rotated-line.png');
			await init(page, payloadOf('rotated-line.png', ['TEXT_DETECTION']));
			assert.equal(await page.locator('#zoom-fit').getAttribute('aria-pressed'), 'true');

			const fit = await expectAligned(page, 'rotated-line.png', 'fit');
			const viewport = await page.locator('.viewport').boundingBox();
			assert.ok(viewport && fit < 1, 'the sample is wider than the view, so fitting shrinks it');
			assert.equal(await page.locator('#zoom-level').textContent(), `${Math.round(fit * 100)}%`);

			await page.locator('#zoom-actual').click();
			const actual = await expectAligned(page, 'rotated-line.png', '100 %');
			assert.ok(Math.abs(actual - 1) < 0.001, `100 % shows the image's own pixels (${actual})`);
			assert.equal(await page.locator('#zoom-level').textContent(), '100%');
			assert.equal(await page.locator('#zoom-fit').getAttribute('aria-pressed'), 'false');

			const image = await page.locator('img.image').boundingBox();
			assert.ok(image);
			await page.mouse.move(image.x + 200, image.y + 150);
			await page.keyboard.down('Control');
			await page.mouse.wheel(0, -400);
			await page.keyboard.up('Control');
			await waitForExpression(page, 'document.querySelector("img.image").getBoundingClientRect().width > 1500');
			const wheel = await expectAligned(page, 'rotated-line.png', 'wheel');
			assert.ok(wheel > 1.9 && wheel < MAX_TEST_ZOOM, `the wheel zoomed in (${wheel})`);
			assert.equal(await page.locator('#zoom-level').textContent(), `${Math.round(wheel * 100)}%`);
			assert.ok(recording.width * wheel > (viewport?.width ?? 0), 'and the view now scrolls');
			await screenshot(page, 'zoomed');

			await page.locator('#zoom-fit').click();
			assert.ok(Math.abs(await expectAligned(page, 'rotated-line.png', 'fit again') - fit) < 0.001);
		});

		it('zooms around the pointer with Ctrl+wheel, and steps with the buttons and keys', async () => {
			// A small panel, where the receipt is taller than the view from the start: the view can scroll to keep any point in place.
			const { page } = await openPanel({ viewport: { width: 800, height: 600 } });
			await init(page, payloadOf('receipt.png', ['TEXT_DETECTION']));
			// Whole pixels: a wheel event's clientX and clientY are integers.
			const word = await page.locator('polygon.word[data-word="28"]').boundingBox();
			assert.ok(word);
			const at = { x: Math.round(word.x + word.width / 2), y: Math.round(word.y + word.height / 2) };
			/** The point of the image under the pointer, in the image's own pixels. */
			const imagePoint = async (): Promise<{ x: number; y: number; scale: number }> => {
				const image = await page.locator('img.image').boundingBox();
				assert.ok(image);
				const scale = image.width / recordingOf('receipt.png').width;
				return { x: (at.x - image.x) / scale, y: (at.y - image.y) / scale, scale };
			};
			const before = await imagePoint();
			await page.mouse.move(at.x, at.y);
			for (let i = 0; i < 3; i++) {
				await page.keyboard.down('Control');
				await page.mouse.wheel(0, -250);
				await page.keyboard.up('Control');
			}
			await waitForExpression(page, 'parseInt(document.querySelector("#zoom-level").textContent) > 200');
			const after = await imagePoint();
			const drift = Math.hypot(after.x - before.x, after.y - before.y) * after.scale;
			assert.ok(drift <= 1.5, `the image point under the pointer stayed there (${drift.toFixed(2)} px off at ${Math.round(after.scale * 100)} %)`);

			await expectAligned(page, 'receipt.png', 'wheel');
			await page.locator('#zoom-actual').click();
			await page.locator('#zoom-in').click();
			assert.equal(await page.locator('#zoom-level').textContent(), '125%');
			await page.locator('#zoom-out').click();
			await page.locator('#zoom-out').click();
			assert.equal(await page.locator('#zoom-level').textContent(), '75%');
			await page.locator('section.viewer').focus();
			await page.keyboard.press('+');
			assert.equal(await page.locator('#zoom-level').textContent(), '100%');
			await page.keyboard.press('1');
			assert.equal(await page.locator('#zoom-level').textContent(), '100%');
			await page.keyboard.press('0');
			assert.equal(await page.locator('#zoom-fit').getAttribute('aria-pressed'), 'true');
		});

		it('pans by dragging with the hand tool, the middle button or Space, without selecting words', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('receipt.png', ['TEXT_DETECTION']));
			await page.locator('#zoom-actual').click();
			for (let i = 0; i < 3; i++) await page.locator('#zoom-in').click();
			assert.equal(await page.locator('#zoom-level').textContent(), '200%');
			const scroll = (): Promise<{ left: number; top: number }> => page.locator('.viewport').evaluate(v => ({ left: v.scrollLeft, top: v.scrollTop }));
			/** Drags by (−dx, −dy) from the middle of the view: the image follows the pointer, so the view scrolls by (dx, dy). */
			const drag = async (button: 'left' | 'middle', dx: number, dy: number): Promise<void> => {
				const view = await page.locator('.viewport').boundingBox();
				assert.ok(view);
				const start = { x: view.x + view.width / 2, y: view.y + view.height / 2 };
				await page.mouse.move(start.x, start.y);
				await page.mouse.down({ button });
				await page.mouse.move(start.x - dx, start.y - dy, { steps: 6 });
				await page.mouse.up({ button });
			};
			const before = (await posted(page)).length;

			await page.locator('#zoom-hand').click();
			assert.equal(await page.locator('#zoom-hand').getAttribute('aria-pressed'), 'true');
			let from = await scroll();
			await drag('left', 120, 70);
			let to = await scroll();
			assert.deepEqual({ left: to.left - from.left, top: to.top - from.top }, { left: 120, top: 70 }, 'the hand tool pans');
			await page.locator('#zoom-hand').click();

			from = to;
			await drag('middle', -100, -60);
			to = await scroll();
			assert.deepEqual({ left: to.left - from.left, top: to.top - from.top }, { left: -100, top: -60 }, 'the middle button pans');

			await page.locator('section.viewer').focus();
			await page.keyboard.down('Space');
			from = to;
			await drag('left', 80, 50);
			await page.keyboard.up('Space');
			to = await scroll();
			assert.deepEqual({ left: to.left - from.left, top: to.top - from.top }, { left: 80, top: 50 }, 'Space + drag pans');

			assert.deepEqual(await selectedWords(page), [], 'no word was selected by panning');
			assert.deepEqual((await posted(page)).slice(before).filter(m => m.type === 'selectionChanged'), []);
			await expectAligned(page, 'receipt.png', 'after panning');
		});
	});

	describe('keyboard', () => {
		it('moves between words along the line and to the nearest word of the line above or below', async () => {
			const { page } = await openPanel();
			const words = recordedWords(recordingOf('latin-note.png'));
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			await page.locator('polygon.word[data-word="3"]').click();
			await page.locator('section.viewer').focus();
			const expectAt = async (index: number, key: string): Promise<void> => {
				assert.deepEqual(await selectedWords(page), [index], `${key} leads to "${words[index].text}"`);
				assert.equal(await page.locator('#tooltip .tooltip-text').textContent(), words[index].text);
				assert.ok((await classes(page.locator(`#text-pane [data-word="${index}"]`))).includes('selected'));
			};
			// "plants" → "under" (the word below it) → "gate." → back up to "under".
			await page.keyboard.press('ArrowDown');
			await expectAt(12, 'ArrowDown');
			await page.keyboard.press('ArrowDown');
			await expectAt(21, 'ArrowDown');
			await page.keyboard.press('ArrowUp');
			await expectAt(12, 'ArrowUp');
			await page.keyboard.press('ArrowRight');
			await expectAt(13, 'ArrowRight');
			await page.keyboard.press('Shift+ArrowDown');
			// "the" (x 324) is nearer "Thank" (356) than "gate." (286) in the line below.
			assert.deepEqual(await selectedWords(page), [13, 14, 15, 16, 17, 18, 19, 20, 21, 22], 'Shift extends in reading order to the word below');
			await page.keyboard.press('End');
			await expectAt(words.length - 1, 'End');
			await page.keyboard.press('ArrowDown');
			await expectAt(words.length - 1, 'ArrowDown on the last line');
		});

		it('keeps the word it moves to in view when zoomed in', async () => {
			const { page } = await openPanel({ viewport: { width: 1000, height: 600 } });
			await init(page, payloadOf('mixed-page.png', ['TEXT_DETECTION']));
			await page.locator('#zoom-actual').click();
			for (let i = 0; i < 4; i++) await page.locator('#zoom-in').click();
			await page.locator('section.viewer').focus();
			await page.keyboard.press('End');
			const view = await page.locator('.viewport').boundingBox();
			const last = await page.locator('polygon.word.selected').boundingBox();
			assert.ok(view && last);
			assert.ok(last.x >= view.x - 1 && last.x + last.width <= view.x + view.width + 1 && last.y >= view.y - 1 && last.y + last.height <= view.y + view.height + 1,
				`the last word is in the view: ${JSON.stringify(last)} in ${JSON.stringify(view)}`);
		});
	});

	it('looks right in the dark, light and high-contrast themes, feature by feature', async () => {
		for (const theme of Object.keys(THEMES) as (keyof typeof THEMES)[]) {
			const { page } = await openPanel({ theme, viewport: { width: 1200, height: 800 } });
			const payload: InitPayload = payloadOf('faces.jpg', ['TEXT_DETECTION', 'CLASSIFICATION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH']);
			payload.model.features[2] = payloadOf('cyrillic-sign.jpg', ['CLASSIFICATION'], { classificationModel: 'moderation' }).model.features[0];
			const search = payload.model.features[4].result.imageCopySearch!;
			search.topResults = [...search.topResults, { title: HOSTILE_TITLE, description: 'An address that is not a web link:', pageUrl: 'javascript:alert(1)', imageUrl: '' }];
			await init(page, payload);
			const sections = page.locator('.sections');
			const tab = (name: string) => page.locator('.nav-tab', { hasText: name });

			await tab('Classification').first().click();
			await sections.screenshot({ path: screenshotPath(`view-classification-${theme}`) });

			await tab('Faces').click();
			await page.locator('.face-item').nth(1).hover();
			await screenshot(page, `view-faces-${theme}`);

			await tab('Copies').click();
			await page.locator('.copy').nth(0).locator('.load-preview').click();
			const request = lastOf(await posted(page), 'loadPreview');
			assert.ok(request);
			await send(page, { type: 'previewLoaded', inReplyTo: request.requestId, dataUri: `data:image/jpeg;base64,${fixtureBytes('faces.jpg').toString('base64')}` });
			await page.locator('img.copy-image').waitFor();
			await page.locator('.copy').nth(1).locator('.load-preview').click();
			const failed = lastOf(await posted(page), 'loadPreview');
			assert.ok(failed);
			await send(page, { type: 'previewFailed', inReplyTo: failed.requestId, message: 'the site answered HTTP 404.' });
			await page.locator('.preview-status', { hasText: 'No preview' }).waitFor();
			await page.locator('.copy').nth(0).locator('button.link').first().hover();
			await sections.screenshot({ path: screenshotPath(`view-copies-${theme}`) });

			const text = await openPanel({ theme, viewport: { width: 1200, height: 800 } });
			await init(text.page, payloadOf('mixed-page.png', ['TEXT_DETECTION']));
			await text.page.locator('.entity-item').hover();
			await screenshot(text.page, `view-text-${theme}`);
			await text.page.locator('#zoom-actual').click();
			await text.page.locator('#zoom-in').click();
			await text.page.locator('section.viewer').focus();
			await text.page.keyboard.press('End');
			await screenshot(text.page, `view-zoom-${theme}`);
		}
	});
});

/** The largest zoom, and a little for rounding. */
const MAX_TEST_ZOOM = 8.01;

function screenshotPath(name: string): string {
	return path.join(SCREENSHOTS, `webview-${name}.png`);
}
