/**
 * Renders one analyzed image: header, per-image error, toolbar, the image with its overlay, and a
 * section per requested feature (with tabs over them when there are several). Everything is
 * rebuilt on each payload; listeners go with it.
 */
import type { FeatureView, FromWebview, PendingView, ResultsModel } from '../src/shared/protocol';
import type { WebviewStringKey } from '../src/shared/strings';
import { isDocumentModel, pagesMarkdown } from '../src/results/documents';
import type { TableFormat } from '../src/results/tables';
import { annotationToText, selectionText, wordsInReadingOrder } from '../src/results/text';
import type { Face, FeatureType, TextAnnotation } from '../src/results/types';
import { classificationView } from './features/classification';
import { copiesView, type PreviewReply } from './features/copies';
import { h } from './dom';
import { fieldLabel } from './features/documentFields';
import { entitiesView } from './features/entities';
import { errorBox } from './errors';
import { facesView, linkFaces } from './features/faces';
import { featureNav, type NavEntry } from './features/featureNav';
import { fitNote, fitWarnings } from './features/fitNote';
import { InvisibleGuard, type InvisibleChoice } from './invisibleGuard';
import { WordInteraction } from './viewer/interaction';
import { createLocalizer, type Localizer } from './l10n';
import { markdownView } from './text/markdownView';
import { entitiesOf, languageCounts, ocrView, picturesOf, tablesOf, type EntityView, type OcrView } from './text/ocrView';
import type { Layer } from './viewer/overlay';
import { WordSelection } from './viewer/selection';
import { tablesView } from './features/tableView';
import { SplitLayout, type SplitState } from './splitLayout';
import { buildTextPane, type TextPane } from './text/textPane';
import { textViews, type TextViewEntry } from './text/textViews';
import { Tooltip } from './viewer/tooltip';
import { buildViewer, type Viewer } from './viewer/viewer';

export interface PanelInput {
	model: ResultsModel;
	/** Undefined while showing a restored state, before the extension has sent the image's URI. */
	imageSrc: string | undefined;
	strings: Readonly<Record<string, string>>;
	selection: readonly number[];
}

export interface PanelHost {
	post(message: FromWebview): void;
	/** Asks the extension for a found copy's image; resolves with its reply. */
	loadPreview(url: string): Promise<PreviewReply>;
	/** A finished selection change by the user. */
	selectionChanged(selection: number[]): void;
	/** Which overlay layers the user switched on or off; kept across re-renders. */
	readonly layers: Map<Layer, boolean>;
	/** The format last chosen for tables, kept in the webview state. */
	tableFormat: TableFormat | undefined;
	/** Whether to strip or keep hidden characters in text sent out, once the user has said. */
	invisibleChoice: InvisibleChoice | undefined;
	/** Where the user left the splitter between the image and the results, kept in the webview state. */
	split: SplitState | undefined;
}

/** Inserts or copies text through the extension, asking first when it holds hidden characters; `from` is the button used. */
type SendText = (type: 'insertText' | 'copyText', text: string, from?: HTMLElement) => void;

export interface PanelView {
	readonly selection: number[];
	dispose(): void;
}

const DEFAULT_LAYERS: Readonly<Record<Layer, boolean>> = { words: true, lines: false, blocks: false, cells: true, faces: true };

