/**
 * Renders one analyzed image: header, per-image error, toolbar, the image with its overlay, and a
 * section per requested feature. Everything is rebuilt on each payload; listeners go with it.
 */
import type { FeatureView, FromWebview, ResultsModel } from '../src/shared/protocol';
import type { WebviewStringKey } from '../src/shared/strings';
import { annotationToText, selectionText } from '../src/vision/text';
import type { Face, FeatureType } from '../src/vision/types';
import { h } from './dom';
import { WordInteraction } from './interaction';
import { createLocalizer, type Localizer } from './l10n';
import { ocrView, type OcrView } from './ocr';
import { buildOverlay, LAYERS, type Layer, type Overlay } from './overlay';
import { classificationView, copiesView, errorBox, facesView } from './sections';
import { WordSelection } from './selection';
import { buildTextPane, type TextPane } from './textPane';
import { Tooltip } from './tooltip';

export interface PanelInput {
	model: ResultsModel;
	/** Undefined while showing a restored state, before the extension has sent the image's URI. */
	imageSrc: string | undefined;
	strings: Readonly<Record<string, string>>;
	selection: readonly number[];
}

export interface PanelHost {
	post(message: FromWebview): void;
	/** A finished selection change by the user. */
	selectionChanged(selection: number[]): void;
	/** Which overlay layers the user switched on or off; kept across re-renders. */
	readonly layers: Map<Layer, boolean>;
}

export interface PanelView {
	readonly selection: number[];
	dispose(): void;
}

const DEFAULT_LAYERS: Readonly<Record<Layer, boolean>> = { words: true, lines: false, blocks: false, faces: true };

const FEATURE_TITLES: Readonly<Record<FeatureType, WebviewStringKey>> = {
	TEXT_DETECTION: 'feature.TEXT_DETECTION',
	CLASSIFICATION: 'feature.CLASSIFICATION',
	FACE_DETECTION: 'feature.FACE_DETECTION',
	IMAGE_COPY_SEARCH: 'feature.IMAGE_COPY_SEARCH',
};

export function renderPanel(root: HTMLElement, input: PanelInput, host: PanelHost): PanelView {
	const l10n = createLocalizer(input.strings, document.documentElement.lang);
	const abort = new AbortController();
	const { signal } = abort;
	const { model } = input;

	const textFeature = model.features.find(f => f.type === 'TEXT_DETECTION');
	const annotation = textFeature?.result.error ? undefined : textFeature?.result.textDetection;
	const ocr = annotation ? ocrView(annotation) : undefined;
	const faces: readonly Face[] = model.features.find(f => f.type === 'FACE_DETECTION' && !f.result.error)?.result.faceDetection?.faces ?? [];
	const selection = new WordSelection(ocr?.words.length ?? 0);
	selection.reset(input.selection);

	const tooltip = new Tooltip(l10n);
	const layerVisible = (layer: Layer): boolean => host.layers.get(layer) ?? DEFAULT_LAYERS[layer];
	const viewer = buildViewer(input, ocr, faces, layerVisible, l10n, signal);
	const pane = ocr ? buildTextPane(ocr, l10n) : undefined;
	const actions = textFeature ? buildActions(l10n, ocr !== undefined && ocr.words.length > 0) : undefined;
	const layerToggles = buildLayerToggles(ocr, faces, layerVisible, l10n, signal, (layer, visible) => {
		host.layers.set(layer, visible);
		viewer.overlay?.setLayerVisible(layer, visible);
		tooltip.hide();
	});

	const fragment = document.createDocumentFragment();
	fragment.appendChild(header(model, l10n));
	if (model.imageError) fragment.appendChild(errorBox(model.imageError, model.requestId, l10n, l10n.t('imageError.title')));
	if (layerToggles || actions) {
		fragment.appendChild(h('div', { class: 'toolbar' }, layerToggles, actions?.element));
	}
	const sections = h('div', { class: 'sections' });
	for (const feature of model.features) sections.appendChild(featureSection(feature, feature === textFeature ? pane : undefined, model.requestId, l10n));
	fragment.appendChild(h('div', { class: sections.childElementCount > 0 ? 'content' : 'content image-only' }, viewer.element, sections.childElementCount > 0 && sections));
	fragment.appendChild(tooltip.element);
	root.replaceChildren(fragment);
	root.removeAttribute('aria-busy');

	const updateActions = (): void => {
		if (!actions) return;
		actions.update(selection.size, selection.wordCount);
	};
	if (ocr && pane) {
		new WordInteraction({
			ocr,
			overlay: viewer.overlay,
			pane,
			viewer: viewer.element,
			tooltip,
			selection,
			signal,
			onChange(final) {
				updateActions();
				if (final) host.selectionChanged(selection.indexes);
			},
		});
	}
	updateActions();

	if (actions && annotation) {
		const text = (): string => selection.size > 0 ? selectionText(annotation, selection.indexes) : annotationToText(annotation);
		actions.insert.addEventListener('click', () => host.post({ type: 'insertText', text: text() }), { signal });
		actions.copy.addEventListener('click', () => host.post({ type: 'copyText', text: text() }), { signal });
		actions.openMarkdown.addEventListener('click', () => host.post({ type: 'openMarkdown' }), { signal });
	}
	if (annotation) {
		// Ctrl+C with words selected on the image copies them, unless text is selected in the page itself.
		document.addEventListener('copy', e => {
			if (selection.size === 0 || document.getSelection()?.isCollapsed === false || !e.clipboardData) return;
			e.clipboardData.setData('text/plain', selectionText(annotation, selection.indexes));
			e.preventDefault();
		}, { signal });
	}

	return {
		get selection() {
			return selection.indexes;
		},
		dispose: () => abort.abort(),
	};
}

