/**
 * The OCR API's answers (`ocr/v1/recognizeText`) for a sample image, built from the same browser
 * measurements as the batchAnalyze recordings: every word's box comes from the page's own layout.
 *
 * A page marks what the service reads: `[data-block]` elements (a "unit": one run of lines laid
 * out together, maybe rotated as a whole) holding `[data-line]`s of `[data-word]`s, and
 * `[data-table]` tables whose cells each hold one unit. Each model then reads the units in its own
 * way: which of them it sees, how it groups them into blocks and in what order, whether it finds
 * tables, entities or writes Markdown.
 */

import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type {
	RecordedLayoutType, RecordedOcrAnnotation, RecordedOcrBlock, RecordedOcrLine, RecordedOcrWord, RecordedPolygon,
	RecordedTable, RecordedTableCell, RecordedTextSegment, Recording,
} from '../emulator/recording';
import { boundsOfQuads, parseCssMatrix, quadOfRect, toPolygon, transformQuad, unionRects, type Quad, type Rect } from './fixture-geometry';
import { escapeHtml, isJpeg, measureInPage, renderHtml, splitWords, type Measurement, type Scene } from './fixture-scene';

/** How far (CSS px) our own transform may land from the browser's: its matrix is printed to 6 digits. */
const TRANSFORM_TOLERANCE = 0.05;

/** A page of trusted markup, marked up as the module comment says. */
export interface OcrScene {
	file: string;
	width: number;
	height: number;
	description: string;
	/** Page CSS. */
	css: string;
	body: string;
	models: Readonly<Record<string, ModelPlan>>;
}

/** How one model reads the page. */
export interface ModelPlan {
	/** Its blocks in its reading order; by default one block per unit, in the page's order. Units left out are not read. */
	blocks?: readonly BlockPlan[];
	/** Finds the page's tables. */
	tables?: boolean;
	/** Collects the words marked `data-entity` into entities (`passport`), in the documented order. */
	entities?: readonly string[];
	/** Writes the page as Markdown, formulas as plain text or as LaTeX. */
	markdown?: 'plain' | 'latex';
	/** Words this model gets wrong, and what it reads instead. */
	misread?: Readonly<Record<string, string>>;
}

export interface BlockPlan {
	units: readonly string[];
	/** Overrides the first unit's layout type. */
	layout?: RecordedLayoutType;
	/** Reads the units' lines together, top to bottom, left to right on one height: as one column. */
	across?: boolean;
}

/** What the markup says about one unit beyond its words' boxes. */
export interface UnitInfo {
	id: string;
	/** Language codes, space-separated: `ru`, or `ru en` for a unit in both. */
	language: string;
	layout?: RecordedLayoutType;
	/** A displayed formula: its LaTeX. */
	latex?: string;
	/** Per line, per word: what the word's markup says. */
	words: WordInfo[][];
}

export interface WordInfo {
	/** What the word reads as, where its text content says something else (MathML). */
	text?: string;
	/** An inline formula: its LaTeX. */
	latex?: string;
	entity?: string;
}

export interface MeasuredTable {
	rect: Rect;
	/** Per `<tr>`, its cells in order, each naming the unit inside it. */
	rows: { rect: Rect; rowSpan: number; colSpan: number; unit: string }[][];
}

export interface OcrMarkup {
	units: UnitInfo[];
	tables: MeasuredTable[];
}

/** The recording of an image that only the OCR API's models read. */
export function buildOcrRecording(scene: OcrScene, bytes: Uint8Array, ocr: Record<string, RecordedOcrAnnotation[]>): Recording {
	return {
		image: scene.file,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		mimeType: isJpeg(scene.file) ? 'image/jpeg' : 'image/png',
		width: scene.width,
		height: scene.height,
		description: scene.description,
		ocr,
	};
}

export interface RenderedOcrScene {
	bytes: Buffer;
	ocr: Record<string, RecordedOcrAnnotation[]>;
}