/** The text view last chosen (text, tables, Markdown), for as long as the panel lives. */
let chosenTextView: string | undefined;

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
	const faceFeature = model.features.find(f => f.type === 'FACE_DETECTION' && !f.result.error);
	const faces: readonly Face[] = faceFeature?.result.faceDetection?.faces ?? [];
	const selection = new WordSelection(ocr?.words.length ?? 0);
	selection.reset(input.selection);

	const tooltip = new Tooltip(l10n);
	const guard = new InvisibleGuard({
		l10n,
		root,
		choice: { get: () => host.invisibleChoice, set: choice => { host.invisibleChoice = choice; } },
		signal,
	});
	const sendText: SendText = (type, text, from) => guard.send(text, ready => host.post({ type, text: ready }), from);
	const layerVisible = (layer: Layer): boolean => host.layers.get(layer) ?? DEFAULT_LAYERS[layer];
	let layout: SplitLayout | undefined;
	const viewer = buildViewer({
		imageSrc: input.imageSrc,
		imageLabel: model.imageLabel,
		ocr,
		faces,
		layerVisible,
		onViewChange: () => tooltip.hide(),
		onImageSize: () => layout?.refresh(),
		toggleLarge: () => host.post({ type: 'toggleMaximizeGroup' }),
		l10n,
		signal,
	});
	const pane = ocr ? buildTextPane(ocr, l10n, signal, model.pending !== undefined) : undefined;
	const entities = ocr ? entitiesOf(ocr) : [];
	const actions = textFeature ? buildActions(l10n, ocr !== undefined && ocr.words.length > 0) : undefined;
	let words: WordInteraction | undefined;
	const layerToggles = buildLayerToggles(ocr, faces, layerVisible, l10n, signal, (layer, visible) => {
		host.layers.set(layer, visible);
		viewer.overlay?.setLayerVisible(layer, visible);
		tooltip.hide();
	});

	const sectionsColumn = h('div', { class: 'sections' });
	const seen = new Map<FeatureType, number>();
	// A panel that gathered features of several analyses says under each when it was analyzed.
	const gathered = new Set(model.features.map(feature => feature.analyzedAt ?? model.analyzedAt)).size > 1;
	const rendered = model.features.map(feature => {
		const repeat = seen.get(feature.type) ?? 0;
		seen.set(feature.type, repeat + 1);
		const body = featureBody(feature, {
			pane: feature === textFeature ? pane : undefined,
			ocr: feature === textFeature ? ocr : undefined,
			entities: feature === textFeature ? entities : [],
			selectWords: indexes => words?.selectWords(indexes),
			viewer,
			linkFaces: feature === faceFeature,
			requestId: feature.requestId ?? model.requestId,
			host,
			sendText,
			l10n,
			signal,
		});
		// Ids stay unique when one request asked for a feature twice (two classification models).
		const id = `feature-${feature.type.toLowerCase()}${repeat > 0 ? `-${repeat + 1}` : ''}`;
		return { feature, section: featureSection(feature, id, body, l10n, gathered ? feature.analyzedAt : undefined) };
	});
	if (rendered.length > 1) {
		// Two features of one type (both classification models) are told apart by their model.
		const repeated = (type: string) => rendered.filter(r => r.feature.type === type).length > 1;
		const entries = rendered.map(({ feature, section }): NavEntry => ({
			section,
			label: l10n.t(FEATURE_TITLES[feature.type] ?? 'feature.TEXT_DETECTION') + (repeated(feature.type) && feature.model ? ` · ${feature.model}` : ''),
			badge: featureBadge(feature, feature === textFeature ? ocr : undefined, l10n),
			failed: feature.result.error !== undefined,
			failedLabel: l10n.t('feature.failed'),
		}));
		sectionsColumn.appendChild(featureNav(entries, sectionsColumn, l10n.t('panel.sectionsLabel'), signal));
	}
	for (const { section } of rendered) sectionsColumn.appendChild(section);

	const fragment = document.createDocumentFragment();
	fragment.appendChild(header(model, l10n, host, signal));
	if (model.imageError) fragment.appendChild(errorBox(model.imageError, model.requestId, l10n, l10n.t('imageError.title')));
	if (layerToggles || actions) {
		fragment.appendChild(h('div', { class: 'toolbar' }, layerToggles, actions?.element));
	}
	const content = h('div', { class: rendered.length > 0 ? 'content' : 'content image-only' });
	if (rendered.length > 0) {
		layout = new SplitLayout({
			content,
			viewer: viewer.element,
			viewport: viewer.viewport,
			imageSize: () => viewer.imageSize(),
			split: { get: () => host.split, set: split => { host.split = split; } },
			l10n,
			signal,
		});
		content.append(viewer.element, layout.splitter, sectionsColumn);
	} else {
		content.append(viewer.element);
	}
	fragment.appendChild(content);
	fragment.appendChild(tooltip.element);
	root.replaceChildren(fragment);
	root.removeAttribute('aria-busy');
	layout?.refresh();

	const updateActions = (): void => {
		if (!actions) return;
		actions.update(selection.size, selection.wordCount);
	};
	if (ocr && pane) {
		const entityOfWord = new Map<number, string>();
		for (const entity of entities) for (const index of entity.words) entityOfWord.set(index, fieldLabel(entity.name, l10n));
		words = new WordInteraction({
			ocr,
			overlay: viewer.overlay,
			pane,
			viewer: viewer.element,
			tooltip,
			selection,
			signal,
			entityOf: index => entityOfWord.get(index),
			onChange(final) {
				updateActions();
				if (final) host.selectionChanged(selection.indexes);
			},
		});
	}
	updateActions();
	if (ocr) linkPictures(ocr, viewer, tooltip, l10n, signal);

	if (actions && annotation) {
		const text = (): string => selection.size > 0 ? selectionText(annotation, selection.indexes) : annotationToText(annotation);
		actions.insert.addEventListener('click', () => sendText('insertText', text(), actions.insert), { signal });
		actions.copy.addEventListener('click', () => sendText('copyText', text(), actions.copy), { signal });
		actions.openMarkdown.addEventListener('click', () => host.post({ type: 'openMarkdown' }), { signal });
	}
	if (annotation) {
		// Ctrl+C with words selected on the image copies them, unless text is selected in the page itself.
		document.addEventListener('copy', e => {
			if (selection.size === 0 || document.getSelection()?.isCollapsed === false || !e.clipboardData) return;
			const text = selectionText(annotation, selection.indexes);
			e.preventDefault();
			const ready = guard.ready(text);
			// The clipboard event cannot wait for an answer: once given, the extension copies the text.
			if (ready === undefined) sendText('copyText', text, actions?.copy);
			else e.clipboardData.setData('text/plain', ready);
		}, { signal });
	}

	return {
		get selection() {
			return selection.indexes;
		},
		dispose: () => abort.abort(),
	};
}

