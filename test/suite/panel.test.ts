/**
 * The results panel's requests to the extension, handled in real VS Code: opening a copy's
 * address, Show JSON, Export…, and downloading a preview from a loopback server.
 */
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { ResultsPanels, type PanelActions } from '../../src/panel/resultsPanel';
import type { ResultsModel, ToWebview } from '../../src/shared/protocol';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const HOSTILE_TITLE = '<img src=x onerror=alert(1)> [click](javascript:alert(2)) # heading';

function image(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);
}

describe('results panel requests in VS Code', function () {
	this.timeout(30_000);
	const stubs = new WindowStubs();
	let server: Server;
	let origin: string;
	/** Paths the loopback server was asked for. */
	const requested: string[] = [];
	let panels: ResultsPanels;
	let opened: string[];
	let restoreOpenExternal: (() => void) | undefined;

	const actions: PanelActions = {
		insertText: async () => undefined,
		copyText: async () => undefined,
		openMarkdown: async () => undefined,
	};

	/** What the analysis of faces.jpg for every feature gives, with copies on the loopback server. */
	function model(): ResultsModel {
		const recording = recordingOf('faces.jpg');
		return {
			imageUri: image('faces.jpg').toString(),
			imageLabel: 'images/faces.jpg',
			analyzedAt: '2025-11-24T08:00:00.000Z',
			requestId: 'a1b2c3d4-0000-4000-8000-000000000042',
			features: [
				{ type: 'TEXT_DETECTION', model: 'page', result: { textDetection: recording.textDetection } },
				{ type: 'CLASSIFICATION', model: 'quality', result: { classification: { properties: recording.classification!.quality } } },
				{ type: 'FACE_DETECTION', result: { error: { code: 3, message: 'Face detection is not available.', details: [] } } },
				{
					type: 'IMAGE_COPY_SEARCH',
					result: {
						imageCopySearch: {
							copyCount: 9,
							topResults: [
								{ title: 'A copy', description: 'On a loopback page.', pageUrl: `${origin}/page.html`, imageUrl: `${origin}/faces.jpg` },
								{ title: HOSTILE_TITLE, description: '', pageUrl: 'javascript:alert(1)', imageUrl: `${origin}/page.html` },
								{ title: 'Disguised', description: '', pageUrl: `${origin}/redirect`, imageUrl: `${origin}/disguised.png` },
								{ title: 'Large', description: '', pageUrl: 'data:text/html,x', imageUrl: `${origin}/large.png` },
								{ title: 'Moved', description: '', pageUrl: '', imageUrl: `${origin}/redirect` },
								{ title: 'Moved away', description: '', pageUrl: '', imageUrl: `${origin}/redirect-to-file` },
							],
						},
					},
				},
			],
		};
	}

	before(async () => {
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		server = createServer(serve);
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	after(async () => {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
	});
	beforeEach(() => {
		quietNotifications(stubs);
		requested.length = 0;
		opened = [];
		// VS Code leaves `env` writable in extension tests, so the browser is not really opened.
		const env = vscode.env as unknown as Record<string, unknown>;
		const original = env.openExternal;
		env.openExternal = async (uri: vscode.Uri) => {
			opened.push(uri.toString(true));
			return true;
		};
		restoreOpenExternal = () => {
			env.openExternal = original;
		};
		panels = new ResultsPanels(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, actions);
	});
	afterEach(async () => {
		panels.dispose();
		restoreOpenExternal?.();
		stubs.restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	function serve(request: IncomingMessage, response: ServerResponse): void {
		const path = request.url ?? '/';
		requested.push(path);
		switch (path) {
			case '/faces.jpg':
				response.writeHead(200, { 'content-type': 'image/jpeg' }).end(fixtureBytes('faces.jpg'));
				return;
			case '/page.html':
				response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><img src=x onerror=alert(1)></body></html>');
				return;
			case '/disguised.png':
				response.writeHead(200, { 'content-type': 'image/png' }).end('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
				return;
			case '/large.png': {
				// A real PNG signature, then more bytes than a preview may have, sent without a length.
				response.writeHead(200, { 'content-type': 'image/png' });
				response.write(fixtureBytes('latin-note.png').subarray(0, 8));
				response.end(Buffer.alloc(6 * 1024 * 1024));
				return;
			}
			case '/redirect':
				response.writeHead(302, { location: '/faces.jpg' }).end();
				return;
			case '/redirect-to-file':
				response.writeHead(302, { location: 'file:///etc/passwd' }).end();
				return;
			default:
				response.writeHead(404).end();
		}
	}

	async function preview(url: string, requestId = 7): Promise<ToWebview | undefined> {
		const panel = panels.show(model(), { preserveFocus: true });
		return panel.handleMessage({ type: 'loadPreview', requestId, url });
	}

	describe('openExternal', () => {
		it('opens a copy\'s web address through VS Code', async () => {
			const panel = panels.show(model());
			await panel.handleMessage({ type: 'openExternal', url: `${origin}/page.html` });
			await panel.handleMessage({ type: 'openExternal', url: `${origin}/faces.jpg` });
			assert.deepEqual(opened, [`${origin}/page.html`, `${origin}/faces.jpg`]);
			assert.deepEqual(stubs.messages('showWarningMessage'), []);
		});

		it('refuses javascript:, data: and addresses that are not among the results', async () => {
			const panel = panels.show(model());
			for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', 'command:workbench.action.terminal.new', 'file:///etc/passwd', 'https://evil.example/', `${origin.replace('http:', 'https:')}/page.html`]) {
				await panel.handleMessage({ type: 'openExternal', url });
			}
			assert.deepEqual(opened, []);
			const warnings = stubs.messages('showWarningMessage');
			assert.equal(warnings.length, 8);
			assert.match(warnings[0]!, /did not open "javascript:alert\(1\)": only the web addresses \(http, https\) of the copies found are opened/);
		});

		it('ignores a message that is not well formed', async () => {
			const panel = panels.show(model());
			assert.equal(await panel.handleMessage({ type: 'openExternal', url: 42 }), undefined);
			assert.equal(await panel.handleMessage({ type: 'openExternal' }), undefined);
			assert.equal(await panel.handleMessage({ type: 'loadPreview', url: `${origin}/faces.jpg` }), undefined);
			assert.deepEqual(opened, []);
			assert.deepEqual(requested, []);
		});
	});

	describe('Show JSON', () => {
		it('opens the model in a read-only JSON document', async () => {
			const results = model();
			const panel = panels.show(results);
			await panel.handleMessage({ type: 'showJson' });
			const editor = await waitFor(() => vscode.window.visibleTextEditors.find(e => e.document.uri.scheme === 'yandex-vision-json'), 'the JSON editor');
			const { document } = editor;
			assert.equal(document.languageId, 'json');
			assert.equal(document.uri.path, '/images/faces.jpg.vision.json');
			assert.deepEqual(JSON.parse(document.getText()), results);
			assert.equal(document.isUntitled, false);
			assert.equal(document.isDirty, false);

			// Read-only: typing into the editor changes nothing, and there is nothing to save it to.
			const before = document.getText();
			await vscode.window.showTextDocument(document, { viewColumn: editor.viewColumn, preserveFocus: false });
			await vscode.commands.executeCommand('type', { text: '// typed\n' });
			assert.equal(document.getText(), before, 'the text did not change');
			assert.equal(document.isDirty, false);
			assert.equal(await document.save(), false, 'it cannot be saved');
			// The same typing does change an ordinary document: the check above can fail.
			const ordinary = await vscode.workspace.openTextDocument({ language: 'json', content: before });
			await vscode.window.showTextDocument(ordinary, { viewColumn: editor.viewColumn, preserveFocus: false });
			await vscode.commands.executeCommand('type', { text: '// typed\n' });
			assert.notEqual(ordinary.getText(), before);
			await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
			assert.equal(vscode.workspace.fs.isWritableFileSystem('yandex-vision-json'), undefined, 'no file system behind it to write to');
		});

		it('shows the new results when the image is analyzed again', async () => {
			const first = model();
			const panel = panels.show(first);
			await panel.handleMessage({ type: 'showJson' });
			const second = { ...first, requestId: 'second-request', analyzedAt: '2025-11-25T09:00:00.000Z' };
			panel.update(second, []);
			await panel.handleMessage({ type: 'showJson' });
			// This panel's document: VS Code keeps documents other suites opened for a while.
			const document = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'yandex-vision-json' && d.uri.path === '/images/faces.jpg.vision.json');
			assert.ok(document);
			await waitFor(() => document.getText().includes('second-request') || undefined, 'the document to change');
			assert.deepEqual(JSON.parse(document.getText()), second);
		});
	});

	describe('Export…', () => {
		it('offers to save next to the image and writes the JSON', async () => {
			const results = model();
			let options: vscode.SaveDialogOptions | undefined;
			stubs.stub('showSaveDialog', async (o: vscode.SaveDialogOptions) => {
				options = o;
				return o.defaultUri;
			});
			const panel = panels.show(results);
			await panel.handleMessage({ type: 'exportResults' });
			assert.ok(options?.defaultUri);
			const target = image('faces.jpg.vision.json');
			try {
				assert.equal(options.defaultUri.toString(), target.toString(), 'next to the image');
				assert.deepEqual(Object.values(options.filters ?? {}), [['json'], ['md']]);
				const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
				assert.deepEqual(JSON.parse(written), results);
				assert.match(stubs.messages('showInformationMessage')[0] ?? '', /results saved to images\/faces\.jpg\.vision\.json/);
			} finally {
				await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
			}
		});

		it('writes Markdown with a section per feature when the name ends in .md', async () => {
			const target = image('faces.jpg.vision.md');
			stubs.stub('showSaveDialog', async () => target);
			const panel = panels.show(model());
			await panel.handleMessage({ type: 'exportResults' });
			try {
				const markdown = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
				const headings = markdown.split('\n').filter(line => line.startsWith('#'));
				assert.deepEqual(headings, ['# images/faces.jpg', '## Text (page)', '## Classification (quality)', '## Faces', '## Copies on the web']);
				assert.ok(markdown.includes('Three friends at the lake, summer 2023'), 'the recognized text');
				assert.ok(markdown.includes('| high | 68 % |'), 'the classes with their probabilities');
				assert.match(markdown, /> Error 3 INVALID_ARGUMENT: Face detection is not available\.\\\n> Request ID: ` a1b2c3d4-0000-4000-8000-000000000042 `/);
				assert.ok(markdown.includes(`Page: <${origin}/page.html>`), 'web addresses as autolinks');
				// A hostile title stays text; a javascript: address is not made a link.
				assert.ok(markdown.includes('**\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(2)) # heading**'), markdown);
				assert.ok(markdown.includes('Page: javascript:alert(1)'));
				assert.ok(!/(?<!\\)<img|(?<!\\)\]\(javascript|<javascript/.test(markdown), 'no markup, link or autolink from the hostile copy');
			} finally {
				await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
			}
		});

		it('writes nothing when the dialog is cancelled', async () => {
			stubs.stub('showSaveDialog', async () => undefined);
			const panel = panels.show(model());
			await panel.handleMessage({ type: 'exportResults' });
			await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(image('faces.jpg.vision.json'))));
			assert.deepEqual(stubs.messages('showInformationMessage'), []);
		});
	});

	describe('Load preview', () => {
		it('answers with the image as a data URI, downloaded from the copy\'s address', async () => {
			const reply = await preview(`${origin}/faces.jpg`, 11);
			assert.deepEqual(reply, { type: 'previewLoaded', inReplyTo: 11, dataUri: `data:image/jpeg;base64,${fixtureBytes('faces.jpg').toString('base64')}` });
			assert.deepEqual(requested, ['/faces.jpg']);
		});

		it('follows a redirect to the image', async () => {
			const reply = await preview(`${origin}/redirect`);
			assert.equal(reply?.type, 'previewLoaded');
			assert.deepEqual(requested, ['/redirect', '/faces.jpg']);
		});

		it('refuses what is not an image, whatever the server calls it, and what is too large', async () => {
			assert.deepEqual(await preview(`${origin}/page.html`, 1), { type: 'previewFailed', inReplyTo: 1, message: 'the address does not lead to a PNG, JPEG, GIF, WebP, BMP or AVIF image' });
			assert.deepEqual(await preview(`${origin}/disguised.png`, 2), { type: 'previewFailed', inReplyTo: 2, message: 'the address does not lead to a PNG, JPEG, GIF, WebP, BMP or AVIF image' });
			assert.deepEqual(await preview(`${origin}/large.png`, 3), { type: 'previewFailed', inReplyTo: 3, message: 'the image is larger than 5 MB' });
			assert.deepEqual(await preview(`${origin}/redirect-to-file`, 4), { type: 'previewFailed', inReplyTo: 4, message: 'only http and https addresses are downloaded' });
		});

		it('downloads nothing that is not a web address among the results', async () => {
			for (const url of ['javascript:alert(1)', 'file:///etc/passwd', `${origin}/elsewhere.png`]) {
				const reply = await preview(url, 5);
				assert.deepEqual(reply, { type: 'previewFailed', inReplyTo: 5, message: 'only the image addresses (http, https) of the copies found are downloaded' });
			}
			assert.deepEqual(requested, []);
		});
	});
});
