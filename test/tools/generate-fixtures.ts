/**
 * Draws the sample images in test/fixtures with headless Chromium, prints the sample PDFs with it,
 * and writes each one's recording (what the service answers for it) from the browser's own layout.
 *
 *   node esbuild.js --tests && node out/test/tools/generate-fixtures.js [output folder]
 *
 * Same machine, same bytes: run it twice and nothing changes. The fonts are Debian's DejaVu:
 * fonts-dejavu-core, and fonts-dejavu-extra for the italic and condensed faces and for DejaVu Math
 * TeX Gyre, which the OCR samples' formulas use. The handwriting is DejaVu Serif Italic: Debian
 * packages no handwriting font with Cyrillic.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from './chromium';
import { renderPdfScene, type PdfScene } from './fixture-pdf';
import { buildPdfRecording, buildRecording, truncateBeforeFrameSize } from './fixture-recording';
import { renderScene, type Scene } from './fixture-scene';
import { buildOcrRecording, ocrOfScene, renderOcrScene } from './fixture-ocr';
import { ARTICLE, ARTICLE_MODELS, ARTICLE_UNITS, OCR_SCENES } from './fixture-ocr-scenes';
import { LONG_CONTRACT, buildContractRecording, pagePerLineJson } from './fixture-contract';
import type { Recording } from '../emulator/recording';

const SANS = '"DejaVu Sans"';
const SERIF = '"DejaVu Serif"';
const MONO = '"DejaVu Sans Mono"';

// Each line: [confidence, words, words pushed to the right edge].

const LATIN_NOTE: Scene = {
	file: 'latin-note.png', width: 720, height: 250,
	description: 'A short note in English on cream paper: four lines of prose in one block.',
	css: `body { background: #fbf8ef; color: #1f2328; font: 22px/36px ${SERIF}; }`,
	blocks: [
		{ css: 'left: 44px; top: 44px;', language: ['en', 0.98], lines: [
			[0.97, 'Please water the plants on Tuesday and Friday.'],
			[0.95, 'The spare key is under the blue flower pot,'],
			[0.93, 'next to the garden gate. Thank you, Anna.'],
			[0.96, 'P.S. The cat gets two scoops of food a day.'],
		] },
	],
	quality: [0.02, 0.11, 0.87],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.97, watermarks: 0.02 },
};

const CYRILLIC_SIGN: Scene = {
	file: 'cyrillic-sign.jpg', width: 800, height: 450,
	description: 'A green shop sign in Russian: the bakery\'s name, a slogan and its opening hours.',
	css: `body { background: #1e4d3a; color: #f4ecd0; }`,
	backdrop: '<div style="position:absolute; left:22px; top:22px; right:22px; bottom:22px; border:6px solid #d9c58f; border-radius:18px;"></div>',
	blocks: [
		{ css: `left: 0; right: 0; top: 62px; text-align: center; font: bold 64px/80px ${SERIF};`, language: ['ru', 0.99], lines: [
			[0.96, 'ХЛЕБНАЯ ЛАВКА'],
		] },
		{ css: `left: 0; right: 0; top: 168px; text-align: center; font: italic 30px/40px ${SERIF};`, language: ['ru', 0.97], lines: [
			[0.91, 'Свежая выпечка каждый день'],
		] },
		{ css: `left: 0; right: 0; top: 272px; text-align: center; font: 28px/44px ${SANS};`, language: ['ru', 0.98], lines: [
			[0.94, 'Часы работы: 8:00–21:00'],
			[0.89, 'Без выходных и перерывов'],
		] },
	],
	quality: [0.07, 0.31, 0.62],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.93, watermarks: 0.04 },
	copies: {
		copyCount: 14,
		topResults: [
			{
				imageUrl: 'https://example.com/images/bakery-sign.jpg',
				pageUrl: 'https://example.com/blog/bakery-on-the-corner',
				title: 'A bakery on the corner',
				description: 'A photo of a green bakery sign with its opening hours.',
			},
			{
				imageUrl: 'https://img.example.org/uploads/2023/sign-1024.jpg',
				pageUrl: 'https://example.org/forum/thread/4412',
				title: 'Вывески старого города',
				description: 'Подборка вывесок: хлебная лавка, аптека, часовая мастерская.',
			},
			{
				imageUrl: 'https://example.com/i/7f3a9c.jpg',
				pageUrl: 'https://example.com/maps/place/bakery',
				title: 'Хлебная лавка — отзывы',
				description: 'Photos and reviews from visitors, 4.8 out of 5.',
			},
		],
	},
};

const MIXED_PAGE: Scene = {
	file: 'mixed-page.png', width: 1000, height: 520,
	description: 'A delivery report: a Russian heading, a Russian and an English column, totals with a phone number, and an English footer.',
	css: `body { background: #ffffff; color: #202124; font: 17px/28px ${SANS}; }`,
	backdrop: '<div style="position:absolute; left:40px; right:40px; top:92px; border-top:2px solid #c5cad1;"></div>',
	blocks: [
		{ css: `left: 40px; top: 36px; font: bold 30px/40px ${SANS};`, language: ['ru', 0.99], lines: [
			[0.98, 'Отчёт о доставке № 17'],
		] },
		{ css: 'left: 40px; top: 120px;', language: ['ru', 0.98], lines: [
			[0.95, 'Заказ принят 12.03.2024 в 14:35.'],
			[0.93, 'Курьер прибыл через 2 часа, а не'],
			[0.92, 'через 40 минут, как было обещано.'],
			[0.94, 'Упаковка цела, но коробка помята'],
			[0.9, '(см. фото № 3).'],
		] },
		{ css: 'left: 520px; top: 120px;', language: ['en', 0.97], lines: [
			[0.96, 'Order received on 12 March 2024, 14:35.'],
			[0.94, 'The courier arrived after 2 hours instead'],
			[0.92, 'of the promised 40 minutes; the parcel'],
			[0.93, 'was intact, but the box was dented'],
			[0.91, '(see photo #3).'],
		] },
		{ css: `left: 40px; top: 300px; font: 20px/34px ${SANS};`, language: ['ru', 0.96], lines: [
			[0.97, 'Сумма: 1 234,50 руб. (скидка 12%)'],
			[0.88, 'Вопросы? Звоните: +7 (495) 000-00-00'],
		] },
		{ css: `left: 40px; top: 452px; color: #5f6368; font: 15px/24px ${SANS};`, language: ['en', 0.95], lines: [
			[0.86, 'Thank you for choosing us! Ref. A-2024/0317, page 1 of 1.'],
		] },
	],
	entities: [{ name: 'phone', text: '+7 (495) 000-00-00' }],
	quality: [0.01, 0.08, 0.91],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.99, watermarks: 0.03 },
};

const ROTATED_LINE: Scene = {
	file: 'rotated-line.png', width: 800, height: 360,
	description: 'A bold English line tilted by 12 degrees (rising to the right) above an upright caption.',
	css: `body { background: #eef2f6; color: #17324d; }`,
	blocks: [
		{ css: `left: 110px; top: 128px; font: bold 40px/48px ${SANS}; transform: rotate(-12deg);`, language: ['en', 0.96], lines: [
			[0.88, 'Turn the page 12 degrees'],
		] },
		{ css: `left: 40px; top: 296px; font: 18px/26px ${SANS}; color: #3c4a57;`, language: ['en', 0.98], lines: [
			[0.95, 'Caption: the line above is set at an angle.'],
		] },
	],
	quality: [0.04, 0.21, 0.75],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.95, watermarks: 0.02 },
};

const FACES: Scene = {
	file: 'faces.jpg', width: 900, height: 520,
	description: 'Three cartoon faces side by side against sky and grass, with an English caption below.',
	css: `body { background: linear-gradient(#cfe6f5 0%, #e4f1f8 55%, #a9d18e 56%, #8fbf73 100%); color: #1b2b1b; }`,
	backdrop: '<div style="position:absolute; left:0; right:0; top:452px; height:52px; background:rgba(255,255,255,0.75);"></div>',
	faces: [
		{ cx: 200, cy: 215, rx: 82, ry: 102, skin: '#f1c7a1', hair: '#4a3222', shirt: '#3b6fb6' },
		{ cx: 450, cy: 200, rx: 94, ry: 114, skin: '#c68c5c', hair: '#1d1d1d', shirt: '#c2453b' },
		{ cx: 705, cy: 228, rx: 78, ry: 97, skin: '#f6d9bf', hair: '#b5651d', shirt: '#4f9a5a' },
	],
	blocks: [
		{ css: `left: 0; right: 0; top: 462px; text-align: center; font: 22px/32px ${SANS};`, language: ['en', 0.97], lines: [
			[0.93, 'Three friends at the lake, summer 2023'],
		] },
	],
	quality: [0.05, 0.27, 0.68],
	moderation: { adult: 0.02, gruesome: 0.01, text: 0.41, watermarks: 0.03 },
	copies: {
		copyCount: 3,
		topResults: [
			{
				imageUrl: 'https://example.org/gallery/friends-lake.jpg',
				pageUrl: 'https://example.org/gallery/summer-2023',
				title: 'Summer 2023 gallery',
				description: 'Drawings from the summer workshop, page 2.',
			},
			{
				imageUrl: 'https://cdn.example.com/u/42/three-friends.jpg',
				pageUrl: 'https://example.com/u/42/posts/three-friends',
				title: 'Three friends',
				description: 'A cartoon of three friends at the lake.',
			},
		],
	},
};

const HOSTILE_TEXT: Scene = {
	file: 'hostile-text.png', width: 900, height: 300,
	description: 'Monospaced text that is dangerous if treated as HTML or Markdown: an img tag with onerror, a script tag, javascript: links, Markdown emphasis and a heading.',
	css: `body { background: #ffffff; color: #202124; font: 24px/46px ${MONO}; }`,
	blocks: [
		{ css: 'left: 40px; top: 48px;', language: ['en', 0.9], lines: [
			[0.91, '<img/src=x/onerror=alert(1)>'],
			[0.9, '<script>alert(1)</script> javascript:alert(1)'],
			[0.89, '**bold** [click](javascript:alert(1)) &amp; "q"'],
			[0.87, '# heading'],
		] },
	],
	quality: [0.03, 0.15, 0.82],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.98, watermarks: 0.01 },
};

const RECEIPT_LINE_CSS = `left: 144px; width: 312px; font: 17px/26px ${MONO};`;

const RECEIPT: Scene = {
	file: 'receipt.png', width: 600, height: 700,
	description: 'A narrow shop receipt in Russian on a grey table: header, nine items with prices, totals and a thank-you line.',
	css: `body { background: #6b7075; color: #26221e; }`,
	backdrop: '<div style="position:absolute; left:120px; top:28px; width:360px; height:630px; background:#fffef8; box-shadow:0 4px 14px rgba(0,0,0,0.35);"></div>',
	blocks: [
		{ css: `${RECEIPT_LINE_CSS} top: 52px; text-align: center;`, language: ['ru', 0.97], lines: [
			[0.95, 'МАГАЗИН «У ДОМА»'],
			[0.92, 'ул. Садовая, д. 5'],
			[0.9, 'ИНН 7700000000'],
			[0.93, 'Чек № 0421 12.03.2024 18:42'],
		] },
		{ css: `${RECEIPT_LINE_CSS} top: 182px;`, language: ['ru', 0.95], lines: [
			[0.94, 'Хлеб ржаной', '54.00'],
			[0.92, 'Молоко 3,2% 1 л', '89.90'],
			[0.9, 'Яйца С1 10 шт', '119.00'],
			[0.88, 'Сыр российский 0,3 кг', '245.70'],
			[0.93, 'Яблоки 1,2 кг', '142.80'],
			[0.91, 'Чай чёрный 100 г', '98.00'],
			[0.96, 'Пакет', '5.00'],
			[0.89, 'Шоколад 90 г', '79.99'],
			[0.87, 'Вода 1,5 л x2', '78.00'],
		] },
		{ css: `${RECEIPT_LINE_CSS} top: 448px; font-weight: bold;`, language: ['ru', 0.96], lines: [
			[0.97, 'ИТОГО', '912.39'],
			[0.93, 'Наличные', '1000.00'],
			[0.92, 'Сдача', '87.61'],
		] },
		{ css: `${RECEIPT_LINE_CSS} top: 580px; text-align: center;`, language: ['ru', 0.98], lines: [
			[0.95, 'СПАСИБО ЗА ПОКУПКУ!'],
			[0.86, 'Сохраняйте чек до конца дня'],
		] },
	],
	quality: [0.09, 0.38, 0.53],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.96, watermarks: 0.01 },
};

const SCENES: readonly Scene[] = [LATIN_NOTE, CYRILLIC_SIGN, MIXED_PAGE, ROTATED_LINE, FACES, HOSTILE_TEXT, RECEIPT];

const INVOICE_LINE_CSS = `left: 48px; width: 464px; font: 17px/28px ${SANS};`;

/**
 * Two pages of different sizes and words: an upright invoice, then landscape terms. Each page's
 * boxes are in its own pixels at 96 dpi.
 */
