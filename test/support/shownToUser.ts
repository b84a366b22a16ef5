/**
 * What the extension-host tests see of the extension's user interface: everything shown through
 * `vscode.window`, recorded and answered as a user would, the results panels it opens, and the
 * user settings a suite changes.
 */
import * as vscode from 'vscode';
import type { SearchItem } from '../../src/search/searchItems';
import type { ToWebview } from '../../src/shared/protocol';
import { WindowStubs } from '../suite/stubs';

/** Sets user settings and puts back what was there before. */
export class UserSettings {
	private readonly saved: { section: string; key: string; value: unknown }[] = [];

	async set(section: string, key: string, value: unknown): Promise<void> {
		if (!this.saved.some(s => s.section === section && s.key === key)) {
			this.saved.push({ section, key, value: vscode.workspace.getConfiguration(section).inspect(key)?.globalValue });
		}
		await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
	}

	async restore(): Promise<void> {
		for (const { section, key, value } of this.saved.splice(0).reverse()) {
			await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
		}
	}
}

/** A results panel the extension created: its HTML, what it posted, and a way to post to it as its webview would. */
export interface PanelRecord {
	panel: vscode.WebviewPanel;
	posted: ToWebview[];
	fromWebview(message: unknown): void;
}

/**
 * Records everything the extension shows through `vscode.window` — messages with their details and
 * buttons, quick picks, input boxes, progress, the status bar — answering as a user who dismisses
 * it, unless the test says otherwise; and every results panel it creates.
 */
export class ShownToUser {
	readonly stubs = new WindowStubs();
	readonly panels: PanelRecord[] = [];
	readonly progress: unknown[] = [];
	readonly statusBar: string[] = [];
	pickQuick: (items: readonly vscode.QuickPickItem[], options: vscode.QuickPickOptions | undefined) => unknown = () => undefined;
	inputBox: () => string | undefined = () => undefined;
	openDialog: () => vscode.Uri[] | undefined = () => undefined;
	saveDialog: (options: vscode.SaveDialogOptions) => vscode.Uri | undefined = () => undefined;

	install(): void {
		const { stubs } = this;
		for (const name of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage'] as const) stubs.stub(name, async () => undefined);
		stubs.stub('showQuickPick', async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => this.pickQuick(await items, options));
		stubs.stub('showInputBox', async () => this.inputBox());
		stubs.stub('showOpenDialog', async () => this.openDialog());
		stubs.stub('showSaveDialog', async (options: vscode.SaveDialogOptions) => this.saveDialog(options));
		const setStatusBarMessage = vscode.window.setStatusBarMessage;
		stubs.stub('setStatusBarMessage', (text: string, ...rest: never[]) => {
			this.statusBar.push(text);
			return (setStatusBarMessage as (...a: unknown[]) => vscode.Disposable)(text, ...rest);
		});
		const withProgress = vscode.window.withProgress;
		stubs.stub('withProgress', (options: vscode.ProgressOptions, task: (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Thenable<unknown>) => {
			this.progress.push(options.title);
			return withProgress(options, (progress, token) => task({ report: value => {
				this.progress.push(value);
				progress.report(value as never);
			} }, token));
		});
		const createWebviewPanel = vscode.window.createWebviewPanel;
		stubs.stub('createWebviewPanel', (...args: Parameters<typeof vscode.window.createWebviewPanel>) => {
			const panel = createWebviewPanel(...args);
			const listeners: ((message: unknown) => void)[] = [];
			const record: PanelRecord = { panel, posted: [], fromWebview: message => listeners.forEach(listener => listener(message)) };
			const { webview } = panel;
			const post = webview.postMessage.bind(webview);
			webview.postMessage = (message: ToWebview) => {
				record.posted.push(message);
				return post(message);
			};
			// The extension subscribes once, right after creating the panel; its listener is what the webview's messages reach.
			const subscribe = webview.onDidReceiveMessage;
			const recordListener: vscode.Event<unknown> = (listener, thisArg?, disposables?) => {
				listeners.push(message => listener.call(thisArg, message));
				return subscribe(listener, thisArg, disposables);
			};
			(webview as { onDidReceiveMessage: vscode.Event<unknown> }).onDidReceiveMessage = recordListener;
			this.panels.push(record);
			return panel;
		});
	}

	messages(name: 'showErrorMessage' | 'showWarningMessage' | 'showInformationMessage'): string[] {
		return this.stubs.messages(name);
	}

	/** Everything shown, as text: messages with their options and buttons, pick items, boxes, progress, status bar, webview HTML and payloads. */
	texts(): { where: string; text: string }[] {
		return [
			...this.stubs.calls.filter(call => call.name !== 'createWebviewPanel').map(call => ({ where: `window.${call.name}`, text: stringify(call.args) })),
			...this.progress.map(value => ({ where: 'progress', text: stringify(value) })),
			...this.statusBar.map(text => ({ where: 'status bar', text })),
			...this.panels.flatMap((record, i) => [
				{ where: `results panel ${i + 1} HTML`, text: record.panel.webview.html },
				// What the webview renders and keeps with setState: the model and the selection.
				...record.posted.map(message => ({ where: `results panel ${i + 1} ${message.type} (webview state)`, text: stringify(message) })),
			]),
		];
	}

	/** Puts `vscode.window` back, forgets what was shown and how to answer. */
	restore(): void {
		this.stubs.restore();
		this.panels.length = 0;
		this.progress.length = 0;
		this.statusBar.length = 0;
		this.pickQuick = () => undefined;
		this.inputBox = () => undefined;
		this.openDialog = () => undefined;
		this.saveDialog = () => undefined;
	}
}

/** JSON of anything the tests record; functions and cycles are left out. */
function stringify(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, v: unknown) => {
		if (typeof v === 'function') return undefined;
		if (typeof v === 'object' && v !== null) {
			if (seen.has(v)) return undefined;
			seen.add(v);
		}
		return v;
	}) ?? '';
}

/**
 * A stand-in for Search Text's quick pick, driven as a user would: read the items, type, pick one,
 * press Enter.
 */
export function fakeQuickPick() {
	const accepted = new vscode.EventEmitter<void>();
	const hidden = new vscode.EventEmitter<void>();
	const changed = new vscode.EventEmitter<string>();
	type Item = vscode.QuickPickItem & { line: SearchItem };
	const pick = {
		title: '', placeholder: '', value: '', matchOnDescription: false, busy: false,
		items: [] as Item[],
		selectedItems: [] as Item[],
		onDidAccept: accepted.event,
		onDidHide: hidden.event,
		onDidChangeValue: changed.event,
		show: () => undefined,
		hide: () => hidden.fire(),
		dispose: () => {
			accepted.dispose();
			hidden.dispose();
			changed.dispose();
		},
	};
	return {
		pick,
		accept: () => accepted.fire(),
		/** Replaces what is typed in the box, as a person typing it would. */
		type: (value: string) => {
			pick.value = value;
			changed.fire(value);
		},
	};
}
