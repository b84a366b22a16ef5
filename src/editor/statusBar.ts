import * as vscode from 'vscode';
import { ACTIVE_IMAGE_CONTEXT, Commands, IMAGE_EXTENSIONS } from '../commands/commandIds';

/** The image shown by the active tab, when it is one the service can read. */
export function activeImageUri(): vscode.Uri | undefined {
	const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
	// The built-in image preview, or any custom editor (a PDF viewer) showing a file we can send.
	if (input instanceof vscode.TabInputCustom && isAnalyzable(input.uri)) {
		return input.uri;
	}
	return undefined;
}

export function isAnalyzable(uri: vscode.Uri): boolean {
	const path = uri.path.toLowerCase();
	return IMAGE_EXTENSIONS.some(ext => path.endsWith(ext));
}

/**
 * Shows "Quick OCR" in the status bar and sets a context key while the active tab is an image.
 */
export class ActiveImageTracker implements vscode.Disposable {
	private readonly item: vscode.StatusBarItem;
	private readonly disposables: vscode.Disposable[] = [];
	private shown: boolean | undefined;

	constructor() {
		this.item = vscode.window.createStatusBarItem('yandexVision.quickOcr', vscode.StatusBarAlignment.Right, 100);
		this.item.name = vscode.l10n.t('Yandex Vision Quick OCR');
		this.item.text = `$(eye) ${vscode.l10n.t('Quick OCR')}`;
		this.item.tooltip = vscode.l10n.t('Recognize the text of this image and copy it');
		this.item.command = Commands.quickOcr;
		// Without this, screen readers read the icon's name ("eye") before the label.
		this.item.accessibilityInformation = { label: vscode.l10n.t('Quick OCR: recognize the text of this image and copy it'), role: 'button' };
		this.disposables.push(
			this.item,
			vscode.window.tabGroups.onDidChangeTabs(() => this.update()),
			vscode.window.tabGroups.onDidChangeTabGroups(() => this.update()),
		);
		this.update();
	}

	private update(): void {
		const visible = activeImageUri() !== undefined;
		if (visible === this.shown) return;
		this.shown = visible;
		void vscode.commands.executeCommand('setContext', ACTIVE_IMAGE_CONTEXT, visible);
		if (visible) this.item.show();
		else this.item.hide();
	}

	dispose(): void {
		for (const d of this.disposables) d.dispose();
	}
}
