/**
 * What the OCR API's document and Markdown models give besides the words: named fields
 * (passport, driver's licence, vehicle registration, licence plates) and each page as Markdown.
 * No DOM and no `vscode`.
 */
import type { Entity, TextAnnotation } from './types';

/** The models that read a document's fields rather than running text. */
export const DOCUMENT_MODELS: readonly string[] = [
	'passport',
	'driver-license-front',
	'driver-license-back',
	'vehicle-registration-front',
	'vehicle-registration-back',
	'license-plates',
];

export function isDocumentModel(model: string | undefined): boolean {
	return model !== undefined && DOCUMENT_MODELS.includes(model);
}

/**
 * Fields as a JSON object of name → text, in the service's order, pretty-printed. A name the
 * service gives more than once (two licence plates) gets an array of its texts, so none is lost.
 */
export function fieldsJson(entities: readonly Entity[]): string {
	const fields: Record<string, string | string[]> = {};
	for (const { name, text } of entities) {
		// Own properties only: a field called `__proto__` is data like any other.
		const existing = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
		const value = existing === undefined ? text : Array.isArray(existing) ? [...existing, text] : [existing, text];
		Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
	}
	return JSON.stringify(fields, null, 2);
}

/** Pages' Markdown (the `markdown` and `math-markdown` models), joined by a thematic break; undefined when no page has any. */
export function pagesMarkdown(annotation: TextAnnotation): string | undefined {
	const pages = annotation.pages.map(page => page.markdown).filter((markdown): markdown is string => markdown !== undefined && markdown.trim() !== '');
	if (pages.length === 0) return undefined;
	return `${pages.map(markdown => markdown.replace(/\s+$/, '')).join('\n\n---\n\n')}\n`;
}