function header(model: ResultsModel, l10n: Localizer): HTMLElement {
	const meta: string[] = [];
	if (model.analyzedAt) meta.push(l10n.t('panel.analyzedAt', l10n.dateTime(model.analyzedAt)));
	if (model.requestId) meta.push(l10n.t('panel.requestId', model.requestId));
	return h('header', { class: 'header' },
		h('h1', { class: 'title', title: model.imageUri }, model.imageLabel),
		meta.length > 0 && h('div', { class: 'meta' }, meta.join(' · ')));
}

interface Viewer {
	element: HTMLElement;
	overlay: Overlay | undefined;
}

/**
 * The image with the overlay stretched over it. The overlay's coordinate system is the OCR page;
 * without one (faces only), the image's own pixel size once it has loaded.
 */
function buildViewer(input: PanelInput, ocr: OcrView | undefined, faces: readonly Face[], layerVisible: (layer: Layer) => boolean, l10n: Localizer, signal: AbortSignal): Viewer {
	const stage = h('div', { class: 'stage' });
	const element = h('section', { class: 'viewer', tabindex: 0, 'aria-label': l10n.t('panel.viewerLabel') }, stage);
	const page = ocr?.annotation.pages[0];
	const pageSize = page && page.width > 0 && page.height > 0 ? { width: page.width, height: page.height } : undefined;
	const wantsOverlay = (ocr !== undefined && ocr.words.length > 0) || faces.length > 0;
	let overlay: Overlay | undefined;
	const addOverlay = (width: number, height: number): void => {
		overlay = buildOverlay({ width, height, ocr, faces });
		for (const layer of LAYERS) overlay.setLayerVisible(layer, layerVisible(layer));
		stage.appendChild(overlay.element);
	};
	if (wantsOverlay && pageSize) addOverlay(pageSize.width, pageSize.height);

	const imageMissing = (): void => {
		stage.classList.add('no-image');
		element.appendChild(h('p', { class: 'muted image-unavailable' }, l10n.t('panel.imageUnavailable')));
	};
	if (input.imageSrc === undefined || input.imageSrc === '') {
		stage.classList.add('no-image', 'pending');
	} else {
		const image = h('img', { class: 'image', src: input.imageSrc, alt: l10n.t('panel.imageAlt', input.model.imageLabel), draggable: 'false' });
		stage.insertBefore(image, stage.firstChild);
		image.addEventListener('error', imageMissing, { signal, once: true });
		if (wantsOverlay && !pageSize) {
			image.addEventListener('load', () => {
				if (image.naturalWidth > 0 && image.naturalHeight > 0) addOverlay(image.naturalWidth, image.naturalHeight);
			}, { signal, once: true });
		}
	}
	return {
		element,
		get overlay() {
			return overlay;
		},
	};
}

