import type { Dispatcher } from 'undici';
import * as vscode from 'vscode';
import { RESULTS_VIEW_TYPE } from '../commands/commandIds';
import { exportFormatOf, modelToJson, modelToMarkdown } from '../export/exportResults';
import { describeDownloadFailure } from '../output/errorMessages';
import { JsonDocuments } from './jsonView';
import { bringsText, mergeResults } from './mergeResults';
import { fetchImageAsDataUri, PREVIEW_MAX_BYTES, PREVIEW_TIMEOUT_MS } from './remoteImage';
import { userAgent } from '../settings/userAgent';
import { isFromWebview, webUrl, type FromWebview, type InitPayload, type PersistedState, type ResultsModel, type ToWebview } from '../shared/protocol';
import { WEBVIEW_STRINGS } from '../shared/strings';
import { buildWebviewHtml, createNonce } from './webviewHtml';

/** VS Code's View: Toggle Maximize Editor Group (Ctrl+K Ctrl+M), on the active editor's group. */
const TOGGLE_MAXIMIZE_GROUP = 'workbench.action.toggleMaximizeEditorGroup';

/** What the panels need from the rest of the extension. */
export interface PanelActions {
	insertText(text: string): Promise<void>;
	copyText(text: string): Promise<void>;
	openMarkdown(model: ResultsModel): Promise<void>;
	/** The connection pool (proxy-aware) that previews of remote images go through. */
	dispatcher?(): Dispatcher;
}

/** One results panel per image, gathering the features run on it (see ./mergeResults.ts). */
export class ResultsPanels implements vscode.Disposable {
	private readonly panels = new Map<string, ResultsPanel>();
	private readonly json = new JsonDocuments();

	constructor(private readonly extensionUri: vscode.Uri, private readonly actions: PanelActions) {}

	/** `selection`: word indexes (reading order) to select at first, e.g. the words a search found. */
	show(model: ResultsModel, options: { preserveFocus?: boolean; selection?: number[] } = {}): ResultsPanel {
		const existing = this.panels.get(model.imageUri);
		if (existing) {
			// Another feature keeps the words selected; new text starts with the selection asked for.
			const selection = options.selection ?? (bringsText(model) ? [] : [...existing.currentSelection]);
			existing.update(mergeResults(existing.currentModel, model), selection);
			existing.panel.reveal(undefined, options.preserveFocus);
			return existing;
		}
		const selection = options.selection ?? [];
		const image = vscode.Uri.parse(model.imageUri);
		const panel = vscode.window.createWebviewPanel(
			RESULTS_VIEW_TYPE,
			titleOf(model),
			{ viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
			webviewOptions(this.extensionUri, image),
		);
		return this.adopt(panel, { model, selection });
	}

	/** Brings back a panel VS Code kept across a reload. */
	restore(panel: vscode.WebviewPanel, state: unknown): ResultsPanel | undefined {
		if (!isPersistedState(state)) {
			// Nothing usable was saved (an older version, or a cleared state): say so instead of a blank panel.
			panel.webview.html = `<!DOCTYPE html><html><body><p>${escapeHtml(vscode.l10n.t('These results are no longer available. Analyze the image again.'))}</p></body></html>`;
			return undefined;
		}
		panel.webview.options = webviewOptions(this.extensionUri, vscode.Uri.parse(state.model.imageUri));
		return this.adopt(panel, state);
	}

	get(imageUri: string): ResultsPanel | undefined {
		return this.panels.get(imageUri);
	}

	private adopt(panel: vscode.WebviewPanel, state: PersistedState): ResultsPanel {
		const results = new ResultsPanel(panel, this.extensionUri, this.actions, this.json, state);
		this.panels.set(state.model.imageUri, results);
		panel.onDidDispose(() => {
			if (this.panels.get(state.model.imageUri) === results) this.panels.delete(state.model.imageUri);
		});
		return results;
	}

	dispose(): void {
		for (const panel of this.panels.values()) panel.panel.dispose();
		this.panels.clear();
		this.json.dispose();
	}
}

export class ResultsPanel {
	private model: ResultsModel;
	private selection: number[];
	private ready = false;
	private readonly readyWaiters: (() => void)[] = [];
	/** Aborts downloads still running when the panel closes. */
	private readonly closed = new AbortController();

