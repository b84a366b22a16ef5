/**
 * The image with the overlay stretched over it, in a scrolling viewport with zoom controls.
 * The overlay's coordinate system is the OCR page; without one (faces only), the image's own
 * pixel size once it has loaded.
 */
import type { Face } from '../src/vision/types';
import { h } from './dom';
import type { Localizer } from './l10n';
import type { OcrView } from './ocr';
import { buildOverlay, LAYERS, type Layer, type Overlay } from './overlay';
import { ZoomControl, type Size } from './zoom';

export interface Viewer {
	/** The focusable section: keyboard navigation between words and zoom keys. */
	element: HTMLElement;
	/** The scrolling box. */
	viewport: HTMLElement;
	/** The image and the overlay, sized together. */
	stage: HTMLElement;
	readonly overlay: Overlay | undefined;
	zoom: ZoomControl;
}

export interface ViewerInput {
	imageSrc: string | undefined;
	imageLabel: string;
	ocr: OcrView | undefined;
	faces: readonly Face[];
	layerVisible(layer: Layer): boolean;
	/** The view moved or changed scale: hovering cards are out of place. */
	onViewChange(): void;
	l10n: Localizer;
	signal: AbortSignal;
}

export function buildViewer(input: ViewerInput): Viewer {
	const { ocr, faces, l10n, signal } = input;
	const stage = h('div', { class: 'stage' });
	const viewport = h('div', { class: 'viewport' }, stage);
	const element = h('section', { class: 'viewer', tabindex: 0, 'aria-label': l10n.t('panel.viewerLabel') });
	const page = ocr?.annotation.pages[0];
	const pageSize: Size | undefined = page && page.width > 0 && page.height > 0 ? { width: page.width, height: page.height } : undefined;
	const wantsOverlay = (ocr !== undefined && ocr.words.length > 0) || faces.length > 0;
	let overlay: Overlay | undefined;
	let imageSize: Size | undefined;
	const addOverlay = (size: Size): void => {
		overlay = buildOverlay({ width: size.width, height: size.height, ocr, faces });
		for (const layer of LAYERS) overlay.setLayerVisible(layer, input.layerVisible(layer));
		stage.appendChild(overlay.element);
	};
	if (wantsOverlay && pageSize) addOverlay(pageSize);

	const zoom = new ZoomControl({
		viewport,
		stage,
		keyTarget: element,
		// 100 % is the image's own pixels; before it loads (or when it cannot), the page's.
		baseSize: () => imageSize ?? pageSize,
		onChange: input.onViewChange,
		l10n,
		signal,
	});
	element.append(zoom.toolbar, viewport);

	const imageMissing = (): void => {
		stage.classList.add('no-image');
		element.appendChild(h('p', { class: 'muted image-unavailable' }, l10n.t('panel.imageUnavailable')));
		zoom.refresh();
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
			zoom.refresh();
		}, { signal, once: true });
	}
	zoom.refresh();
	return {
		element,
		viewport,
		stage,
		get overlay() {
			return overlay;
		},
		zoom,
	};
}
