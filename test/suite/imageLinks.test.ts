/**
 * Image links in Markdown, in real VS Code against the emulator: on a link to a workspace image,
 * the code actions and the hover offer to recognize its text; the text goes below the link or,
 * shortened, into the alt text; a link to a missing file offers nothing. A web image (here from a
 * server on this machine) is downloaded only from a host the user allowed, asked once per host.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { altTextOf } from '../../src/editor/markdownImageLinks';
import { annotationToText } from '../../src/results/text';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { quietNotifications, UserSettings, waitFor, WindowStubs } from './stubs';

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
	const settings = new UserSettings();
	// The test profile's engine (batchAnalyze) reads the text.
	const receiptText = () => annotationToText(recordingOf('receipt.png').textDetection!);

	const set = (key: string, value: unknown): Promise<void> => settings.set(key, value);

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
		await settings.restore();
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

	it('a link to a missing file, outside the workspace or in a code span offers nothing', async () => {
		const editor = await markdown('![missing](images/missing.png) ![out](../../receipt.png) ![file](file:///etc/receipt.png) `![code](images/receipt.png)`\n');
		for (const character of [3, 35, 62, 95]) {
			const position = new vscode.Position(0, character);
			assert.deepEqual(await actionsAt(editor.document, position), [], `actions at ${character}`);
			assert.deepEqual(await hoverLinksAt(editor.document, position), [], `hover at ${character}`);
		}
		assert.equal(emulator.log.length, 0);
	});

	describe('a web image', () => {
		/** A server on this machine, as a web site holding images: the requests it got, by path. */
		interface Site {
			url: string;
			host: string;
			requests: string[];
			close(): Promise<void>;
		}

		const sites: Site[] = [];

		async function site(routes: Record<string, (response: http.ServerResponse) => void>): Promise<Site> {
			const requests: string[] = [];
			const server = http.createServer((request, response) => {
				requests.push(request.url ?? '');
				const route = routes[request.url ?? ''];
				if (route) route(response);
				else response.writeHead(404).end();
			});
			await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
			const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
			const opened: Site = { url: `http://${host}`, host, requests, close: () => new Promise(resolve => server.close(() => resolve())) };
			sites.push(opened);
			return opened;
		}

		const png = (response: http.ServerResponse) => response.writeHead(200, { 'content-type': 'image/png' }).end(fixtureBytes('receipt.png'));
		const allowedHosts = () => config().inspect<string[]>('imageLinks.allowedHosts')?.globalValue ?? [];
		/** The question about a host, as the user sees it: its message and its buttons. */
		const questions = () => stubs.calls.filter(c => c.name === 'showWarningMessage' && String(c.args[0]).startsWith('Download images from'));

		/** The user answers the question about a host with `answer`, and ignores every other message. */
		function answer(choice: 'Allow' | undefined): void {
			stubs.stub('showWarningMessage', async (...args: unknown[]) => String(args[0]).startsWith('Download images from') ? choice : undefined);
		}

		async function recognize(editor: vscode.TextEditor, position: vscode.Position): Promise<unknown> {
			const [action] = await offeredAt(editor.document, position);
			assert.equal(action?.title, RECOGNIZE);
			return vscode.commands.executeCommand(action.command!.command, ...action.command!.arguments!);
		}

		before(async () => {
			await set('imageLinks.allowedHosts', []);
		});
		afterEach(async () => {
			for (const opened of sites.splice(0)) await opened.close();
			await config().update('imageLinks.allowedHosts', [], vscode.ConfigurationTarget.Global);
		});

		it('is offered both actions and the hover without being downloaded', async () => {
			const web = await site({ '/receipt.png': png });
			const editor = await markdown(`![receipt](${web.url}/receipt.png)\n`);
			const actions = await offeredAt(editor.document, new vscode.Position(0, 3));
			assert.deepEqual(actions.map(a => a.title), [RECOGNIZE, FILL_ALT]);
			const [hover] = await hoverLinksAt(editor.document, new vscode.Position(0, 3));
			assert.deepEqual(hover?.links.map(l => l.title), [RECOGNIZE, FILL_ALT]);
			assert.deepEqual(web.requests, [], 'nothing downloaded');
			assert.equal(questions().length, 0, 'nothing asked before an action is picked');
			assert.equal(emulator.log.length, 0);
		});

		it('asks once for its host; "Allow" downloads it, puts its text under the link and remembers the host', async () => {
			const web = await site({ '/receipt.png': png, '/copy/receipt.png': png });
			answer('Allow');
			const editor = await markdown(`![receipt](${web.url}/receipt.png)\n\n![again](${web.url}/copy/receipt.png)\n`);
			assert.equal(await recognize(editor, new vscode.Position(0, 3)), receiptText());
			assert.equal(questions().length, 1);
			const [message, options, ...buttons] = questions()[0]!.args as [string, vscode.MessageOptions, ...string[]];
			assert.equal(message, `Download images from ${web.host} to recognize their text?`);
			assert.equal(options.modal, true);
			assert.match(options.detail ?? '', new RegExp(`downloads ${web.url}/receipt\\.png and sends it to Yandex Cloud`));
			assert.deepEqual(buttons, ['Allow']);
			assert.deepEqual(web.requests, ['/receipt.png']);
			assert.deepEqual(allowedHosts(), [web.host], 'remembered in the user settings');
			assert.equal(emulator.log.length, 1, 'the downloaded image sent once');

			const second = editor.document.getText().split('\n').findIndex(line => line.startsWith('![again]'));
			assert.equal(await recognize(editor, new vscode.Position(second, 3)), receiptText());
			assert.equal(questions().length, 1, 'not asked again for the same host');
			assert.deepEqual(web.requests, ['/receipt.png', '/copy/receipt.png']);
			assert.equal(editor.document.getText(), `![receipt](${web.url}/receipt.png)\n\n${receiptText()}\n\n![again](${web.url}/copy/receipt.png)\n\n${receiptText()}\n`);
		});

		it('not allowed: nothing downloaded, nothing sent, nothing remembered, the document unchanged', async () => {
			const web = await site({ '/receipt.png': png });
			answer(undefined);
			const text = `![receipt](${web.url}/receipt.png)\n`;
			const editor = await markdown(text);
			assert.equal(await recognize(editor, new vscode.Position(0, 3)), undefined);
			assert.equal(questions().length, 1);
			assert.deepEqual(web.requests, []);
			assert.equal(emulator.log.length, 0);
			assert.deepEqual(allowedHosts(), []);
			assert.equal(editor.document.getText(), text);
			assert.equal(stubs.messages('showErrorMessage').length, 0, 'the user\'s own choice is no error');
		});

		it('a redirect to another host asks for that host too; refused, it is not contacted and the error says why', async () => {
			const elsewhere = await site({ '/receipt.png': png });
			const web = await site({ '/moved.png': response => response.writeHead(302, { location: `${elsewhere.url}/receipt.png` }).end() });
			// Allowed for the link's host, refused for the one it redirects to.
			stubs.stub('showWarningMessage', async (...args: unknown[]) => String(args[0]) === `Download images from ${web.host} to recognize their text?` ? 'Allow' : undefined);
			const text = `![moved](${web.url}/moved.png)\n`;
			const editor = await markdown(text);
			assert.equal(await recognize(editor, new vscode.Position(0, 3)), undefined);
			assert.deepEqual(questions().map(q => q.args[0]), [web.host, elsewhere.host].map(host => `Download images from ${host} to recognize their text?`));
			assert.deepEqual(web.requests, ['/moved.png']);
			assert.deepEqual(elsewhere.requests, [], 'the refused host is never contacted');
			assert.deepEqual(stubs.messages('showErrorMessage'), [`Yandex Vision: ${web.url}/moved.png was not downloaded: images from ${elsewhere.host} are not allowed.`]);
			assert.equal(emulator.log.length, 0);
			assert.equal(editor.document.getText(), text);
		});

		it('an address that gives no image: one error saying so, nothing sent, the document unchanged', async () => {
			const web = await site({ '/page.png': response => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>') });
			await config().update('imageLinks.allowedHosts', [web.host], vscode.ConfigurationTarget.Global);
			const text = `![page](${web.url}/page.png)\n`;
			const editor = await markdown(text);
			assert.equal(await recognize(editor, new vscode.Position(0, 3)), undefined);
			assert.equal(questions().length, 0, 'an allowed host is not asked about');
			assert.deepEqual(stubs.messages('showErrorMessage'), [`Yandex Vision: ${web.url}/page.png was not downloaded: the address does not lead to a PNG, JPEG, GIF, WebP, BMP or AVIF image.`]);
			assert.equal(emulator.log.length, 0);
			assert.equal(editor.document.getText(), text);
		});
	});
});
