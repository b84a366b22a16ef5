/**
 * A PDF shown as its pages, one under the other with a gap, and the regions of each page over
 * it. The stage holds the whole stack, so zooming and panning work on it as on an image; 100 %
 * shows the pages at 96 dpi.
 *
 * The recognized pages give the layout at once (the overlay is there before pdf.js has even
 * loaded); the PDF's own page sizes replace it when the file has been read. A page is drawn
 * only while it is in or near the view, at the resolution it is shown at, at most
 * MAX_CANVAS_SIDE canvas pixels on its long side, and its canvas is let go once it is far out
 * of view: a long PDF holds a few bitmaps, not one per page.
 */
import type { Face } from '../../src/results/types';
import { h } from '../dom';
import type { Localizer } from '../l10n';
import type { OcrView } from '../text/ocrView';
import { layoutLabel } from '../viewer/layoutLabels';
import { buildOverlay, LAYERS, type Box, type Layer, type Overlay } from '../viewer/overlay';
import type { PageRender, PageSize, PdfDocumentHandle } from './pdfApi';
import { loadPdfRenderer } from './pdfLoader';
import type { Size } from '../viewer/zoom';

/** Between two pages, in CSS pixels at 100 %. */
export const PAGE_GAP = 16;
/** Canvas pixels on a page's long side, at most (4096 × 2896 for A4: 47 MB of bitmap). */
export const MAX_CANVAS_SIDE = 4096;
/** Until the file says otherwise: an A4 page at 96 dpi. */
const PLACEHOLDER_PAGE: PageSize = { width: 794, height: 1123 };
/**
 * Pages within one view's height above or below it (or width, beside it: a zoomed-in page
 * narrower than its neighbour may lie wholly to the side) are drawn ahead.
 */
const NEAR_MARGIN = '100%';
/** Redrawn at a new resolution once zooming or resizing has paused this long. */
const REDRAW_DELAY_MS = 150;

export interface PdfPagesInput {
	stage: HTMLElement;
	/** The scrolling box: what "in view" means. */
	viewport: HTMLElement;
	/** The PDF's webview URI. */
	src: string;
	ocr: OcrView | undefined;
	faces: readonly Face[];
	layerVisible(layer: Layer): boolean;
	l10n: Localizer;
	signal: AbortSignal;
	/** The stack's size at 100 % changed: the PDF's own page sizes became known. */
	onResize(): void;
	/** The PDF cannot be shown; `reason` is what went wrong. The stage is hidden by then. */
	onFailure(reason: string): void;
}

export interface PdfPages {
	readonly overlay: Overlay | undefined;
	/** The stack at 100 %: the widest page's width, every page's height and the gaps between them. */
	size(): Size | undefined;
}

interface PageView {
	element: HTMLElement;
	canvas?: HTMLCanvasElement;
	/** Canvas pixels across, of the drawn canvas or the one being drawn. */
	width: number;
	task?: PageRender;
	near: boolean;
}

/** Whether the file behind a webview URI is a PDF, by its name: the extension offers PDFs by name too. */
export function isPdfSource(src: string | undefined): src is string {
	if (src === undefined || src === '') return false;
	try {
		return /\.pdf$/i.test(new URL(src, document.baseURI).pathname);
	} catch {
		return false;
	}
}