const TWO_PAGES: PdfScene = {
	file: 'two-pages.pdf',
	title: 'Invoice 2041',
	description: 'A two-page PDF: an invoice with four priced lines on an upright page, then the terms of delivery on a landscape page.',
	pages: [
		{
			width: 560, height: 792,
			css: `background: #ffffff; color: #1f2328; font: 17px/28px ${SANS};`,
			backdrop: '<div style="position:absolute; left:48px; right:48px; top:118px; border-top:2px solid #1f2328;"></div>',
			blocks: [
				{ css: `left: 48px; top: 52px; font: bold 34px/48px ${SANS};`, language: ['en', 0.99], lines: [
					[0.98, 'Invoice 2041'],
				] },
				{ css: `${INVOICE_LINE_CSS} top: 148px;`, language: ['en', 0.97], lines: [
					[0.96, 'Northwind Supplies Ltd.'],
					[0.94, '12 Harbour Road, Leeds'],
					[0.95, 'Issued: 14 March 2025'],
				] },
				{ css: `${INVOICE_LINE_CSS} top: 284px;`, language: ['en', 0.96], lines: [
					[0.95, 'Oak desk', '420.00'],
					[0.93, 'Desk lamp', '38.50'],
					[0.92, 'Cable tray', '14.90'],
					[0.94, 'Delivery', '25.00'],
				] },
				{ css: `${INVOICE_LINE_CSS} top: 428px; font-weight: bold;`, language: ['en', 0.97], lines: [
					[0.97, 'Total due', '498.40'],
				] },
				{ css: `left: 48px; top: 712px; color: #5f6368; font: 14px/22px ${SANS};`, language: ['en', 0.95], lines: [
					[0.9, 'Page 1 of 2'],
				] },
			],
		},
		{
			width: 792, height: 560,
			css: `background: #fffdf6; color: #202124; font: 18px/30px ${SERIF};`,
			blocks: [
				{ css: `left: 56px; top: 48px; font: bold 30px/42px ${SERIF};`, language: ['en', 0.98], lines: [
					[0.97, 'Terms of delivery'],
				] },
				{ css: 'left: 56px; top: 130px;', language: ['en', 0.97], lines: [
					[0.95, 'Goods arrive within ten working days of payment.'],
					[0.93, 'Payment is due thirty days after the invoice date.'],
					[0.94, 'Report damaged items within 48 hours, with photos.'],
					[0.92, 'Returns are accepted for 14 days in original packaging.'],
				] },
				{ css: `left: 56px; top: 480px; color: #5f6368; font: 14px/22px ${SANS};`, language: ['en', 0.95], lines: [
					[0.9, 'Questions: orders@northwind.example'],
				] },
			],
			entities: [{ name: 'email', text: 'orders@northwind.example' }],
		},
	],
	quality: [0.02, 0.09, 0.89],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.99, watermarks: 0.01 },
};

