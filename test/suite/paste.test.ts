/**
 * Pasting and dropping an image into a text editor, in real VS Code against the emulator: the
 * providers VS Code calls (as activation registered them) offer "Insert recognized text" without
 * sending anything, send the image only when the edit is resolved (a paste) or its placeholder
 * inserted (a drop), and give the recorded text in
 * the document's line endings; Cancel and refused credentials leave the document as it was, and
 * nothing is written to the workspace.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecognizedTextProvider } from '../../src/extension';
import { annotationToText } from '../../src/results/text';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { findVsCodeStorage } from '../support/vscodeStorage';
import { quietNotifications, UserSettings, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const TEXT_KIND = 'text.yandexVision.recognizedText';
const MARKDOWN_KIND = 'markdown.yandexVision.recognizedText';

function workspaceFiles(): string[] {
	const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
	return (fs.readdirSync(root, { recursive: true }) as string[]).map(file => path.join(root, file)).sort();
}

/** A clipboard item holding a file, as VS Code passes a pasted image. */
class FileItem extends vscode.DataTransferItem {
	constructor(private readonly file: vscode.DataTransferFile) {
		super('');
	}

	override asFile(): vscode.DataTransferFile {
		return this.file;
	}
}

/** A clipboard holding only an image, as a screenshot tool leaves it. */
function clipboardWith(image: string, mime = 'image/png'): vscode.DataTransfer {
	const bytes = new Uint8Array(fixtureBytes(image));
	const dataTransfer = new vscode.DataTransfer();
	dataTransfer.set(mime, new FileItem({ name: image, uri: undefined, data: async () => bytes }));
	return dataTransfer;
}

function cacheDir(): string {
	return path.join(findVsCodeStorage().userDataDir, 'User', 'globalStorage', EXTENSION_ID, 'results');
}

/** The files each result was stored with, read from the cache's entry files. */
function cachedFiles(): string[][] {
	return fs.readdirSync(cacheDir())
		.filter(name => name.endsWith('.json') && name !== 'index.json')
		.map(name => (JSON.parse(fs.readFileSync(path.join(cacheDir(), name), 'utf8')) as { files: { uri: string }[] }).files.map(file => file.uri));
}

/** The files each result was seen in since, from the cache's index (written shortly after a change). */
function indexedFiles(): string[][] {
	const index = path.join(cacheDir(), 'index.json');
	if (!fs.existsSync(index)) return [];
	const { entries } = JSON.parse(fs.readFileSync(index, 'utf8')) as { entries: Record<string, { files: { uri: string }[] }> };
	return Object.values(entries).map(entry => entry.files.map(file => file.uri));
}

function context(triggerKind: vscode.DocumentPasteTriggerKind): vscode.DocumentPasteEditContext {
	return { only: undefined, triggerKind };
}

const opened: vscode.TextDocument[] = [];

async function untitled(content: string, language = 'plaintext'): Promise<vscode.TextEditor> {
	const document = await vscode.workspace.openTextDocument({ content, language });
	opened.push(document);
	return vscode.window.showTextDocument(document);
}

/** Closes the untitled documents without the prompt to save them. */
async function closeUntitled(): Promise<void> {
	for (const document of opened.splice(0)) {
		if (document.isClosed) continue;
		await vscode.window.showTextDocument(document);
		await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
	}
}