function header(model: ResultsModel, l10n: Localizer, host: PanelHost, signal: AbortSignal): HTMLElement {
	const meta: string[] = [];
	if (model.analyzedAt) meta.push(l10n.t('panel.analyzedAt', l10n.dateTime(model.analyzedAt)));
	if (model.requestId) meta.push(l10n.t('panel.requestId', model.requestId));
	const showJson = h('button', { id: 'show-json', type: 'button', class: 'button secondary', title: l10n.t('panel.showJsonTitle') }, l10n.t('panel.showJson'));
	const exportButton = h('button', { id: 'export', type: 'button', class: 'button secondary', title: l10n.t('panel.exportTitle') }, l10n.t('panel.export'));
	showJson.addEventListener('click', () => host.post({ type: 'showJson' }), { signal });
	exportButton.addEventListener('click', () => host.post({ type: 'exportResults' }), { signal });
	return h('header', { class: 'header' },
		h('h1', { class: 'title', title: model.imageUri }, model.imageLabel),
		meta.length > 0 && h('div', { class: 'meta' }, meta.join(' · ')),
		h('div', { class: 'header-actions' }, showJson, exportButton),
		model.pending && h('div', { class: 'pending', role: 'status', 'aria-live': 'polite' }, pendingText(model.pending, l10n)),
		fitNote(model.fitted, l10n, document.documentElement.lang),
		fitWarnings(model.fitted, l10n, document.documentElement.lang));
}