function buildLayerToggles(
	ocr: OcrView | undefined,
	faces: readonly Face[],
	layerVisible: (layer: Layer) => boolean,
	l10n: Localizer,
	signal: AbortSignal,
	onToggle: (layer: Layer, visible: boolean) => void,
): HTMLElement | undefined {
	const layers: Layer[] = [];
	if (ocr && ocr.words.length > 0) layers.push('words', 'lines', 'blocks');
	if (faces.length > 0) layers.push('faces');
	if (layers.length === 0) return undefined;
	const group = h('div', { class: 'layers', role: 'group', 'aria-label': l10n.t('layer.group') });
	for (const layer of layers) {
		const checkbox = h('input', { type: 'checkbox', id: `layer-${layer}`, class: 'checkbox', checked: layerVisible(layer) });
		group.appendChild(h('label', { class: `toggle toggle-${layer}`, for: `layer-${layer}` }, checkbox, h('span', { class: 'swatch', 'aria-hidden': 'true' }), l10n.t(`layer.${layer}`)));
		checkbox.addEventListener('change', () => onToggle(layer, checkbox.checked), { signal });
	}
	return group;
}

interface Actions {
	element: HTMLElement;
	insert: HTMLButtonElement;
	copy: HTMLButtonElement;
	openMarkdown: HTMLButtonElement;
	update(selected: number, total: number): void;
}

function buildActions(l10n: Localizer, enabled: boolean): Actions {
	const insert = h('button', { id: 'insert', type: 'button', class: 'button primary', title: l10n.t('action.insertTitle'), disabled: !enabled });
	const copy = h('button', { id: 'copy', type: 'button', class: 'button secondary', disabled: !enabled });
	const openMarkdown = h('button', { id: 'open-markdown', type: 'button', class: 'button secondary', disabled: !enabled }, l10n.t('action.openMarkdown'));
	const status = h('span', { id: 'selection-status', class: 'status', role: 'status' });
	return {
		element: h('div', { class: 'actions' }, status, insert, copy, openMarkdown),
		insert,
		copy,
		openMarkdown,
		update(selected, total) {
			insert.textContent = l10n.t(selected > 0 ? 'action.insertSelection' : 'action.insertAll');
			copy.textContent = l10n.t(selected > 0 ? 'action.copySelection' : 'action.copyAll');
			status.textContent = total === 0 ? '' : selected > 0
				? l10n.t('selection.some', l10n.integer(selected), l10n.integer(total))
				: l10n.t('selection.none', l10n.integer(total));
		},
	};
}

function featureSection(feature: FeatureView, pane: TextPane | undefined, requestId: string | undefined, l10n: Localizer): HTMLElement {
	const id = `feature-${feature.type.toLowerCase()}`;
	const heading = h('h2', { class: 'section-title', id: `${id}-title` },
		l10n.t(FEATURE_TITLES[feature.type] ?? 'feature.TEXT_DETECTION'),
		feature.model && h('span', { class: 'tag', title: l10n.t('feature.model', feature.model) }, feature.model));
	return h('section', { class: `feature ${id}`, 'data-feature': feature.type, 'aria-labelledby': `${id}-title` }, heading, featureBody(feature, pane, requestId, l10n));
}

function featureBody(feature: FeatureView, pane: TextPane | undefined, requestId: string | undefined, l10n: Localizer): HTMLElement {
	const { result } = feature;
	if (result.error) return errorBox(result.error, requestId, l10n);
	switch (feature.type) {
		case 'TEXT_DETECTION':
			if (pane) return pane.element;
			// A second text feature in one request: its text, without the interactive overlay.
			return h('pre', { class: 'plain-text' }, result.textDetection ? annotationToText(result.textDetection) : '');
		case 'CLASSIFICATION':
			return classificationView(result.classification ?? { properties: [] }, l10n);
		case 'FACE_DETECTION':
			return facesView(result.faceDetection ?? { faces: [] }, l10n);
		case 'IMAGE_COPY_SEARCH':
			return copiesView(result.imageCopySearch ?? { copyCount: 0, topResults: [] }, l10n);
		default:
			return h('div', {});
	}
}