export async function renderOcrScene(browser: Browser, scene: OcrScene): Promise<RenderedOcrScene> {
	const html = `<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body { margin: 0; padding: 0; width: ${scene.width}px; height: ${scene.height}px; overflow: hidden; position: relative; }
[data-line] { white-space: pre; }
${scene.css}
</style></head><body>
${scene.body}
</body></html>`;
	const { bytes, measurement } = await renderHtml(browser, scene, html, async page => ({
		layout: await page.evaluate(measureInPage, 'body'),
		markup: await page.evaluate(readOcrMarkup, 'body'),
	}));
	const markup = checkMarkup(scene.file, measurement.markup);
	return { bytes, ocr: ocrAnswers(scene, measurement.layout, markup, scene.models) };
}

/**
 * The OCR answers for a scene drawn from blocks of lines (`renderScene`): each block is one unit,
 * named and typed by `units` in the same order.
 */
export function ocrOfScene(
	scene: Scene,
	layout: Measurement,
	units: readonly { id: string; layout?: RecordedLayoutType }[],
	models: Readonly<Record<string, ModelPlan>>,
): Record<string, RecordedOcrAnnotation[]> {
	if (units.length !== scene.blocks.length) throw new Error(`${scene.file}: ${units.length} unit names for ${scene.blocks.length} blocks`);
	const markup: OcrMarkup = {
		units: scene.blocks.map((block, b): UnitInfo => ({ ...units[b], language: block.language[0], words: [] })),
		tables: [],
	};
	return ocrAnswers(scene, layout, markup, models);
}

function ocrAnswers(
	frame: { file: string; width: number; height: number },
	layout: Measurement,
	markup: OcrMarkup,
	models: Readonly<Record<string, ModelPlan>>,
): Record<string, RecordedOcrAnnotation[]> {
	const ocr: Record<string, RecordedOcrAnnotation[]> = {};
	for (const [model, plan] of Object.entries(models)) ocr[model] = [buildOcrAnnotation(frame, layout, markup, plan)];
	return ocr;
}

/** A word of the page as placed on screen. */
interface PlacedWord { text: string; box: RecordedPolygon; latex?: string; entity?: string }
interface PlacedLine { box: RecordedPolygon; quad: Quad; words: PlacedWord[] }
interface PlacedUnit { info: UnitInfo; box: RecordedPolygon; lines: PlacedLine[] }

/**
 * One page of one model's answer. `layout` and `markup` describe the same `[data-block]`
 * elements in the same order.
 */
export function buildOcrAnnotation(
	frame: { file: string; width: number; height: number },
	layout: Measurement,
	markup: OcrMarkup,
	plan: ModelPlan,
): RecordedOcrAnnotation {
	const units = placeUnits(frame, layout, markup);
	const byId = new Map(units.map(u => [u.info.id, u]));
	const plans = plan.blocks ?? units.map((u): BlockPlan => ({ units: [u.info.id] }));
	const text = new TextWriter();
	const blocks = plans.map(blockPlan => {
		const parts = blockPlan.units.map(id => {
			const unit = byId.get(id);
			if (!unit) throw new Error(`${frame.file}: no unit "${id}"`);
			return unit;
		});
		return writeBlock(text, parts, blockPlan, plan.misread ?? {});
	});
	const entities = plan.entities ? markEntities(frame.file, blocks, plan.entities) : [];
	const annotation: RecordedOcrAnnotation = {
		width: frame.width,
		height: frame.height,
		blocks: blocks.map(b => b.block),
		entities,
		tables: plan.tables ? markup.tables.map(t => tableOf(frame.file, t, blocks)) : [],
		fullText: text.fullText,
	};
	if (plan.markdown) annotation.markdown = markdownOf(blocks, plan.markdown);
	return annotation;
}

