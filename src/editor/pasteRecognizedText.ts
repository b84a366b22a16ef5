import * as vscode from 'vscode';
import type { Analyzer, AnalysisChoice } from '../analysis/analyzer';
import { VisionError } from '../api/transport/errors';
import { describeError } from '../output/errorMessages';
import { pagesMarkdown } from '../results/documents';
import { annotationToMarkdown, annotationToText } from '../results/text';
import type { TextAnnotation } from '../results/types';
import { readSettings } from '../settings/config';
import { DropPlaceholders } from './dropPlaceholders';
import { RECOGNIZED_MARKDOWN_KIND, RECOGNIZED_TEXT_KIND } from './pasteKinds';
import { isAnalyzable } from './statusBar';

export type Format = 'text' | 'markdown';

/**
 * What VS Code offers itself for an image or a file: Markdown's "Insert image" / link, the plain
 * text, the file's path. Ours come after them, so that a paste or drop does what it did before.
 */
const YIELD_TO: readonly vscode.DocumentDropOrPasteEditKind[] = [
	vscode.DocumentDropOrPasteEditKind.Empty.append('markdown', 'link'),
	vscode.DocumentDropOrPasteEditKind.Text.append('plain'),
	vscode.DocumentDropOrPasteEditKind.Empty.append('uri'),
];

/** The image, kept until the user picks the edit: nothing is sent before. */
type Image = { bytes: Uint8Array; name: string } | { uris: readonly vscode.Uri[] };

class RecognizedTextPasteEdit extends vscode.DocumentPasteEdit {
	constructor(readonly document: vscode.TextDocument, readonly image: Image, readonly format: Format) {
		super('', titleOf(format), kindOf(format));
		this.yieldTo = YIELD_TO;
	}
}

/** Inserts a placeholder, which {@link DropPlaceholders} replaces with the text. */
class RecognizedTextDropEdit extends vscode.DocumentDropEdit {
	constructor(placeholder: string, format: Format) {
		super(placeholder, titleOf(format), kindOf(format));
		this.yieldTo = YIELD_TO;
	}
}

/**
 * "Insert recognized text" (and in Markdown "Insert recognized text as Markdown") for an image
 * pasted or dropped into a text editor. The image is sent only when the user picks the edit: a
 * paste edit's text is worked out in `resolve…`, a drop edit's once its placeholder is inserted.
 * A failure has been explained by the analyzer and leaves the document as it was.
 */
export class RecognizedTextEdits implements vscode.DocumentPasteEditProvider, vscode.DocumentDropEditProvider, vscode.Disposable {
	private readonly drops = new DropPlaceholders();

	constructor(private readonly analyzer: Pick<Analyzer, 'recognizeText'>) {}

	dispose(): void {
		this.drops.dispose();
	}

	async provideDocumentPasteEdits(document: vscode.TextDocument, _ranges: readonly vscode.Range[], dataTransfer: vscode.DataTransfer, context: vscode.DocumentPasteEditContext): Promise<RecognizedTextPasteEdit[] | undefined> {
		const file = imageFile(dataTransfer);
		const formats = formatsFor(document).filter(format => !context.only || context.only.contains(kindOf(format)));
		if (!file || formats.length === 0 || !offeredOnPaste(document, dataTransfer, context)) return undefined;
		// Read now: VS Code lets go of the clipboard's files once the edits are provided.
		const image = { bytes: await file.data(), name: file.name || vscode.l10n.t('pasted image') };
		return formats.map(format => new RecognizedTextPasteEdit(document, image, format));
	}

	async resolveDocumentPasteEdit(edit: vscode.DocumentPasteEdit, token: vscode.CancellationToken): Promise<vscode.DocumentPasteEdit> {
		if (!(edit instanceof RecognizedTextPasteEdit)) return edit;
		edit.insertText = await this.recognize(edit.document, edit.image, edit.format, token);
		return edit;
	}

	async provideDocumentDropEdits(document: vscode.TextDocument, position: vscode.Position, dataTransfer: vscode.DataTransfer): Promise<RecognizedTextDropEdit[] | undefined> {
		// Images on a file system VS Code can read (the workspace's, a remote's, or the desktop's:
		// dragged there by the user, they need not be in the workspace), not web links.
		const uris = parseUriList(await dataTransfer.get('text/uri-list')?.asString() ?? '')
			.filter(uri => isAnalyzable(uri) && vscode.workspace.fs.isWritableFileSystem(uri.scheme) !== undefined);
		let image: Image;
		if (uris.length > 0) {
			image = { uris };
		} else {
			// A file dragged from the desktop into VS Code for the Web comes without a path: its bytes, as a pasted image's.
			const file = imageFile(dataTransfer);
			if (!file) return undefined;
			image = { bytes: await file.data(), name: file.name || vscode.l10n.t('dropped image') };
		}
		const edits = formatsFor(document).map(format => ({ format, placeholder: placeholderOf(image, format) }));
		this.drops.expect(document, position, edits.map(({ format, placeholder }) => ({ placeholder, produce: token => this.recognize(document, image, format, token) })));
		return edits.map(({ format, placeholder }) => new RecognizedTextDropEdit(placeholder, format));
	}

