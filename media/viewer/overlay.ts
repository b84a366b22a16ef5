/**
 * The SVG drawn over the image. Its viewBox is the page's pixel size and it stretches over the
 * image's box, so every region stays aligned at any displayed size without re-layout.
 * Built once per render, in a fragment; strokes do not scale with the image.
 *
 * Over a PDF the viewBox is the whole stack of pages, and each page's regions sit in a nested
 * SVG placed over that page, with the page's own pixel size as its viewBox: whatever resolution
 * the service measured a page in, its regions land on it.
 */
import type { Face, LayoutType } from '../../src/results/types';
import { svg } from '../dom';
import { boundsOf, pageBlocks, picturesOf, pointsOf, tablesOf, type OcrView } from '../text/ocrView';

export const LAYERS = ['words', 'lines', 'blocks', 'cells', 'faces'] as const;
export type Layer = typeof LAYERS[number];

export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface OverlayPage {
	/** Where the page lies, in the overlay's coordinates. */
	box: Box;
	/** The page's own pixel size, which its regions are given in. */
	width: number;
	height: number;
}

export interface OverlayInput {
	width: number;
	height: number;
	ocr: OcrView | undefined;
	faces: readonly Face[];
	/** A PDF's pages; without, one page that fills the overlay (an image). Faces go on the first. */
	pages?: readonly OverlayPage[];
	/** The label drawn at a block's top-left for its layout type; undefined draws none (plain text). */
	layoutLabel?(type: LayoutType): string | undefined;
}

export interface Overlay {
	element: SVGSVGElement;
	/** By reading-order index; undefined for words not on a drawn page or without a polygon. */
	words: (SVGPolygonElement | undefined)[];
	/** By face number − 1; undefined for a face without a usable box. */
	faces: (SVGPolygonElement | undefined)[];
	/** By table (numbered as tablesOf numbers them), then by cell; undefined for a cell without a box or page. */
	cells: (SVGPolygonElement | undefined)[][];
	setLayerVisible(layer: Layer, visible: boolean): void;
	/** Moves a PDF's pages: the overlay becomes `width`×`height`, page i lies at `boxes[i]`. */
	placePages(width: number, height: number, boxes: readonly Box[]): void;
}

interface Region {
	page: number;
	width: number;
	height: number;
	groups: Record<Layer, SVGGElement>;
	/** The nested SVG of a PDF page. */
	frame?: SVGSVGElement;
}

