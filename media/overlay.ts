/**
 * The SVG drawn over the image. Its viewBox is the page's pixel size and it stretches over the
 * image's box, so every region stays aligned at any displayed size without re-layout.
 * Built once per render, in a fragment; strokes do not scale with the image.
 */
import type { Face } from '../src/vision/types';
import { svg } from './dom';
import { boundsOf, overlayBlocks, pointsOf, type OcrView } from './ocr';

export const LAYERS = ['words', 'lines', 'blocks', 'faces'] as const;
export type Layer = typeof LAYERS[number];

export interface OverlayInput {
	width: number;
	height: number;
	ocr: OcrView | undefined;
	faces: readonly Face[];
}

export interface Overlay {
	element: SVGSVGElement;
	/** By reading-order index; undefined for words not on the drawn page or without a polygon. */
	words: (SVGPolygonElement | undefined)[];
	/** By face number − 1; undefined for a face without a usable box. */
	faces: (SVGPolygonElement | undefined)[];
	setLayerVisible(layer: Layer, visible: boolean): void;
}

export function buildOverlay(input: OverlayInput): Overlay {
	const element = svg('svg', {
		class: 'overlay',
		viewBox: `0 0 ${input.width} ${input.height}`,
		preserveAspectRatio: 'none',
		// The text pane carries the same words for assistive technology.
		'aria-hidden': 'true',
	});
	const groups = {} as Record<Layer, SVGGElement>;
	const fragment = document.createDocumentFragment();
	// Drawn bottom to top: blocks and lines under the words, so the words get the pointer; faces
	// under the words too, so a word inside a face can still be hovered and selected.
	for (const layer of ['blocks', 'lines', 'faces', 'words'] as const) {
		groups[layer] = svg('g', { class: `layer layer-${layer}` });
		fragment.appendChild(groups[layer]);
	}

	const words: (SVGPolygonElement | undefined)[] = [];
	if (input.ocr) {
		for (const block of overlayBlocks(input.ocr)) {
			addPolygon(groups.blocks, 'block', pointsOf(block.boundingBox));
			for (const line of block.lines) addPolygon(groups.lines, 'line', pointsOf(line.boundingBox));
		}
		for (const { index, ref, word } of input.ocr.words) {
			const points = ref.page === 0 ? pointsOf(word.boundingBox) : undefined;
			words[index] = points === undefined ? undefined : addPolygon(groups.words, 'word', points, { 'data-word': index });
		}
	}

	// Numbered badges sized to the image, so they read at about the size of its content.
	const fontSize = Math.max(10, Math.round(Math.min(input.width, input.height) / 32));
	const faces: (SVGPolygonElement | undefined)[] = [];
	input.faces.forEach((face, i) => {
		const points = pointsOf(face.boundingBox);
		if (points === undefined) return;
		faces[i] = addPolygon(groups.faces, 'face', points, { 'data-face': i });
		const box = boundsOf(face.boundingBox);
		const number = String(i + 1);
		const width = fontSize * (0.65 * number.length + 0.7);
		const height = fontSize * 1.4;
		groups.faces.appendChild(svg('rect', { class: 'face-badge', 'data-face': i, x: box.x, y: box.y, width, height, rx: fontSize * 0.2 }));
		groups.faces.appendChild(svg('text', {
			class: 'face-label',
			x: box.x + width / 2,
			y: box.y + height / 2,
			'font-size': fontSize,
			'text-anchor': 'middle',
			'dominant-baseline': 'central',
		}, number));
	});

	element.appendChild(fragment);
	return {
		element,
		words,
		faces,
		setLayerVisible(layer, visible) {
			groups[layer].classList.toggle('off', !visible);
		},
	};
}

function addPolygon(parent: SVGGElement, className: string, points: string | undefined, extra: Record<string, string | number> = {}): SVGPolygonElement | undefined {
	if (points === undefined) return undefined;
	const polygon = svg('polygon', { class: className, points, ...extra });
	parent.appendChild(polygon);
	return polygon;
}