export function buildPdfPages(input: PdfPagesInput): PdfPages {
	const { stage, ocr, l10n, signal } = input;
	stage.classList.add('pdf');
	const recognized = (ocr?.annotation.pages ?? []).map(p => p.width > 0 && p.height > 0 ? { width: p.width, height: p.height } : undefined);
	let sizes: PageSize[] = recognized.length > 0 ? recognized.map(s => s ?? PLACEHOLDER_PAGE) : [PLACEHOLDER_PAGE];
	let failed = false;

	const sizer = h('div', { class: 'pdf-sizer' });
	const sheet = h('div', { class: 'pdf-pages' });
	stage.append(sizer, sheet);
	const pages: PageView[] = [];
	const addPage = (): PageView => {
		const element = h('div', { class: 'pdf-page', role: 'img', 'data-page': pages.length });
		sheet.appendChild(element);
		const view: PageView = { element, width: 0, near: false };
		pages.push(view);
		return view;
	};
	for (let i = 0; i < sizes.length; i++) addPage();

	let overlay: Overlay | undefined;
	const addOverlay = (pageSizes: readonly (PageSize | undefined)[]): void => {
		const { width, height, boxes } = stackLayout(sizes);
		overlay = buildOverlay({
			width,
			height,
			ocr,
			faces: input.faces,
			pages: pageSizes.map((size, i) => {
				const box = boxes[i] ?? boxes[0];
				return { box, width: size?.width ?? box.width, height: size?.height ?? box.height };
			}),
			layoutLabel: type => layoutLabel(type, l10n),
		});
		for (const layer of LAYERS) overlay.setLayerVisible(layer, input.layerVisible(layer));
		stage.appendChild(overlay.element);
	};
	// Regions in the service's pixels of each page; faces alone wait for the file's page sizes.
	if (ocr && ocr.words.length > 0 && recognized.some(s => s !== undefined)) addOverlay(recognized);

	const layout = (): void => {
		const { width, height, boxes } = stackLayout(sizes);
		stage.style.setProperty('--stack-width', `${width}px`);
		sizer.style.aspectRatio = `${width} / ${height}`;
		pages.forEach((page, i) => {
			const box = boxes[i];
			page.element.style.left = percent(box.x, width);
			page.element.style.top = percent(box.y, height);
			page.element.style.width = percent(box.width, width);
			page.element.style.height = percent(box.height, height);
			page.element.setAttribute('aria-label', l10n.t('pdf.pageLabel', l10n.integer(i + 1), l10n.integer(pages.length)));
		});
		overlay?.placePages(width, height, boxes);
	};
	layout();

	const fail = (reason: string): void => {
		if (failed || signal.aborted) return;
		failed = true;
		for (const page of pages) release(page);
		stage.classList.add('failed');
		input.onFailure(reason);
	};

	void (async () => {
		try {
			const [renderer, bytes] = await Promise.all([loadPdfRenderer(), fetchBytes(input.src, signal)]);
			if (signal.aborted) return;
			const pdf = await renderer.open(bytes);
			if (signal.aborted) {
				pdf.destroy();
				return;
			}
			signal.addEventListener('abort', () => pdf.destroy(), { once: true });
			if (pdf.pageSizes.length === 0) throw new Error('it has no pages');
			// The file's own sizes; recognized pages beyond its last (there should be none) keep theirs.
			sizes = pdf.pageSizes.length >= sizes.length ? [...pdf.pageSizes] : sizes.map((size, i) => pdf.pageSizes[i] ?? size);
			while (pages.length < sizes.length) addPage();
			if (!overlay && input.faces.length > 0) addOverlay([sizes[0]]);
			layout();
			input.onResize();
			drawWhenNear(pdf);
		} catch (err) {
			if (!signal.aborted) fail(reasonOf(err));
		}
	})();

	function drawWhenNear(pdf: PdfDocumentHandle): void {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const update = (): void => {
			pages.forEach((page, i) => {
				if (i >= pdf.pageSizes.length || !page.near || failed) return;
				const wanted = canvasWidth(page.element, pdf.pageSizes[i]);
				// Sharper when zoomed in; smaller when zoomed far out; else the canvas is only stretched.
				if (page.width === 0 || wanted > page.width * 1.15 || wanted < page.width * 0.5) draw(pdf, page, i, wanted);
			});
		};
		const later = (): void => {
			clearTimeout(timer);
			timer = setTimeout(update, REDRAW_DELAY_MS);
		};
		const near = new IntersectionObserver(entries => {
			for (const entry of entries) {
				const page = pages.find(p => p.element === entry.target);
				if (!page) continue;
				page.near = entry.isIntersecting;
				if (!page.near) release(page);
			}
			// A page coming into view is drawn at once; only resolution changes wait.
			update();
		}, { root: input.viewport, rootMargin: NEAR_MARGIN });
		const resized = new ResizeObserver(later);
		for (const page of pages) near.observe(page.element);
		resized.observe(stage);
		signal.addEventListener('abort', () => {
			clearTimeout(timer);
			near.disconnect();
			resized.disconnect();
			for (const page of pages) release(page);
		}, { once: true });
	}

	function draw(pdf: PdfDocumentHandle, page: PageView, index: number, width: number): void {
		page.task?.cancel();
		const task = pdf.render(index, width);
		page.task = task;
		page.width = width;
		task.done.then(canvas => {
			if (page.task !== task || signal.aborted) {
				canvas.width = 0;
				return;
			}
			page.task = undefined;
			canvas.className = 'pdf-canvas';
			canvas.setAttribute('aria-hidden', 'true');
			if (page.canvas) {
				page.canvas.replaceWith(canvas);
				page.canvas.width = 0;
			} else {
				page.element.appendChild(canvas);
			}
			page.canvas = canvas;
			page.element.classList.add('drawn');
		}, (err: unknown) => {
			// Cancelled in favour of another resolution, or let go: not a failure.
			if (page.task !== task) return;
			page.task = undefined;
			fail(reasonOf(err));
		});
	}

	return {
		get overlay() {
			return overlay;
		},
		size() {
			if (failed) return undefined;
			const { width, height } = stackLayout(sizes);
			return { width, height };
		},
	};
}

/** Pages centred one under the other, `PAGE_GAP` apart. */
export function stackLayout(sizes: readonly PageSize[]): { width: number; height: number; boxes: Box[] } {
	const width = Math.max(...sizes.map(s => s.width));
	const boxes: Box[] = [];
	let y = 0;
	for (const size of sizes) {
		if (boxes.length > 0) y += PAGE_GAP;
		boxes.push({ x: (width - size.width) / 2, y, width: size.width, height: size.height });
		y += size.height;
	}
	return { width, height: y, boxes };
}

/** Canvas pixels across for the page as shown, on this screen, within MAX_CANVAS_SIDE. */
function canvasWidth(element: HTMLElement, page: PageSize): number {
	const shown = element.getBoundingClientRect().width * (window.devicePixelRatio || 1);
	const limit = MAX_CANVAS_SIDE * Math.min(1, page.width / page.height);
	return Math.max(1, Math.round(Math.min(shown, limit)));
}

/** Lets a page's bitmap go at once instead of waiting for the canvas to be collected. */
function release(page: PageView): void {
	const task = page.task;
	page.task = undefined;
	task?.cancel();
	if (page.canvas) {
		page.canvas.width = 0;
		page.canvas.height = 0;
		page.canvas.remove();
		page.canvas = undefined;
	}
	page.width = 0;
	page.element.classList.remove('drawn');
}

async function fetchBytes(src: string, signal: AbortSignal): Promise<Uint8Array> {
	const response = await fetch(src, { signal });
	if (!response.ok) throw new Error(`the file could not be read (HTTP ${response.status})`);
	return new Uint8Array(await response.arrayBuffer());
}

function reasonOf(err: unknown): string {
	const message = err instanceof Error ? err.message : String(err);
	return message.trim().replace(/\.$/, '') || 'unknown error';
}

function percent(part: number, whole: number): string {
	return `${whole > 0 ? (part / whole) * 100 : 0}%`;
}
