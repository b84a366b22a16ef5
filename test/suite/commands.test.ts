import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import { annotationToText } from '../../src/results/text';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { recordingOf } from '../support/fixtures';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';

function image(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);
}

async function run(command: string, ...args: unknown[]): Promise<ImageReport[] | undefined> {
	return vscode.commands.executeCommand<ImageReport[] | undefined>(command, ...args);
}

function resultsTabs(): vscode.Tab[] {
	return vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('yandexVision.results'));
}

describe('commands in VS Code, against the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');

	async function setToken(token: string): Promise<void> {
		stubs.stub('showInputBox', async () => token);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
	}

	before(async () => {
		emulator = await startEmulator({ stallMs: 20_000 });
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
	});
	after(async () => {
		stubs.restore();
		await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
		await config().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		await emulator.close();
	});
	beforeEach(async () => {
		quietNotifications(stubs);
		emulator.configure({ faults: {}, latencyMs: 0 });
		emulator.clearLog();
	});
	afterEach(async () => {
		stubs.restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('without a token, prompts to set one instead of sending anything', async () => {
		quietNotifications(stubs);
		await vscode.commands.executeCommand('yandexVision.signOut');
		const reports = await run('yandexVision.recognizeText', image('latin-note.png'));
		assert.equal(reports, undefined);
		const [prompt] = stubs.calls.filter(c => c.name === 'showWarningMessage');
		assert.match(String(prompt!.args[0]), /needs an IAM token/);
		assert.deepEqual(prompt!.args.slice(2), ['Set IAM Token']);
		assert.equal(emulator.log.length, 0);
	});

	it('leads from the prompt to a password box and then analyzes', async () => {
		await vscode.commands.executeCommand('yandexVision.signOut');
		stubs.stub('showWarningMessage', async () => 'Set IAM Token');
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		const reports = await run('yandexVision.recognizeText', image('latin-note.png'));
		const box = stubs.calls.find(c => c.name === 'showInputBox')!.args[0] as vscode.InputBoxOptions;
		assert.equal(box.password, true);
		assert.equal(reports?.[0]?.status, 'done');
	});

	it('Recognize Text opens the results with the recorded text', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		const [report] = (await run('yandexVision.recognizeText', image('latin-note.png')))!;
		assert.equal(report!.status, 'done', report!.error);
		const ocr = report!.model!.features[0]!.result.textDetection!;
		assert.deepEqual(ocr, recordingOf('latin-note.png').textDetection);
		assert.ok(report!.requestId);
		await waitFor(() => resultsTabs().find(t => t.label === 'Vision: latin-note.png'), 'the results panel');
		assert.equal(emulator.log[0]!.authScheme, 'Bearer');
		assert.equal(emulator.log[0]!.folderId, DEFAULT_CREDENTIALS.folderId);
	});

	it('Classify Image, Detect Faces and Find Image Copies return their recordings', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		const recording = recordingOf('faces.jpg');
		const [classified] = (await run('yandexVision.classifyImage', image('faces.jpg')))!;
		assert.deepEqual(classified!.model!.features[0]!.result.classification!.properties, recording.classification!.quality);
		const [faces] = (await run('yandexVision.detectFaces', image('faces.jpg')))!;
		assert.deepEqual(faces!.model!.features[0]!.result.faceDetection, recording.faceDetection);
		const [copies] = (await run('yandexVision.findImageCopies', image('faces.jpg')))!;
		assert.deepEqual(copies!.model!.features[0]!.result.imageCopySearch, recording.imageCopySearch);
	});

	it('the classification model comes from the quick pick', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		stubs.stub('showQuickPick', async (items: readonly vscode.QuickPickItem[]) => items.find(i => i.label === 'moderation'));
		assert.equal(await vscode.commands.executeCommand('yandexVision.selectClassificationModel'), 'moderation');
		try {
			const [report] = (await run('yandexVision.classifyImage', image('faces.jpg')))!;
			assert.deepEqual(report!.model!.features[0]!.result.classification!.properties, recordingOf('faces.jpg').classification!.moderation);
		} finally {
			await config().update('classification.model', undefined, vscode.ConfigurationTarget.Global);
		}
	});

	it('Analyze Image… sends the picked features in one request, a failed feature next to the others', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		await config().update('ocr.languageCodes', ['zz'], vscode.ConfigurationTarget.Global);
		try {
			stubs.stub('showQuickPick', async (items: readonly vscode.QuickPickItem[]) => [items[0], items[2]]);
			const [report] = (await run('yandexVision.analyzeImage', image('faces.jpg')))!;
			assert.equal(emulator.log.length, 1, 'one request');
			const [text, faces] = report!.model!.features;
			assert.equal(text!.type, 'TEXT_DETECTION');
			assert.equal(text!.result.error?.code, 3, 'the unknown language fails the OCR feature only');
			assert.deepEqual(faces!.result.faceDetection, recordingOf('faces.jpg').faceDetection);
		} finally {
			await config().update('ocr.languageCodes', undefined, vscode.ConfigurationTarget.Global);
		}
	});

	it('a multi-selection analyzes each image; a corrupt one fails alone, named', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		const selection = [image('latin-note.png'), image('broken.jpg'), image('receipt.png')];
		const reports = (await run('yandexVision.recognizeText', selection[0], selection))!;
		assert.deepEqual(reports.map(r => r.status), ['done', 'failed', 'done']);
		assert.match(reports[1]!.error!, /broken\.jpg.*(corrupt|truncated)/i);
		assert.equal(emulator.log.length, 1, 'both good images in one request');
		const shown = await waitFor(() => stubs.messages('showErrorMessage').length > 0 ? stubs.messages('showErrorMessage') : undefined, 'the error message');
		assert.equal(shown.length, 1);
		assert.match(shown[0]!, /broken\.jpg/);
	});

	it('a 401 says the token is invalid or expired and offers a new one, without retrying', async () => {
		await setToken('t1.revoked-token');
		const reports = (await run('yandexVision.recognizeText', image('latin-note.png')))!;
		assert.equal(reports[0]!.status, 'failed');
		await waitFor(() => stubs.calls.find(c => c.name === 'showErrorMessage'), 'the error message');
		const error = stubs.calls.find(c => c.name === 'showErrorMessage')!;
		assert.match(String(error.args[0]), /invalid or has expired.*request id/);
		assert.ok(!String(error.args[0]).includes('t1.revoked-token'));
		assert.deepEqual(error.args.slice(1), ['Set New Token']);
		assert.equal(emulator.log.length, 1);
	});

	it('a 429 is retried and the analysis succeeds', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		emulator.configure({ faults: { script: ['http429', 'ok'] } });
		const [report] = (await run('yandexVision.recognizeText', image('receipt.png')))!;
		assert.equal(report!.status, 'done');
		assert.deepEqual(emulator.log.map(e => e.status), [429, 200]);
		assert.equal(new Set(emulator.log.map(e => e.clientRequestId)).size, 1);
	});

	it('Cancel aborts the HTTP request', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		emulator.configure({ faults: { rate: 1, kinds: ['stall'] } });
		const source = new vscode.CancellationTokenSource();
		let progressTitle: string | undefined;
		stubs.stub('withProgress', (options: vscode.ProgressOptions, task: (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Thenable<unknown>) => {
			progressTitle = options.title;
			assert.equal(options.cancellable, true);
			return task({ report: () => undefined }, source.token);
		});
		const pending = run('yandexVision.recognizeText', image('latin-note.png'));
		await waitFor(() => emulator.log.length === 1 || undefined, 'the request to arrive');
		const cancelledAt = Date.now();
		source.cancel();
		const [report] = (await pending)!;
		assert.equal(report!.status, 'cancelled');
		assert.ok(Date.now() - cancelledAt < 2_000);
		assert.match(progressTitle ?? '', /recognizing text/i);
		await waitFor(() => emulator.log[0]!.status === 0 || undefined, 'the emulator to see the client go away', 5_000);
		assert.equal(emulator.log.length, 1, 'no retry after cancel');
	});

	it('ignores an endpoint set by the workspace: the token goes nowhere else', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		const decoyHits: string[] = [];
		const decoy: Server = createServer((req, res) => {
			decoyHits.push(String(req.headers.authorization));
			res.end();
		});
		await new Promise<void>(resolve => decoy.listen(0, '127.0.0.1', resolve));
		const decoyUrl = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}/vision/v1/batchAnalyze`;
		const settingsUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.vscode', 'settings.json');
		await vscode.workspace.fs.writeFile(settingsUri, Buffer.from(JSON.stringify({ 'yandexVision.endpoint': decoyUrl, 'yandexVision.folderId': 'b1gworkspacefolder', 'yandexVision.ocr.model': 'line' })));
		try {
			// The resource-scoped setting in the same file shows when VS Code has read it.
			await waitFor(() => config().get('ocr.model') === 'line' || undefined, 'VS Code to read the workspace settings');
			assert.equal(config().get('endpoint'), emulator.url, 'VS Code itself ignores the application-scoped value');
			const [report] = (await run('yandexVision.recognizeText', image('latin-note.png')))!;
			assert.equal(report!.status, 'done');
			assert.equal(emulator.log.length, 1, 'the request went to the user-configured endpoint');
			assert.equal(emulator.log[0]!.folderId, DEFAULT_CREDENTIALS.folderId, 'folderId from user settings too');
			assert.deepEqual(decoyHits, []);
		} finally {
			await vscode.workspace.fs.delete(settingsUri);
			await waitFor(() => config().get('ocr.model') === 'page' || undefined, 'VS Code to drop the workspace settings');
			decoy.closeAllConnections();
			await new Promise(resolve => decoy.close(resolve));
		}
	});

	it('Quick OCR on the active image tab copies its text', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		await vscode.env.clipboard.writeText('');
		await vscode.commands.executeCommand('vscode.openWith', image('receipt.png'), 'imagePreview.previewEditor');
		await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputCustom || undefined, 'the image preview');
		await run('yandexVision.quickOcr');
		assert.equal(await vscode.env.clipboard.readText(), annotationToText(recordingOf('receipt.png').textDetection!));
		const shown = stubs.messages('showInformationMessage');
		assert.ok(shown.some(m => /^Copied \d+ words from images\/receipt\.png\.$/.test(m)), shown.join(' | '));
	});

	it('the palette asks for a workspace image when none is active', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		let offered: string[] = [];
		stubs.stub('showQuickPick', async (items: readonly (vscode.QuickPickItem & { uri: vscode.Uri })[]) => {
			offered = items.map(i => i.label);
			return items.find(i => i.label === 'images/cyrillic-sign.jpg');
		});
		const [report] = (await run('yandexVision.recognizeText'))!;
		assert.ok(offered.includes('images/latin-note.png') && !offered.some(l => l.endsWith('README.md')), offered.join(', '));
		assert.deepEqual(report!.model!.features[0]!.result.textDetection, recordingOf('cyrillic-sign.jpg').textDetection);
	});

	it('Sign Out deletes the token', async () => {
		await setToken(DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.signOut'), true);
		assert.equal(await vscode.commands.executeCommand('yandexVision.signOut'), false);
	});
});
