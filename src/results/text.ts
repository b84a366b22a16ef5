/**
 * Recognized text out of a TextAnnotation, in the order the service gives it
 * (pages → blocks → lines → words). Nothing is re-sorted geometrically: the service already
 * orders columns and blocks, and a second opinion here would disagree with it on rotated text.
 * Words whose text is empty or only whitespace are skipped everywhere, so word indexes agree
 * between the plain text, the overlay, selection and search.
 */
import type { Block, DetectedLanguage, Line, TextAnnotation, Word } from './types';

/** Between words of a line. */
export const WORD_SEPARATOR = ' ';
/** Between lines of a block. */
export const LINE_SEPARATOR = '\n';
/** Between blocks: a blank line, so each block reads as a paragraph. */
export const BLOCK_SEPARATOR = '\n\n';
/**
 * Between pages: a form feed on a line of its own. It is the plain-text page break (pdftotext,
 * `pr`, editors' page motions), needs no words to translate, and still reads as a paragraph break
 * to tools that ignore it, since a form feed is whitespace.
 */
export const PAGE_SEPARATOR = '\n\f\n';

/** Every word with its location, in reading order — the index that the overlay, selection and search use. */
export interface WordRef {
	/** Indexes into the annotation: `pages[page].blocks[block].lines[line].words[word]`. */
	page: number;
	block: number;
	line: number;
	word: number;
	text: string;
}

/**
 * Plain text in reading order: words joined by a space, lines by '\n', blocks by a blank line,
 * pages by PAGE_SEPARATOR. Empty lines and blocks are left out; empty pages are kept so that page
 * breaks still count pages. Hyphenation is kept as recognized.
 */
export function annotationToText(annotation: TextAnnotation): string {
	return annotation.pages
		.map(page => page.blocks
			.map(block => nonEmpty(block.lines.map(lineText)).join(LINE_SEPARATOR))
			.filter(text => text !== '')
			.join(BLOCK_SEPARATOR))
		.join(PAGE_SEPARATOR);
}

/**
 * Markdown that shows the recognized text as it reads in the image:
 * - one paragraph per block, its lines ended by a backslash hard break (CommonMark), which keeps
 *   the image's line breaks and, unlike two trailing spaces, survives whitespace trimming;
 * - a thematic break (`---`) between pages, preceded by a blank line so that it cannot turn the
 *   paragraph above into a heading;
 * - every character that Markdown, GitHub Flavored Markdown or the math extension could interpret
 *   escaped, so the recognized text is shown and never run as HTML, links, emphasis, lists,
 *   headings, tables or math.
 * Ends with a newline unless empty.
 */
export function annotationToMarkdown(annotation: TextAnnotation, options: { title?: string } = {}): string {
	const parts: string[] = [];
	const title = options.title === undefined ? '' : collapseWhitespace(options.title);
	if (title !== '') {
		// `#` escaped too: a trailing `#` run would otherwise be read as the heading's closing sequence.
		parts.push(`# ${escapeInline(title).replace(/#/g, '\\#')}`);
	}
	annotation.pages.forEach((page, index) => {
		if (index > 0) parts.push('---');
		for (const block of page.blocks) {
			const lines = nonEmpty(block.lines.map(line => escapeLine(collapseWhitespace(lineText(line)))));
			if (lines.length > 0) parts.push(lines.join('\\\n'));
		}
	});
	return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`;
}

export function wordsInReadingOrder(annotation: TextAnnotation): WordRef[] {
	const refs: WordRef[] = [];
	annotation.pages.forEach((page, p) => {
		page.blocks.forEach((block, b) => {
			block.lines.forEach((line, l) => {
				line.words.forEach((word, w) => {
					if (!isEmptyWord(word)) refs.push({ page: p, block: b, line: l, word: w, text: word.text });
				});
			});
		});
	});
	return refs;
}

/**
 * Text of a selection of words, given by their index in wordsInReadingOrder: words of one line
 * joined by spaces, different lines (also of different blocks or pages) by '\n'. The result is in
 * reading order whatever the order of `wordIndexes`; repeated and out-of-range indexes are ignored.
 */
export function selectionText(annotation: TextAnnotation, wordIndexes: readonly number[]): string {
	const words = wordsInReadingOrder(annotation);
	const picked = [...new Set(wordIndexes)]
		.filter(index => Number.isInteger(index) && index >= 0 && index < words.length)
		.sort((a, b) => a - b);
	let text = '';
	let previous: WordRef | undefined;
	for (const index of picked) {
		const ref = words[index];
		if (previous !== undefined) {
			const sameLine = previous.page === ref.page && previous.block === ref.block && previous.line === ref.line;
			text += sameLine ? WORD_SEPARATOR : LINE_SEPARATOR;
		}
		text += ref.text;
		previous = ref;
	}
	return text;
}

function isEmptyWord(word: Word): boolean {
	return word.text.trim() === '';
}

function lineText(line: Line): string {
	return line.words.filter(word => !isEmptyWord(word)).map(word => word.text).join(WORD_SEPARATOR);
}

function nonEmpty(texts: string[]): string[] {
	return texts.filter(text => text !== '');
}

/** Line breaks, tabs and runs of spaces inside recognized text would change Markdown structure. */
function collapseWhitespace(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/**
 * Escapes what Markdown interprets anywhere in a line: backslash escapes, code spans, emphasis,
 * links and images, raw HTML and autolinks, entity references, GFM tables and strikethrough, math.
 */
function escapeInline(text: string): string {
	return text.replace(/[\\`*_[\]<>&|~$]/g, '\\$&');
}

/** Also escapes what only starts a construct at the beginning of a line: headings, quotes, lists, setext underlines. */
function escapeLine(text: string): string {
	return escapeInline(text)
		.replace(/^[#+=-]/, '\\$&')
		.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}

/** A word's languages: its own (batchAnalyze), else its block's (the OCR API tags blocks only). */
export function wordLanguages(block: Block, word: Word): readonly DetectedLanguage[] {
	return word.languages && word.languages.length > 0 ? word.languages : block.languages ?? [];
}