	constructor(
		readonly panel: vscode.WebviewPanel,
		private readonly extensionUri: vscode.Uri,
		private readonly actions: PanelActions,
		private readonly json: JsonDocuments,
		state: PersistedState,
	) {
		this.model = state.model;
		this.selection = state.selection;
		panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
		panel.webview.onDidReceiveMessage(message => this.receive(message));
		panel.onDidDispose(() => this.closed.abort());
		panel.webview.html = this.html();
	}

	update(model: ResultsModel, selection: number[]): void {
		this.model = model;
		this.selection = selection;
		this.panel.title = titleOf(model);
		if (this.ready) void this.post({ type: 'update', payload: this.payload() });
	}

	/** Resolves once the webview has rendered its first payload. */
	whenReady(): Promise<void> {
		return this.ready ? Promise.resolve() : new Promise(resolve => this.readyWaiters.push(resolve));
	}

	get currentSelection(): readonly number[] {
		return this.selection;
	}

	/** What the panel shows: every feature analyzed on its image since it opened. */
	get currentModel(): ResultsModel {
		return this.model;
	}

	private receive(raw: unknown): void {
		void this.handleMessage(raw).catch(err => {
			void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
		});
	}

	/**
	 * Handles one message as if the webview had posted it; resolves with the reply it posted, if
	 * the message asks for one. Anything that is not a valid message is ignored.
	 */
	async handleMessage(raw: unknown): Promise<ToWebview | undefined> {
		if (!isFromWebview(raw)) return undefined;
		const message: FromWebview = raw;
		switch (message.type) {
			case 'ready': {
				const reply: ToWebview = { type: 'init', inReplyTo: message.requestId, payload: this.payload() };
				await this.post(reply);
				this.ready = true;
				for (const resolve of this.readyWaiters.splice(0)) resolve();
				return reply;
			}
			case 'insertText':
				await this.actions.insertText(message.text);
				return undefined;
			case 'copyText':
				await this.actions.copyText(message.text);
				return undefined;
			case 'openMarkdown':
				await this.actions.openMarkdown(this.model);
				return undefined;
			case 'selectionChanged':
				this.selection = message.selection;
				return undefined;
			case 'openExternal':
				await this.openExternal(message.url);
				return undefined;
			case 'loadPreview': {
				const reply = await this.loadPreview(message.requestId, message.url);
				await this.post(reply);
				return reply;
			}
			case 'showJson':
				await this.json.show(this.model);
				return undefined;
			case 'exportResults':
				await exportResults(this.model);
				return undefined;
			case 'toggleMaximizeGroup':
				// The command acts on the active group: the panel's, since its button was just clicked.
				if (!this.panel.active) this.panel.reveal(undefined, false);
				await vscode.commands.executeCommand(TOGGLE_MAXIMIZE_GROUP);
				return undefined;
			default:
				return assertNever(message);
		}
	}

	/**
	 * Opens a copy's page or image address in the browser, through VS Code, which asks the user
	 * first for domains they have not trusted. Only http(s) addresses that are among this image's
	 * results are opened, whatever the webview asks.
	 */
	private async openExternal(address: string): Promise<boolean> {
		const url = webUrl(address);
		if (!url || !copyAddresses(this.model, 'any').has(url.href)) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Yandex Vision did not open "{0}": only the web addresses (http, https) of the copies found are opened.', shorten(address)));
			return false;
		}
		return vscode.env.openExternal(vscode.Uri.parse(url.href));
	}

