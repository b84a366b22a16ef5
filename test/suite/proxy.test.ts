import * as assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { recordingOf } from '../support/fixtures';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';

function image(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);
}

async function recognize(name: string): Promise<ImageReport> {
	const reports = await vscode.commands.executeCommand<ImageReport[] | undefined>('yandexVision.recognizeText', image(name));
	assert.equal(reports?.length, 1);
	return reports[0]!;
}

describe('VS Code proxy settings, with tinyproxy in front of the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	let proxy: Tinyproxy;
	/** What a proxy's log says for a tunnel to the emulator. */
	let tunnel: string;
	const stubs = new WindowStubs();
	const vision = () => vscode.workspace.getConfiguration('yandexVision');
	const http = () => vscode.workspace.getConfiguration('http');
	/** VS Code may send requests of its own through the proxy; only those to the emulator count. */
	const tunnels = () => proxy.requests().filter(line => line === tunnel);

	before(async () => {
		proxy = await startTinyproxy();
		emulator = await startEmulator();
		tunnel = `CONNECT ${new URL(emulator.url).host}`;
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await vision().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await vision().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();
	});
	after(async () => {
		stubs.restore();
		for (const key of ['proxy', 'noProxy']) await http().update(key, undefined, vscode.ConfigurationTarget.Global);
		await vision().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
		await vision().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		await Promise.all([proxy?.close(), emulator?.close()]);
	});
	beforeEach(async () => {
		quietNotifications(stubs);
		emulator.clearLog();
		proxy.clearLog();
		await http().update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
	});
	afterEach(async () => {
		stubs.restore();
		await http().update('noProxy', undefined, vscode.ConfigurationTarget.Global);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('Recognize Text goes through the proxy of http.proxy', async () => {
		const report = await recognize('latin-note.png');
		assert.equal(report.status, 'done', report.error);
		assert.deepEqual(report.model!.features[0]!.result.textDetection, recordingOf('latin-note.png').textDetection);
		assert.deepEqual(tunnels(), [tunnel], 'the proxy opened a tunnel to the emulator');
		assert.equal(emulator.log.length, 1);
	});

	it('a host in http.noProxy is reached directly, even with the proxy down', async () => {
		await http().update('proxy', await deadProxy(), vscode.ConfigurationTarget.Global);
		await http().update('noProxy', ['127.0.0.1'], vscode.ConfigurationTarget.Global);
		const report = await recognize('latin-note.png');
		assert.equal(report.status, 'done', report.error);
		assert.equal(emulator.log.length, 1);
		assert.deepEqual(tunnels(), []);
	});

	it('an unreachable proxy is named in the error, which points at http.proxy', async () => {
		const dead = await deadProxy();
		await http().update('proxy', dead, vscode.ConfigurationTarget.Global);
		const report = await recognize('latin-note.png');
		assert.equal(report.status, 'failed');
		const [shown] = await waitFor(() => stubs.messages('showErrorMessage').length > 0 ? stubs.messages('showErrorMessage') : undefined, 'the error message');
		assert.ok(shown!.includes(`Cannot connect to the proxy ${dead} (connection refused). Check the http.proxy setting.`), shown);
		assert.equal(emulator.log.length, 0);
	});
});

/** The URL of a port on this machine where nothing listens. */
async function deadProxy(): Promise<string> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return `http://127.0.0.1:${port}`;
}
