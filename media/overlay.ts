/**
 * The SVG drawn over the image. Its viewBox is the page's pixel size and it stretches over the
 * image's box, so every region stays aligned at any displayed size without re-layout.
 * Built once per render, in a fragment; strokes do not scale with the image.
 *
 * Over a PDF the viewBox is the whole stack of pages, and each page's regions sit in a nested
 * SVG placed over that page, with the page's own pixel size as its viewBox: whatever resolution
 * the service measured a page in, its regions land on it.
 */
import type { Face } from '../src/results/types';
import { svg } from './dom';
import { boundsOf, pageBlocks, pointsOf, type OcrView } from './ocr';

export const LAYERS = ['words', 'lines', 'blocks', 'faces'] as const;
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
}

export interface Overlay {
	element: SVGSVGElement;
	/** By reading-order index; undefined for words not on a drawn page or without a polygon. */
	words: (SVGPolygonElement | undefined)[];
	/** By face number − 1; undefined for a face without a usable box. */
	faces: (SVGPolygonElement | undefined)[];
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
	if (input.ocr) {
		for (const region of regions) {
			for (const block of pageBlocks(input.ocr, region.page)) {
				addPolygon(region.groups.blocks, 'block', pointsOf(block.boundingBox));
				for (const line of block.lines) addPolygon(region.groups.lines, 'line', pointsOf(line.boundingBox));
			}
		}
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
 * Drawn bottom to top: blocks and lines under the words, so the words get the pointer; faces
 * under the words too, so a word inside a face can still be hovered and selected.
 */
function layerGroups(parent: Node): Record<Layer, SVGGElement> {
	const groups = {} as Record<Layer, SVGGElement>;
	for (const layer of ['blocks', 'lines', 'faces', 'words'] as const) {
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