	/**
	 * The text to insert, in the document's line endings. Throws a CancellationError when there is
	 * none (cancelled, failed, no text): VS Code then applies nothing, and the user has been told why.
	 */
	private async recognize(document: vscode.TextDocument, image: Image, format: Format, token: vscode.CancellationToken): Promise<string> {
		const controller = new AbortController();
		const cancel = token.onCancellationRequested(() => controller.abort());
		try {
			if (token.isCancellationRequested) controller.abort();
			// The OCR API's markdown model writes tables and formulas; batchAnalyze has no such model.
			const choice: AnalysisChoice = format === 'markdown' && readSettings(document.uri).textEngine === 'ocr-api' ? { ocrModel: 'markdown' } : {};
			const texts: string[] = [];
			if ('bytes' in image) {
				texts.push(await this.recognizeOne({ ...image, scope: document.uri }, format, controller.signal, choice));
			} else {
				for (const uri of image.uris) texts.push(await this.recognizeOne(uri, format, controller.signal, choice));
			}
			const text = texts.join(format === 'markdown' ? '\n' : '\n\n');
			return document.eol === vscode.EndOfLine.CRLF ? text.replace(/\r?\n/g, '\r\n') : text;
		} finally {
			cancel.dispose();
		}
	}

	private async recognizeOne(target: Parameters<Analyzer['recognizeText']>[0], format: Format, signal: AbortSignal, choice: AnalysisChoice): Promise<string> {
		const text = await recognizedText(this.analyzer, target, format, signal, choice);
		if (text === undefined) throw new vscode.CancellationError();
		return text;
	}
}

/**
 * The text of one image in `format`, for inserting; undefined when cancelled, failed or empty, the
 * failure or the empty image told to the user. Pages that arrived before an error are not given:
 * the text would be silently incomplete.
 */
export async function recognizedText(analyzer: Pick<Analyzer, 'recognizeText'>, target: Parameters<Analyzer['recognizeText']>[0], format: Format, signal: AbortSignal, choice: AnalysisChoice = {}): Promise<string | undefined> {
	const report = await analyzer.recognizeText(target, signal, choice);
	const feature = report?.model?.features.find(f => f.result.textDetection || f.result.error)?.result;
	if (!report?.model || !feature || signal.aborted) return undefined;
	if (feature.error) {
		const { code, message } = feature.error;
		void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: {0}', `${report.model.imageLabel}: ${describeError(new VisionError({ kind: 'service', code, message, requestId: report.requestId }))}`));
		return undefined;
	}
	const text = feature.textDetection ? textIn(feature.textDetection, format) : '';
	if (!text.trim()) {
		void vscode.window.showInformationMessage(vscode.l10n.t('No text found in {0}.', report.model.imageLabel));
		return undefined;
	}
	return text;
}

function textIn(annotation: TextAnnotation, format: Format): string {
	return format === 'markdown' ? pagesMarkdown(annotation) ?? annotationToMarkdown(annotation) : annotationToText(annotation);
}

/** What the document shows while a dropped image is read. */
function placeholderOf(image: Image, format: Format): string {
	if ('bytes' in image) return format === 'markdown' ? vscode.l10n.t('Recognizing the text of {0} as Markdown…', image.name) : vscode.l10n.t('Recognizing the text of {0}…', image.name);
	if (image.uris.length > 1) return format === 'markdown' ? vscode.l10n.t('Recognizing the text of {0} images as Markdown…', image.uris.length) : vscode.l10n.t('Recognizing the text of {0} images…', image.uris.length);
	const name = image.uris[0]!.path.split('/').pop()!;
	return format === 'markdown' ? vscode.l10n.t('Recognizing the text of {0} as Markdown…', name) : vscode.l10n.t('Recognizing the text of {0}…', name);
}

function titleOf(format: Format): string {
	return format === 'markdown' ? vscode.l10n.t('Insert recognized text as Markdown') : vscode.l10n.t('Insert recognized text');
}

function kindOf(format: Format): vscode.DocumentDropOrPasteEditKind {
	return format === 'markdown' ? RECOGNIZED_MARKDOWN_KIND : RECOGNIZED_TEXT_KIND;
}

function formatsFor(document: vscode.TextDocument): Format[] {
	return document.languageId === 'markdown' ? ['text', 'markdown'] : ['text'];
}

function imageFile(dataTransfer: vscode.DataTransfer): vscode.DataTransferFile | undefined {
	for (const [mime, item] of dataTransfer) {
		const file = mime.startsWith('image/') ? item.asFile() : undefined;
		if (file) return file;
	}
	return undefined;
}

/**
 * A plain paste applies the first edit offered without asking, and an image sent to the service
 * must be the user's choice. So ours is offered on a plain paste only behind another edit — VS
 * Code's "Insert image" in Markdown, or the clipboard's plain text — or when the user made it the
 * preferred paste (`editor.pasteAs.preferences`); "Paste As…" always offers it.
 */
function offeredOnPaste(document: vscode.TextDocument, dataTransfer: vscode.DataTransfer, context: vscode.DocumentPasteEditContext): boolean {
	if (context.triggerKind === vscode.DocumentPasteTriggerKind.PasteAs) return true;
	const preferences = vscode.workspace.getConfiguration('editor', document).get<string[]>('pasteAs.preferences', []);
	if (formatsFor(document).some(format => preferences.includes(kindOf(format).value))) return true;
	if (document.languageId === 'markdown') {
		const filePaste = vscode.workspace.getConfiguration('markdown', document).get<unknown>('editor.filePaste.enabled');
		if (filePaste !== 'never' && filePaste !== false) return true;
	}
	return dataTransfer.get('text/plain') !== undefined;
}

/** `text/uri-list` (RFC 2483): one URI a line, `#` starts a comment. */
function parseUriList(list: string): vscode.Uri[] {
	const uris: vscode.Uri[] = [];
	for (const line of list.split(/\r?\n/)) {
		const value = line.trim();
		if (!value || value.startsWith('#')) continue;
		try {
			uris.push(vscode.Uri.parse(value, true));
		} catch {
			// Not a URI: nothing of ours to read.
		}
	}
	return uris;
}