/** Turns each unit's measured words into polygons on screen, checking they are where the page drew them. */
function placeUnits(frame: { file: string; width: number; height: number }, layout: Measurement, markup: OcrMarkup): PlacedUnit[] {
	if (layout.blocks.length !== markup.units.length) throw new Error(`${frame.file}: measured ${layout.blocks.length} units, marked ${markup.units.length}`);
	const ids = new Set<string>();
	return markup.units.map((info, u): PlacedUnit => {
		if (ids.has(info.id)) throw new Error(`${frame.file}: two units named "${info.id}"`);
		ids.add(info.id);
		const measured = layout.blocks[u];
		const matrix = parseCssMatrix(measured.transform);
		const place = (r: Rect): Quad => transformQuad(quadOfRect(r), matrix, measured.origin);
		const lineRects: Rect[] = [];
		const lines = measured.lines.map((line, l): PlacedLine => {
			if (line.words.length === 0) throw new Error(`${frame.file}: unit "${info.id}" line ${l} has no words`);
			const words = line.words.map((w, i): PlacedWord => {
				const quad = place(w.layout);
				if (!sameRect(boundsOfQuads([quad]), w.screen)) throw new Error(`${frame.file}: "${w.text}" is not where the transform puts it`);
				if (w.screen.left < 0 || w.screen.top < 0 || w.screen.right > frame.width || w.screen.bottom > frame.height) throw new Error(`${frame.file}: "${w.text}" is outside the image`);
				const marked = info.words[l]?.[i] ?? {};
				const text = marked.text ?? w.text;
				if (text.length === 0 || /\s/.test(text)) throw new Error(`${frame.file}: unit "${info.id}" has a word "${text}"`);
				return { text, box: toPolygon(quad), latex: marked.latex, entity: marked.entity };
			});
			const rect = unionRects(line.words.map(w => w.layout));
			lineRects.push(rect);
			const quad = place(rect);
			return { box: toPolygon(quad), quad, words };
		});
		if (lines.length === 0) throw new Error(`${frame.file}: unit "${info.id}" has no lines`);
		return { info, box: toPolygon(place(unionRects(lineRects))), lines };
	});
}

function sameRect(a: Rect, b: Rect): boolean {
	return Math.abs(a.left - b.left) <= TRANSFORM_TOLERANCE && Math.abs(a.top - b.top) <= TRANSFORM_TOLERANCE
		&& Math.abs(a.right - b.right) <= TRANSFORM_TOLERANCE && Math.abs(a.bottom - b.bottom) <= TRANSFORM_TOLERANCE;
}

/** fullText as the service writes it: words joined by spaces, every line ended by a newline. */
class TextWriter {
	fullText = '';

	add(text: string): RecordedTextSegment {
		const segment = { startIndex: this.fullText.length, length: text.length };
		this.fullText += text;
		return segment;
	}
}

/** A written block and what the Markdown, entities and tables need to know about it. */
interface WrittenBlock {
	block: RecordedOcrBlock;
	units: PlacedUnit[];
	/** Per line, per word: the placed word it was read from. */
	sources: PlacedWord[][];
}

function writeBlock(text: TextWriter, units: PlacedUnit[], plan: BlockPlan, misread: Readonly<Record<string, string>>): WrittenBlock {
	let lines = units.flatMap(u => u.lines);
	if (plan.across) lines = [...lines].sort((a, b) => a.box.vertices[0].y - b.box.vertices[0].y || a.box.vertices[0].x - b.box.vertices[0].x);
	const start = text.fullText.length;
	const written = lines.map((line): RecordedOcrLine => {
		const lineStart = text.fullText.length;
		const words = line.words.map((w, i): RecordedOcrWord => {
			if (i > 0) text.add(' ');
			const read = misread[w.text] ?? w.text;
			return { boundingBox: w.box, text: read, entityIndex: -1, textSegments: [text.add(read)] };
		});
		const segment = { startIndex: lineStart, length: text.fullText.length - lineStart };
		text.add('\n');
		return { boundingBox: line.box, text: words.map(w => w.text).join(' '), words, textSegments: [segment] };
	});
	const length = text.fullText.length - 1 - start;
	// One unit keeps its own (maybe rotated) box; several are framed together, upright.
	const box = units.length === 1 ? units[0].box : toPolygon(quadOfRect(boundsOfQuads(lines.map(l => l.quad))));
	const languages = [...new Set(units.flatMap(u => u.info.language.split(' ')))].map(languageCode => ({ languageCode }));
	const block: RecordedOcrBlock = { boundingBox: box, lines: written, languages, textSegments: [{ startIndex: start, length }] };
	const layout = plan.layout ?? units[0].info.layout;
	if (layout) block.layoutType = layout;
	return { block, units, sources: lines.map(l => l.words) };
}

