/**
 * The User-Agent of the extension's requests in real VS Code, against the emulator: commands run
 * as a user runs them (Recognize Text on the OCR API, Classify Image on batchAnalyze, a Markdown
 * image link from the web) with a service account's key, so that the token exchange is asked too.
 * Each request names the extension with the version it is installed at, VS Code's version and
 * the platform; none carries a credential in it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import { startEmulator, type Emulator } from '../emulator';
import { FIXTURES_DIR, fixtureBytes } from '../support/fixtures';
import { quietNotifications, UserSettings, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const KEY_FILE = path.join(FIXTURES_DIR, 'keys', 'emulator-service-account-key.json');

function image(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);
}

describe('the User-Agent of the extension\'s requests', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	let expected: string;
	const stubs = new WindowStubs();
	const settings = new UserSettings();

	const set = (key: string, value: unknown): Promise<void> => settings.set(key, value);

	before(async () => {
		const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
		await extension.activate();
		// The version as the installed package.json says it, read from disk, not from what the extension was told.
		const version = (JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'package.json'), 'utf8')) as { version: string }).version;
		expected = `yandex-vision-vscode/${version} (VS Code ${vscode.version}; ${process.platform} ${process.arch})`;
		emulator = await startEmulator();
		await set('endpoint', emulator.url);
		await set('iamEndpoint', emulator.iamUrl);
		await set('ocrApi.endpoint', emulator.ocrUrl);
		await set('ocrApi.operationEndpoint', emulator.operationsUrl);
		await set('ocr.engine', 'ocr-api');
		// Every command sends its request, whatever other suites left in the cache.
		await set('cache.maxMegabytes', 0);
		quietNotifications(stubs);
		stubs.stub('showOpenDialog', async () => [vscode.Uri.file(KEY_FILE)]);
		await vscode.commands.executeCommand('yandexVision.setServiceAccountKey');
		stubs.restore();
	});
	after(async () => {
		quietNotifications(stubs);
		await vscode.commands.executeCommand('yandexVision.signOut');
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
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('Recognize Text and Classify Image name the extension\'s version, VS Code\'s and the platform, the token exchange too', async () => {
		const text = await vscode.commands.executeCommand<ImageReport[] | undefined>('yandexVision.recognizeText', image('latin-note.png'));
		assert.equal(text?.[0]?.status, 'done', text?.[0]?.error);
		const classes = await vscode.commands.executeCommand<ImageReport[] | undefined>('yandexVision.classifyImage', image('faces.jpg'));
		assert.equal(classes?.[0]?.status, 'done', classes?.[0]?.error);

		const paths = [...new Set(emulator.log.map(entry => entry.path))].sort();
		assert.deepEqual(paths, ['/iam/v1/tokens', '/ocr/v1/recognizeText', '/vision/v1/batchAnalyze']);
		for (const entry of emulator.log) assert.equal(entry.userAgent, expected, `${entry.method} ${entry.path}`);
		assert.match(expected, /^yandex-vision-vscode\/\d+\.\d+\.\d+\S* \(VS Code \d+\.\d+\.\d+\S*; \S+ \S+\)$/);
		const key = JSON.parse(fs.readFileSync(KEY_FILE, 'utf8')) as { id: string; private_key: string };
		assert.ok(!expected.includes(key.id) && !expected.includes(key.private_key.slice(-40, -30)), 'no credential in it');
	});

	it('a Markdown image link downloads its image with it, and sends it on with it', async () => {
		const seen: (string | undefined)[] = [];
		const server = http.createServer((request, response) => {
			seen.push(request.headers['user-agent']);
			response.writeHead(200, { 'content-type': 'image/png' }).end(fixtureBytes('receipt.png'));
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
		let document: vscode.TextDocument | undefined;
		try {
			await set('imageLinks.allowedHosts', [host]);
			document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `![receipt](http://${host}/receipt.png)\n` });
			await vscode.window.showTextDocument(document);
			const position = new vscode.Position(0, 3);
			const action = await waitFor(async () => {
				try {
					const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document!.uri, new vscode.Range(position, position));
					return actions.find(a => a.command?.command === 'yandexVision.recognizeImageLink');
				} catch {
					// Cancelled while the new document settles: asked again.
					return undefined;
				}
			}, 'the image link\'s code action');
			await vscode.commands.executeCommand(action.command!.command, ...action.command!.arguments!);
			assert.deepEqual(seen, [expected], 'the download');
			assert.ok(emulator.log.length > 0, 'the image was sent');
			for (const entry of emulator.log) assert.equal(entry.userAgent, expected, `${entry.method} ${entry.path}`);
		} finally {
			if (document && !document.isClosed) {
				// The text went under the link: closed without asking to save it.
				await vscode.window.showTextDocument(document);
				await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
			}
			await new Promise(resolve => server.close(resolve));
		}
	});
});
