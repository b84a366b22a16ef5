import * as vscode from 'vscode';
import { RESULTS_VIEW_TYPE } from './commands';
import { isFromWebview, type FromWebview, type InitPayload, type PersistedState, type ResultsModel, type ToWebview } from './shared/protocol';
import { WEBVIEW_STRINGS } from './shared/strings';
import { buildWebviewHtml, createNonce } from './webviewHtml';

/** What the panels need from the rest of the extension. */
export interface PanelActions {
	insertText(text: string): Promise<void>;
	copyText(text: string): Promise<void>;
	openMarkdown(model: ResultsModel): Promise<void>;
}

/** One results panel per image; analyzing the same image again updates its panel. */
export class ResultsPanels implements vscode.Disposable {
	private readonly panels = new Map<string, ResultsPanel>();

	constructor(private readonly extensionUri: vscode.Uri, private readonly actions: PanelActions) {}

	show(model: ResultsModel, options: { preserveFocus?: boolean } = {}): ResultsPanel {
		const existing = this.panels.get(model.imageUri);
		if (existing) {
			existing.update(model, []);
			existing.panel.reveal(undefined, options.preserveFocus);
			return existing;
		}
		const image = vscode.Uri.parse(model.imageUri);
		const panel = vscode.window.createWebviewPanel(
			RESULTS_VIEW_TYPE,
			titleOf(model),
			{ viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
			webviewOptions(this.extensionUri, image),
		);
		return this.adopt(panel, { model, selection: [] });
	}

	/** Brings back a panel VS Code kept across a reload. */
	restore(panel: vscode.WebviewPanel, state: unknown): void {
		if (!isPersistedState(state)) {
			// Nothing usable was saved (an older version, or a cleared state): say so instead of a blank panel.
			panel.webview.html = `<!DOCTYPE html><html><body><p>${escapeHtml(vscode.l10n.t('These results are no longer available. Analyze the image again.'))}</p></body></html>`;
			return;
		}
		panel.webview.options = webviewOptions(this.extensionUri, vscode.Uri.parse(state.model.imageUri));
		this.adopt(panel, state);
	}

	get(imageUri: string): ResultsPanel | undefined {
		return this.panels.get(imageUri);
	}

	private adopt(panel: vscode.WebviewPanel, state: PersistedState): ResultsPanel {
		const results = new ResultsPanel(panel, this.extensionUri, this.actions, state);
		this.panels.set(state.model.imageUri, results);
		panel.onDidDispose(() => {
			if (this.panels.get(state.model.imageUri) === results) this.panels.delete(state.model.imageUri);
		});
		return results;
	}

	dispose(): void {
		for (const panel of this.panels.values()) panel.panel.dispose();
		this.panels.clear();
	}
}

export class ResultsPanel {
	private model: ResultsModel;
	private selection: number[];
	private ready = false;
	private readonly readyWaiters: (() => void)[] = [];

	constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly actions: PanelActions, state: PersistedState) {
		this.model = state.model;
		this.selection = state.selection;
		panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
		panel.webview.onDidReceiveMessage(message => this.receive(message));
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

	private receive(raw: unknown): void {
		if (!isFromWebview(raw)) return;
		void this.handle(raw).catch(err => {
			void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
		});
	}

	private async handle(message: FromWebview): Promise<void> {
		switch (message.type) {
			case 'ready':
				await this.post({ type: 'init', inReplyTo: message.requestId, payload: this.payload() });
				this.ready = true;
				for (const resolve of this.readyWaiters.splice(0)) resolve();
				return;
			case 'insertText':
				return this.actions.insertText(message.text);
			case 'copyText':
				return this.actions.copyText(message.text);
			case 'openMarkdown':
				return this.actions.openMarkdown(this.model);
			case 'selectionChanged':
				this.selection = message.selection;
				return;
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
