/**
 * "Show JSON": the normalized results of an image in a read-only editor. The documents come from
 * a TextDocumentContentProvider with its own scheme, so VS Code opens them read-only and never
 * offers to save them; the model they show holds no credentials.
 */
import * as vscode from 'vscode';
import { modelToJson } from '../export/exportResults';
import type { ResultsModel } from '../shared/protocol';

export const JSON_SCHEME = 'yandex-vision-json';

export class JsonDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
	/** Text by document URI, kept while the document is open. */
	private readonly contents = new Map<string, string>();
	private readonly changed = new vscode.EventEmitter<vscode.Uri>();
	readonly onDidChange = this.changed.event;
	private readonly disposables: vscode.Disposable[];

	constructor() {
		this.disposables = [
			this.changed,
			vscode.workspace.registerTextDocumentContentProvider(JSON_SCHEME, this),
			vscode.workspace.onDidCloseTextDocument(document => {
				if (document.uri.scheme === JSON_SCHEME) this.contents.delete(document.uri.toString());
			}),
		];
	}

	/** Undefined for a document this instance did not open: VS Code then asks the next provider. */
	provideTextDocumentContent(uri: vscode.Uri): string | undefined {
		return this.contents.get(uri.toString());
	}

	/** Opens (or refreshes) the image's JSON document beside the panel. */
	async show(model: ResultsModel): Promise<vscode.TextEditor> {
		const uri = jsonUriOf(model);
		const key = uri.toString();
		const open = this.contents.has(key);
		this.contents.set(key, modelToJson(model));
		if (open) this.changed.fire(uri);
		let document = await vscode.workspace.openTextDocument(uri);
		if (document.languageId !== 'json') document = await vscode.languages.setTextDocumentLanguage(document, 'json');
		return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
	}

	dispose(): void {
		for (const disposable of this.disposables) disposable.dispose();
		this.contents.clear();
	}
}

/**
 * `yandex-vision-json:/<label>.vision.json?<image URI>`: the tab shows the image's name, and two
 * images with the same label in different folders get different documents.
 */
export function jsonUriOf(model: ResultsModel): vscode.Uri {
	const label = model.imageLabel.replace(/\\/g, '/').replace(/^\/+/, '');
	return vscode.Uri.from({ scheme: JSON_SCHEME, path: `/${label}.vision.json`, query: model.imageUri });
}
