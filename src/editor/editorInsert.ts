import * as vscode from 'vscode';

/**
 * Inserts recognized text where the user was last typing. Focus moves to the results panel before
 * the user clicks Insert, so the target is the last text editor that was active, with the
 * selections it had then; without one, the text opens in a new untitled document.
 */
export class EditorInserter implements vscode.Disposable {
	private last: { editor: vscode.TextEditor; selections: readonly vscode.Selection[] } | undefined;
	private readonly subscriptions: vscode.Disposable[];

	constructor() {
		this.remember(vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0]);
		this.subscriptions = [
			vscode.window.onDidChangeActiveTextEditor(editor => this.remember(editor)),
			vscode.window.onDidChangeTextEditorSelection(event => {
				if (event.textEditor === this.last?.editor) this.last = { editor: event.textEditor, selections: event.selections };
			}),
		];
	}

	private remember(editor: vscode.TextEditor | undefined): void {
		// Output channels and the like are text editors too, but not places to type.
		if (editor && (editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled' || editor.document.uri.scheme === 'vscode-remote' || editor.document.uri.scheme === 'vscode-userdata')) {
			this.last = { editor, selections: editor.selections };
		}
	}

	/** Resolves to the document that received the text. */
	async insert(text: string): Promise<vscode.TextDocument> {
		const target = await this.targetEditor();
		if (!target) {
			const document = await vscode.workspace.openTextDocument({ content: text });
			await vscode.window.showTextDocument(document);
			return document;
		}
		const { editor, selections } = target;
		const applied = await editor.edit(builder => {
			for (const selection of selections) builder.replace(selection, text);
		});
		if (!applied) throw new Error(vscode.l10n.t('The editor did not accept the text; is the document read-only?'));
		return editor.document;
	}

	private async targetEditor(): Promise<{ editor: vscode.TextEditor; selections: readonly vscode.Selection[] } | undefined> {
		const last = this.last;
		if (!last || last.editor.document.isClosed) return undefined;
		if (vscode.window.visibleTextEditors.includes(last.editor)) {
			await vscode.window.showTextDocument(last.editor.document, { viewColumn: last.editor.viewColumn, preserveFocus: false });
			return last;
		}
		// Its tab is hidden: show the document again and restore where the cursor was.
		const editor = await vscode.window.showTextDocument(last.editor.document, { viewColumn: last.editor.viewColumn });
		editor.selections = [...last.selections];
		return { editor, selections: last.selections };
	}

	dispose(): void {
		for (const d of this.subscriptions) d.dispose();
	}
}
