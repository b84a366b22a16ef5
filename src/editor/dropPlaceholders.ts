import * as vscode from 'vscode';

/** How long a drop's edits may still be picked in the drop widget. */
const EXPECTED_FOR_MS = 10 * 60_000;

interface Expected {
	document: vscode.TextDocument;
	position: vscode.Position;
	placeholder: string;
	produce: (token: vscode.CancellationToken) => Promise<string>;
	since: number;
}

interface Running {
	document: vscode.TextDocument;
	placeholder: string;
	/** Where the placeholder is now, as an offset, kept up to date through the document's changes. */
	start: number;
	/** Edited or undone by the user: the work is cancelled and nothing is put back. */
	touched: boolean;
	source: vscode.CancellationTokenSource;
}

/**
 * The text of a drop edit that is worked out once the user picks the edit. VS Code applies a drop
 * edit as it was provided — its drop controller (1.100) never calls `resolveDocumentDropEdit` — so the edit
 * inserts a placeholder, and the work starts when that placeholder is seen inserted where the drop
 * was: only then, never for an edit merely offered. The placeholder is replaced by the text, or
 * removed when there is none; undoing or editing it cancels the work.
 */
export class DropPlaceholders implements vscode.Disposable {
	private readonly expected = new Set<Expected>();
	private readonly running = new Set<Running>();
	private listener: vscode.Disposable | undefined;

	/**
	 * Expects the edits offered for one drop: each `placeholder` (distinct among them), once
	 * inserted at `position`, is replaced by what its `produce` gives. Replaces the expectations of
	 * an earlier drop into the same document, whose widget is gone.
	 */
	expect(document: vscode.TextDocument, position: vscode.Position, edits: readonly { placeholder: string; produce: Expected['produce'] }[]): void {
		for (const expected of this.expected) if (expected.document === document) this.expected.delete(expected);
		const since = Date.now();
		for (const { placeholder, produce } of edits) this.expected.add({ document, position, placeholder, produce, since });
		this.listen();
	}

	dispose(): void {
		for (const running of this.running) running.source.cancel();
		this.expected.clear();
		this.running.clear();
		this.listen();
	}

	private listen(): void {
		const now = Date.now();
		for (const expected of this.expected) if (expected.document.isClosed || now - expected.since > EXPECTED_FOR_MS) this.expected.delete(expected);
		const needed = this.expected.size > 0 || this.running.size > 0;
		if (needed && !this.listener) {
			this.listener = vscode.workspace.onDidChangeTextDocument(event => this.changed(event));
		} else if (!needed && this.listener) {
			this.listener.dispose();
			this.listener = undefined;
		}
	}

	private changed(event: vscode.TextDocumentChangeEvent): void {
		for (const running of this.running) {
			if (running.document !== event.document || running.touched) continue;
			const shift = shiftOf(running.start, running.placeholder.length, event.contentChanges);
			if (shift === undefined) {
				running.touched = true;
				running.source.cancel();
			} else {
				running.start += shift;
			}
		}
		for (const expected of this.expected) {
			if (expected.document !== event.document) continue;
			const inserted = event.contentChanges.find(change => change.rangeLength === 0 && change.text === expected.placeholder && change.range.start.isEqual(expected.position));
			if (inserted) this.start(expected, inserted.rangeOffset);
		}
		this.listen();
	}

	private start(expected: Expected, offset: number): void {
		const running: Running = { document: expected.document, placeholder: expected.placeholder, start: offset, touched: false, source: new vscode.CancellationTokenSource() };
		this.running.add(running);
		void vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Yandex Vision: recognizing text…'), cancellable: true },
			async (_progress, token) => {
				const cancel = token.onCancellationRequested(() => running.source.cancel());
				try {
					return await expected.produce(running.source.token);
				} catch (err) {
					// A CancellationError: cancelled, or a failure that has been explained.
					if (!(err instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: {0}', err instanceof Error ? err.message : String(err)));
					return undefined;
				} finally {
					cancel.dispose();
				}
			},
		).then(text => this.finish(running, text));
	}

	/** The placeholder, where the user left it alone, gives way to the text, or to nothing. */
	private async finish(running: Running, text: string | undefined): Promise<void> {
		this.running.delete(running);
		running.source.dispose();
		this.listen();
		const { document, placeholder, start } = running;
		if (running.touched || document.isClosed) return;
		const range = new vscode.Range(document.positionAt(start), document.positionAt(start + placeholder.length));
		if (document.getText(range) !== placeholder) return;
		const edit = new vscode.WorkspaceEdit();
		edit.replace(document.uri, range, text ?? '');
		await vscode.workspace.applyEdit(edit);
	}
}

/**
 * How far a change moves text at `start` of `length`, or undefined when it touches that text.
 * The offsets of one event's changes all refer to the document before it.
 */
function shiftOf(start: number, length: number, changes: readonly vscode.TextDocumentContentChangeEvent[]): number | undefined {
	let shift = 0;
	for (const change of changes) {
		const end = change.rangeOffset + change.rangeLength;
		if (end <= start) {
			shift += change.text.length - change.rangeLength;
		} else if (change.rangeOffset >= start + length) {
			continue;
		} else {
			return undefined;
		}
	}
	return shift;
}
