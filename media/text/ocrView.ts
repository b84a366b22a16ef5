/** The words the panel works with, indexed exactly as wordsInReadingOrder indexes them. */
import { wordLanguages, wordsInReadingOrder, type WordRef } from '../../src/results/text';
import type { Block, DetectedLanguage, Picture, Polygon, Table, TextAnnotation, Word } from '../../src/results/types';

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

/** One page's blocks: an image's only page, or one page of a PDF. */
export function pageBlocks(view: OcrView, page: number): readonly Block[] {
	return view.annotation.pages[page]?.blocks ?? [];
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

/** The word's most confident language code, or '' when the service gave none. */
export function languageOf(word: Word, block?: Block): string {
	let best: DetectedLanguage | undefined;
	for (const language of block ? wordLanguages(block, word) : word.languages ?? []) {
		if (language.languageCode !== '' && (best === undefined || (language.confidence ?? 0) > (best.confidence ?? 0))) best = language;
	}
	return best?.languageCode ?? '';
}

/** The block a word is in. */
export function blockOf(view: OcrView, index: number): Block | undefined {
	const ref = view.words[index]?.ref;
	return ref && view.annotation.pages[ref.page]?.blocks[ref.block];
}

/** Every language of the words (a block's when the word has none of its own), most words first, with how many words each has. */
export function languageCounts(view: OcrView): { code: string; words: number }[] {
	const counts = new Map<string, number>();
	for (const { word, ref } of view.words) {
		const code = languageOf(word, view.annotation.pages[ref.page].blocks[ref.block]);
		if (code !== '') counts.set(code, (counts.get(code) ?? 0) + 1);
	}
	return [...counts].map(([code, words]) => ({ code, words })).sort((a, b) => b.words - a.words);
}

export interface EntityView {
	page: number;
	/** Index into the page's entities, as the words' entityIndex refers to it. */
	index: number;
	name: string;
	text: string;
	/** Reading-order indexes of the words that belong to it. */
	words: number[];
}

/** Each page's entities with their words. */
export function entitiesOf(view: OcrView): EntityView[] {
	const entities: EntityView[] = [];
	const byKey = new Map<string, EntityView>();
	view.annotation.pages.forEach((page, p) => {
		page.entities.forEach((entity, i) => {
			const item: EntityView = { page: p, index: i, name: entity.name, text: entity.text, words: [] };
			entities.push(item);
			byKey.set(`${p}/${i}`, item);
		});
	});
	if (entities.length === 0) return entities;
	for (const { index, ref, word } of view.words) {
		if (word.entityIndex >= 0) byKey.get(`${ref.page}/${word.entityIndex}`)?.words.push(index);
	}
	return entities;
}

export interface TableRef {
	page: number;
	table: Table;
}

/** Every page's tables, numbered across pages: the number is `data-table` on the image and in the table view. */
export function tablesOf(view: OcrView): TableRef[] {
	return view.annotation.pages.flatMap((page, p) => (page.tables ?? []).map(table => ({ page: p, table })));
}

export interface PictureRef {
	page: number;
	picture: Picture;
}

export function picturesOf(view: OcrView): PictureRef[] {
	return view.annotation.pages.flatMap((page, p) => (page.pictures ?? []).map(picture => ({ page: p, picture })));
}
