/**
 * The note in the results panel's header that says what was done to a file to fit the service's
 * limits, in a real browser, in English and in Russian, with numbers in the display language.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { FitView, FitWarning, InitPayload, PersistedState } from '../../src/shared/protocol';
import type { WebviewStringKey } from '../../src/shared/strings';
import { init, payloadOf, SCREENSHOTS, send, waitForExpression, WebviewHarness } from './webviewHarness';

const IMAGE = 'latin-note.png';
const MB = 1_048_576;

/** The Russian of the note's strings, as the extension sends them with a Russian display language. */
const RUSSIAN: Partial<Record<WebviewStringKey, string>> = {
	'fit.title': 'Перед отправкой файл был приведен к ограничениям сервиса; результаты показаны на оригинале.',
	'fit.converted': 'преобразовано {0} → {1}',
	'fit.upright': 'повернуто по ориентации EXIF ({0})',
	'fit.resized': 'размер изменен: {0}×{1} → {2}×{3}',
	'fit.reencoded': 'пересжато {0}×{1}',
	'fit.megabytes': '{0} МБ',
	'fit.kilobytes': '{0} КБ',
	'fit.bytes': '{0} Б',
	'fit.mapped': 'рамки показаны на оригинале',
	'fit.firstPage': 'Проанализирована только первая из {0} страниц.',
	'fit.firstFrame': 'Проанализирован только первый из {0} кадров.',
	'fit.svgText': 'Текстовые элементы не отрисованы и поэтому не распознаны: у конвертера нет шрифтов. Преобразуйте текст в кривые или экспортируйте изображение в PNG.',
};

/** A 4000×3000 phone photo saved as WEBP, stored on its side (EXIF 6), sent as a 2560×1920 JPEG. */
const PHOTO: FitView = {
	note: 'converted WEBP → JPEG, turned upright (EXIF orientation 6), resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB',
	original: { format: 'WEBP', width: 4000, height: 3000, bytes: Math.round(4.9 * MB), orientation: 6 },
	sent: { format: 'JPEG', width: 2560, height: 1920, bytes: Math.round(0.93 * MB), quality: 80 },
};

function payloadWith(fitted: FitView | undefined, strings: Record<string, string> = {}): InitPayload {
	const payload = payloadOf(IMAGE, ['TEXT_DETECTION']);
	return { ...payload, model: { ...payload.model, ...fitted ? { fitted } : {} }, strings };
}

async function noteText(page: Page): Promise<string | null> {
	return page.locator('header.header .fit-note').textContent();
}

