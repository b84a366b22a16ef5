/**
 * What the OCR API answers for an admitted request, from the recordings: the file is matched
 * as batchAnalyze matches it (sha256, then fingerprint; a PDF by sha256 only), then the
 * recording's own answer for the model is used, page by page; a text model falls back to the
 * `page` answer, and that to one derived from the batchAnalyze text detection. Nothing is
 * invented: without a recording, the answer is an error.
 */

import { describeMatch, matchImage } from './match';
import { MARKDOWN_MODELS, OcrModel, TEXT_MODELS, codePoints } from './ocrContract';
import { CheckedOcrRequest } from './ocrRequest';
import { RecordedOcrAnnotation, RecordedOcrBlock, RecordedPage, Recording } from './recording';
import { LoadedRecording, RecordingIndex, sha256Hex } from './recordings';
import { Code, Rejection } from './status';
import { Placement, placeOcrAnnotation } from './transform';

export interface OcrRecognition {
	/** How the image matched a recording, for the request log (see describeMatch). */
	match: string;
	/** The page's annotation in the received image's pixels, or why there is none. */
	result: RecordedOcrAnnotation | Rejection;
}

/**
 * A recognized file, by reference: the recording and how to read it, not the answers themselves,
 * so an asynchronous operation can keep it for days at the cost of a few fields.
 */
export interface RecognizedDocument {
	loaded: LoadedRecording;
	model: OcrModel;
	/** How many pages the answer has: 1 for an image, the recorded pages of a PDF. */
	pages: number;
	/** Where the received image's pixels are, when it matched by fingerprint. */
	placement?: Placement;
}

export interface DocumentRecognition {
	/** How the file matched a recording, for the request log (see describeMatch). */
	match: string;
	result: RecognizedDocument | Rejection;
}

export async function recognizeText(request: CheckedOcrRequest, recordings: RecordingIndex): Promise<OcrRecognition> {
	const { match, result } = await recognizeDocument(request, recordings);
	return { match, result: result instanceof Rejection ? result : pageAnswer(result, 0) };
}

/** Finds the file's recording and checks it answers the model; the pages are read when asked for. */
export async function recognizeDocument(request: CheckedOcrRequest, recordings: RecordingIndex): Promise<DocumentRecognition> {
	const sha256 = sha256Hex(request.bytes);
	const match = await matchImage(request.bytes, sha256, request.format, recordings);
	const described = describeMatch(match);
	if (match.kind === 'none') {
		return {
			match: described,
			result: notFound(`No recording for the image with sha256 ${sha256}: the emulator answers only images that have a *.recording.json in its fixtures folder (${match.why})`),
		};
	}
	const recorded = recordedPages(match.loaded.recording, request.model);
	if (recorded === undefined) {
		return {
			match: described,
			result: notFound(`No recording of OCR model ${request.model} for the image with sha256 ${sha256} (${match.loaded.file}): it has no ocr.${request.model}, no ocr.page and no textDetection page to read it from; the emulator never invents answers`),
		};
	}
	// An image is one page, whatever else its recording holds.
	const document: RecognizedDocument = { loaded: match.loaded, model: request.model, pages: request.format === 'pdf' ? recorded : 1 };
	if (match.kind === 'fingerprint') document.placement = match.placement;
	return { match: described, result: document };
}

/** Every page's answer, in order, in the received file's pixels. */
export function documentAnswers(document: RecognizedDocument): RecordedOcrAnnotation[] {
	return Array.from({ length: document.pages }, (_, page) => pageAnswer(document, page));
}

function pageAnswer(document: RecognizedDocument, page: number): RecordedOcrAnnotation {
	const annotation = annotationFor(document.loaded.recording, document.model, page) ?? emptyAnnotation(document.loaded.recording);
	return document.placement ? placeOcrAnnotation(annotation, document.placement) : annotation;
}

/** How many pages the recording answers `model` with, read as annotationFor reads them; undefined: none. */
function recordedPages(recording: Recording, model: OcrModel): number | undefined {
	const own = recording.ocr?.[model] ?? recording.ocr?.page;
	if (own) return Math.max(1, own.length);
	const detected = recording.textDetection?.pages.length ?? 0;
	return detected > 0 ? detected : undefined;
}

