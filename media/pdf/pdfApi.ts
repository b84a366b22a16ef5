/**
 * What the PDF bundle (dist/webview/pdf.js, built from pdfRenderer.ts) offers the panel's own
 * bundle. pdf.js is large, so it is a bundle of its own, loaded only when a PDF is shown; it
 * registers itself under a global name that the panel reads once the script has run.
 */

export interface PageSize {
	width: number;
	height: number;
}

export interface PageRender {
	/** A new canvas with the page drawn on it; rejects when cancelled or when drawing fails. */
	readonly done: Promise<HTMLCanvasElement>;
	cancel(): void;
}

export interface PdfDocumentHandle {
	/** Each page's size in CSS pixels at 100 % (96 dpi, as PDF viewers show 100 %), rotation applied. */
	readonly pageSizes: readonly PageSize[];
	/** Draws page `index` (from 0) `deviceWidth` canvas pixels wide, keeping its proportions. */
	render(index: number, deviceWidth: number): PageRender;
	/** Frees the document in the parser's worker; renders still running are cancelled. */
	destroy(): void;
}

export interface PdfRenderer {
	/** Parses a PDF; rejects with the parser's message for a file it cannot read. */
	open(bytes: Uint8Array): Promise<PdfDocumentHandle>;
}

const GLOBAL_NAME = 'yandexVisionPdfRenderer';

/** Called by the PDF bundle when it has loaded. */
export function registerPdfRenderer(renderer: PdfRenderer): void {
	(globalThis as Record<string, unknown>)[GLOBAL_NAME] = renderer;
}

/** The renderer, once the PDF bundle has run. */
export function registeredPdfRenderer(): PdfRenderer | undefined {
	const value = (globalThis as Record<string, unknown>)[GLOBAL_NAME];
	return typeof value === 'object' && value !== null && typeof (value as { open?: unknown }).open === 'function' ? value as PdfRenderer : undefined;
}