function pendingText(pending: PendingView, l10n: Localizer): string {
	return pending.pages > 0
		? l10n.t('panel.pendingPages', pending.pages, pending.of)
		: l10n.t('panel.pendingWaiting', pending.of, Math.round((pending.waitedMs ?? 0) / 1000));
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
	if (ocr && tablesOf(ocr).length > 0) layers.push('cells');
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

function featureSection(feature: FeatureView, id: string, body: HTMLElement, l10n: Localizer, analyzedAt: string | undefined): HTMLElement {
	const heading = h('h2', { class: 'section-title', id: `${id}-title`, tabindex: -1 },
		l10n.t(FEATURE_TITLES[feature.type] ?? 'feature.TEXT_DETECTION'),
		feature.model && h('span', { class: 'tag', title: l10n.t('feature.model', feature.model) }, modelTag(feature, feature.model, l10n)));
	const when = analyzedAt && h('p', { class: 'text-meta muted section-analyzed' },
		[l10n.t('panel.analyzedAt', l10n.dateTime(analyzedAt)), feature.requestId && l10n.t('panel.requestId', feature.requestId)].filter(Boolean).join(' · '));
	return h('section', { class: `feature feature-${feature.type.toLowerCase()}`, id, 'data-feature': feature.type, 'aria-labelledby': `${id}-title` }, heading, when || undefined, body);
}

/** Text says which engine read it as well as the model: the OCR API's `page` is not batchAnalyze's. */
function modelTag(feature: FeatureView, model: string, l10n: Localizer): string {
	if (feature.type !== 'TEXT_DETECTION') return model;
	return l10n.t(feature.result.textDetection?.engine === 'ocr-api' ? 'engine.ocrApi' : 'engine.batchAnalyze', model);
}

/** What a tab shows after its name: how much was found. */
function featureBadge(feature: FeatureView, ocr: OcrView | undefined, l10n: Localizer): string | undefined {
	const { result } = feature;
	switch (feature.type) {
		case 'TEXT_DETECTION':
			if (ocr) return l10n.integer(ocr.words.length);
			return result.textDetection ? l10n.integer(wordsInReadingOrder(result.textDetection).length) : undefined;
		case 'FACE_DETECTION':
			return l10n.integer(result.faceDetection?.faces.length ?? 0);
		case 'IMAGE_COPY_SEARCH':
			return l10n.integer(result.imageCopySearch?.copyCount ?? 0);
		case 'CLASSIFICATION':
			return undefined;
	}
}

interface BodyContext {
	pane: TextPane | undefined;
	ocr: OcrView | undefined;
	entities: readonly EntityView[];
	selectWords(indexes: readonly number[]): void;
	viewer: Viewer;
	/** This section's faces are the ones drawn on the image. */
	linkFaces: boolean;
	requestId: string | undefined;
	host: PanelHost;
	sendText: SendText;
	l10n: Localizer;
	signal: AbortSignal;
}

function featureBody(feature: FeatureView, c: BodyContext): HTMLElement {
	const { result } = feature;
	const { l10n, signal } = c;
	if (result.error) return errorBox(result.error, c.requestId, l10n);
	switch (feature.type) {
		case 'TEXT_DETECTION':
			if (c.pane && c.ocr) return textBody(c.pane, c.ocr, feature.model, c);
			// A second text feature in one request: its text, without the interactive overlay.
			return h('pre', { class: 'plain-text' }, result.textDetection ? annotationToText(result.textDetection) : '');
		case 'CLASSIFICATION':
			return classificationView(result.classification ?? { properties: [] }, feature.model, l10n);
		case 'FACE_DETECTION': {
			const view = facesView(result.faceDetection ?? { faces: [] }, l10n);
			if (c.linkFaces) linkFaces({ items: view.items, stage: c.viewer.stage, overlay: () => c.viewer.overlay, signal });
			return view.element;
		}
		case 'IMAGE_COPY_SEARCH':
			return copiesView(result.imageCopySearch ?? { copyCount: 0, topResults: [] }, l10n, {
				openExternal: url => c.host.post({ type: 'openExternal', url }),
				loadPreview: url => c.host.loadPreview(url),
			}, signal);
		default:
			return h('div', {});
	}
}

/**
 * The languages found, a note if the service turned a page, the text pane (with the tables and
 * the service's Markdown as other views of it), and the entities or document fields with their
 * words linked.
 */
function textBody(pane: TextPane, ocr: OcrView, model: string | undefined, c: BodyContext): HTMLElement {
	const { viewer, l10n, signal, host, sendText } = c;
	const languages = languageCounts(ocr);
	const body = h('div', { class: 'text-body' });
	if (languages.length > 0) {
		const names = languages.map(({ code }) => {
			const name = l10n.languageName(code);
			return name === code ? code : `${name} (${code})`;
		});
		body.appendChild(h('p', { class: 'text-meta muted' }, l10n.t('text.languages', names.join(', '))));
	}
	for (const note of rotateNotes(ocr.annotation, l10n)) body.appendChild(h('p', { class: 'text-meta muted rotate-note' }, note));

	const isDocument = isDocumentModel(model);
	const fields = entitiesView({
		entities: c.entities,
		document: isDocument || ocr.annotation.engine === 'ocr-api',
		l10n,
		markWords(indexes, on) {
			for (const index of indexes) {
				viewer.overlay?.words[index]?.classList.toggle('in-entity', on);
				pane.words[index]?.classList.toggle('in-entity', on);
			}
		},
		reveal(index) {
			viewer.overlay?.words[index]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
			pane.words[index]?.scrollIntoView({ block: 'nearest' });
		},
		selectWords: c.selectWords,
		copyText: (text, from) => sendText('copyText', text, from),
		signal,
	});
	// A document's fields are what its model is for: they come first.
	if (fields && isDocument) body.appendChild(fields);

	const views: TextViewEntry[] = [];
	const tables = tablesOf(ocr);
	if (tables.length > 0) {
		views.push({
			id: 'tables',
			label: l10n.t(tables.length > 1 ? 'view.tables' : 'view.table'),
			panel: tablesView({
				tables,
				overlay: () => viewer.overlay,
				stage: viewer.stage,
				format: { get: () => host.tableFormat ?? 'markdown', set: format => { host.tableFormat = format; } },
				insertText: (text, from) => sendText('insertText', text, from),
				copyText: (text, from) => sendText('copyText', text, from),
				l10n,
				signal,
			}),
		});
	}
	const markdown = pagesMarkdown(ocr.annotation);
	if (markdown !== undefined) {
		views.push({
			id: 'markdown',
			label: l10n.t('view.markdown'),
			panel: markdownView({
				markdown,
				insertText: (text, from) => sendText('insertText', text, from),
				copyText: (text, from) => sendText('copyText', text, from),
				openMarkdown: () => host.post({ type: 'openMarkdown' }),
				l10n,
				signal,
			}),
		});
	}
	if (views.length === 0) {
		body.appendChild(pane.element);
	} else {
		// What the model was chosen for shows first: its tables or its Markdown, then the text.
		const text: TextViewEntry = { id: 'text', label: l10n.t('view.text'), panel: h('div', {}, pane.element) };
		body.appendChild(textViews([...views, text], chosenTextView ?? views[0].id, l10n.t('view.group'), id => {
			chosenTextView = id;
		}, signal));
	}
	if (fields && !isDocument) body.appendChild(fields);
	return body;
}

/** "The service turned this page 90° to read it": the boxes are already mapped back, but the reader may wonder why the text reads sideways. */
function rotateNotes(annotation: TextAnnotation, l10n: Localizer): string[] {
	const single = annotation.pages.length === 1;
	return annotation.pages.flatMap((page, p) => {
		if (!page.rotate) return [];
		const degrees = l10n.integer(page.rotate);
		return [single ? l10n.t('text.rotated', degrees) : l10n.t('text.rotatedPage', l10n.integer(p + 1), degrees)];
	});
}

/** A picture found on the page names itself and the service's score when hovered on the image. */
function linkPictures(ocr: OcrView, viewer: Viewer, tooltip: Tooltip, l10n: Localizer, signal: AbortSignal): void {
	const pictures = picturesOf(ocr);
	if (pictures.length === 0) return;
	viewer.stage.addEventListener('pointerover', e => {
		const target = e.target;
		if (!(target instanceof SVGElement) || !target.classList.contains('picture')) return;
		const picture = pictures[Number(target.getAttribute('data-picture'))]?.picture;
		if (!picture) return;
		tooltip.showRegion(l10n.t('layout.picture'), l10n.t('tooltip.pictureScore', l10n.percent(picture.score)), target.getBoundingClientRect());
		target.addEventListener('pointerleave', () => tooltip.hide(), { once: true, signal });
	}, { signal });
}
