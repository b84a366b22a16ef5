import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import { createTestServiceAccountKey, DEFAULT_CREDENTIALS, DEFAULT_SERVICE_ACCOUNT_KEY, startEmulator, type Emulator } from '../emulator';
import { FIXTURES_DIR } from '../support/fixtures';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const HOUR = 60 * 60 * 1000;
const SAMPLE_KEY_FILE = path.join(FIXTURES_DIR, 'keys', 'emulator-service-account-key.json');

function image(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);
}

async function recognize(name = 'latin-note.png'): Promise<ImageReport[] | undefined> {
	return vscode.commands.executeCommand<ImageReport[] | undefined>('yandexVision.recognizeText', image(name));
}

/** The lines of a PEM private key: none of them may ever be shown. */
function privateKeyLines(keyFile: string): string[] {
	const key = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { private_key: string }).private_key;
	return key.split('\n').filter(line => line.length > 20 && !line.includes('-----') && !line.startsWith('PLEASE'));
}

describe('credentials in VS Code, against the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	let scratch: string;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');
	const realNow = Date.now;

	async function setApiKey(key: string): Promise<unknown> {
		stubs.stub('showInputBox', async () => key);
		return vscode.commands.executeCommand('yandexVision.setApiKey');
	}

	async function setKeyFile(file: string): Promise<unknown> {
		stubs.stub('showOpenDialog', async () => [vscode.Uri.file(file)]);
		return vscode.commands.executeCommand('yandexVision.setServiceAccountKey');
	}

	async function setIamToken(token: string): Promise<void> {
		stubs.stub('showInputBox', async () => token);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
	}

	function scratchFile(name: string, text: string): string {
		const file = path.join(scratch, name);
		fs.writeFileSync(file, text);
		return file;
	}

	/** Runs `body` with the extension host's clock moved forward. */
	async function later<T>(offsetMs: number, body: () => Promise<T>): Promise<T> {
		Date.now = () => realNow() + offsetMs;
		try {
			return await body();
		} finally {
			Date.now = realNow;
		}
	}

	before(async () => {
		scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-credentials-'));
		emulator = await startEmulator();
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await config().update('iamEndpoint', emulator.iamUrl, vscode.ConfigurationTarget.Global);
		// Set on purpose: only a user account's token may send it.
		await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
	});
	after(async () => {
		Date.now = realNow;
		stubs.restore();
		quietNotifications(stubs);
		await vscode.commands.executeCommand('yandexVision.signOut');
		stubs.restore();
		for (const key of ['endpoint', 'iamEndpoint', 'folderId']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
		await emulator.close();
		fs.rmSync(scratch, { recursive: true, force: true });
	});
	beforeEach(() => {
		quietNotifications(stubs);
		emulator.clearLog();
	});
	afterEach(async () => {
		Date.now = realNow;
		stubs.restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('Set API Key takes the key in a password box; Recognize Text sends it as Api-Key without a folder', async () => {
		assert.equal(await setApiKey(DEFAULT_CREDENTIALS.apiKey), true);
		const box = stubs.calls.find(c => c.name === 'showInputBox')!.args[0] as vscode.InputBoxOptions;
		assert.equal(box.password, true);
		const [report] = (await recognize())!;
		assert.equal(report!.status, 'done', report!.error);
		assert.equal(emulator.log.length, 1);
		assert.equal(emulator.log[0]!.authScheme, 'Api-Key');
		assert.equal(emulator.log[0]!.folderId, undefined);
	});

	it('the API key box turns away an IAM token and a key file', async () => {
		assert.equal(await setApiKey(DEFAULT_CREDENTIALS.apiKey), true);
		const box = stubs.calls.find(c => c.name === 'showInputBox')!.args[0] as vscode.InputBoxOptions;
		assert.match(String(await box.validateInput!('t1.some-iam-token')), /looks like an IAM token.*Set IAM Token/);
		assert.match(String(await box.validateInput!('{ "id": "aje…" }')), /Set Service Account Key/);
		assert.match(String(await box.validateInput!('  ')), /empty/);
		assert.equal(await box.validateInput!(DEFAULT_CREDENTIALS.apiKey), undefined);
	});

	it('Set Service Account Key… reads the key file; Recognize Text gets a token and sends no folder', async () => {
		assert.equal(await setKeyFile(SAMPLE_KEY_FILE), true);
		const dialog = stubs.calls.find(c => c.name === 'showOpenDialog')!.args[0] as vscode.OpenDialogOptions;
		assert.equal(dialog.canSelectMany, false);
		assert.ok(Object.values(dialog.filters ?? {}).some(extensions => extensions.includes('json')));
		assert.ok(stubs.messages('showInformationMessage').some(m => m.includes(DEFAULT_SERVICE_ACCOUNT_KEY.id)));

		const [report] = (await recognize())!;
		assert.equal(report!.status, 'done', report!.error);
		const [exchange, analyze] = emulator.log;
		assert.deepEqual([exchange!.path, exchange!.status, exchange!.keyId], ['/iam/v1/tokens', 200, DEFAULT_SERVICE_ACCOUNT_KEY.id]);
		assert.deepEqual([analyze!.path, analyze!.status, analyze!.authScheme, analyze!.folderId], ['/vision/v1/batchAnalyze', 200, 'Bearer', undefined]);

		emulator.clearLog();
		const [again] = (await recognize('receipt.png'))!;
		assert.equal(again!.status, 'done');
		assert.deepEqual(emulator.log.map(e => e.path), ['/vision/v1/batchAnalyze'], 'the token is reused');
	});

	it('a file that is not an authorized key is turned away with the reason; the credentials in use stay', async () => {
		assert.equal(await setApiKey(DEFAULT_CREDENTIALS.apiKey), true);
		const apiKeyFile = scratchFile('api-key.json', JSON.stringify({ api_key: { id: 'ajeapikey', service_account_id: 'ajesa' }, secret: 'AQVN-not-for-here' }));
		assert.equal(await setKeyFile(apiKeyFile), false);
		const [error] = stubs.calls.filter(c => c.name === 'showErrorMessage');
		assert.match(String(error!.args[0]), /api-key\.json is not a usable service account key\. This file holds an API key/);
		assert.deepEqual(error!.args.slice(1), ['Choose Another File']);

		const notJson = scratchFile('notes.json', 'just some notes');
		assert.equal(await setKeyFile(notJson), false);
		assert.match(stubs.messages('showErrorMessage')[1]!, /notes\.json is not a usable service account key\. The file is not JSON.*yc iam key create/);

		const [report] = (await recognize())!;
		assert.equal(report!.status, 'done');
		assert.equal(emulator.log[0]!.authScheme, 'Api-Key', 'the API key is still in use');
	});

	it('a key the IAM service rejects: says so, with the request id, and sends nothing to the Vision API', async () => {
		const impostor = createTestServiceAccountKey({ id: DEFAULT_SERVICE_ACCOUNT_KEY.id, serviceAccountId: DEFAULT_SERVICE_ACCOUNT_KEY.serviceAccountId });
		const keyFile = scratchFile('rotated-key.json', impostor.json);
		assert.equal(await setKeyFile(keyFile), true, 'a well-formed file is accepted; only the IAM service can tell the key is wrong');
		const [report] = (await recognize())!;
		assert.equal(report!.status, 'failed');
		const shown = await waitFor(() => stubs.calls.find(c => c.name === 'showErrorMessage'), 'the error message');
		const message = String(shown.args[0]);
		assert.match(message, new RegExp(`rejected the service account key ${DEFAULT_SERVICE_ACCOUNT_KEY.id}.*current key of service account ${DEFAULT_SERVICE_ACCOUNT_KEY.serviceAccountId}.*request id ${emulator.log[0]!.requestId}`));
		assert.deepEqual(shown.args.slice(1), ['Set Service Account Key…']);
		assert.deepEqual(emulator.log.map(e => [e.path, e.status]), [['/iam/v1/tokens', 401]]);
		for (const line of privateKeyLines(keyFile)) assert.ok(!message.includes(line) && !report!.error!.includes(line));
	});

	it('a token the Vision API refuses: the service account may lack the role or its key was deleted', async () => {
		// Another emulator does not know the tokens this one issues.
		const stranger = await startEmulator();
		try {
			await config().update('endpoint', stranger.url, vscode.ConfigurationTarget.Global);
			assert.equal(await setKeyFile(SAMPLE_KEY_FILE), true);
			const [report] = (await recognize())!;
			assert.equal(report!.status, 'failed');
			const shown = await waitFor(() => stubs.calls.find(c => c.name === 'showErrorMessage'), 'the error message');
			assert.match(String(shown.args[0]), /service account's IAM token was refused\. The service account may lack the ai\.vision\.user role, or its key was deleted\..*request id/);
			assert.deepEqual(shown.args.slice(1), ['Set Service Account Key…']);
			assert.equal(stranger.log[0]!.status, 401);
			assert.equal(stranger.log[0]!.folderId, undefined);
		} finally {
			await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
			await stranger.close();
		}
	});

	it('a user account\'s token without a folder fails before anything is sent, naming the setting', async () => {
		await setIamToken(DEFAULT_CREDENTIALS.userIamToken);
		await config().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		try {
			const [report] = (await recognize())!;
			assert.equal(report!.status, 'failed');
			const [shown] = stubs.calls.filter(c => c.name === 'showErrorMessage');
			assert.match(String(shown!.args[0]), /a folder ID is required with a user account's IAM token — set yandexVision\.folderId/);
			assert.deepEqual(shown!.args.slice(1), ['Open Settings']);
			assert.equal(emulator.log.length, 0);
		} finally {
			await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
		}
	});

	it('warns once per session when the pasted token nears 12 hours, and still analyzes', async () => {
		await setIamToken(DEFAULT_CREDENTIALS.userIamToken);
		await later(11.5 * HOUR, async () => {
			const [first] = (await recognize())!;
			const [second] = (await recognize('receipt.png'))!;
			assert.deepEqual([first!.status, second!.status], ['done', 'done']);
		});
		const warnings = stubs.calls.filter(c => c.name === 'showWarningMessage');
		assert.equal(warnings.length, 1, 'one warning for two analyses');
		assert.match(String(warnings[0]!.args[0]), /IAM token expires in about (29|30) min/);
		assert.deepEqual(warnings[0]!.args.slice(1), ['Set New Token']);
		assert.equal(emulator.log.length, 2);
	});

	it('after 12 hours says the pasted token has expired and sends nothing until a new one is set', async () => {
		await setIamToken(DEFAULT_CREDENTIALS.userIamToken);
		await later(12.5 * HOUR, async () => {
			assert.equal(await recognize(), undefined);
			const [warning] = stubs.calls.filter(c => c.name === 'showWarningMessage');
			assert.match(String(warning!.args[0]), /the IAM token has expired/);
			assert.match((warning!.args[1] as vscode.MessageOptions).detail ?? '', /set 12 h 30 min ago.*at most 12 hours/);
			assert.deepEqual(warning!.args.slice(2), ['Set New Token']);
			assert.equal(emulator.log.length, 0);

			stubs.stub('showWarningMessage', async () => 'Set New Token');
			stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
			const [report] = (await recognize())!;
			assert.equal(report!.status, 'done');
		});
	});

	it('Show Credentials names the key in use and none of its secrets', async () => {
		assert.equal(await setKeyFile(SAMPLE_KEY_FILE), true);
		await recognize();
		let shown: readonly vscode.QuickPickItem[] = [];
		stubs.stub('showQuickPick', async (items: readonly vscode.QuickPickItem[]) => {
			shown = items;
			return undefined;
		});
		assert.equal(await vscode.commands.executeCommand('yandexVision.showCredentials'), 'serviceAccountKey');
		assert.match(shown[0]!.label, new RegExp(`Authorized key ${DEFAULT_SERVICE_ACCOUNT_KEY.id} of service account ${DEFAULT_SERVICE_ACCOUNT_KEY.serviceAccountId}`));
		assert.match(shown[0]!.detail ?? '', /valid until/);
		assert.ok(shown.some(item => /Sign Out/.test(item.label)));
		const text = JSON.stringify(shown);
		for (const line of privateKeyLines(SAMPLE_KEY_FILE)) assert.ok(!text.includes(line));
		assert.ok(!/t1\./.test(text), 'no token');
	});

	it('keeps one kind of credentials at a time, and Sign Out deletes them all', async () => {
		assert.equal(await setKeyFile(SAMPLE_KEY_FILE), true);
		assert.equal(await setApiKey(DEFAULT_CREDENTIALS.apiKey), true);
		await recognize();
		assert.deepEqual(emulator.log.map(e => e.authScheme), ['Api-Key'], 'the API key replaced the key file');

		assert.equal(await setKeyFile(SAMPLE_KEY_FILE), true);
		assert.equal(await vscode.commands.executeCommand('yandexVision.signOut'), true);
		assert.equal(await vscode.commands.executeCommand('yandexVision.signOut'), false, 'nothing is left');
		emulator.clearLog();
		assert.equal(await recognize(), undefined);
		assert.match(stubs.messages('showWarningMessage').at(-1) ?? '', /needs an IAM token/);
		assert.equal(emulator.log.length, 0);
	});
});