describe('What fitting did, in the results panel header, in Chromium', function () {
	this.timeout(60_000);
	const harness = new WebviewHarness();
	before(() => harness.start());
	after(() => harness.stop());
	afterEach(() => harness.closePanels());

	async function openPanel(options: { lang?: string; state?: PersistedState } = {}): Promise<Page> {
		return (await harness.openPanel({ ...options, viewport: { width: 1200, height: 700 } })).page;
	}

	it('says in English what was converted, turned, resized and compressed, and where the boxes are', async () => {
		const page = await openPanel();
		await init(page, payloadWith(PHOTO));
		assert.equal(await noteText(page),
			'Converted WEBP → JPEG · turned upright (EXIF orientation 6) · resized 4000×3000 → 2560×1920 · 4.9 MB → 0.93 MB · boxes shown on the original');
		assert.match(await page.locator('.fit-note').getAttribute('title') ?? '', /fitted to the service's limits/);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'webview-fit-note.png') });
	});

	it('says it in Russian, with Russian decimal commas, when the display language is Russian', async () => {
		const page = await openPanel({ lang: 'ru' });
		await init(page, payloadWith(PHOTO, RUSSIAN));
		assert.equal(await noteText(page),
			'Преобразовано WEBP → JPEG · повернуто по ориентации EXIF (6) · размер изменен: 4000×3000 → 2560×1920 · 4,9 МБ → 0,93 МБ · рамки показаны на оригинале');
		assert.equal(await page.locator('.fit-note').getAttribute('title'), RUSSIAN['fit.title']);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'webview-fit-note-ru.png') });
	});

	it('names only what happened: a resize alone, a harder compression alone, a conversion of a small file', async () => {
		const page = await openPanel();
		await init(page, payloadWith({
			note: 'resized 6000×4000 → 2560×1707, 12 MB → 0.98 MB',
			original: { format: 'JPEG', width: 6000, height: 4000, bytes: Math.round(12.3 * MB), orientation: 1 },
			sent: { format: 'JPEG', width: 2560, height: 1707, bytes: Math.round(0.98 * MB), quality: 85 },
		}));
		assert.equal(await noteText(page), 'Resized 6000×4000 → 2560×1707 · 12 MB → 0.98 MB · boxes shown on the original');

		const cases: { fitted: FitView; expected: string }[] = [
			{
				fitted: {
					note: 're-encoded 2000×1500, 1.2 MB → 0.71 MB',
					original: { format: 'JPEG', width: 2000, height: 1500, bytes: Math.round(1.2 * MB), orientation: 1 },
					sent: { format: 'JPEG', width: 2000, height: 1500, bytes: Math.round(0.71 * MB), quality: 75 },
				},
				expected: 'Re-encoded 2000×1500 · 1.2 MB → 0.71 MB · boxes shown on the original',
			},
			{
				fitted: {
					note: 'converted BMP → PNG, 1 MB → 56 kB',
					original: { format: 'BMP', width: 720, height: 500, bytes: 1_080_054, orientation: 1 },
					sent: { format: 'PNG', width: 720, height: 500, bytes: 57_000 },
				},
				expected: 'Converted BMP → PNG · 1 MB → 56 kB · boxes shown on the original',
			},
			{
				fitted: {
					note: 'turned upright (EXIF orientation 8), 640 bytes → 900 bytes',
					original: { format: 'JPEG', width: 30, height: 20, bytes: 640, orientation: 8 },
					sent: { format: 'JPEG', width: 30, height: 20, bytes: 900, quality: 85 },
				},
				expected: 'Turned upright (EXIF orientation 8) · 640 bytes → 900 bytes · boxes shown on the original',
			},
		];
		for (const { fitted, expected } of cases) {
			await send(page, { type: 'update', payload: payloadWith(fitted) });
			await waitForExpression(page, `document.querySelector('.fit-note')?.textContent === ${JSON.stringify(expected)}`, 5_000);
		}
	});

	it('sits in the header on a line of its own, under the title', async () => {
		const page = await openPanel();
		await init(page, payloadWith(PHOTO));
		const title = await page.locator('header.header .title').boundingBox();
		const note = await page.locator('header.header .fit-note').boundingBox();
		assert.ok(title && note);
		assert.ok(note.y >= title.y + title.height - 1, `the note (y ${note.y}) is below the title (bottom ${title.y + title.height})`);
		assert.ok(await page.locator('.fit-note').isVisible());
	});

	it('lists under the note what the image sent left out: an SVG\'s text, the other frames of a GIF, the other pages of a TIFF', async () => {
		const page = await openPanel();
		const svg: FitView = {
			note: 'converted SVG → PNG, resized 300×150 → 1600×800, 2 kB → 31 kB; its <text> elements are not drawn …',
			original: { format: 'SVG', width: 300, height: 150, bytes: 2048, orientation: 1 },
			sent: { format: 'PNG', width: 1600, height: 800, bytes: 31_000 },
			warnings: [{ code: 'svgText' }],
		};
		await init(page, payloadWith(svg));
		const warnings = page.locator('header.header .fit-warnings .fit-warning');
		assert.deepEqual(await warnings.allTextContents(), [
			'Its text elements were not drawn, so they were not recognized: the converter has no fonts. Convert the text to paths, or export the image as PNG.',
		]);
		const note = await page.locator('.fit-note').boundingBox();
		const list = await page.locator('.fit-warnings').boundingBox();
		assert.ok(note && list && list.y >= note.y + note.height - 1, 'on a line of its own under the note');
		await page.screenshot({ path: path.join(SCREENSHOTS, 'webview-fit-warning.png') });

		const gif: FitView = {
			note: 'converted GIF → PNG, 2 MB → 0.29 MB; only the first of its 12 frames is analyzed',
			original: { format: 'GIF', width: 800, height: 600, bytes: 2 * MB, orientation: 1 },
			sent: { format: 'PNG', width: 800, height: 600, bytes: 300_000 },
			// A kind of warning from a newer version, and one without its number, are left out.
			warnings: [{ code: 'firstFrame', frames: 12 }, { code: 'newerKind' } as unknown as FitWarning, { code: 'firstPage' } as unknown as FitWarning],
		};
		await send(page, { type: 'update', payload: payloadWith(gif) });
		await waitForExpression(page, `[...document.querySelectorAll('.fit-warning')].map(e => e.textContent).join('|') === 'Only the first of its 12 frames was analyzed.'`, 5_000);

		const tiff = { ...gif, original: { ...gif.original, format: 'TIFF' }, warnings: [{ code: 'firstPage', pages: 3 }] } satisfies FitView;
		const russian = await openPanel({ lang: 'ru' });
		await init(russian, payloadWith(tiff, RUSSIAN));
		assert.deepEqual(await russian.locator('.fit-warning').allTextContents(), ['Проанализирована только первая из 3 страниц.']);

		await send(page, { type: 'update', payload: payloadWith(PHOTO) });
		await waitForExpression(page, `document.querySelector('.fit-warnings') === null && document.querySelector('.fit-note') !== null`, 5_000);
	});

	it('is absent when the file was sent as it was, and when a restored state has no usable numbers', async () => {
		const page = await openPanel();
		await init(page, payloadWith(undefined));
		assert.equal(await page.locator('.fit-note').count(), 0);
		assert.equal(await page.locator('.fit-warnings').count(), 0);
		assert.doesNotMatch(await page.locator('header.header').textContent() ?? '', /original/);

		const broken = payloadWith(undefined);
		const restored = await openPanel({ state: { model: { ...broken.model, fitted: { note: 'resized' } as unknown as FitView }, selection: [] } });
		await restored.locator('header.header').waitFor();
		assert.equal(await restored.locator('.fit-note').count(), 0);
	});

	it('comes back with the saved state after a reload, before the extension answers', async () => {
		const payload = payloadWith(PHOTO);
		const page = await openPanel({ state: { model: payload.model, selection: [] } });
		await page.locator('header.header .fit-note').waitFor();
		assert.match(await noteText(page) ?? '', /^Converted WEBP → JPEG · .* · boxes shown on the original$/);
	});
});