export function buildOverlay(input: OverlayInput): Overlay {
	const element = svg('svg', {
		class: 'overlay',
		viewBox: `0 0 ${input.width} ${input.height}`,
		preserveAspectRatio: 'none',
		// The text pane carries the same words for assistive technology.
		'aria-hidden': 'true',
	});
	const fragment = document.createDocumentFragment();
	const regions: Region[] = input.pages
		? input.pages.map((page, p) => {
			const frame = svg('svg', {
				class: 'page-regions',
				'data-page': p,
				viewBox: `0 0 ${page.width} ${page.height}`,
				preserveAspectRatio: 'none',
				overflow: 'visible',
			});
			placeFrame(frame, page.box);
			fragment.appendChild(frame);
			return { page: p, width: page.width, height: page.height, groups: layerGroups(frame), frame };
		})
		: [{ page: 0, width: input.width, height: input.height, groups: layerGroups(fragment) }];
	const regionOf = (page: number): Region | undefined => regions[page]?.page === page ? regions[page] : undefined;

	const words: (SVGPolygonElement | undefined)[] = [];
	const cells: (SVGPolygonElement | undefined)[][] = [];
	if (input.ocr) {
		for (const region of regions) {
			const labels: SVGElement[] = [];
			for (const block of pageBlocks(input.ocr, region.page)) {
				addPolygon(region.groups.blocks, 'block', pointsOf(block.boundingBox), block.layoutType ? { 'data-layout': block.layoutType } : {});
				for (const line of block.lines) addPolygon(region.groups.lines, 'line', pointsOf(line.boundingBox));
				const label = block.layoutType && block.boundingBox.vertices.length >= 3 ? input.layoutLabel?.(block.layoutType) : undefined;
				if (label) labels.push(layoutBadge(label, block.layoutType ?? 'unknown', boundsOf(block.boundingBox), region));
			}
			// After every box, so that no block's outline crosses another's label.
			for (const label of labels) region.groups.blocks.appendChild(label);
		}
		picturesOf(input.ocr).forEach(({ page, picture }, i) => {
			const region = regionOf(page);
			if (region) addPolygon(region.groups.blocks, 'picture', pointsOf(picture.boundingBox), { 'data-picture': i });
		});
		tablesOf(input.ocr).forEach(({ page, table }, t) => {
			const region = regionOf(page);
			if (region) addPolygon(region.groups.cells, 'table', pointsOf(table.boundingBox), { 'data-table': t });
			cells[t] = table.cells.map((cell, c) => region === undefined ? undefined : addPolygon(region.groups.cells, 'cell', pointsOf(cell.boundingBox), {
				'data-table': t,
				'data-cell': c,
				'data-row': cell.rowIndex,
				'data-column': cell.columnIndex,
			}));
		});
		for (const { index, ref, word } of input.ocr.words) {
			const region = regionOf(ref.page);
			const points = region ? pointsOf(word.boundingBox) : undefined;
			words[index] = region === undefined || points === undefined ? undefined : addPolygon(region.groups.words, 'word', points, { 'data-word': index });
		}
	}

	const faces: (SVGPolygonElement | undefined)[] = [];
	const first = regions[0];
	if (first) {
		const group = first.groups.faces;
		// Numbered badges sized to the image, so they read at about the size of its content.
		const fontSize = Math.max(10, Math.round(Math.min(first.width, first.height) / 32));
		input.faces.forEach((face, i) => {
			const points = pointsOf(face.boundingBox);
			if (points === undefined) return;
			faces[i] = addPolygon(group, 'face', points, { 'data-face': i });
			const box = boundsOf(face.boundingBox);
			const number = String(i + 1);
			const width = fontSize * (0.65 * number.length + 0.7);
			const height = fontSize * 1.4;
			group.appendChild(svg('rect', { class: 'face-badge', 'data-face': i, x: box.x, y: box.y, width, height, rx: fontSize * 0.2 }));
			group.appendChild(svg('text', {
				class: 'face-label',
				x: box.x + width / 2,
				y: box.y + height / 2,
				'font-size': fontSize,
				'text-anchor': 'middle',
				'dominant-baseline': 'central',
			}, number));
		});
	}

	element.appendChild(fragment);
	return {
		element,
		words,
		faces,
		cells,
		setLayerVisible(layer, visible) {
			for (const region of regions) region.groups[layer].classList.toggle('off', !visible);
		},
		placePages(width, height, boxes) {
			element.setAttribute('viewBox', `0 0 ${width} ${height}`);
			regions.forEach((region, p) => {
				const box = boxes[p];
				if (region.frame && box) placeFrame(region.frame, box);
			});
		},
	};
}

/**
 * Drawn bottom to top: blocks and lines under the words, so the words get the pointer; table
 * cells and faces under the words too, so a word inside a cell or a face can still be hovered
 * and selected.
 */
function layerGroups(parent: Node): Record<Layer, SVGGElement> {
	const groups = {} as Record<Layer, SVGGElement>;
	for (const layer of ['blocks', 'lines', 'cells', 'faces', 'words'] as const) {
		groups[layer] = svg('g', { class: `layer layer-${layer}` });
		parent.appendChild(groups[layer]);
	}
	return groups;
}

function placeFrame(frame: SVGSVGElement, box: Box): void {
	frame.setAttribute('x', String(box.x));
	frame.setAttribute('y', String(box.y));
	frame.setAttribute('width', String(box.width));
	frame.setAttribute('height', String(box.height));
}

function addPolygon(parent: SVGGElement, className: string, points: string | undefined, extra: Record<string, string | number> = {}): SVGPolygonElement | undefined {
	if (points === undefined) return undefined;
	const polygon = svg('polygon', { class: className, points, ...extra });
	parent.appendChild(polygon);
	return polygon;
}

/**
 * A block's layout type as a small label on its top-left corner: above the box when there is room,
 * else just inside it. Sized to the page, as the faces' numbers are, so it reads at any zoom.
 */
function layoutBadge(label: string, type: LayoutType, box: { x: number; y: number }, page: { width: number; height: number }): SVGGElement {
	// From the longer side: a wide, short page is shown scaled down by its width.
	const fontSize = Math.max(12, Math.round(Math.max(page.width, page.height) / 60));
	const height = fontSize * 1.45;
	// An estimate: the SVG is laid out before it is in the page, and measuring would cost a layout per label.
	const width = Math.min(page.width, fontSize * (0.62 * [...label].length + 0.9));
	const x = Math.max(0, Math.min(box.x, page.width - width));
	const y = box.y >= height ? box.y - height : box.y;
	return svg('g', { class: 'layout-badge', 'data-layout': type },
		svg('rect', { x, y, width, height, rx: fontSize * 0.2 }),
		svg('text', { x: x + fontSize * 0.45, y: y + height / 2, 'font-size': fontSize, 'dominant-baseline': 'central' }, label));
}