describe('Paste and drop an image into an editor, against the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	let provider: RecognizedTextProvider;
	let filesBefore: string[];
	const stubs = new WindowStubs();
	const settings = new UserSettings();
	const ocrRequests = (): RequestLogEntry[] => emulator.log.filter(entry => entry.path === '/ocr/v1/recognizeText');
	const receiptText = () => annotationToText(recordingOf('receipt.png').textDetection!);

	const set = (key: string, value: unknown): Promise<void> => settings.set(key, value);

	async function setToken(token: string): Promise<void> {
		stubs.stub('showInputBox', async () => token);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
	}

	/** Offers for a paste as VS Code asks on "Paste As…", with the one of `kind`. */
	async function offered(editor: vscode.TextEditor, dataTransfer: vscode.DataTransfer, kind = TEXT_KIND): Promise<vscode.DocumentPasteEdit> {
		const edits = await provider.provideDocumentPasteEdits!(editor.document, editor.selections, dataTransfer, context(vscode.DocumentPasteTriggerKind.PasteAs), new vscode.CancellationTokenSource().token);
		const edit = edits?.find(e => e.kind.value === kind);
		assert.ok(edit, `an edit of kind ${kind} among ${JSON.stringify(edits?.map(e => e.kind.value))}`);
		return edit;
	}

	/** What VS Code does with a chosen paste edit: resolve it, then replace the selections with its text in one edit. */
	async function paste(editor: vscode.TextEditor, edit: vscode.DocumentPasteEdit, token = new vscode.CancellationTokenSource().token): Promise<string> {
		const resolved = await provider.resolveDocumentPasteEdit!(edit, token);
		const text = (resolved ?? edit).insertText;
		assert.equal(typeof text, 'string');
		const workspaceEdit = new vscode.WorkspaceEdit();
		for (const selection of editor.selections) workspaceEdit.replace(editor.document.uri, selection, text as string);
		assert.equal(await vscode.workspace.applyEdit(workspaceEdit), true);
		return text as string;
	}

	before(async () => {
		emulator = await startEmulator();
		const api = await vscode.extensions.getExtension<{ recognizedText: RecognizedTextProvider }>(EXTENSION_ID)!.activate();
		provider = api.recognizedText;
		await set('endpoint', emulator.url);
		await set('ocrApi.endpoint', emulator.ocrUrl);
		await set('folderId', DEFAULT_CREDENTIALS.folderId);
		await set('ocr.engine', 'ocr-api');
		// The test profile turns the cache off; a pasted image is cached by its bytes like any file.
		await set('cache.maxMegabytes', 200);
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		// Earlier suites analyzed the same fixtures: each image here is sent once, from an empty cache.
		stubs.stub('showWarningMessage', async () => 'Clear Cache');
		stubs.stub('showInformationMessage', async () => undefined);
		await vscode.commands.executeCommand('yandexVision.clearCache');
		stubs.restore();
		filesBefore = workspaceFiles();
	});
	after(async () => {
		stubs.restore();
		await settings.restore();
		await emulator.close();
	});
	beforeEach(() => {
		quietNotifications(stubs);
		emulator.configure({ faults: {}, latencyMs: 0 });
		emulator.clearLog();
	});
	afterEach(async () => {
		stubs.restore();
		await closeUntitled();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('offers "Insert recognized text" without sending anything, never ahead of what VS Code offers itself', async () => {
		const plain = await untitled('');
		const clipboard = clipboardWith('receipt.png');
		const automatic = await provider.provideDocumentPasteEdits!(plain.document, plain.selections, clipboard, context(vscode.DocumentPasteTriggerKind.Automatic), new vscode.CancellationTokenSource().token);
		assert.equal(automatic?.length ?? 0, 0, 'a plain paste of an image alone would apply ours at once: not offered');
		const edit = await offered(plain, clipboard);
		assert.equal(edit.title, 'Insert recognized text');
		assert.ok(edit.yieldTo?.some(kind => kind.value === 'markdown.link'), 'after Markdown\'s "Insert image"');

		const markdown = await untitled('', 'markdown');
		const inMarkdown = await provider.provideDocumentPasteEdits!(markdown.document, markdown.selections, clipboard, context(vscode.DocumentPasteTriggerKind.Automatic), new vscode.CancellationTokenSource().token);
		assert.deepEqual(inMarkdown?.map(e => e.kind.value), [TEXT_KIND, MARKDOWN_KIND]);
		assert.ok(inMarkdown!.every(e => e.yieldTo?.some(kind => kind.value === 'markdown.link')));
		assert.equal(emulator.log.length, 0, 'nothing is sent until the edit is chosen');
	});

	it('a pasted PNG becomes its recorded text, replacing the selection in one edit; the same bytes again come from the cache', async () => {
		const editor = await untitled('before [selected] after');
		editor.selection = new vscode.Selection(0, 7, 0, 17);
		const text = await paste(editor, await offered(editor, clipboardWith('receipt.png')));
		assert.equal(text, receiptText());
		assert.equal(editor.document.getText(), `before ${receiptText()} after`);
		assert.equal(ocrRequests().length, 1);
		assert.equal(ocrRequests()[0]!.model, 'page');
		assert.deepEqual(cachedFiles(), [[]], 'the result is cached with no path: the image is no file');

		const again = await untitled('');
		assert.equal(await paste(again, await offered(again, clipboardWith('receipt.png'))), receiptText());
		assert.equal(ocrRequests().length, 1, 'cached by its bytes');
	});

	it('a CRLF document gets the text with CRLF line endings', async () => {
		const editor = await untitled('first\nsecond\n');
		await editor.edit(builder => builder.setEndOfLine(vscode.EndOfLine.CRLF));
		assert.equal(editor.document.eol, vscode.EndOfLine.CRLF);
		editor.selection = new vscode.Selection(1, 0, 1, 0);
		const text = await paste(editor, await offered(editor, clipboardWith('receipt.png')));
		assert.ok(text.includes('\r\n'), 'the receipt has several lines');
		assert.equal(text.replace(/\r\n/g, ''), text.replace(/\r\n/g, '').replace(/\n/g, ''), 'no bare LF');
		assert.equal(text, receiptText().replace(/\n/g, '\r\n'));
		assert.equal(editor.document.getText(), `first\r\n${receiptText().replace(/\n/g, '\r\n')}second\r\n`);
	});

	it('in Markdown, "Insert recognized text as Markdown" reads with the OCR API\'s markdown model', async () => {
		const editor = await untitled('', 'markdown');
		const edit = await offered(editor, clipboardWith('formula-page.png'), MARKDOWN_KIND);
		const text = await paste(editor, edit);
		const recorded = recordingOf('formula-page.png').ocr!['markdown']![0]!.markdown!;
		assert.equal(text, `${recorded.replace(/\s+$/, '')}\n`);
		assert.deepEqual(ocrRequests().map(r => r.model), ['markdown']);
	});

	/** The "Insert recognized text" edit VS Code gets for a drop, as the drop widget lists it. */
	async function dropEdit(editor: vscode.TextEditor, position: vscode.Position, dataTransfer: vscode.DataTransfer): Promise<vscode.DocumentDropEdit> {
		const edits = await provider.provideDocumentDropEdits!(editor.document, position, dataTransfer, new vscode.CancellationTokenSource().token);
		const all = Array.isArray(edits) ? edits : [edits];
		const edit = all.find(e => e?.kind?.value === TEXT_KIND);
		assert.ok(edit, `an "Insert recognized text" drop edit among ${JSON.stringify(all.map(e => e?.kind?.value))}`);
		assert.equal(edit.title, 'Insert recognized text');
		return edit;
	}

	/** What VS Code does with a chosen drop edit: it inserts the edit's text where the drop was (it resolves no drop edit). */
	async function choose(editor: vscode.TextEditor, position: vscode.Position, edit: vscode.DocumentDropEdit): Promise<void> {
		assert.equal(typeof edit.insertText, 'string');
		const workspaceEdit = new vscode.WorkspaceEdit();
		workspaceEdit.insert(editor.document.uri, position, edit.insertText as string);
		assert.equal(await vscode.workspace.applyEdit(workspaceEdit), true);
	}

	function uriList(...uris: vscode.Uri[]): vscode.DataTransfer {
		const dataTransfer = new vscode.DataTransfer();
		dataTransfer.set('text/uri-list', new vscode.DataTransferItem(uris.map(uri => `${uri.toString()}\r\n`).join('')));
		return dataTransfer;
	}

	const workspaceImage = (name: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);

	it('an image dropped from the Explorer (text/uri-list): a placeholder while it is read, then its recorded text at the drop position', async () => {
		const editor = await untitled('dropped: ');
		const image = workspaceImage('receipt.png');
		const position = new vscode.Position(0, 9);
		const edit = await dropEdit(editor, position, uriList(image));
		assert.equal(emulator.log.length, 0, 'nothing is sent until the edit is chosen');
		assert.equal(edit.insertText, 'Recognizing the text of receipt.png…');
		await choose(editor, position, edit);
		assert.equal(editor.document.getText(), 'dropped: Recognizing the text of receipt.png…');
		await waitFor(() => editor.document.getText() === `dropped: ${receiptText()}` || undefined, `the receipt's text in place of the placeholder; the document holds ${JSON.stringify(editor.document.getText())}`);
		await waitFor(() => indexedFiles().some(files => files.includes(image.toString())) || undefined, 'the cache to know the dropped file');
	});

	it('an image dropped from the desktop, outside the workspace folders, is inserted as its recorded text', async () => {
		const desktop = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-desktop-'));
		try {
			const image = vscode.Uri.file(path.join(desktop, 'scan.png'));
			fs.copyFileSync(workspaceImage('receipt.png').fsPath, image.fsPath);
			assert.equal(vscode.workspace.getWorkspaceFolder(image), undefined);
			const editor = await untitled('dropped: ');
			const position = new vscode.Position(0, 9);
			await choose(editor, position, await dropEdit(editor, position, uriList(image)));
			await waitFor(() => editor.document.getText() === `dropped: ${receiptText()}` || undefined, `the receipt's text; the document holds ${JSON.stringify(editor.document.getText())}`);
		} finally {
			fs.rmSync(desktop, { recursive: true, force: true });
		}
	});

	it('an image dropped from the desktop into VS Code for the Web (its bytes, no path) is inserted as its recorded text', async () => {
		const editor = await untitled('dropped: ');
		const position = new vscode.Position(0, 9);
		// What the browser gives for a file from the desktop: the file, and no URI VS Code can read.
		await choose(editor, position, await dropEdit(editor, position, clipboardWith('receipt.png')));
		await waitFor(() => editor.document.getText() === `dropped: ${receiptText()}` || undefined, `the receipt's text; the document holds ${JSON.stringify(editor.document.getText())}`);
	});

	it('text typed before the placeholder while the image is read: the text still lands where the placeholder is', async () => {
		emulator.configure({ latencyMs: 1_500 });
		const editor = await untitled('dropped: ');
		const position = new vscode.Position(0, 9);
		// An image not read before: the answer comes from the (slow) service, not the cache.
		await choose(editor, position, await dropEdit(editor, position, uriList(workspaceImage('mixed-page.png'))));
		await waitFor(() => ocrRequests().length === 1 || undefined, 'the request to arrive');
		assert.ok(await editor.edit(builder => builder.insert(new vscode.Position(0, 0), 'First ')));
		const text = annotationToText(recordingOf('mixed-page.png').textDetection!);
		await waitFor(() => editor.document.getText() === `First dropped: ${text}` || undefined, `the page's text after "First dropped: "; the document holds ${JSON.stringify(editor.document.getText())}`);
	});

	it('Undo while a dropped image is read: the request is abandoned and nothing comes back later', async () => {
		emulator.configure({ faults: { rate: 1, kinds: ['stall'] } });
		const editor = await untitled('unchanged');
		const position = new vscode.Position(0, 9);
		await choose(editor, position, await dropEdit(editor, position, uriList(workspaceImage('cyrillic-sign.jpg'))));
		await waitFor(() => ocrRequests().length === 1 || undefined, 'the request to arrive');
		await vscode.commands.executeCommand('undo');
		assert.equal(editor.document.getText(), 'unchanged');
		await waitFor(() => ocrRequests()[0]!.status === 0 || undefined, 'the emulator to see the client go away', 5_000);
		await new Promise(resolve => setTimeout(resolve, 500));
		assert.equal(editor.document.getText(), 'unchanged');
		assert.equal(ocrRequests().length, 1, 'no retry after cancel');
		assert.equal(stubs.messages('showErrorMessage').length, 0);
	});

	it('a dropped image that fails: one error message, and the placeholder gives way to the document as it was', async () => {
		await setToken('t1.refused-by-the-emulator');
		try {
			const editor = await untitled('unchanged');
			const position = new vscode.Position(0, 9);
			await choose(editor, position, await dropEdit(editor, position, uriList(workspaceImage('latin-note.png'))));
			await waitFor(() => stubs.messages('showErrorMessage').length > 0 || undefined, 'the error message');
			assert.match(stubs.messages('showErrorMessage').join('\n'), /IAM token is invalid or has expired/);
			await waitFor(() => editor.document.getText() === 'unchanged' || undefined, `the placeholder removed; the document holds ${JSON.stringify(editor.document.getText())}`);
			assert.equal(stubs.messages('showErrorMessage').length, 1);
		} finally {
			await setToken(DEFAULT_CREDENTIALS.userIamToken);
		}
	});

	it('Cancel while the request runs: no edit, and the request is abandoned', async () => {
		emulator.configure({ faults: { rate: 1, kinds: ['stall'] } });
		const editor = await untitled('unchanged');
		const source = new vscode.CancellationTokenSource();
		const pending = provider.resolveDocumentPasteEdit!(await offered(editor, clipboardWith('cyrillic-sign.jpg', 'image/jpeg')), source.token);
		await waitFor(() => ocrRequests().length === 1 || undefined, 'the request to arrive');
		const cancelledAt = Date.now();
		source.cancel();
		await assert.rejects(Promise.resolve(pending), (err: unknown) => err instanceof vscode.CancellationError);
		assert.ok(Date.now() - cancelledAt < 2_000);
		await waitFor(() => ocrRequests()[0]!.status === 0 || undefined, 'the emulator to see the client go away', 5_000);
		assert.equal(ocrRequests().length, 1, 'no retry after cancel');
		assert.equal(editor.document.getText(), 'unchanged');
		assert.equal(stubs.messages('showErrorMessage').length, 0);
	});

	it('cancelled before it starts: nothing is sent', async () => {
		const editor = await untitled('unchanged');
		const source = new vscode.CancellationTokenSource();
		source.cancel();
		await assert.rejects(Promise.resolve(provider.resolveDocumentPasteEdit!(await offered(editor, clipboardWith('rotated-line.png')), source.token)), vscode.CancellationError);
		assert.equal(emulator.log.length, 0);
	});

	it('a refused token: no edit, one error message offering a new token, the document unchanged', async () => {
		await setToken('t1.refused-by-the-emulator');
		try {
			const editor = await untitled('unchanged');
			editor.selection = new vscode.Selection(0, 0, 0, 9);
			await assert.rejects(Promise.resolve(provider.resolveDocumentPasteEdit!(await offered(editor, clipboardWith('latin-note.png')), new vscode.CancellationTokenSource().token)), vscode.CancellationError);
			await waitFor(() => stubs.messages('showErrorMessage').length > 0 || undefined, 'the error message');
			const errors = stubs.calls.filter(c => c.name === 'showErrorMessage');
			assert.equal(errors.length, 1);
			assert.match(String(errors[0]!.args[0]), /IAM token is invalid or has expired/);
			assert.ok(errors[0]!.args.includes('Set New Token'));
			assert.equal(editor.document.getText(), 'unchanged');
			assert.equal(ocrRequests().length, 1);
		} finally {
			await setToken(DEFAULT_CREDENTIALS.userIamToken);
		}
	});

	it('without credentials: asks for them, sends nothing, and leaves the document unchanged', async () => {
		await vscode.commands.executeCommand('yandexVision.signOut');
		try {
			const editor = await untitled('unchanged');
			await assert.rejects(Promise.resolve(provider.resolveDocumentPasteEdit!(await offered(editor, clipboardWith('hostile-text.png')), new vscode.CancellationTokenSource().token)), vscode.CancellationError);
			assert.match(stubs.messages('showWarningMessage').join('\n'), /needs an IAM token/);
			assert.equal(emulator.log.length, 0);
			assert.equal(editor.document.getText(), 'unchanged');
		} finally {
			await setToken(DEFAULT_CREDENTIALS.userIamToken);
		}
	});

	it('writes nothing into the workspace', () => {
		assert.deepEqual(workspaceFiles(), filesBefore);
	});
});