/** Points the marked words at their entity; entities come in `order`, each the words that spell it. */
function markEntities(file: string, blocks: WrittenBlock[], order: readonly string[]): { name: string; text: string }[] {
	const found = new Map<string, RecordedOcrWord[]>();
	for (const { block, sources } of blocks) {
		block.lines.forEach((line, l) => line.words.forEach((word, w) => {
			const name = sources[l][w].entity;
			if (!name) return;
			if (!order.includes(name)) throw new Error(`${file}: entity "${name}" is not one the model returns`);
			found.set(name, [...(found.get(name) ?? []), word]);
		}));
	}
	const entities = order.filter(name => found.has(name)).map(name => {
		const words = found.get(name) ?? [];
		return { name, words };
	});
	entities.forEach(({ words }, index) => words.forEach(w => { w.entityIndex = index; }));
	return entities.map(({ name, words }) => ({ name, text: words.map(w => w.text).join(' ') }));
}

/** Rows and columns as HTML lays out a table with spans; each cell's text is its unit's block. */
function tableOf(file: string, table: MeasuredTable, blocks: WrittenBlock[]): RecordedTable {
	const taken: boolean[][] = table.rows.map(() => []);
	const cells: RecordedTableCell[] = [];
	table.rows.forEach((row, rowIndex) => {
		let column = 0;
		for (const cell of row) {
			while (taken[rowIndex][column]) column++;
			for (let r = rowIndex; r < rowIndex + cell.rowSpan; r++) {
				if (!taken[r]) throw new Error(`${file}: a cell spans past the last row`);
				for (let c = column; c < column + cell.colSpan; c++) taken[r][c] = true;
			}
			const written = blocks.find(b => b.units.some(u => u.info.id === cell.unit));
			if (!written) throw new Error(`${file}: the table model does not read cell "${cell.unit}"`);
			const [segment] = written.block.textSegments;
			cells.push({
				boundingBox: toPolygon(quadOfRect(cell.rect)),
				rowIndex,
				columnIndex: column,
				columnSpan: cell.colSpan,
				rowSpan: cell.rowSpan,
				text: written.block.lines.map(l => l.text).join('\n'),
				textSegments: [segment],
			});
			column += cell.colSpan;
		}
	});
	const columnCount = Math.max(...taken.map(row => row.length));
	if (taken.some(row => row.length !== columnCount || row.some(t => !t))) throw new Error(`${file}: the table has holes`);
	return { boundingBox: toPolygon(quadOfRect(table.rect)), rowCount: table.rows.length, columnCount, cells };
}

/**
 * The page as the `markdown` models write it: headings, paragraphs (a block's lines joined), and
 * formulas, as LaTeX (`$…$` inline, `$$…$$` displayed) or as the plain text the words read.
 */
function markdownOf(blocks: WrittenBlock[], formulas: 'plain' | 'latex'): string {
	const paragraphs = blocks.map(({ block, units, sources }) => {
		const [unit] = units;
		const plain = block.lines.map(l => l.text).join(' ');
		if (unit.info.latex !== undefined) return formulas === 'latex' ? `$$${unit.info.latex}$$` : plain;
		const words = block.lines.flatMap((line, l) => line.words.map((word, w) => {
			const latex = sources[l][w].latex;
			return formulas === 'latex' && latex !== undefined ? `$${latex}$` : word.text;
		}));
		const prose = words.join(' ');
		switch (block.layoutType) {
			case 'LAYOUT_TYPE_TITLE': return `# ${prose}`;
			case 'LAYOUT_TYPE_SECTION_HEADER': return `## ${prose}`;
			default: return prose;
		}
	});
	return paragraphs.join('\n\n') + '\n';
}

const LAYOUTS: Readonly<Record<string, RecordedLayoutType>> = {
	text: 'LAYOUT_TYPE_TEXT', header: 'LAYOUT_TYPE_HEADER', 'section-header': 'LAYOUT_TYPE_SECTION_HEADER',
	footer: 'LAYOUT_TYPE_FOOTER', footnote: 'LAYOUT_TYPE_FOOTNOTE', picture: 'LAYOUT_TYPE_PICTURE',
	caption: 'LAYOUT_TYPE_CAPTION', title: 'LAYOUT_TYPE_TITLE', list: 'LAYOUT_TYPE_LIST', unknown: 'LAYOUT_TYPE_UNKNOWN',
};

