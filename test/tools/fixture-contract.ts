/**
 * long-contract.pdf: a 120-page supply contract for the OCR API's asynchronous method (up to 200
 * pages), printed by the browser like the two-page sample. Every page has the contract's header,
 * one numbered clause and "Page N of 120" at its foot, so a reader of the answer can tell each
 * page and their order. Its recording holds the `page` model's answer for every page, measured
 * from the printed layout; nothing else, to keep it small.
 */

import { createHash } from 'node:crypto';
import type { RecordedOcrAnnotation, Recording } from '../emulator/recording';
import { buildOcrAnnotation, type OcrMarkup } from './fixture-ocr';
import type { PdfDocument, PdfPageSpec } from './fixture-pdf';
import type { BlockSpec, Measurement } from './fixture-scene';

const SANS = '"DejaVu Sans"';
const SERIF = '"DejaVu Serif"';

export const CONTRACT_PAGES = 120;

const TOPICS = ['delivery', 'payment', 'warranty', 'inspection', 'insurance', 'packaging', 'returns', 'notices'];

/** The page model's layout type of each block, in the order of a page's blocks. */
const UNITS = [
	{ id: 'header', layout: 'LAYOUT_TYPE_HEADER' },
	{ id: 'clause', layout: 'LAYOUT_TYPE_TEXT' },
	{ id: 'footer', layout: 'LAYOUT_TYPE_FOOTER' },
] as const;

export interface ContractScene extends PdfDocument {
	description: string;
}

function contractPage(n: number): PdfPageSpec {
	const blocks: BlockSpec[] = [
		{ css: `left: 48px; top: 48px; font: bold 20px/28px ${SANS};`, language: ['en', 0.99], lines: [[0.98, 'Supply contract 4417']] },
		{ css: 'left: 48px; top: 120px;', language: ['en', 0.98], lines: [[0.96, `Clause ${n}. Terms of ${TOPICS[(n - 1) % TOPICS.length]} for lot ${n}.`]] },
		{ css: `left: 48px; top: 736px; color: #5f6368; font: 14px/22px ${SANS};`, language: ['en', 0.95], lines: [[0.93, `Page ${n} of ${CONTRACT_PAGES}`]] },
	];
	return { width: 560, height: 792, css: `background: #ffffff; color: #1f2328; font: 17px/28px ${SERIF};`, blocks };
}

export const LONG_CONTRACT: ContractScene = {
	file: 'long-contract.pdf',
	title: 'Supply contract 4417',
	description: `A ${CONTRACT_PAGES}-page supply contract: on every page the header, one numbered clause and "Page N of ${CONTRACT_PAGES}" at the foot. For the OCR API's asynchronous method; only the page model is recorded.`,
	pages: Array.from({ length: CONTRACT_PAGES }, (_, i) => contractPage(i + 1)),
};

/** The recording: the `page` model's answer for each page, in that page's pixels at 96 dpi. */
export function buildContractRecording(scene: ContractScene, measurements: readonly Measurement[], bytes: Uint8Array): Recording {
	if (measurements.length !== scene.pages.length) throw new Error(`${scene.file}: measured ${measurements.length} pages, meant ${scene.pages.length}`);
	const [first] = scene.pages;
	const pages = scene.pages.map((page, p): RecordedOcrAnnotation => {
		const frame = { file: `${scene.file} page ${p + 1}`, width: page.width, height: page.height };
		if (page.blocks.length !== UNITS.length) throw new Error(`${frame.file}: ${page.blocks.length} blocks, meant ${UNITS.length}`);
		const markup: OcrMarkup = {
			units: page.blocks.map((block, b) => ({ ...UNITS[b], language: block.language[0], words: [] })),
			tables: [],
		};
		const annotation = buildOcrAnnotation(frame, measurements[p], markup, {});
		const footer = `Page ${p + 1} of ${scene.pages.length}`;
		if (!annotation.fullText.includes(footer)) throw new Error(`${frame.file}: the text does not say "${footer}"`);
		return annotation;
	});
	return {
		image: scene.file,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		mimeType: 'application/pdf',
		width: first.width,
		height: first.height,
		description: scene.description,
		ocr: { page: pages },
	};
}

/**
 * The recording as JSON with one page's answer per line: the same value as the other recordings'
 * indented form, at a third of the size.
 */
export function pagePerLineJson(recording: Recording): string {
	const { ocr, ...rest } = recording;
	const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
	const models = Object.entries(ocr ?? {}).map(([model, pages]) =>
		`    ${JSON.stringify(model)}: [\n${pages.map(page => `      ${JSON.stringify(page)}`).join(',\n')}\n    ]`);
	return `${head},\n  "ocr": {\n${models.join(',\n')}\n  }\n}\n`;
}
