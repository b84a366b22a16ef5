/**
 * Results webview entry point: renders a saved state at once, asks the extension for its data,
 * and renders every payload it sends. The model and the selection are saved with setState so the
 * panel comes back as it was after VS Code hides or reloads it.
 */
import { isTableFormat, type TableFormat } from '../src/results/tables';
import type { InitPayload, ResultsModel } from '../src/shared/protocol';
import type { PreviewReply } from './features/copies';
import { isInvisibleChoice, type InvisibleChoice } from './invisibleGuard';
import { prepareLocale } from './l10n';
import { isPersistedState, isToWebview } from './messages';
import type { Layer } from './viewer/overlay';
import { renderPanel, type PanelInput, type PanelView } from './renderPanel';
import { isSplitState, type SplitState } from './splitLayout';
import type { VsCodeApi, WebviewState } from './vscodeApi';

const READY_REQUEST_ID = 1;

const vscode: VsCodeApi = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
const layers = new Map<Layer, boolean>();
/** Requests waiting for the extension's reply, by id. */
const pending = new Map<number, (reply: PreviewReply) => void>();
let nextRequestId = READY_REQUEST_ID + 1;
let view: PanelView | undefined;
let tableFormat: TableFormat | undefined;
let invisibleChoice: InvisibleChoice | undefined;
let split: SplitState | undefined;

function show(input: PanelInput): void {
	view?.dispose();
	const { model } = input;
	view = renderPanel(root, input, {
		layers,
		post: message => vscode.postMessage(message),
		loadPreview: url => new Promise(resolve => {
			const requestId = nextRequestId++;
			pending.set(requestId, resolve);
			vscode.postMessage({ type: 'loadPreview', requestId, url });
		}),
		selectionChanged(selection) {
			save(model, selection);
			vscode.postMessage({ type: 'selectionChanged', selection });
		},
		get tableFormat() {
			return tableFormat;
		},
		set tableFormat(format) {
			tableFormat = format;
			if (view) save(model, view.selection);
		},
		get invisibleChoice() {
			return invisibleChoice;
		},
		set invisibleChoice(choice) {
			invisibleChoice = choice;
			if (view) save(model, view.selection);
		},
		get split() {
			return split;
		},
		set split(state) {
			split = state;
			if (view) save(model, view.selection);
		},
	});
	save(model, view.selection);
}

function save(model: ResultsModel, selection: number[]): void {
	const state: WebviewState = { model, selection };
	if (tableFormat !== undefined) state.tableFormat = tableFormat;
	if (invisibleChoice !== undefined) state.invisibleChoice = invisibleChoice;
	if (split !== undefined) state.split = split;
	vscode.setState(state);
}

function showPayload(payload: InitPayload): void {
	show({ model: payload.model, imageSrc: payload.imageSrc, strings: payload.strings, selection: payload.selection });
}

function settle(requestId: number, reply: PreviewReply): void {
	const resolve = pending.get(requestId);
	pending.delete(requestId);
	resolve?.(reply);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
	const message = event.data;
	if (!isToWebview(message)) return;
	switch (message.type) {
		case 'init':
			if (message.inReplyTo === READY_REQUEST_ID) showPayload(message.payload);
			return;
		case 'update':
			showPayload(message.payload);
			return;
		case 'previewLoaded':
			settle(message.inReplyTo, { dataUri: message.dataUri });
			return;
		case 'previewFailed':
			settle(message.inReplyTo, { error: message.message });
			return;
		default:
			return assertNever(message);
	}
});

const saved = vscode.getState();
if (isObject(saved) && isTableFormat(saved.tableFormat)) tableFormat = saved.tableFormat;
if (isObject(saved) && isInvisibleChoice(saved.invisibleChoice)) invisibleChoice = saved.invisibleChoice;
if (isObject(saved) && isSplitState(saved.split)) split = saved.split;
if (isPersistedState(saved)) show({ model: saved.model, imageSrc: undefined, strings: {}, selection: saved.selection });
vscode.postMessage({ type: 'ready', requestId: READY_REQUEST_ID });
// While the extension answers: the number and date formats cost the first render most of its script time.
requestIdleCallback(() => prepareLocale(document.documentElement.lang));

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

function assertNever(value: never): never {
	throw new Error(`Unexpected message ${JSON.stringify(value)}`);
}
