/**
 * The image with the overlay stretched over it, in a scrolling viewport with zoom controls.
 * The overlay's coordinate system is the OCR page; without one (faces only), the image's own
 * pixel size once it has loaded. A PDF is shown as its pages one under the other (pdfPages.ts),
 * each page with its own regions.
 */
import type { Face } from '../../src/results/types';
import { h } from '../dom';
import type { Localizer } from '../l10n';
import type { OcrView } from '../text/ocrView';
import { layoutLabel } from './layoutLabels';
import { buildOverlay, LAYERS, type Layer, type Overlay } from './overlay';
import { buildPdfPages, isPdfSource } from '../pdf/pdfPages';
import { showLargeButton, type ShowLarge } from './showLarge';
import { ZoomControl, type Size } from './zoom';

export interface Viewer {
	/** The focusable section: keyboard navigation between words and zoom keys. */
	element: HTMLElement;
	/** The scrolling box. */
	viewport: HTMLElement;
	/** The image (or a PDF's pages) and the overlay, sized together. */
	stage: HTMLElement;
	readonly overlay: Overlay | undefined;
	zoom: ZoomControl;
	/** The image's pixel size, once known; undefined for a PDF, whose pages are read by scrolling. */
	imageSize(): Size | undefined;
}

export interface ViewerInput {
	imageSrc: string | undefined;
	imageLabel: string;
	ocr: OcrView | undefined;
	faces: readonly Face[];
	layerVisible(layer: Layer): boolean;
	/** The view moved or changed scale: hovering cards are out of place. */
	onViewChange(): void;
	/** The image's size became known (it loaded, or failed to). */
	onImageSize(): void;
	/** Asks for the panel to be shown large (its editor group maximized), or back as it was. */
	toggleLarge(): void;
	l10n: Localizer;
	signal: AbortSignal;
}

/** What is shown on the stage: its overlay, and the size that 100 % shows. */
interface Shown {
	readonly overlay: Overlay | undefined;
	baseSize(): Size | undefined;
}

interface ShowContext {
	stage: HTMLElement;
	viewport: HTMLElement;
	element: HTMLElement;
	/** The base size may have changed. */
	refresh(): void;
}

export function buildViewer(input: ViewerInput): Viewer {
	const { l10n, signal } = input;
	const stage = h('div', { class: 'stage' });
	const viewport = h('div', { class: 'viewport' }, stage);
	const element = h('section', { class: 'viewer', tabindex: 0, 'aria-label': l10n.t('panel.viewerLabel') });
	let zoom: ZoomControl | undefined;
	let large: ShowLarge | undefined;
	const context: ShowContext = {
		stage,
		viewport,
		element,
		// The panel's layout first: Fit follows the room it leaves the image.
		refresh: () => {
			input.onImageSize();
			zoom?.refresh();
			large?.update();
		},
	};
	const pdfSrc = isPdfSource(input.imageSrc) ? input.imageSrc : undefined;
	const pdf = pdfSrc !== undefined;
	const shown = pdf ? showPdf(input, pdfSrc, context) : showImage(input, context);

	zoom = new ZoomControl({
		viewport,
		stage,
		keyTarget: element,
		baseSize: () => shown.baseSize(),
		fit: pdf ? 'width' : 'whole',
		onChange: input.onViewChange,
		l10n,
		signal,
	});
	if (!pdf) {
		large = showLargeButton({ zoom, baseSize: () => shown.baseSize(), viewport, toggle: input.toggleLarge, l10n, signal });
		zoom.toolbar.appendChild(large.button);
	}
	element.append(zoom.toolbar, viewport);
	zoom.refresh();
	return {
		element,
		viewport,
		stage,
		get overlay() {
			return shown.overlay;
		},
		zoom,
		imageSize: () => pdf ? undefined : shown.baseSize(),
	};
}

function showImage(input: ViewerInput, context: ShowContext): Shown {
	const { ocr, faces, l10n, signal } = input;
	const { stage, element } = context;
	const page = ocr?.annotation.pages[0];
	const pageSize: Size | undefined = page && page.width > 0 && page.height > 0 ? { width: page.width, height: page.height } : undefined;
	const wantsOverlay = (ocr !== undefined && ocr.words.length > 0) || faces.length > 0;
	let overlay: Overlay | undefined;
	let imageSize: Size | undefined;
	const addOverlay = (size: Size): void => {
		overlay = buildOverlay({ width: size.width, height: size.height, ocr, faces, layoutLabel: type => layoutLabel(type, l10n) });
		for (const layer of LAYERS) overlay.setLayerVisible(layer, input.layerVisible(layer));
		stage.appendChild(overlay.element);
	};
	if (wantsOverlay && pageSize) addOverlay(pageSize);

	const imageMissing = (): void => {
		stage.classList.add('no-image');
		element.appendChild(h('p', { class: 'muted image-unavailable' }, l10n.t('panel.imageUnavailable')));
		context.refresh();
	};
	if (input.imageSrc === undefined || input.imageSrc === '') {
		stage.classList.add('no-image', 'pending');
	} else {
		const image = h('img', { class: 'image', src: input.imageSrc, alt: l10n.t('panel.imageAlt', input.imageLabel), draggable: 'false' });
		stage.insertBefore(image, stage.firstChild);
		image.addEventListener('error', imageMissing, { signal, once: true });
		image.addEventListener('load', () => {
			if (image.naturalWidth > 0 && image.naturalHeight > 0) {
				imageSize = { width: image.naturalWidth, height: image.naturalHeight };
				if (wantsOverlay && !pageSize) addOverlay(imageSize);
			}
			context.refresh();
		}, { signal, once: true });
	}
	return {
		get overlay() {
			return overlay;
		},
		// 100 % is the image's own pixels; before it loads (or when it cannot), the page's.
		baseSize: () => imageSize ?? pageSize,
	};
}

function showPdf(input: ViewerInput, src: string, context: ShowContext): Shown {
	const { l10n } = input;
	const pages = buildPdfPages({
		stage: context.stage,
		viewport: context.viewport,
		src,
		ocr: input.ocr,
		faces: input.faces,
		layerVisible: input.layerVisible,
		l10n,
		signal: input.signal,
		onResize: context.refresh,
		onFailure(reason) {
			// In place of the pages; the text pane beside keeps the recognized text.
			context.viewport.insertBefore(h('p', { class: 'image-unavailable pdf-unavailable', role: 'status' }, l10n.t('pdf.unavailable', reason)), context.stage);
			context.refresh();
		},
	});
	return {
		get overlay() {
			return pages.overlay;
		},
		// 100 % shows the pages at 96 dpi; Fit, the widest page across the panel.
		baseSize: () => pages.size(),
	};
}
