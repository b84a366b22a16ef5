/**
 * The results webview in a real browser: the bundle built from media/main.ts, the page built by
 * buildWebviewHtml with its CSP, served from 127.0.0.1 with a sample image, and a stand-in for
 * VS Code's `acquireVsCodeApi` that records what the panel posts and saves.
 */
import * as assert from 'node:assert/strict';
import type { PersistedState } from '../../src/shared/protocol';
import { annotationToText, selectionText } from '../../src/results/text';
import { recordingOf } from '../support/fixtures';
import {
	annotationOf,
	boundsOf,
	classes,
	gridOfWords,
	init,
	lastOf,
	nextFrame,
	payloadOf,
	posted,
	recordedLines,
	recordedWords,
	savedState,
	selectedWords,
	screenshot,
	send,
	WebviewHarness,
} from './webviewHarness';

const HOSTILE_WORD = '<img/src=x/onerror=alert(1)>';

describe('Results webview in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();
	const openPanel = harness.openPanel.bind(harness);

	before(() => harness.start());
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	describe('OCR overlay', () => {
		it('draws one word polygon per recognized word, from all of its vertices', async () => {
			const { page } = await openPanel();
			const recording = recordingOf('rotated-line.png');
			await init(page, payloadOf('rotated-line.png', ['TEXT_DETECTION']));
			const words = recordedWords(recording);
			assert.equal(await page.locator('polygon.word').count(), words.length);
			for (const [index, word] of words.entries()) {
				const points = await page.locator(`polygon.word[data-word="${index}"]`).getAttribute('points');
				assert.equal(points, word.boundingBox.vertices.map(v => `${v.x},${v.y}`).join(' '), word.text);
			}
			const viewBox = await page.locator('svg.overlay').getAttribute('viewBox');
			assert.equal(viewBox, `0 0 ${recording.width} ${recording.height}`);
			assert.equal(await page.locator('polygon.line').count(), recordedLines(recording));
			assert.equal(await page.locator('polygon.block').count(), recording.textDetection?.pages[0].blocks.length);
		});

		it('keeps each word on its recorded pixels when the panel is resized', async () => {
			const { page } = await openPanel({ viewport: { width: 1280, height: 800 } });
			const recording = recordingOf('rotated-line.png');
			await init(page, payloadOf('rotated-line.png', ['TEXT_DETECTION']));
			const words = recordedWords(recording);
			const sizes: number[] = [];
			for (const viewport of [{ width: 1280, height: 800 }, { width: 560, height: 700 }]) {
				await page.setViewportSize(viewport);
				await nextFrame(page);
				const image = await page.locator('img.image').boundingBox();
				assert.ok(image);
				sizes.push(image.width);
				const scale = image.width / recording.width;
				assert.ok(Math.abs(image.height / recording.height - scale) < 0.01, 'the image keeps its aspect ratio');
				for (const index of [0, 3, words.length - 1]) {
					const box = await page.locator(`polygon.word[data-word="${index}"]`).boundingBox();
					const expected = boundsOf(words[index].boundingBox);
					assert.ok(box);
					const message = `${words[index].text} at ${viewport.width}px`;
					assert.ok(Math.abs(box.x - (image.x + expected.x * scale)) <= 1.5, message);
					assert.ok(Math.abs(box.y - (image.y + expected.y * scale)) <= 1.5, message);
					assert.ok(Math.abs(box.width - expected.width * scale) <= 1.5, message);
					assert.ok(Math.abs(box.height - expected.height * scale) <= 1.5, message);
				}
			}
			assert.notEqual(Math.round(sizes[0]), Math.round(sizes[1]), 'the two panel sizes show the image at different scales');
		});

		it('switches word, line and block outlines from the toolbar, by mouse and keyboard', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			assert.ok(await page.locator('polygon.word').first().isVisible());
			assert.equal(await page.locator('polygon.line').first().isVisible(), false);
			assert.equal(await page.locator('polygon.block').first().isVisible(), false);
			await page.locator('#layer-lines').check();
			assert.ok(await page.locator('polygon.line').first().isVisible());
			await page.locator('#layer-blocks').focus();
			await page.keyboard.press('Space');
			assert.ok(await page.locator('polygon.block').first().isVisible());
			await screenshot(page, 'layers');
			await page.locator('#layer-words').uncheck();
			assert.equal(await page.locator('polygon.word').first().isVisible(), false);
			// The buttons are reachable with Tab after the toggles.
			await page.locator('#layer-blocks').focus();
			await page.keyboard.press('Tab');
			assert.equal(await page.evaluate('document.activeElement.id'), 'insert');
		});
	});

	describe('hover and selection', () => {
		it('shows a word\'s text, confidence and language when hovered', async () => {
			const { page } = await openPanel();
			const words = recordedWords(recordingOf('latin-note.png'));
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			await page.locator('polygon.word[data-word="1"]').hover();
			const tooltip = page.locator('#tooltip');
			await tooltip.waitFor({ state: 'visible' });
			assert.equal(await tooltip.locator('.tooltip-text').textContent(), words[1].text);
			assert.equal(await tooltip.locator('.tooltip-confidence').textContent(), `Confidence: ${Math.round(words[1].confidence * 100)}%`);
			assert.equal(await tooltip.locator('.tooltip-languages').textContent(), `Language: ${words[1].languages[0].languageCode}`);
			assert.ok((await classes(page.locator('#text-pane [data-word="1"]'))).includes('hover'), 'the word is highlighted in the text too');
			const word = await page.locator('polygon.word[data-word="1"]').boundingBox();
			const box = await tooltip.boundingBox();
			assert.ok(word && box && box.y >= word.y + word.height, 'the tooltip is below the word, not over it');
			await page.mouse.move(2, 2);
			await tooltip.waitFor({ state: 'hidden' });
		});

		it('selects a word on click, and Insert sends exactly that word', async () => {
			const { page } = await openPanel();
			const words = recordedWords(recordingOf('latin-note.png'));
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			assert.equal(await page.locator('#insert').textContent(), 'Insert all text');
			await page.locator('polygon.word[data-word="3"]').click();
			assert.deepEqual(await selectedWords(page), [3]);
			assert.ok((await classes(page.locator('#text-pane [data-word="3"]'))).includes('selected'));
			assert.equal(await page.locator('#insert').textContent(), 'Insert selection');
			assert.equal(await page.locator('#copy').textContent(), 'Copy selection');
			await page.locator('#insert').click();
			const messages = await posted(page);
			assert.deepEqual(lastOf(messages, 'insertText'), { type: 'insertText', text: words[3].text });
			assert.deepEqual(lastOf(messages, 'selectionChanged'), { type: 'selectionChanged', selection: [3] });
			await page.locator('#copy').click();
			assert.deepEqual(lastOf(await posted(page), 'copyText'), { type: 'copyText', text: words[3].text });
		});

		it('extends the selection with shift+click and by dragging, and clears it', async () => {
			const { page } = await openPanel();
			const recording = recordingOf('latin-note.png');
			const annotation = annotationOf(recording);
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));

			await page.locator('polygon.word[data-word="2"]').click();
			await page.locator('polygon.word[data-word="9"]').click({ modifiers: ['Shift'] });
			assert.deepEqual(await selectedWords(page), [2, 3, 4, 5, 6, 7, 8, 9]);
			await page.locator('#copy').click();
			assert.deepEqual(lastOf(await posted(page), 'copyText'), { type: 'copyText', text: selectionText(annotation, [2, 3, 4, 5, 6, 7, 8, 9]) });
			assert.match(selectionText(annotation, [2, 9]), /\n/, 'the range crosses a line, and the text keeps the line break');
			assert.equal(await page.locator('#selection-status').textContent(), `8 of ${recordedWords(recording).length} words selected`);
			await screenshot(page, 'selection');

			await page.keyboard.press('Escape');
			assert.deepEqual(await selectedWords(page), []);
			assert.equal(await page.locator('#insert').textContent(), 'Insert all text');
			await page.locator('#insert').click();
			assert.deepEqual(lastOf(await posted(page), 'insertText'), { type: 'insertText', text: annotationToText(annotation) });

			const centerOf = async (index: number): Promise<{ x: number; y: number }> => {
				const box = await page.locator(`polygon.word[data-word="${index}"]`).boundingBox();
				assert.ok(box);
				return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
			};
			const from = await centerOf(1);
			const to = await centerOf(4);
			const before = (await posted(page)).length;
			await page.mouse.move(from.x, from.y);
			await page.mouse.down();
			await page.mouse.move(to.x, to.y, { steps: 8 });
			assert.deepEqual(await selectedWords(page), [1, 2, 3, 4], 'the selection follows the drag');
			await page.mouse.up();
			const duringDrag = (await posted(page)).slice(before).filter(m => m.type === 'selectionChanged');
			assert.deepEqual(duringDrag, [{ type: 'selectionChanged', selection: [1, 2, 3, 4] }], 'one change, when the drag ends');

			// An empty spot of the image: above the first line of text.
			const image = await page.locator('img.image').boundingBox();
			assert.ok(image);
			await page.mouse.click(image.x + 8, image.y + 8);
			assert.deepEqual(await selectedWords(page), []);
			assert.deepEqual(lastOf(await posted(page), 'selectionChanged'), { type: 'selectionChanged', selection: [] });
		});

		it('selects from the text pane and highlights the word on the image both ways', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			const pane = page.locator('#text-pane');
			assert.equal(await pane.locator('p.block').count(), 1);
			assert.equal(await pane.locator('.line').count(), 4);
			await pane.locator('[data-word="5"]').click();
			assert.deepEqual(await selectedWords(page), [5]);
			await pane.locator('[data-word="7"]').click({ modifiers: ['Shift'] });
			assert.deepEqual(await selectedWords(page), [5, 6, 7]);
			await pane.locator('[data-word="10"]').hover();
			assert.ok((await classes(page.locator('polygon.word[data-word="10"]'))).includes('hover'));
			assert.equal(await page.locator('polygon.word.hover').count(), 1, 'one word is highlighted at a time');
			await pane.locator('[data-word="11"]').hover();
			assert.equal(await page.locator('polygon.word.hover').count(), 1);
			assert.equal(await page.locator('#text-pane .word.hover').count(), 1);
		});

		it('copies the selected words with the clipboard shortcut', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			await page.locator('polygon.word[data-word="0"]').click();
			await page.locator('polygon.word[data-word="1"]').click({ modifiers: ['Shift'] });
			const copied = await page.evaluate(`(() => {
				const event = new ClipboardEvent('copy', { clipboardData: new DataTransfer(), cancelable: true });
				document.dispatchEvent(event);
				return event.clipboardData.getData('text/plain');
			})()`);
			const words = recordedWords(recordingOf('latin-note.png'));
			assert.equal(copied, `${words[0].text} ${words[1].text}`);
		});

		it('moves and extends the selection with the keyboard', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			await page.locator('section.viewer').focus();
			await page.keyboard.press('ArrowRight');
			assert.deepEqual(await selectedWords(page), [0]);
			await page.keyboard.press('Shift+ArrowRight');
			await page.keyboard.press('Shift+ArrowRight');
			assert.deepEqual(await selectedWords(page), [0, 1, 2]);
			await page.keyboard.press('Control+a');
			assert.equal((await selectedWords(page)).length, await page.locator('polygon.word').count());
		});
	});

	describe('hostile recognized text', () => {
		it('shows markup as literal text and never runs it', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('hostile-text.png', ['TEXT_DETECTION', 'CLASSIFICATION']);
			payload.model.imageLabel = '"><img src=x onerror=alert(2)>.png';
			payload.model.features[1].result = { error: { code: 3, message: '<img src=x onerror=alert(3)>', details: [] } };
			await init(page, payload);
			const words = recordedWords(recordingOf('hostile-text.png'));
			const index = words.findIndex(w => w.text === HOSTILE_WORD);
			assert.ok(index >= 0, 'the sample image records the img tag');

			assert.equal(await page.locator(`#text-pane [data-word="${index}"]`).textContent(), HOSTILE_WORD);
			await page.locator(`polygon.word[data-word="${index}"]`).hover();
			assert.equal(await page.locator('#tooltip .tooltip-text').textContent(), HOSTILE_WORD);
			assert.equal(await page.locator('h1.title').textContent(), payload.model.imageLabel);
			assert.equal(await page.locator('.feature-classification .error-message').textContent(), '<img src=x onerror=alert(3)>');
			for (const word of words) {
				assert.equal(await page.locator(`#text-pane [data-word="${words.indexOf(word)}"]`).textContent(), word.text);
			}
			assert.equal(await page.locator('img').count(), 1, 'only the analyzed image is an img');
			assert.equal(await page.locator('script').count(), 1, 'only the webview bundle is a script');
			assert.equal(await page.locator('a').count(), 0, 'no links are made from recognized text');
			await page.waitForTimeout(300);
			await screenshot(page, 'hostile');
		});

		it('blocks an injected inline script with its Content-Security-Policy', async () => {
			const { page } = await openPanel();
			await init(page, payloadOf('hostile-text.png', ['TEXT_DETECTION']));
			const result = await page.evaluate(`new Promise(resolve => {
				const violations = [];
				document.addEventListener('securitypolicyviolation', e => violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
				const script = document.createElement('script');
				script.textContent = 'globalThis.inlineRan = true';
				document.body.appendChild(script);
				const image = document.createElement('img');
				image.setAttribute('src', 'https://example.invalid/x.png');
				document.body.appendChild(image);
				setTimeout(() => resolve({ violations, ran: globalThis.inlineRan === true }), 200);
			})`) as { violations: { directive: string; blocked: string }[]; ran: boolean };
			assert.equal(result.ran, false, 'the inline script did not run');
			assert.deepEqual(result.violations.find(v => v.directive === 'script-src-elem'), { directive: 'script-src-elem', blocked: 'inline' });
			assert.ok(result.violations.some(v => v.directive === 'img-src' && v.blocked.startsWith('https://example.invalid')), JSON.stringify(result.violations));
		});
	});

	describe('other features and errors', () => {
		it('shows a per-feature error in place while the other results stay visible', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('faces.jpg', ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH']);
			payload.model.requestId = 'req-7f3a';
			payload.model.features[1].result = { error: { code: 8, message: 'Quota exceeded for classification.', details: [] } };
			await init(page, payload);
			const classification = page.locator('section[data-feature="CLASSIFICATION"]');
			assert.equal(await classification.locator('.error-code').textContent(), 'Error 8 RESOURCE_EXHAUSTED');
			assert.equal(await classification.locator('.error-message').textContent(), 'Quota exceeded for classification.');
			assert.equal(await classification.locator('.error-request-id').textContent(), 'Request ID: req-7f3a');
			assert.equal(await page.locator('.error').count(), 1);
			assert.equal(await page.locator('polygon.word').count(), recordedWords(recordingOf('faces.jpg')).length);
			assert.equal(await page.locator('polygon.face').count(), 3);
			assert.deepEqual(await page.locator('.face-label').allTextContents(), ['1', '2', '3']);
			const faces = page.locator('section[data-feature="FACE_DETECTION"]');
			assert.equal(await faces.locator('.summary').textContent(), 'Faces found: 3');
			assert.equal(await faces.locator('.face-item').count(), 3);
			assert.ok(await page.locator('section[data-feature="IMAGE_COPY_SEARCH"] .copy').first().isVisible());
			// The tabs say which feature failed, without hiding any section.
			assert.deepEqual(await page.locator('.nav-tab').allTextContents(), ['Text7', 'ClassificationFailed', 'Faces3', 'Copies on the web3']);
			assert.deepEqual(await page.locator('.nav-tab.failed').allTextContents(), ['ClassificationFailed']);
			await screenshot(page, 'feature-error');
		});

		it('shows a per-image error at the top with its request id', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('latin-note.png', []);
			payload.model.imageError = { code: 3, message: 'Image size exceeds the limit.', details: [] };
			payload.model.requestId = 'req-image-1';
			await init(page, payload);
			const error = page.locator('.app > .error');
			assert.ok(await error.isVisible());
			assert.equal(await error.locator('.error-title').textContent(), 'The image could not be analyzed');
			assert.equal(await error.locator('.error-message').textContent(), 'Image size exceeds the limit.');
			assert.equal(await error.locator('.error-request-id').textContent(), 'Request ID: req-image-1');
			await screenshot(page, 'image-error');
		});

		it('shows classification as bars, most probable first, and copies as plain text', async () => {
			const { page } = await openPanel({ theme: 'light' });
			const recording = recordingOf('faces.jpg');
			await init(page, payloadOf('faces.jpg', ['CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH']));
			const expected = [...(recording.classification?.quality ?? [])].sort((a, b) => b.probability - a.probability);
			assert.deepEqual(await page.locator('.bar-row').evaluateAll(rows => rows.map(r => r.getAttribute('data-property'))), expected.map(p => p.name));
			assert.deepEqual(await page.locator('.bar-label').allTextContents(), expected.map(p => `${p.name[0].toUpperCase()}${p.name.slice(1)} quality`));
			assert.deepEqual(await page.locator('.bar-value').allTextContents(), expected.map(p => `${Math.round(p.probability * 100)}%`));
			const widths = await page.locator('.bar-fill').evaluateAll(elements => elements.map(e => e.getBoundingClientRect().width));
			assert.ok(widths[0] > widths[1] && widths[1] > widths[2], `bar widths ${widths.join(', ')}`);

			const copies = recording.imageCopySearch;
			assert.ok(copies);
			const section = page.locator('section[data-feature="IMAGE_COPY_SEARCH"]');
			assert.equal(await section.locator('.summary').textContent(), `Copies found: ${copies.copyCount}`);
			assert.deepEqual(await section.locator('.copy-title').allTextContents(), copies.topResults.map(r => r.title));
			assert.ok((await section.textContent())?.includes(copies.topResults[0].pageUrl));
			assert.equal(await page.locator('img').count(), 1, 'no image is loaded from the matches');
			assert.equal(await page.locator('a').count(), 0);
			// Faces only: the overlay takes the image's own size.
			await page.locator('polygon.face').first().waitFor();
			assert.equal(await page.locator('svg.overlay').getAttribute('viewBox'), `0 0 ${recording.width} ${recording.height}`);
			await screenshot(page, 'faces-light');
		});

		it('still shows the words when the image itself cannot be shown', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('latin-note.png', ['TEXT_DETECTION']);
			payload.imageSrc = '/fixtures/missing.png';
			await init(page, payload);
			await page.locator('.image-unavailable').waitFor();
			assert.equal(await page.locator('.image-unavailable').textContent(), 'The image cannot be previewed here.');
			const overlay = await page.locator('svg.overlay').boundingBox();
			assert.ok(overlay && overlay.width > 300, 'the regions are drawn at the width of the panel');
			assert.ok(Math.abs(overlay.height / overlay.width - 250 / 720) < 0.01, 'in the page\'s proportions');
			await page.locator('polygon.word[data-word="2"]').click();
			assert.deepEqual(await selectedWords(page), [2]);
			await screenshot(page, 'image-unavailable');
		});

		it('says "No text found" when the image has no text', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('latin-note.png', ['TEXT_DETECTION']);
			payload.model.features[0].result = { textDetection: { pages: [{ width: 720, height: 250, blocks: [], entities: [] }] } };
			await init(page, payload);
			assert.match((await page.locator('#text-pane').textContent()) ?? '', /No text found/);
			assert.equal(await page.locator('polygon.word').count(), 0);
			assert.ok(await page.locator('#insert').isDisabled());
			await screenshot(page, 'no-text');
		});
	});

	describe('protocol and state', () => {
		it('asks for its data once, and ignores messages that are not for it', async () => {
			const { page } = await openPanel();
			assert.deepEqual(await posted(page), [{ type: 'ready', requestId: 1 }]);
			assert.equal(await page.evaluate('globalThis.__vscode.acquired()'), 1);
			await send(page, 'init');
			await send(page, { type: 'init', inReplyTo: 1, payload: { model: 'x' } });
			await send(page, { type: 'render', payload: payloadOf('latin-note.png', ['TEXT_DETECTION']) });
			await send(page, { type: 'init', inReplyTo: 99, payload: payloadOf('latin-note.png', ['TEXT_DETECTION']) });
			await page.waitForTimeout(100);
			assert.equal(await page.locator('polygon.word').count(), 0);
			await init(page, payloadOf('latin-note.png', ['TEXT_DETECTION']));
			assert.equal(await page.locator('polygon.word').count(), recordedWords(recordingOf('latin-note.png')).length);

			const update = payloadOf('rotated-line.png', ['TEXT_DETECTION']);
			await send(page, { type: 'update', payload: update });
			await page.locator('h1.title', { hasText: 'rotated-line.png' }).waitFor();
			assert.equal(await page.locator('polygon.word').count(), recordedWords(recordingOf('rotated-line.png')).length);
		});

		it('saves the model and selection, and shows them again after a reload', async () => {
			const first = await openPanel();
			const payload = payloadOf('latin-note.png', ['TEXT_DETECTION', 'CLASSIFICATION']);
			await init(first.page, payload);
			assert.deepEqual(await savedState(first.page), { model: payload.model, selection: [] });
			await first.page.locator('polygon.word[data-word="4"]').click();
			await first.page.locator('polygon.word[data-word="6"]').click({ modifiers: ['Shift'] });
			const state = await savedState(first.page);
			assert.deepEqual(state, { model: payload.model, selection: [4, 5, 6] });

			// VS Code restores the state into a new page; it renders before the extension answers.
			const second = await openPanel({ state: state as PersistedState });
			assert.deepEqual(await selectedWords(second.page), [4, 5, 6]);
			await screenshot(second.page, 'restored');
			assert.equal(await second.page.locator('#insert').textContent(), 'Insert selection');
			assert.equal(await second.page.locator('.bar-row').count(), 3);
			await second.page.locator('#insert').click();
			assert.deepEqual(lastOf(await posted(second.page), 'insertText'), { type: 'insertText', text: selectionText(annotationOf(recordingOf('latin-note.png')), [4, 5, 6]) });
			await init(second.page, { ...payload, selection: [4, 5, 6] });
			assert.deepEqual(await selectedWords(second.page), [4, 5, 6]);
		});

		it('takes its strings from the extension and falls back to English', async () => {
			const { page } = await openPanel();
			const payload = payloadOf('latin-note.png', ['TEXT_DETECTION']);
			payload.strings = { 'action.insertAll': 'Вставить весь текст', 'layer.words': 'Слова', 'tooltip.confidence': 'Уверенность: {0}' };
			await init(page, payload);
			assert.equal(await page.locator('#insert').textContent(), 'Вставить весь текст');
			assert.equal(await page.locator('label[for="layer-words"]').textContent(), 'Слова');
			assert.equal(await page.locator('#copy').textContent(), 'Copy all text');
			await page.locator('polygon.word[data-word="0"]').hover();
			assert.match((await page.locator('#tooltip .tooltip-confidence').textContent()) ?? '', /^Уверенность: \d+\s?%$/);
		});
	});

	it('renders and selects among 2,000 words without delay', async () => {
		const { page } = await openPanel();
		const payload = payloadOf('latin-note.png', ['TEXT_DETECTION']);
		payload.model.features[0].result = { textDetection: gridOfWords(2000, 720, 250) };
		const renderMs = await page.evaluate(`(() => {
			const started = performance.now();
			window.dispatchEvent(new MessageEvent('message', { data: { type: 'init', inReplyTo: 1, payload: ${JSON.stringify(payload)} } }));
			return performance.now() - started;
		})()`) as number;
		assert.equal(await page.locator('polygon.word').count(), 2000);
		assert.equal(await page.locator('#text-pane .word').count(), 2000);
		assert.ok(renderMs < 1500, `rendering took ${renderMs} ms`);
		await page.locator('polygon.word[data-word="0"]').click();
		const started = Date.now();
		await page.locator('polygon.word[data-word="1999"]').click({ modifiers: ['Shift'] });
		assert.equal(await page.locator('polygon.word.selected').count(), 2000);
		assert.ok(Date.now() - started < 1500, 'selecting every word is quick');
		await page.locator('polygon.word[data-word="1000"]').hover();
		assert.equal(await page.locator('.hover').count(), 2, 'hover touches the word and its text only');
		await screenshot(page, 'many-words');
	});

	it('looks like a VS Code panel in the dark, light and high-contrast themes, wide and narrow', async () => {
		for (const theme of ['dark', 'light', 'high-contrast'] as const) {
			const { page } = await openPanel({ theme, viewport: { width: 1200, height: 720 } });
			await init(page, payloadOf('mixed-page.png', ['TEXT_DETECTION', 'CLASSIFICATION']));
			await page.locator('polygon.word[data-word="3"]').click();
			await page.locator('polygon.word[data-word="6"]').click({ modifiers: ['Shift'] });
			await page.locator('polygon.word[data-word="12"]').hover();
			await page.locator('#tooltip').waitFor({ state: 'visible' });
			await screenshot(page, theme);
			await page.setViewportSize({ width: 520, height: 900 });
			await page.locator('#insert').focus();
			await screenshot(page, `${theme}-narrow`);
			const image = await page.locator('img.image').boundingBox();
			assert.ok(image && image.width <= 520, 'the image fits the narrow panel');
		}
	});
});