	private async loadPreview(inReplyTo: number, address: string): Promise<ToWebview> {
		const url = webUrl(address);
		if (!url || !copyAddresses(this.model, 'image').has(url.href)) {
			return { type: 'previewFailed', inReplyTo, message: vscode.l10n.t('only the image addresses (http, https) of the copies found are downloaded') };
		}
		try {
			const dataUri = await fetchImageAsDataUri(url.href, { signal: this.closed.signal, dispatcher: this.actions.dispatcher?.(), userAgent: userAgent() });
			return { type: 'previewLoaded', inReplyTo, dataUri };
		} catch (err) {
			return { type: 'previewFailed', inReplyTo, message: describeDownloadFailure(err, { maxBytes: PREVIEW_MAX_BYTES, timeoutMs: PREVIEW_TIMEOUT_MS }) };
		}
	}

	private post(message: ToWebview): Thenable<boolean> {
		return this.panel.webview.postMessage(message);
	}

	private payload(): InitPayload {
		const image = vscode.Uri.parse(this.model.imageUri);
		const strings: Record<string, string> = {};
		for (const [key, english] of Object.entries(WEBVIEW_STRINGS)) strings[key] = vscode.l10n.t(english);
		return {
			model: this.model,
			// The analyzed time busts the webview's cache when the file changed and was analyzed again.
			imageSrc: this.panel.webview.asWebviewUri(image).with({ query: `v=${encodeURIComponent(this.model.analyzedAt)}` }).toString(),
			strings,
			selection: this.selection,
		};
	}

	private html(): string {
		const webview = this.panel.webview;
		return buildWebviewHtml({
			cspSource: webview.cspSource,
			nonce: createNonce(),
			scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
			styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'main.css')).toString(),
			title: titleOf(this.model),
			lang: vscode.env.language,
		});
	}
}

/** Saves the results where the user picks, next to the image by default, as JSON or Markdown by the name's extension. */
async function exportResults(model: ResultsModel): Promise<vscode.Uri | undefined> {
	const image = vscode.Uri.parse(model.imageUri);
	const target = await vscode.window.showSaveDialog({
		defaultUri: image.with({ path: `${image.path}.vision.json`, query: '', fragment: '' }),
		filters: { [vscode.l10n.t('JSON')]: ['json'], [vscode.l10n.t('Markdown')]: ['md'] },
		saveLabel: vscode.l10n.t('Export'),
		title: vscode.l10n.t('Export Vision Results'),
	});
	if (!target) return undefined;
	const text = exportFormatOf(target.path) === 'markdown'
		? modelToMarkdown(model, (message, ...args) => vscode.l10n.t(message, ...args))
		: modelToJson(model);
	await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
	void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: results saved to {0}.', vscode.workspace.asRelativePath(target, false)));
	return target;
}

/** The normalized (`URL.href`) web addresses among an image's copies. */
function copyAddresses(model: ResultsModel, kind: 'image' | 'any'): Set<string> {
	const addresses = new Set<string>();
	for (const feature of model.features) {
		for (const match of feature.result.imageCopySearch?.topResults ?? []) {
			for (const address of kind === 'image' ? [match.imageUrl] : [match.imageUrl, match.pageUrl]) {
				const url = webUrl(address);
				if (url) addresses.add(url.href);
			}
		}
	}
	return addresses;
}

function shorten(text: string): string {
	return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function assertNever(value: never): never {
	throw new Error(`Unexpected message ${JSON.stringify(value)}`);
}

function webviewOptions(extensionUri: vscode.Uri, image: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
	return {
		enableScripts: true,
		enableFindWidget: true,
		// The image's own folder and the extension's assets; nothing else of the disk.
		localResourceRoots: [vscode.Uri.joinPath(image, '..'), vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
	};
}

function titleOf(model: ResultsModel): string {
	const name = model.imageLabel.split(/[\\/]/).pop() ?? model.imageLabel;
	return vscode.l10n.t('Vision: {0}', name);
}

function isPersistedState(value: unknown): value is PersistedState {
	if (typeof value !== 'object' || value === null) return false;
	const state = value as Partial<PersistedState>;
	return typeof state.model === 'object' && state.model !== null && typeof state.model.imageUri === 'string'
		&& Array.isArray(state.model.features) && Array.isArray(state.selection);
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}
