/**
 * A sample PDF described as data: pages of blocks of lines, each page its own size, printed by
 * the browser and measured by its own layout, so the recorded boxes are where the glyphs are.
 *
 * Pages are measured in CSS pixels, which the browser prints at 96 dpi (1 px = 0.75 pt): a page
 * of 560×792 px is a 420×594 pt page, and its recording's coordinates are pixels of the page
 * rendered at 96 dpi.
 */

import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { blockHtml, escapeHtml, measureInPage, type BlockSpec, type Measurement, type Scene } from './fixture-scene';

export interface PdfPageSpec {
	/** CSS pixels; multiples of 4 keep the page size a whole number of points. */
	width: number;
	height: number;
	/** The page's own look: background, fonts. */
	css: string;
	/** Trusted markup drawn under the text (rules, frames); not measured. */
	backdrop?: string;
	blocks: readonly BlockSpec[];
	entities?: readonly { name: string; text: string }[];
}

/** What the browser prints: the pages, and the title in the document's metadata. */
export interface PdfDocument {
	file: string;
	/** The document's title, as printed into its metadata. */
	title: string;
	pages: readonly PdfPageSpec[];
}

export interface PdfScene extends PdfDocument, Pick<Scene, 'description' | 'quality' | 'moderation'> {}

export interface RenderedPdf {
	bytes: Buffer;
	/** One per page, in that page's CSS pixels. */
	pages: Measurement[];
}

/**
 * The date written into every sample PDF instead of the time it was printed: a PDF date of the
 * same length as the browser's, so no byte offset in the file moves.
 */
const FIXED_PDF_DATE = "D:20250101000000+00'00'";

export async function renderPdfScene(browser: Browser, scene: PdfDocument): Promise<RenderedPdf> {
	const width = Math.max(...scene.pages.map(p => p.width));
	const height = scene.pages.reduce((sum, p) => sum + p.height, 0);
	const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
	try {
		const page = await context.newPage();
		await page.setContent(pdfSceneHtml(scene), { waitUntil: 'load' });
		// Measured as printed: print media, the same widths and fonts, one page under the other.
		await page.emulateMedia({ media: 'print' });
		await page.evaluate(async () => {
			await (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready;
		});
		const pages: Measurement[] = [];
		for (let p = 0; p < scene.pages.length; p++) pages.push(await page.evaluate(measureInPage, `[data-page="${p}"]`));
		const printed = await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: false, outline: false });
		const bytes = normalizePdf(printed);
		const printedSizes = pdfPageSizes(bytes);
		const meantSizes = scene.pages.map(p => [p.width * 0.75, p.height * 0.75]);
		if (JSON.stringify(printedSizes) !== JSON.stringify(meantSizes)) throw new Error(`${scene.file}: printed pages of ${JSON.stringify(printedSizes)} pt, meant ${JSON.stringify(meantSizes)}`);
		return { bytes, pages };
	} finally {
		await context.close();
	}
}

/** Every page a box of its own size, on a named @page of that size, each starting a new sheet. */
export function pdfSceneHtml(scene: PdfDocument): string {
	const pageRules = scene.pages.map((p, i) => `@page p${i} { size: ${p.width}px ${p.height}px; margin: 0; }\n.page-${i} { page: p${i}; width: ${p.width}px; height: ${p.height}px; }`).join('\n');
	const pages = scene.pages.map((p, i) => `<div class="page page-${i}" data-page="${i}" style="${escapeHtml(p.css)}">
${p.backdrop ?? ''}
${p.blocks.map(blockHtml).join('\n')}
</div>`).join('\n');
	return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(scene.title)}</title><style>
html, body { margin: 0; padding: 0; }
.page { position: relative; overflow: hidden; break-after: page; }
.page:last-child { break-after: auto; }
.block { position: absolute; }
.line { white-space: pre; }
.line.split { display: flex; justify-content: space-between; }
${pageRules}
</style></head><body>
${pages}
</body></html>`;
}

/**
 * Makes a printed PDF the same run to run: the browser stamps the time into /CreationDate and
 * /ModDate, and may add a random /ID. Both are replaced in place by values of the same length
 * (a fixed date, and a hash of the rest of the file), so the cross-reference offsets stay right.
 */
export function normalizePdf(pdf: Uint8Array): Buffer {
	let text = Buffer.from(pdf).toString('latin1');
	text = text.replace(/\/(?:CreationDate|ModDate)\s*\((D:[^)]*)\)/g, (match, date: string) => {
		if (date.length !== FIXED_PDF_DATE.length) throw new Error(`unexpected PDF date format: ${match}`);
		return match.replace(date, FIXED_PDF_DATE);
	});
	const ids = /\/ID\s*\[\s*<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*\]/.exec(text);
	if (ids) {
		const withoutIds = text.replace(ids[0], '');
		const digest = createHash('sha256').update(withoutIds, 'latin1').digest('hex').repeat(4);
		const fixed = ids[0].replace(`<${ids[1]}>`, `<${digest.slice(0, ids[1].length)}>`).replace(`<${ids[2]}>`, `<${digest.slice(0, ids[2].length)}>`);
		text = text.replace(ids[0], fixed);
	}
	if (text.length !== pdf.length) throw new Error('normalizing the PDF changed its length');
	return Buffer.from(text, 'latin1');
}

/**
 * Each page's MediaBox width and height in points, in page-tree order: the tree is walked from
 * its root (Chromium writes a flat one for a few pages, nodes of a few kids each for many).
 */
export function pdfPageSizes(pdf: Uint8Array): [number, number][] {
	const text = Buffer.from(pdf).toString('latin1');
	const objects = new Map<string, string>();
	for (const match of text.matchAll(/(?:^|\s)(\d+)\s+0\s+obj([^]*?)endobj/g)) objects.set(match[1], match[2]);
	const root = [...objects].find(([, body]) => /\/Type\s*\/Pages\b/.test(body) && !/\/Parent\s/.test(body));
	if (!root) throw new Error('no page tree');
	const sizes: [number, number][] = [];
	const walk = (ref: string, body: string | undefined, depth: number): void => {
		if (body === undefined) throw new Error(`page tree object ${ref} is missing`);
		if (depth > 32) throw new Error('the page tree is too deep');
		if (/\/Type\s*\/Pages\b/.test(body)) {
			const kids = /\/Kids\s*\[([^\]]*)\]/.exec(body);
			if (!kids) throw new Error(`page tree node ${ref} has no kids`);
			for (const [, kid] of kids[1].matchAll(/(\d+)\s+0\s+R/g)) walk(kid, objects.get(kid), depth + 1);
			return;
		}
		const box = /\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(body);
		if (!box) throw new Error(`page object ${ref} has no MediaBox`);
		sizes.push([Number(box[3]) - Number(box[1]), Number(box[4]) - Number(box[2])]);
	};
	walk(root[0], root[1], 0);
	return sizes;
}
