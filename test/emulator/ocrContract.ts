/** Facts of the OCR API that the request checks, the answers and the recording checks share. */

/** The documented models (concepts/ocr/index.md and template-recognition.md). */
export const OCR_MODELS = [
	'page', 'page-column-sort', 'handwritten', 'table', 'markdown', 'math-markdown',
	'passport', 'driver-license-front', 'driver-license-back',
	'vehicle-registration-front', 'vehicle-registration-back', 'license-plates',
] as const;

export type OcrModel = typeof OCR_MODELS[number];

/** Models whose answer is the page's text; the others look for a structure (tables, fields, plates). */
export const TEXT_MODELS: ReadonlySet<OcrModel> = new Set<OcrModel>(['page', 'page-column-sort', 'handwritten', 'markdown', 'math-markdown']);

export const MARKDOWN_MODELS: ReadonlySet<OcrModel> = new Set<OcrModel>(['markdown', 'math-markdown']);

export function isOcrModel(model: string): model is OcrModel {
	return (OCR_MODELS as readonly string[]).includes(model);
}

/**
 * Text positions (`textSegments`) count characters of fullText, read here as Unicode code
 * points: the proto says "character position", and a surrogate pair is one character.
 */
export function codePoints(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}
