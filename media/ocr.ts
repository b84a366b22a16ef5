/** The words the panel works with, indexed exactly as wordsInReadingOrder indexes them. */
import { wordsInReadingOrder, type WordRef } from '../src/vision/text';
import type { Block, Polygon, TextAnnotation, Word } from '../src/vision/types';

export interface OcrWord {
	/** Reading-order index: `data-word`, selection and selectionText all use it. */
	index: number;
	ref: WordRef;
	word: Word;
}

export interface OcrView {
	annotation: TextAnnotation;
	words: OcrWord[];
}

export function ocrView(annotation: TextAnnotation): OcrView {
	const words = wordsInReadingOrder(annotation).map((ref, index) => ({
		index,
		ref,
		word: annotation.pages[ref.page].blocks[ref.block].lines[ref.line].words[ref.word],
	}));
	return { annotation, words };
}

/** The first page's blocks: an image has one page, and the overlay draws over that image. */
export function overlayBlocks(view: OcrView): readonly Block[] {
	return view.annotation.pages[0]?.blocks ?? [];
}

/** SVG `points` from every vertex, so rotated and skewed regions are drawn as recognized. */
export function pointsOf(polygon: Polygon | undefined): string | undefined {
	const vertices = polygon?.vertices ?? [];
	if (vertices.length < 3) return undefined;
	return vertices.map(v => `${finite(v.x)},${finite(v.y)}`).join(' ');
}

export function boundsOf(polygon: Polygon): { x: number; y: number; width: number; height: number } {
	const xs = polygon.vertices.map(v => finite(v.x));
	const ys = polygon.vertices.map(v => finite(v.y));
	const x = Math.min(...xs);
	const y = Math.min(...ys);
	return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

function finite(n: number): number {
	return Number.isFinite(n) ? n : 0;
}
