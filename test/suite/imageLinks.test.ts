/**
 * Image links in Markdown, in real VS Code against the emulator: on a link to a workspace image,
 * the code actions and the hover offer to recognize its text; the text goes below the link or,
 * shortened, into the alt text; a link to a missing file or to the web offers nothing.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { altTextOf } from '../../src/editor/markdownImageLinks';
import { annotationToText } from '../../src/results/text';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { recordingOf } from '../support/fixtures';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const COMMAND = 'yandexVision.recognizeImageLink';
const RECOGNIZE = 'Recognize text of this image';
const FILL_ALT = 'Fill the alt text with the recognized text';

const opened: vscode.TextDocument[] = [];

let untitledCount = 0;

/**
 * An untitled Markdown document of its own name: "Untitled-1" again, right after the last one
 * closed, can give back the closed document's text.
 */
async function markdown(content: string): Promise<vscode.TextEditor> {
	const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path: `image-links-${++untitledCount}.md` }));
	opened.push(document);
	const editor = await vscode.window.showTextDocument(document);
	assert.equal(document.languageId, 'markdown');
	assert.ok(await editor.edit(builder => builder.insert(new vscode.Position(0, 0), content)));
	return editor;
}

/**
 * VS Code cancels a request when the document changes meanwhile, as one just opened and filled
 * in may still do: such a request is asked again, as the light bulb and the hover do.
 */
async function uncancelled<T>(request: () => Thenable<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await request();
		} catch (error) {
			if (attempt >= 5 || (error as Error).message !== 'Canceled') throw error;
			await new Promise(resolve => setTimeout(resolve, 200));
		}
	}
}

/** Our code actions, asked again until offered, as the light bulb does while a document just opened settles. */
async function offeredAt(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CodeAction[]> {
	return waitFor(async () => {
		const actions = await actionsAt(document, position);
		return actions.length > 0 ? actions : undefined;
	}, 'the code actions on the link');
}

/** Our code actions at a position, as the light bulb asks for them. */
async function actionsAt(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CodeAction[]> {
	const all = await uncancelled(() => vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(position, position)));
	return (all ?? []).filter((a): a is vscode.CodeAction => 'kind' in a && a.kind?.value.startsWith('refactor.yandexVision') === true);
}

/** The command link of our hover at a position, with its arguments as VS Code would pass them. */
async function hoverLinksAt(document: vscode.TextDocument, position: vscode.Position): Promise<{ hover: vscode.MarkdownString; links: { title: string; args: unknown[] }[] }[]> {
	const hovers = await uncancelled(() => vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position));
	return (hovers ?? []).flatMap(hover => hover.contents)
		.filter((content): content is vscode.MarkdownString => typeof content !== 'string' && 'value' in content && content.value.includes(`command:${COMMAND}`))
		.map(hover => ({
			hover,
			links: [...hover.value.matchAll(/\[([^\]]+)\]\(command:([\w.]+)\?([^)]+)\)/g)].map(m => {
				assert.equal(m[2], COMMAND);
				return { title: m[1]!, args: JSON.parse(decodeURIComponent(m[3]!)) as unknown[] };
			}),
		}));
}