/** The recorded or derived answer of `model` for page `page` (from 0), in the recording's own pixels. */
export function annotationFor(recording: Recording, model: OcrModel, page = 0): RecordedOcrAnnotation | undefined {
	const own = recording.ocr?.[model];
	if (own) return own[page] ?? emptyAnnotation(recording);
	const pageModel = recording.ocr?.page;
	const base = pageModel ? pageModel[page] ?? emptyAnnotation(recording) : derived(recording, page);
	if (!base) return undefined;
	if (MARKDOWN_MODELS.has(model)) return base.markdown === undefined ? { ...base, markdown: markdownOf(base.blocks) } : base;
	if (TEXT_MODELS.has(model)) return base;
	// A structural model finds no structure the recording does not show: the text alone.
	return textOnly(base);
}

function derived(recording: Recording, index: number): RecordedOcrAnnotation | undefined {
	const page = recording.textDetection?.pages[index];
	return page ? deriveFromTextDetection(page) : undefined;
}

/** The service's answer for an image without text: the size and nothing else. */
function emptyAnnotation(recording: Recording): RecordedOcrAnnotation {
	return { width: recording.width, height: recording.height, blocks: [], entities: [], tables: [], fullText: '' };
}

function textOnly(annotation: RecordedOcrAnnotation): RecordedOcrAnnotation {
	const { markdown: _markdown, ...rest } = annotation;
	return {
		...rest,
		entities: [],
		tables: [],
		blocks: annotation.blocks.map(block => ({
			...block,
			lines: block.lines.map(line => ({ ...line, words: line.words.map(word => ({ ...word, entityIndex: -1 })) })),
		})),
	};
}

/**
 * A batchAnalyze text page as the OCR API writes it: blocks, lines and words in the same order,
 * without confidences or per-word languages; the block's languages are its words' languages.
 * fullText is every line, one per row; a line's text is its words joined by spaces; each
 * textSegment gives the position in fullText, counted in characters (Unicode code points).
 */
export function deriveFromTextDetection(page: RecordedPage): RecordedOcrAnnotation {
	let fullText = '';
	let length = 0;
	let firstLine = true;
	const append = (text: string): number => {
		const start = length;
		fullText += text;
		length += codePoints(text);
		return start;
	};
	const blocks = page.blocks.map((block): RecordedOcrBlock => {
		const lines = block.lines.map(line => {
			if (!firstLine) append('\n');
			firstLine = false;
			const lineStart = length;
			const words = line.words.map((word, i) => {
				if (i > 0) append(' ');
				const start = append(word.text);
				return { boundingBox: word.boundingBox, text: word.text, entityIndex: -1, textSegments: [{ startIndex: start, length: length - start }] };
			});
			return {
				boundingBox: line.boundingBox,
				text: words.map(word => word.text).join(' '),
				words,
				textSegments: [{ startIndex: lineStart, length: length - lineStart }],
			};
		});
		const languages = [...new Set(block.lines.flatMap(line => line.words.flatMap(word => word.languages.map(l => l.languageCode))))];
		const first = lines[0]?.textSegments[0];
		const last = lines[lines.length - 1]?.textSegments[0];
		return {
			boundingBox: block.boundingBox,
			lines,
			languages: languages.map(languageCode => ({ languageCode })),
			textSegments: first && last ? [{ startIndex: first.startIndex, length: last.startIndex + last.length - first.startIndex }] : [],
			layoutType: 'LAYOUT_TYPE_TEXT',
		};
	});
	return { width: page.width, height: page.height, blocks, entities: [], tables: [], fullText };
}

/** Markdown of plain text: a block is a paragraph, its lines one per row. */
function markdownOf(blocks: readonly RecordedOcrBlock[]): string {
	const paragraphs = blocks.map(block => block.lines.map(line => line.text).join('\n')).filter(text => text !== '');
	return paragraphs.length === 0 ? '' : `${paragraphs.join('\n\n')}\n`;
}

function notFound(message: string): Rejection {
	return new Rejection(404, Code.NOT_FOUND, message);
}
