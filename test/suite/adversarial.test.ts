/**
 * Hostile inputs and a hostile network, in real VS Code against the emulator:
 * - credentials of each kind, used by every command that sends or shows something, and echoed
 *   back by a hostile network, appear nowhere but in the Authorization headers sent: not in the
 *   log, the user data directory, the extension's storage, the browser's storage, webview state,
 *   messages, documents, the clipboard or the workspace;
 * - a workspace whose settings point every address at a decoy gets nothing sent there;
 * - what the manifest declares for Restricted Mode matches what the code reads;
 * - files deleted, replaced or cut short during Analyze Folder…, a symbolic link loop, a
 *   non-image with a .png name and an empty file each end clearly, the rest of the batch done.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import type { BatchItem, BatchRun } from '../../src/folderRuns/types';
import type { ResultsModel } from '../../src/shared/protocol';
import { annotationToText } from '../../src/results/text';
import { createTestServiceAccountKey, DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { startDecoy, startHostileNetwork, statusBody, type Decoy, type HostileNetwork, type SentRequest } from '../support/hostileNetwork';
import { fixtureVariant } from '../support/imageVariants';
import { describeHits, findInText, needlesFor, scanFiles, type Hit, type Needle } from '../support/leakScan';
import { fakeQuickPick, ShownToUser, UserSettings } from '../support/shownToUser';
import { findVsCodeStorage, type VsCodeStorage } from '../support/vscodeStorage';
import { waitFor } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const FOLDER_ID = DEFAULT_CREDENTIALS.folderId;

const config = (section = 'yandexVision') => vscode.workspace.getConfiguration(section);
const workspaceRoot = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;

async function run<T = ImageReport[] | undefined>(command: string, ...args: unknown[]): Promise<T> {
	return vscode.commands.executeCommand<T>(command, ...args);
}

async function signOutQuietly(shown: ShownToUser): Promise<void> {
	shown.install();
	try {
		await run('yandexVision.signOut');
	} finally {
		shown.restore();
	}
}

function writeFile(uri: vscode.Uri, bytes: Uint8Array): void {
	fs.mkdirSync(path.dirname(uri.fsPath), { recursive: true });
	fs.writeFileSync(uri.fsPath, bytes);
}

function randomHex(bytes: number): string {
	return randomBytes(bytes).toString('hex');
}

describe('hostile inputs and a hostile network', function () {
	this.timeout(180_000);
	let storage: VsCodeStorage;

	before(async () => {
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		storage = findVsCodeStorage();
	});

	describe('credentials leak nowhere', () => {
		/** The random parts make every fragment of a secret distinctive. */
		const tokenRandom = randomHex(24);
		const apiKeyRandom = randomHex(24);
		const IAM_TOKEN = `t1.LEAKCHECK-${tokenRandom}`;
		const API_KEY = `AQVN-LEAKCHECK-${apiKeyRandom}`;
		const SA_KEY = createTestServiceAccountKey();
		const PEM_LINES = SA_KEY.file.private_key.split('\n').filter(line => line.length >= 16 && !line.startsWith('-----') && !line.startsWith('PLEASE'));

		let emulator: Emulator;
		let network: HostileNetwork;
		let scratch: string;
		let keyFile: string;
		const settings = new UserSettings();
		const shown = new ShownToUser();
		/** Needles of every kind used so far, for the final scan. */
		const everySecret: Needle[] = [];

		interface CredentialKind {
			name: string;
			/** Whether the extension mints IAM tokens with them at the token endpoint. */
			mints: boolean;
			/** Stores the credentials through the extension's own command, as a user would. */
			set(): Promise<void>;
			/** What must appear in Authorization headers, and nowhere else. */
			needles(): Needle[];
			/** The Authorization header every batchAnalyze request of this kind carries. */
			expectedAuthorization(sent: SentRequest): boolean;
		}

		const kinds: CredentialKind[] = [
			{
				name: 'an IAM token',
				mints: false,
				set: async () => {
					shown.inputBox = () => IAM_TOKEN;
					assert.equal(await run('yandexVision.setIamToken'), true);
				},
				needles: () => needlesFor('IAM token', IAM_TOKEN, tokenRandom),
				expectedAuthorization: sent => sent.authorization === `Bearer ${IAM_TOKEN}`,
			},
			{
				name: 'an API key',
				mints: false,
				set: async () => {
					shown.inputBox = () => API_KEY;
					assert.equal(await run('yandexVision.setApiKey'), true);
				},
				needles: () => needlesFor('API key', API_KEY, apiKeyRandom),
				expectedAuthorization: sent => sent.authorization === `Api-Key ${API_KEY}`,
			},
			{
				name: 'a service account key',
				mints: true,
				set: async () => {
					shown.openDialog = () => [vscode.Uri.file(keyFile)];
					assert.equal(await run('yandexVision.setServiceAccountKey'), true);
				},
				needles: () => [
					...PEM_LINES.flatMap((line, i) => needlesFor(`private key line ${i + 1}`, line)),
					...network.minted.flatMap((token, i) => needlesFor(`minted IAM token ${i + 1}`, token, token.slice(3))),
					// A signed JWT buys tokens until it expires: a secret as well.
					...jwtsSent().flatMap((jwt, i) => needlesFor(`JWT ${i + 1}`, jwt, jwt.slice(jwt.lastIndexOf('.') + 1))),
				],
				expectedAuthorization: sent => network.minted.some(token => sent.authorization === `Bearer ${token}`),
			},
		];

		function jwtsSent(): string[] {
			return network.sent
				.filter(sent => sent.path === '/iam/v1/tokens')
				.map(sent => (JSON.parse(sent.body.toString('utf8')) as { jwt: string }).jwt);
		}

		const folder = () => vscode.Uri.joinPath(workspaceRoot(), 'leakcheck');
		const hostileFolder = () => vscode.Uri.joinPath(workspaceRoot(), 'leakcheck-hostile');
		let hostileCount = 0;
		/** A new file each time: the result cache would answer a file analyzed before without a request. */
		function freshImage(): vscode.Uri {
			const uri = vscode.Uri.joinPath(hostileFolder(), `hostile-${++hostileCount}.png`);
			writeFile(uri, fixtureVariant('latin-note.png', `hostile ${hostileCount} ${randomHex(4)}`));
			return uri;
		}

		before(async () => {
			scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-leakcheck-'));
			keyFile = path.join(scratch, 'leakcheck-key.json');
			fs.writeFileSync(keyFile, SA_KEY.json);
			emulator = await startEmulator({
				users: [{ iamToken: IAM_TOKEN, folders: [FOLDER_ID] }],
				serviceAccounts: [{ folderId: FOLDER_ID, apiKeys: [API_KEY] }],
				serviceAccountKeys: [SA_KEY.config],
			});
			network = await startHostileNetwork(emulator.origin);
			await settings.set('yandexVision', 'endpoint', network.visionUrl);
			await settings.set('yandexVision', 'iamEndpoint', network.iamUrl);
			await settings.set('yandexVision', 'folderId', FOLDER_ID);
			// Search Text and the batch export read the result cache.
			await settings.set('yandexVision', 'cache.maxMegabytes', 200);
		});
		after(async () => {
			shown.restore();
			await settings.restore();
			await network?.close();
			await emulator?.close();
			fs.rmSync(scratch, { recursive: true, force: true });
			for (const uri of [folder(), hostileFolder()]) fs.rmSync(uri.fsPath, { recursive: true, force: true });
			for (const name of fs.readdirSync(workspaceRoot().fsPath)) {
				if (name.startsWith('leakcheck-export-')) fs.rmSync(path.join(workspaceRoot().fsPath, name));
			}
		});
		beforeEach(() => shown.install());
		afterEach(async () => {
			shown.restore();
			await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		});

		for (const kind of kinds) {
			it(`${kind.name}: every command, answers echoing it back, a 401, a 429, a network error — and it is only ever in the Authorization header`, async () => {
				const sentBefore = network.sent.length;
				await kind.set();
				await runEveryCommand(kind);

				const sent = network.sent.slice(sentBefore);
				const visionRequests = sent.filter(request => request.path === '/vision/v1/batchAnalyze');
				assert.ok(visionRequests.length >= 15, `${visionRequests.length} requests`);
				const unexpected = visionRequests.filter(request => !kind.expectedAuthorization(request));
				assert.deepEqual(unexpected.map(request => request.authorization?.split(' ')[0]), [], 'every request carried the credentials, so the scan below looks for what was really sent');
				const needles = kind.needles();
				everySecret.push(...needles);

				const hits = await scanEverything(needles, visionRequests.at(-1)!.clientRequestId!);
				if (hits.length > 0) assert.fail(describeHits(hits));
			});
		}

		it('after all three and Sign Out: none of them anywhere, the browser\'s profile included', async () => {
			assert.equal(await run('yandexVision.signOut'), true);
			const hits = await scanEverything(everySecret, undefined);
			if (hits.length > 0) assert.fail(describeHits(hits));
			if (storage.codeServerRunDir) {
				// code-server keeps SecretStorage in the browser's localStorage, sealed with AES-GCM
				// (a random key half kept with it, the other half in the user data directory's
				// serve-web-key-half), and globalState and webview state in IndexedDB. Playwright's
				// browser context keeps them in memory; whatever Chromium does write is looked at too.
				assert.ok(storage.browserProfile, 'the browser profile of this run was found');
				const profile = scanFiles([storage.browserProfile], everySecret.filter(needle => !needle.fragment));
				assert.ok(profile.files.length > 0);
				if (profile.hits.length > 0) assert.fail(describeHits(profile.hits));
			}
		});

		/** Every command that sends or shows something, then the same with a network that answers with the credentials it received. */
		async function runEveryCommand(kind: CredentialKind): Promise<void> {
			const tag = `${kind.name} ${randomHex(4)}`;
			fs.rmSync(folder().fsPath, { recursive: true, force: true });
			const note = vscode.Uri.joinPath(folder(), 'note.png');
			const receipt = vscode.Uri.joinPath(folder(), 'receipt.png');
			const faces = vscode.Uri.joinPath(folder(), 'faces.jpg');
			writeFile(note, fixtureVariant('latin-note.png', tag));
			writeFile(receipt, fixtureVariant('receipt.png', tag));
			writeFile(faces, fixtureVariant('faces.jpg', tag));
			writeFile(vscode.Uri.joinPath(folder(), 'notes.png'), Buffer.from('Not a picture: notes kept under a .png name.\n'));

			const [recognized] = (await run('yandexVision.recognizeText', note))!;
			assert.equal(recognized!.status, 'done', recognized!.error);
			const notePanel = await waitFor(() => shown.panels.find(record => record.posted.some(m => m.type === 'init')), 'the results panel to render', 30_000);
			for (const command of ['yandexVision.classifyImage', 'yandexVision.detectFaces', 'yandexVision.findImageCopies']) {
				const [report] = (await run(command, faces))!;
				assert.equal(report!.status, 'done', `${command}: ${report!.error}`);
			}
			shown.pickQuick = items => items;
			const [analyzed] = (await run('yandexVision.analyzeImage', faces))!;
			assert.equal(analyzed!.model?.features.length, 4);
			const quick = await run<ImageReport>('yandexVision.quickOcr', receipt);
			assert.equal(quick.status, 'done', quick.error);
			assert.equal(await vscode.env.clipboard.readText(), annotationToText(recordingOf('receipt.png').textDetection!));

			const batch = (await run<BatchRun | undefined>('yandexVision.analyzeFolder', folder(), [folder()], ['text']))!;
			// note.png and receipt.png were analyzed for text above: their results come from the cache.
			assert.deepEqual(batch.items.map(item => `${item.label} ${item.status}`), ['leakcheck/faces.jpg done', 'leakcheck/note.png cached', 'leakcheck/notes.png failed', 'leakcheck/receipt.png cached']);
			assert.equal(await run('yandexVision.retryFailed'), batch);
			shown.pickQuick = items => items[0];
			const exported = vscode.Uri.joinPath(workspaceRoot(), `leakcheck-export-${randomHex(3)}.jsonl`);
			shown.saveDialog = () => exported;
			assert.equal((await run<vscode.Uri | undefined>('yandexVision.exportBatch'))?.toString(), exported.toString());

			const search = fakeQuickPick();
			shown.stubs.stub('createQuickPick', () => search.pick);
			const searching = run('yandexVision.searchText');
			const line = await waitFor(() => search.pick.items.find(item => item.line.uri === note.toString()), 'the recognized lines');
			search.pick.selectedItems = [line];
			search.accept();
			await searching;

			// The panel's own buttons, as its webview posts them.
			notePanel.fromWebview({ type: 'showJson' });
			await waitFor(() => vscode.workspace.textDocuments.find(d => d.uri.scheme === 'yandex-vision-json'), 'the JSON document');
			for (const extension of ['json', 'md']) {
				const target = vscode.Uri.joinPath(folder(), `note.png.vision.${extension}`);
				shown.saveDialog = () => target;
				notePanel.fromWebview({ type: 'exportResults' });
				await waitFor(() => fs.existsSync(target.fsPath) || undefined, `the exported ${extension}`);
			}
			shown.pickQuick = () => undefined;
			assert.ok(await run('yandexVision.showCredentials'));

			await hostileAnswers(kind.mints);
		}

		/** The network answers with the credentials it received, in every place an answer can carry text. */
		async function hostileAnswers(mints: boolean): Promise<void> {
			const auth = (request: SentRequest) => request.authorization ?? '';
			const errors = () => shown.messages('showErrorMessage').length;

			// A 401 whose message echoes the header, the secret across the point where long messages are cut short.
			network.script('vision', request => ({ status: 401, contentType: 'application/json', body: statusBody(16, `${acrossTheCut(1000, auth(request))} is invalid or has expired`) }));
			let before = errors();
			let [report] = (await run('yandexVision.recognizeText', freshImage()))!;
			assert.equal(report!.status, 'failed');
			await waitFor(() => errors() > before || undefined, 'the 401 message');

			// A 200 whose per-image error, and then whose per-feature error and its details, echo the header.
			network.script('vision', request => ({ edit: answer => withImageError(answer, `Can't decode Image sent with Authorization: ${auth(request)}`) }));
			before = errors();
			[report] = (await run('yandexVision.recognizeText', freshImage()))!;
			assert.equal(report!.status, 'failed');
			await waitFor(() => errors() > before || undefined, 'the per-image error message');
			network.script('vision', request => ({ edit: answer => withFeatureError(answer, `Quota exceeded for ${auth(request)}`, auth(request)) }));
			[report] = (await run('yandexVision.recognizeText', freshImage()))!;
			assert.ok(report!.model?.features[0]!.result.error, 'the feature failed, shown in its panel');

			// 429, 500 with a plain-text body, 502 from a proxy page — each echoing the header — then the answer.
			network.script('vision',
				request => ({ status: 429, contentType: 'application/json', headers: { 'retry-after': '0' }, body: statusBody(8, acrossTheCut(1000, auth(request))) }),
				request => ({ status: 500, contentType: 'text/plain', body: `${acrossTheCut(200, auth(request))} failed` }),
				request => ({ status: 502, contentType: 'text/html', body: `<html><head><title>Bad gateway for ${auth(request)}</title></head><body>${auth(request)}</body></html>` }));
			[report] = (await run('yandexVision.recognizeText', freshImage()))!;
			assert.equal(report!.status, 'done', report!.error);
			assert.equal(network.pending('vision'), 0, 'all three were answered before the retry that succeeded');

			// The connection reset at every attempt.
			network.script('vision', () => ({ reset: true }), () => ({ reset: true }), () => ({ reset: true }), () => ({ reset: true }));
			before = errors();
			[report] = (await run('yandexVision.recognizeText', freshImage()))!;
			assert.equal(report!.status, 'failed');
			assert.match(report!.error!, /connection/i);
			await waitFor(() => errors() > before || undefined, 'the network error message');

			if (mints) {
				// A service account: after a 401 the next request mints a new token, at a token endpoint that echoes the JWT.
				network.script('vision', () => ({ status: 401, contentType: 'application/json', body: statusBody(16, 'Token is invalid or has expired.') }));
				[report] = (await run('yandexVision.recognizeText', freshImage()))!;
				assert.equal(report!.status, 'failed');
				network.script('iam', request => ({ status: 400, contentType: 'application/json', body: statusBody(3, `${acrossTheCut(1000, request.body.toString('utf8'), 100)} is not a valid JWT`) }));
				before = errors();
				[report] = (await run('yandexVision.recognizeText', freshImage()))!;
				assert.equal(report!.status, 'failed');
				await waitFor(() => errors() > before || undefined, 'the token endpoint\'s error message');
				assert.equal(network.pending('iam'), 0);
			}
		}

		/** Every place the extension writes or shows things, for `needles`; `lastClientRequestId` must be in the log (so the right log was read). */
		async function scanEverything(needles: readonly Needle[], lastClientRequestId: string | undefined): Promise<Hit[]> {
			const log = extensionLog();
			if (lastClientRequestId) {
				await waitFor(() => fs.readFileSync(log, 'utf8').includes(lastClientRequestId) || undefined, `the log ${log} to name the last request`);
			}
			const hits: Hit[] = [];
			for (const { where, text } of shown.texts()) hits.push(...findInText(where, text, needles));
			for (const document of vscode.workspace.textDocuments) hits.push(...findInText(`document ${document.uri.toString()}`, document.getText(), needles));
			hits.push(...findInText('clipboard', await vscode.env.clipboard.readText(), needles));
			// The user data directory (settings, logs, global and workspace storage, the result
			// cache) with code-server's other files, and the workspace with everything exported.
			// Only the key file this suite gave Set Service Account Key… is left out: it is the user's own.
			const roots = [storage.codeServerRunDir ?? storage.userDataDir, workspaceRoot().fsPath];
			const files = scanFiles(roots, needles, [scratch]);
			assert.ok(files.files.includes(log), 'the log was among the files scanned');
			assert.ok(files.files.some(file => file.includes(`${path.sep}globalStorage${path.sep}`) && file.endsWith('index.json')), 'the result cache was among the files scanned');
			hits.push(...files.hits);
			return hits;
		}

		/** The extension's "Yandex Vision" output channel, as the extension host writes it. */
		function extensionLog(): string {
			const logs = path.join(storage.userDataDir, 'logs');
			const found = fs.readdirSync(logs, { recursive: true, encoding: 'utf8' })
				.filter(file => file.includes(EXTENSION_ID) && file.endsWith('Yandex Vision.log'))
				.map(file => path.join(logs, file));
			assert.equal(found.length, 1, `one log of the extension under ${logs}: ${found.join(', ')}`);
			return found[0]!;
		}
	});

	describe('a workspace that points every address at a decoy', () => {
		const SA_KEY = createTestServiceAccountKey();
		let emulator: Emulator;
		let network: HostileNetwork;
		let decoy: Decoy;
		let scratch: string;
		const settings = new UserSettings();
		const shown = new ShownToUser();
		const settingsFile = () => vscode.Uri.joinPath(workspaceRoot(), '.vscode', 'settings.json');
		const folder = () => vscode.Uri.joinPath(workspaceRoot(), 'decoy-run');

		before(async () => {
			scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-decoy-'));
			fs.writeFileSync(path.join(scratch, 'key.json'), SA_KEY.json);
			// Slower than the workspace's timeout: a request that used it would fail.
			emulator = await startEmulator({ latencyMs: 1_500, serviceAccountKeys: [SA_KEY.config] });
			network = await startHostileNetwork(emulator.origin);
			decoy = await startDecoy();
			await settings.set('yandexVision', 'endpoint', network.visionUrl);
			await settings.set('yandexVision', 'iamEndpoint', network.iamUrl);
			await settings.set('yandexVision', 'folderId', FOLDER_ID);
			await settings.set('yandexVision', 'cache.maxMegabytes', 200);
			writeFile(settingsFile(), Buffer.from(JSON.stringify({
				'yandexVision.endpoint': `${decoy.url}/vision/v1/batchAnalyze`,
				'yandexVision.iamEndpoint': `${decoy.url}/iam/v1/tokens`,
				'yandexVision.folderId': 'b1gdecoyfolder0000001',
				'yandexVision.dataLogging': true,
				'yandexVision.timeoutSeconds': 1,
				'yandexVision.requestsPerSecond': 100,
				'yandexVision.cache.maxMegabytes': 0,
				'http.proxy': decoy.url,
				'http.proxySupport': 'on',
				'http.proxyStrictSSL': false,
				'http.noProxy': [],
				// Resource-scoped, so it does apply: it shows when VS Code has read the file.
				'yandexVision.ocr.model': 'line',
			}, undefined, '\t')));
			await waitFor(() => config().get('ocr.model') === 'line' || undefined, 'VS Code to read the workspace settings');
		});
		after(async () => {
			shown.restore();
			fs.rmSync(path.dirname(settingsFile().fsPath), { recursive: true, force: true });
			await waitFor(() => config().get('ocr.model') === 'page' || undefined, 'VS Code to drop the workspace settings');
			await signOutQuietly(shown);
			await settings.restore();
			await network?.close();
			await emulator?.close();
			await decoy?.close();
			fs.rmSync(scratch, { recursive: true, force: true });
			fs.rmSync(folder().fsPath, { recursive: true, force: true });
		});
		beforeEach(() => {
			shown.install();
			emulator.clearLog();
		});
		afterEach(async () => {
			shown.restore();
			await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		});

		/** Every command that sends, on images never analyzed before; then the first image again. */
		async function fullRun(tag: string): Promise<void> {
			fs.rmSync(folder().fsPath, { recursive: true, force: true });
			const note = vscode.Uri.joinPath(folder(), 'note.png');
			const faces = vscode.Uri.joinPath(folder(), 'faces.jpg');
			writeFile(note, fixtureVariant('latin-note.png', tag));
			writeFile(faces, fixtureVariant('faces.jpg', tag));
			writeFile(vscode.Uri.joinPath(folder(), 'receipt.png'), fixtureVariant('receipt.png', tag));
			writeFile(vscode.Uri.joinPath(folder(), 'notes.png'), Buffer.from('notes\n'));

			const [recognized] = (await run('yandexVision.recognizeText', note))!;
			assert.equal(recognized!.status, 'done', recognized!.error);
			shown.pickQuick = items => items;
			const [analyzed] = (await run('yandexVision.analyzeImage', faces))!;
			assert.equal(analyzed!.status, 'done', analyzed!.error);
			const batch = (await run<BatchRun | undefined>('yandexVision.analyzeFolder', folder(), [folder()], ['text']))!;
			assert.deepEqual(batch.items.map(item => item.status), ['done', 'cached', 'failed', 'done'], 'faces, note (recognized above), notes, receipt');
			await run('yandexVision.retryFailed');
			const quick = await run<ImageReport>('yandexVision.quickOcr', note);
			assert.equal(quick.status, 'cached', 'the workspace cannot turn the user\'s result cache off');
		}

		/** What every test here checks once its run is over; `sent` is what the extension sent during it. */
		function assertNothingWentToTheDecoy(sent: readonly SentRequest[]): void {
			assert.deepEqual(decoy.connections, [], 'no connection reached the decoy');
			// Recognize Text, Analyze Image…, and Analyze Folder…'s two new images; the rest is local or cached.
			assert.equal(sent.filter(request => request.path === '/vision/v1/batchAnalyze').length, 3, 'the run\'s requests went to the user\'s endpoint');
			assert.equal(emulator.log.filter(entry => entry.status !== 200).length, 0, 'each answered in 1.5 s, past the workspace\'s 1 s timeout');
			assert.deepEqual(sent.filter(request => request.dataLogging !== undefined).map(request => request.path), [], 'no data logging: the workspace cannot opt the user in');
		}

		it('with a service account key: tokens come from the user\'s token endpoint, requests go to the user\'s endpoint without a folder, nothing to the decoy', async () => {
			shown.openDialog = () => [vscode.Uri.file(path.join(scratch, 'key.json'))];
			assert.equal(await run('yandexVision.setServiceAccountKey'), true);
			const sentBefore = network.sent.length;
			await fullRun(`decoy sa ${randomHex(4)}`);
			const sent = network.sent.slice(sentBefore);
			assert.ok(sent.some(request => request.path === '/iam/v1/tokens'), 'a token was minted at the user\'s token endpoint');
			assert.deepEqual(emulator.log.filter(entry => entry.folderId !== undefined).map(entry => entry.folderId), [], 'a service account\'s requests name no folder');
			assertNothingWentToTheDecoy(sent);
		});

		it('with an IAM token: the folder billed is the user\'s, nothing to the decoy', async () => {
			shown.inputBox = () => DEFAULT_CREDENTIALS.userIamToken;
			assert.equal(await run('yandexVision.setIamToken'), true);
			const sentBefore = network.sent.length;
			await fullRun(`decoy token ${randomHex(4)}`);
			assert.deepEqual([...new Set(emulator.log.map(entry => entry.folderId))], [FOLDER_ID]);
			assertNothingWentToTheDecoy(network.sent.slice(sentBefore));
		});
	});

	describe('Restricted Mode: what the manifest declares matches what the code reads', () => {
		interface Manifest {
			capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; restrictedConfigurations?: string[] } };
			contributes: { configuration: { properties: Record<string, { scope?: string }> } };
		}
		let manifest: Manifest;
		let sources: { file: string; text: string }[];
		/** Scopes VS Code never takes from a workspace, trusted or not. */
		const USER_SCOPES = ['application', 'machine'];

		before(() => {
			const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
			manifest = extension.packageJSON as Manifest;
			const src = path.join(extension.extensionPath, 'src');
			sources = fs.readdirSync(src, { recursive: true, encoding: 'utf8' })
				.filter(file => file.endsWith('.ts'))
				.map(file => ({ file: path.join('src', file), text: fs.readFileSync(path.join(src, file), 'utf8') }));
		});

		const restricted = () => manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
		const properties = () => manifest.contributes.configuration.properties;

		/** `section.key` of every setting the code reads from the user's settings alone: `userOnly('key')`, `inspect('key')`. */
		function readFromUserSettingsOnly(): string[] {
			const keys: string[] = [];
			for (const { file, text } of sources) {
				const read = [...text.matchAll(/\b(?:userOnly|inspect)(?:<[^>()]*>)?\(\s*'([^']+)'/g)].map(match => match[1]!);
				if (read.length === 0) continue;
				const sections = [...new Set([...text.matchAll(/getConfiguration\(\s*'([^']+)'/g)].map(match => match[1]!))];
				assert.equal(sections.length, 1, `${file} reads settings of one section, so that its keys are known: ${sections.join(', ')}`);
				keys.push(...read.map(key => `${sections[0]}.${key}`));
			}
			return [...new Set(keys)].sort();
		}

		it('declares limited support; every restricted setting exists, and no code reads workspace values around VS Code\'s filter', () => {
			assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
			assert.ok(restricted().length > 0);
			for (const key of restricted()) assert.ok(properties()[key], `${key} is a setting of the extension`);
			const bypassing = sources.filter(({ text }) => /\bworkspace(?:Folder)?Value\b/.test(text)).map(({ file }) => file);
			assert.deepEqual(bypassing, [], 'settings are read through get(), which Restricted Mode filters; reading workspace values directly could get around it');
		});

		it('every setting read from the user\'s settings only is application- or machine-scoped (no workspace can set it), or restricted', () => {
			const userOnly = readFromUserSettingsOnly();
			const ours = userOnly.filter(key => key.startsWith('yandexVision.'));
			// The credentials' destinations and what decides how they are sent: the scan found them all.
			for (const key of ['endpoint', 'iamEndpoint', 'folderId', 'dataLogging', 'timeoutSeconds', 'requestsPerSecond', 'cache.maxMegabytes']) {
				assert.ok(ours.includes(`yandexVision.${key}`), `yandexVision.${key} is read from the user's settings only (${ours.join(', ')})`);
			}
			const exposed = ours.filter(key => !USER_SCOPES.includes(properties()[key]?.scope ?? 'window') && !restricted().includes(key));
			assert.deepEqual(exposed, [], 'read as the user\'s, but a workspace could set them');
		});

		it('an untrusted workspace can still set only which of its own images a folder run takes, not how many', () => {
			const fromWorkspace = Object.entries(properties())
				.filter(([key, property]) => !USER_SCOPES.includes(property.scope ?? 'window') && !restricted().includes(key))
				.map(([key]) => key)
				.sort();
			assert.deepEqual(fromWorkspace, ['yandexVision.folder.include']);
		});
	});

	describe('files that change under Analyze Folder…', () => {
		/** Enough images that the last ones are read only after the first answers (8 requests of 8 in flight, 24 read ahead). */
		const FILLERS = 96;
		const RECORDED = ['latin-note.png', 'cyrillic-sign.jpg', 'receipt.png', 'faces.jpg', 'mixed-page.png', 'rotated-line.png', 'hostile-text.png'];
		let emulator: Emulator;
		const settings = new UserSettings();
		const shown = new ShownToUser();
		const folder = () => vscode.Uri.joinPath(workspaceRoot(), 'churn');
		const file = (name: string) => vscode.Uri.joinPath(folder(), name);
		const textOf = (name: string) => annotationToText(recordingOf(name).textDetection!);

		before(async () => {
			// Three seconds per answer: the files change while the first requests are out.
			emulator = await startEmulator({ latencyMs: 3_000 });
			await settings.set('yandexVision', 'endpoint', emulator.url);
			await settings.set('yandexVision', 'folderId', FOLDER_ID);
			await settings.set('yandexVision', 'cache.maxMegabytes', 200);
			shown.install();
			shown.inputBox = () => DEFAULT_CREDENTIALS.userIamToken;
			assert.equal(await run('yandexVision.setIamToken'), true);
			shown.restore();

			const tag = randomHex(4);
			writeFile(file('0-read-then-replaced.png'), fixtureVariant('latin-note.png', tag));
			writeFile(file('a/inner.png'), fixtureVariant('rotated-line.png', tag));
			// a/loop leads back to the folder itself.
			fs.symlinkSync('..', file('a/loop').fsPath);
			writeFile(file('empty.png'), new Uint8Array(0));
			for (let i = 0; i < FILLERS; i++) {
				const recorded = RECORDED[i % RECORDED.length]!;
				writeFile(file(`f-${String(i).padStart(3, '0')}${path.extname(recorded)}`), fixtureVariant(recorded, `${tag} ${i}`));
			}
			writeFile(file('not-an-image.png'), Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script>Not a picture.</body></html>\n'));
			writeFile(file('z-cut-short.png'), fixtureVariant('receipt.png', tag));
			writeFile(file('z-deleted.png'), fixtureVariant('receipt.png', `${tag} deleted`));
			writeFile(file('z-replaced.png'), fixtureVariant('latin-note.png', `${tag} replaced`));
		});
		after(async () => {
			shown.restore();
			await signOutQuietly(shown);
			await settings.restore();
			await emulator?.close();
			fs.rmSync(folder().fsPath, { recursive: true, force: true });
		});
		beforeEach(() => {
			shown.install();
			emulator.clearLog();
		});
		afterEach(async () => {
			shown.restore();
			await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		});

		it('each changed, looping or bad file ends clearly, every other image is analyzed once, and the run ends', async () => {
			const running = run<BatchRun | undefined>('yandexVision.analyzeFolder', folder(), [folder()], ['text']);
			// Two requests are out, so the first image has been read; nothing is answered for 3 s,
			// and until then the last images are not read.
			await waitFor(() => emulator.log.length >= 2 || undefined, 'the first requests', 30_000);
			const changedAt = Date.now();
			writeFile(file('0-read-then-replaced.png'), fixtureVariant('mixed-page.png', 'replaced after reading'));
			fs.rmSync(file('z-deleted.png').fsPath);
			writeFile(file('z-cut-short.png'), fixtureBytes('receipt.png').subarray(0, 100));
			writeFile(file('z-replaced.png'), fixtureVariant('mixed-page.png', 'replaced before reading'));
			assert.equal(emulator.log.filter(entry => entry.status !== 0).length, 0, 'changed before any answer came');
			const first = (await running)!;

			assert.ok(first.finishedAt && !first.cancelled);
			const labels = first.items.map(item => item.label);
			assert.equal(new Set(labels).size, labels.length, 'no image listed twice');
			assert.deepEqual(labels.filter(label => label.includes('loop')), [], 'nothing through the loop');
			assert.equal(labels.length, FILLERS + 7);
			const failed = first.items.filter(item => item.status === 'failed').map(item => `${item.label}: ${item.error}`);
			assert.equal(failed.length, 4, failed.join('\n'));
			assert.equal(failed[0]!, 'churn/empty.png: churn/empty.png is empty (0 bytes). If it is still being saved or downloaded, try again when it is complete.');
			assert.match(failed[1]!, /^churn\/not-an-image\.png: churn\/not-an-image\.png is an HTML page, not an image/);
			// Its header survived the cut, so it was sent; the service refused it alone.
			assert.match(failed[2]!, /^churn\/z-cut-short\.png: churn\/z-cut-short\.png: Can't decode Image \(request id [0-9a-f-]{36}\)$/);
			assert.equal(failed[3]!, 'churn/z-deleted.png: churn/z-deleted.png no longer exists: it was deleted or moved after it was chosen.');
			assert.equal(first.items.filter(item => item.status === 'done').length, FILLERS + 3);

			// Each image sent once, in requests that all succeeded.
			assert.ok(emulator.log.every(entry => entry.status === 200));
			assert.equal(emulator.log.reduce((sum, entry) => sum + entry.specCount!, 0), FILLERS + 4);

			// Analyzed as read: the file read before it changed has the old picture's text, from a request sent before the change.
			const replacedAfter = first.items.find(item => item.label === 'churn/0-read-then-replaced.png')!;
			assert.ok(emulator.log.find(entry => entry.requestId === replacedAfter.requestId)!.receivedAt <= changedAt, 'sent before it changed');
			assert.equal(await textOfItem(replacedAfter), textOf('latin-note.png'));
			assert.equal(await textOfItem(first.items.find(item => item.label === 'churn/z-replaced.png')!), textOf('mixed-page.png'));
			assert.equal(await textOfItem(first.items.find(item => item.label === 'churn/a/inner.png')!), textOf('rotated-line.png'));
		});

		// Follows the run above.
		it('afterwards, search offers no text the files no longer hold, and a new run analyzes only what changed', async () => {
			const search = fakeQuickPick();
			shown.stubs.stub('createQuickPick', () => search.pick);
			const searching = run('yandexVision.searchText');
			await waitFor(() => search.pick.items.length > 0 || undefined, 'the search to list the lines', 30_000);
			const offered = new Set(search.pick.items.map(item => item.line.description));
			search.pick.hide();
			await searching;
			assert.ok(offered.has('churn/z-replaced.png') && offered.has('churn/f-000.png'));
			assert.ok(!offered.has('churn/0-read-then-replaced.png'), 'its text is of bytes it no longer holds');

			const again = (await run<BatchRun | undefined>('yandexVision.analyzeFolder', folder(), [folder()], ['text']))!;
			assert.equal(again.items.length, FILLERS + 6, 'the deleted file is gone');
			const done = again.items.filter(item => item.status === 'done').map(item => item.label);
			assert.deepEqual(done, ['churn/0-read-then-replaced.png']);
			assert.equal(again.items.filter(item => item.status === 'cached').length, FILLERS + 2);
			// The changed file, and the cut-short one again: a failed result is never kept.
			const sentAgain = emulator.log.flatMap(entry => entry.matches ?? []);
			assert.equal(sentAgain.length, 2, sentAgain.join('; '));
			assert.ok(sentAgain.includes('none: Can\'t decode Image') && sentAgain.some(match => match.endsWith(' mixed-page.recording.json')), sentAgain.join('; '));
			assert.equal(await textOfItem(again.items.find(item => item.label === 'churn/0-read-then-replaced.png')!), textOf('mixed-page.png'));
		});

		async function textOfItem(item: BatchItem): Promise<string> {
			const model = await run<ResultsModel | undefined>('yandexVision.openBatchItem', item);
			assert.ok(model, `${item.label} has a result`);
			return annotationToText(model.features[0]!.result.textDetection!);
		}
	});
});

/**
 * `text` padded so that a message cut after `limit` characters keeps all of it but its last
 * `cut` characters: what a server can do to have half a secret shown.
 */
function acrossTheCut(limit: number, text: string, cut = 24): string {
	return `${'x'.repeat(Math.max(0, limit - (text.length - cut)))}${text}`;
}

/** The emulator's answer with its first image failed as a whole. */
function withImageError(answer: unknown, message: string): unknown {
	const results = (answer as { results: unknown[] }).results;
	results[0] = { error: { code: 3, message, details: [] } };
	return answer;
}

/** The emulator's answer with the first feature of its first image failed, `detail` in the error's details. */
function withFeatureError(answer: unknown, message: string, detail: string): unknown {
	const image = (answer as { results: { results: unknown[] }[] }).results[0]!;
	image.results[0] = { error: { code: 8, message, details: [{ '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail }] } };
	return answer;
}