describe('Markdown image links, against the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');
	const settings: [string, unknown][] = [];
	// The test profile's engine (batchAnalyze) reads the text.
	const receiptText = () => annotationToText(recordingOf('receipt.png').textDetection!);

	async function set(key: string, value: unknown): Promise<void> {
		settings.push([key, config().inspect(key)?.globalValue]);
		await config().update(key, value, vscode.ConfigurationTarget.Global);
	}

	before(async () => {
		emulator = await startEmulator();
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await set('endpoint', emulator.url);
		await set('ocrApi.endpoint', emulator.ocrUrl);
		await set('folderId', DEFAULT_CREDENTIALS.folderId);
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();
	});
	after(async () => {
		stubs.restore();
		for (const [key, value] of settings.reverse()) await config().update(key, value, vscode.ConfigurationTarget.Global);
		await emulator.close();
	});
	beforeEach(() => {
		quietNotifications(stubs);
		emulator.clearLog();
	});
	afterEach(async () => {
		stubs.restore();
		for (const document of opened.splice(0)) {
			if (document.isClosed) continue;
			await vscode.window.showTextDocument(document);
			await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
		}
	});

	it('offers both actions on a link to a workspace image, sending nothing', async () => {
		const editor = await markdown('# Receipts\n\nSee ![receipt](images/receipt.png "the receipt") above.\n');
		const actions = await offeredAt(editor.document, new vscode.Position(2, 8));
		assert.deepEqual(actions.map(a => a.title), [RECOGNIZE, FILL_ALT]);
		assert.ok(actions.every(a => a.kind?.value === 'refactor.yandexVision.recognizeImage'));
		assert.equal((await actionsAt(editor.document, new vscode.Position(2, 1))).length, 0, 'not outside the link');
		assert.equal(emulator.log.length, 0);
	});

	it('"Recognize text of this image" inserts the recorded text as a paragraph below the link', async () => {
		const editor = await markdown('![receipt](images/receipt.png)\nnext paragraph\n');
		const [recognize] = await offeredAt(editor.document, new vscode.Position(0, 3));
		assert.equal(recognize?.title, RECOGNIZE);
		const inserted = await vscode.commands.executeCommand(recognize.command!.command, ...recognize.command!.arguments!);
		assert.equal(inserted, receiptText());
		assert.equal(editor.document.getText(), `![receipt](images/receipt.png)\n\n${receiptText()}\n\nnext paragraph\n`);
		assert.equal(emulator.log.length, 1, 'one request');
	});

	it('keeps a CRLF document\'s line endings', async () => {
		const editor = await markdown('![receipt](images/receipt.png)');
		await editor.edit(builder => builder.setEndOfLine(vscode.EndOfLine.CRLF));
		const [recognize] = await offeredAt(editor.document, new vscode.Position(0, 0));
		await vscode.commands.executeCommand(recognize!.command!.command, ...recognize!.command!.arguments!);
		const expected = receiptText().replace(/\n/g, '\r\n');
		assert.ok(expected.includes('\r\n'));
		assert.equal(editor.document.getText(), `![receipt](images/receipt.png)\r\n\r\n${expected}`);
	});

	it('"Fill the alt text" puts the first line of the text, escaped, in the alt', async () => {
		const editor = await markdown('Before ![receipt](images/receipt.png) after\n');
		const fill = (await offeredAt(editor.document, new vscode.Position(0, 10))).find(a => a.title === FILL_ALT);
		assert.ok(fill);
		const alt = await vscode.commands.executeCommand<string>(fill.command!.command, ...fill.command!.arguments!);
		assert.equal(alt, altTextOf(receiptText()));
		assert.ok(alt.length > 0 && alt.length <= 82 && !alt.includes('\n'));
		assert.equal(editor.document.getText(), `Before ![${alt}](images/receipt.png) after\n`);
	});

	it('a workspace-absolute link works the same; the hover offers the command, trusted for it alone', async () => {
		const editor = await markdown('![](/images/receipt.png)\n');
		assert.equal((await offeredAt(editor.document, new vscode.Position(0, 5))).length, 2);
		const found = await hoverLinksAt(editor.document, new vscode.Position(0, 5));
		assert.equal(found.length, 1, 'one hover of ours');
		const { hover, links } = found[0]!;
		assert.deepEqual(hover.isTrusted, { enabledCommands: [COMMAND] });
		assert.deepEqual(links.map(l => l.title), [RECOGNIZE, FILL_ALT]);
		assert.equal(emulator.log.length, 0);
		// As a click on the link runs it: the arguments as JSON.
		await vscode.commands.executeCommand(COMMAND, ...links[0]!.args);
		assert.equal(editor.document.getText(), `![](/images/receipt.png)\n\n${receiptText()}\n`);
	});

	it('a link to a missing file, to the web or in a code span offers nothing', async () => {
		const editor = await markdown('![missing](images/missing.png) ![web](https://example.com/receipt.png) `![code](images/receipt.png)`\n');
		for (const character of [3, 35, 80]) {
			const position = new vscode.Position(0, character);
			assert.deepEqual(await actionsAt(editor.document, position), [], `actions at ${character}`);
			assert.deepEqual(await hoverLinksAt(editor.document, position), [], `hover at ${character}`);
		}
		assert.equal(emulator.log.length, 0);
	});
});