const PDF_SCENES: readonly PdfScene[] = [TWO_PAGES];

/** Samples for the error paths: no recording, so the service would refuse them. */
const BROKEN_JPEG = { file: 'broken.jpg', cutFrom: CYRILLIC_SIGN.file };
const NOT_AN_IMAGE = { file: 'not-an-image.png', text: 'This is a plain text file with a .png name, not an image.\n' };

async function main(): Promise<void> {
	const outDir = path.resolve(process.argv[2] ?? defaultOutDir());
	await mkdir(outDir, { recursive: true });
	const written = new Map<string, Uint8Array>();
	const browser = await launchChromium();
	try {
		for (const scene of SCENES) {
			const { bytes, measurement } = await renderScene(browser, scene);
			const recording = buildRecording(scene, measurement, bytes);
			await writeFile(path.join(outDir, scene.file), bytes);
			await writeFile(path.join(outDir, scene.file.replace(/\.[a-z]+$/, '.recording.json')), JSON.stringify(recording, null, 2) + '\n');
			written.set(scene.file, bytes);
			console.log(`${scene.file}: ${bytes.length} bytes`);
		}
		// Read by both engines: batchAnalyze's recording plus the OCR API's models.
		{
			const { bytes, measurement } = await renderScene(browser, ARTICLE);
			const recording = buildRecording(ARTICLE, measurement, bytes);
			recording.ocr = ocrOfScene(ARTICLE, measurement, ARTICLE_UNITS, ARTICLE_MODELS);
			await writeSample(outDir, ARTICLE.file, bytes, recording);
		}
		for (const scene of OCR_SCENES) {
			const { bytes, ocr } = await renderOcrScene(browser, scene);
			await writeSample(outDir, scene.file, bytes, buildOcrRecording(scene, bytes, ocr));
		}
		for (const scene of PDF_SCENES) {
			const { bytes, pages } = await renderPdfScene(browser, scene);
			const recording = buildPdfRecording(scene, pages, bytes);
			await writeFile(path.join(outDir, scene.file), bytes);
			await writeFile(path.join(outDir, scene.file.replace(/\.[a-z]+$/, '.recording.json')), JSON.stringify(recording, null, 2) + '\n');
			console.log(`${scene.file}: ${bytes.length} bytes, ${scene.pages.length} pages`);
		}
		// Read by the OCR API's asynchronous method only.
		{
			const { bytes, pages } = await renderPdfScene(browser, LONG_CONTRACT);
			const recording = buildContractRecording(LONG_CONTRACT, pages, bytes);
			await writeFile(path.join(outDir, LONG_CONTRACT.file), bytes);
			await writeFile(path.join(outDir, LONG_CONTRACT.file.replace(/\.[a-z]+$/, '.recording.json')), pagePerLineJson(recording));
			console.log(`${LONG_CONTRACT.file}: ${bytes.length} bytes, ${LONG_CONTRACT.pages.length} pages`);
		}
	} finally {
		await browser.close();
	}
	const source = written.get(BROKEN_JPEG.cutFrom);
	if (!source) throw new Error(`${BROKEN_JPEG.cutFrom} was not drawn`);
	await writeFile(path.join(outDir, BROKEN_JPEG.file), truncateBeforeFrameSize(source));
	await writeFile(path.join(outDir, NOT_AN_IMAGE.file), NOT_AN_IMAGE.text);
	console.log(`wrote ${SCENES.length + 1 + OCR_SCENES.length} images and ${PDF_SCENES.length + 1} PDFs with recordings, and 2 broken files, to ${outDir}`);
}

async function writeSample(outDir: string, file: string, bytes: Buffer, recording: Recording): Promise<void> {
	await writeFile(path.join(outDir, file), bytes);
	await writeFile(path.join(outDir, file.replace(/\.[a-z]+$/, '.recording.json')), JSON.stringify(recording, null, 2) + '\n');
	console.log(`${file}: ${bytes.length} bytes, OCR models: ${Object.keys(recording.ocr ?? {}).join(', ')}`);
}

/** test/fixtures of the repository this script was built in (out/test/tools → repository root). */
function defaultOutDir(): string {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		if (existsSync(path.join(dir, 'test', 'emulator', 'recording.ts'))) return path.join(dir, 'test', 'fixtures');
	}
	throw new Error('cannot find the repository; pass the output folder as an argument');
}

main().catch((err: unknown) => {
	console.error(err);
	process.exit(1);
});