/**
 * Runs inside the page (serialized by Playwright, so it must stay self-contained). Reads what the
 * markup says about each `[data-block]`, in the order `measureInPage` measures them, and the
 * tables' and cells' boxes relative to the element `root` selects.
 */
export function readOcrMarkup(root: string): { units: { id: string; language: string; layout?: string; latex?: string; words: WordInfo[][] }[]; tables: MeasuredTable[] } {
	interface DomRect { left: number; top: number; right: number; bottom: number }
	interface DomElement {
		getBoundingClientRect(): DomRect;
		querySelectorAll(selector: string): ArrayLike<DomElement>;
		querySelector(selector: string): DomElement | null;
		getAttribute(name: string): string | null;
		rowSpan?: number;
		colSpan?: number;
		rows?: ArrayLike<DomElement & { cells: ArrayLike<DomElement> }>;
	}
	const doc = (globalThis as unknown as { document: { querySelector(selector: string): DomElement | null } }).document;
	const container = doc.querySelector(root);
	if (!container) throw new Error(`nothing matches ${root}`);
	const origin = container.getBoundingClientRect();
	const plain = (r: DomRect) => ({ left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top });
	const optional = (e: DomElement, name: string) => e.getAttribute(name) ?? undefined;
	const units = Array.from(container.querySelectorAll('[data-block]')).map(block => ({
		id: block.getAttribute('data-block') ?? '',
		language: block.getAttribute('data-lang') ?? '',
		layout: optional(block, 'data-layout'),
		latex: optional(block, 'data-latex'),
		words: Array.from(block.querySelectorAll('[data-line]')).map(line => Array.from(line.querySelectorAll('[data-word]')).map(word => ({
			text: optional(word, 'data-text'),
			latex: optional(word, 'data-latex'),
			entity: optional(word, 'data-entity'),
		}))),
	}));
	const tables = Array.from(container.querySelectorAll('[data-table]')).map(table => ({
		rect: plain(table.getBoundingClientRect()),
		rows: Array.from(table.rows ?? []).map(row => Array.from(row.cells).map(cell => ({
			rect: plain(cell.getBoundingClientRect()),
			rowSpan: cell.rowSpan ?? 1,
			colSpan: cell.colSpan ?? 1,
			unit: cell.querySelector('[data-block]')?.getAttribute('data-block') ?? '',
		}))),
	}));
	return { units, tables };
}

/** Checks the markup's attributes and turns them into the builder's terms. */
export function checkMarkup(file: string, raw: ReturnType<typeof readOcrMarkup>): OcrMarkup {
	const units = raw.units.map((u): UnitInfo => {
		if (!u.id) throw new Error(`${file}: a [data-block] has no name`);
		if (!/^[a-z]{2}( [a-z]{2})*$/.test(u.language)) throw new Error(`${file}: unit "${u.id}" has no data-lang`);
		const layout = u.layout === undefined ? undefined : LAYOUTS[u.layout];
		if (u.layout !== undefined && !layout) throw new Error(`${file}: unit "${u.id}" has an unknown layout "${u.layout}"`);
		return { id: u.id, language: u.language, layout, latex: u.latex, words: u.words };
	});
	for (const table of raw.tables) {
		for (const cell of table.rows.flat()) if (!cell.unit) throw new Error(`${file}: a table cell holds no [data-block]`);
	}
	return { units, tables: raw.tables };
}

/** Markup for one unit of lines; `attributes` (on the unit) and `wordAttributes` (on each word) are trusted. */
export function unitHtml(id: string, language: string, attributes: string, lines: readonly string[], wordAttributes = ''): string {
	return `<div data-block="${escapeHtml(id)}" data-lang="${language}" ${attributes}>${lines.map(line => `<div data-line>${wordsHtml(line, wordAttributes)}</div>`).join('')}</div>`;
}

/** Words split on spaces, each its own span. */
export function wordsHtml(text: string, wordAttributes = ''): string {
	return splitWords(text).map(word => `<span data-word${wordAttributes ? ' ' + wordAttributes : ''}>${escapeHtml(word)}</span>`).join(' ');
}
