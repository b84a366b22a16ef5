/**
 * Analyze Folder… in real VS Code against the emulator: a folder of 30 images made at test time,
 * the result cache, Cancel, Retry Failed, Clear Cache and search.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BatchRun } from '../../src/folderRuns/types';
import type { ResultsModel, ToWebview } from '../../src/shared/protocol';
import { selectionText } from '../../src/results/text';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { fixtureVariant } from '../support/imageVariants';
import { fakeQuickPick } from '../support/shownToUser';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const RECORDED = ['latin-note.png', 'cyrillic-sign.jpg', 'receipt.png', 'faces.jpg', 'mixed-page.png', 'rotated-line.png', 'hostile-text.png'];
const GOOD = 27;

function resultsTabs(): vscode.Tab[] {
	return vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('yandexVision.results'));
}

function goodName(i: number): string {
	const recorded = RECORDED[i % RECORDED.length]!;
	return `photo-${String(i).padStart(2, '0')}${recorded.slice(recorded.lastIndexOf('.'))}`;
}

describe('Analyze Folder in VS Code, against the emulator', function () {
	this.timeout(120_000);
	let emulator: Emulator;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');
	let folder: vscode.Uri;
	/** The user's own cache size, put back afterwards: other suites may run with the cache off. */
	let cacheSetting: number | undefined;

	const file = (name: string) => vscode.Uri.joinPath(folder, name);

	/** As from the Explorer's context menu on the folder, with text recognition picked. */
	async function analyzeFolder(): Promise<BatchRun | undefined> {
		return vscode.commands.executeCommand<BatchRun | undefined>('yandexVision.analyzeFolder', folder, [folder], ['text']);
	}

	async function clearCache(): Promise<number | undefined> {
		stubs.stub('showWarningMessage', async (_message: string, options: vscode.MessageOptions, ...actions: string[]) => options?.modal ? actions[0] : undefined);
		try {
			return await vscode.commands.executeCommand<number | undefined>('yandexVision.clearCache');
		} finally {
			quietNotifications(stubs);
		}
	}

	function statuses(run: BatchRun): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const item of run.items) counts[item.status] = (counts[item.status] ?? 0) + 1;
		return counts;
	}

	before(async () => {
		emulator = await startEmulator({ stallMs: 20_000 });
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
		cacheSetting = config().inspect<number>('cache.maxMegabytes')?.globalValue;
		await config().update('cache.maxMegabytes', 200, vscode.ConfigurationTarget.Global);
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();

		folder = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'batch');
		for (let i = 0; i < GOOD; i++) await vscode.workspace.fs.writeFile(file(goodName(i)), fixtureVariant(RECORDED[i % RECORDED.length]!, i));
		await vscode.workspace.fs.writeFile(file('empty.png'), new Uint8Array(0));
		await vscode.workspace.fs.writeFile(file('truncated.jpg'), fixtureBytes('faces.jpg').subarray(0, 120));
		await vscode.workspace.fs.writeFile(file('notes.png'), Buffer.from('These are notes, not a picture.\n'));
		// Not an image: the include glob leaves it out.
		await vscode.workspace.fs.writeFile(file('README.md'), Buffer.from('# Batch\n'));
	});
	after(async () => {
		stubs.restore();
		await vscode.workspace.fs.delete(folder, { recursive: true });
		await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
		await config().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		await config().update('cache.maxMegabytes', cacheSetting, vscode.ConfigurationTarget.Global);
		await vscode.commands.executeCommand('yandexVision.signOut');
		await emulator.close();
	});
	beforeEach(() => {
		quietNotifications(stubs);
		emulator.configure({ faults: {}, latencyMs: 0 });
		emulator.clearLog();
	});
	afterEach(async () => {
		stubs.restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('analyzes every image of the folder, at most 8 per request, broken files failing with their reasons', async () => {
		assert.equal(typeof await clearCache(), 'number');
		const progress: string[] = [];
		stubs.stub('withProgress', (options: vscode.ProgressOptions, task: (p: vscode.Progress<{ message?: string }>, t: vscode.CancellationToken) => Thenable<unknown>) => {
			assert.equal(options.cancellable, true);
			return task({ report: value => value.message && progress.push(value.message) }, new vscode.CancellationTokenSource().token);
		});
		const run = (await analyzeFolder())!;

		assert.equal(run.items.length, 30, 'README.md is not an image');
		assert.deepEqual(statuses(run), { done: GOOD, failed: 3 });
		assert.deepEqual(run.kinds, ['text']);
		assert.ok(run.finishedAt && !run.cancelled);
		const failed = run.items.filter(item => item.status === 'failed');
		assert.deepEqual(failed.map(item => item.label), ['batch/empty.png', 'batch/notes.png', 'batch/truncated.jpg']);
		assert.match(failed[0]!.error!, /^batch\/empty\.png .*empty/i);
		assert.match(failed[1]!.error!, /^batch\/notes\.png /);
		assert.match(failed[2]!.error!, /^batch\/truncated\.jpg .*(truncated|corrupt)/i);
		assert.ok(run.items.filter(item => item.status === 'done').every(item => item.cacheKey && item.requestId));

		const perRequest = emulator.log.map(entry => entry.specCount!);
		assert.ok(emulator.log.every(entry => entry.status === 200 && entry.specCount! <= 8), perRequest.join(', '));
		assert.equal(perRequest.reduce((sum, n) => sum + n, 0), GOOD, 'each good image sent once');
		assert.equal(progress.at(-1), '30 / 30 images, 3 failed');
		const summary = await waitFor(() => stubs.messages('showWarningMessage').find(m => m.includes('30 images')), 'the summary message');
		assert.equal(summary, 'Yandex Vision: 30 images: 27 done, 3 failed');
		assert.deepEqual(resultsTabs(), [], 'no results panel per image');
	});

	it('a second run of the same folder is all from the cache: no request', async () => {
		await analyzeFolder();
		emulator.clearLog();
		const run = (await analyzeFolder())!;
		assert.deepEqual(statuses(run), { cached: GOOD, failed: 3 });
		assert.equal(emulator.log.length, 0);
		const opened = await vscode.commands.executeCommand<ResultsModel | undefined>('yandexVision.openBatchItem', run.items.find(item => item.status === 'cached'));
		assert.equal(opened?.imageLabel, 'batch/photo-00.png');
		assert.ok(opened!.features[0]!.result.textDetection!.pages.length > 0);
	});

	it('a changed file is analyzed again, alone', async () => {
		await analyzeFolder();
		await vscode.workspace.fs.writeFile(file(goodName(0)), fixtureVariant(RECORDED[0]!, 1000));
		emulator.clearLog();
		const run = (await analyzeFolder())!;
		assert.deepEqual(statuses(run), { done: 1, cached: GOOD - 1, failed: 3 });
		assert.equal(run.items.find(item => item.status === 'done')!.label, `batch/${goodName(0)}`);
		assert.deepEqual(emulator.log.map(entry => entry.specCount), [1]);
	});

	it('Retry Failed analyzes the failed images again, updating them in place', async () => {
		const run = (await analyzeFolder())!;
		await vscode.workspace.fs.writeFile(file('empty.png'), fixtureVariant('receipt.png', 2000));
		try {
			emulator.clearLog();
			const again = await vscode.commands.executeCommand<BatchRun>('yandexVision.retryFailed');
			assert.equal(again, run, 'the same run');
			const fixed = run.items.find(item => item.label === 'batch/empty.png')!;
			assert.equal(fixed.status, 'done');
			assert.equal(fixed.error, undefined);
			assert.deepEqual(statuses(run), { cached: GOOD, done: 1, failed: 2 });
			assert.deepEqual(emulator.log.map(entry => entry.specCount), [1], 'only the fixed file was sent');
		} finally {
			await vscode.workspace.fs.writeFile(file('empty.png'), new Uint8Array(0));
		}
	});

	it('Cancel keeps what finished; no request reaches the service after it', async () => {
		assert.equal(typeof await clearCache(), 'number');
		// One request every two seconds, each answered in 400 ms: Cancel comes between the first and the second.
		await config().update('requestsPerSecond', 0.5, vscode.ConfigurationTarget.Global);
		emulator.configure({ latencyMs: 400 });
		const source = new vscode.CancellationTokenSource();
		stubs.stub('withProgress', (_options: vscode.ProgressOptions, task: (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Thenable<unknown>) => task({ report: () => undefined }, source.token));
		try {
			const pending = analyzeFolder();
			await waitFor(() => emulator.log[0]?.status === 200 || undefined, 'the first answer');
			await new Promise(resolve => setTimeout(resolve, 150));
			const cancelledAt = Date.now();
			source.cancel();
			const run = (await pending)!;
			assert.ok(Date.now() - cancelledAt < 2_000, 'stopped promptly');
			assert.ok(run.cancelled);
			// What the one request answered before Cancel is kept; the rest did not go.
			const answered = emulator.log[0]!.specCount!;
			assert.deepEqual(statuses(run), { done: answered, failed: 30 - answered });
			const cancelled = run.items.filter(item => item.status === 'failed' && /cancelled/.test(item.error!));
			assert.equal(cancelled.length, GOOD - answered, 'the rest are failed as cancelled, named');
			for (const item of run.items.filter(i => i.status === 'done')) {
				const model = await vscode.commands.executeCommand<ResultsModel | undefined>('yandexVision.openBatchItem', item);
				assert.equal(model?.imageUri, item.uri, `${item.label}'s result is kept`);
			}
			await new Promise(resolve => setTimeout(resolve, 1_500));
			assert.equal(emulator.log.length, 1, 'no request after Cancel');
			assert.ok(emulator.log.every(entry => entry.receivedAt < cancelledAt));
		} finally {
			await config().update('requestsPerSecond', undefined, vscode.ConfigurationTarget.Global);
		}
	});

	it('Search Text in Images finds a recorded line and opens its image with the line selected', async () => {
		await analyzeFolder();
		emulator.clearLog();
		const recordedWord = recordingOf('latin-note.png').textDetection!.pages[0]!.blocks[0]!.lines[0]!.words[0]!.text;
		const search = fakeQuickPick();
		stubs.stub('createQuickPick', () => search.pick);
		const panels = recordPanelMessages(stubs);
		const searching = vscode.commands.executeCommand('yandexVision.searchText');
		const line = await waitFor(() => search.pick.items.find(item => item.line.uri.endsWith('/batch/photo-21.png') && item.label.split(' ').includes(recordedWord)), 'the recognized lines');
		search.pick.selectedItems = [line];
		search.accept();
		await searching;

		const init = await waitFor(() => panels[0]?.messages.find((m): m is Extract<ToWebview, { type: 'init' }> => m.type === 'init'), 'the results panel to render', 30_000);
		assert.equal(init.payload.model.imageLabel, 'batch/photo-21.png');
		assert.deepEqual(init.payload.selection, line.line.selection);
		assert.equal(selectionText(init.payload.model.features[0]!.result.textDetection!, init.payload.selection), line.label, 'the found line is selected');
		assert.equal(emulator.log.length, 0, 'searching sends nothing');
	});

	it('a folder over yandexVision.folder.maxImages is not analyzed at all', async () => {
		await config().update('folder.maxImages', 10, vscode.ConfigurationTarget.Global);
		try {
			assert.equal(await analyzeFolder(), undefined);
			const [message] = await waitFor(() => stubs.messages('showErrorMessage').length > 0 ? stubs.messages('showErrorMessage') : undefined, 'the message');
			assert.match(message!, /more than 10 images; nothing was sent/);
			assert.equal(emulator.log.length, 0);
		} finally {
			await config().update('folder.maxImages', undefined, vscode.ConfigurationTarget.Global);
		}
	});

	it('from the palette, asks for a folder that holds images', async () => {
		await analyzeFolder();
		let offered: string[] = [];
		stubs.stub('showQuickPick', async (items: readonly (vscode.QuickPickItem & { uri?: vscode.Uri })[]) => {
			// The features quick pick comes second.
			if (offered.length > 0) return [items[0]];
			offered = items.map(item => `${item.label} (${item.description})`);
			return items.find(item => item.label === 'batch');
		});
		emulator.clearLog();
		const run = (await vscode.commands.executeCommand<BatchRun | undefined>('yandexVision.analyzeFolder'))!;
		assert.ok(offered.includes('batch (30 images)'), offered.join(', '));
		assert.equal(run.title, 'batch');
		assert.equal(run.items.length, 30);
		assert.equal(emulator.log.length, 0, 'all from the cache');
	});

	it('Search Text over more lines than one list holds: the first 5,000, then narrowed as the user types', async () => {
		// 300 receipts of 18 lines each, besides the batch folder's: more than the list is given at once.
		const many = vscode.Uri.joinPath(folder, '..', 'receipts');
		try {
			for (let i = 0; i < 300; i++) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(many, `receipt-${i}.png`), fixtureVariant('receipt.png', `receipt ${i}`));
			const run = await vscode.commands.executeCommand<BatchRun | undefined>('yandexVision.analyzeFolder', many, [many], ['text']);
			assert.deepEqual(statuses(run!), { done: 300 });
			emulator.clearLog();

			const search = fakeQuickPick();
			stubs.stub('createQuickPick', () => search.pick);
			const panels = recordPanelMessages(stubs);
			const searching = vscode.commands.executeCommand('yandexVision.searchText');
			await waitFor(() => search.pick.items.length > 0 || undefined, 'the first lines', 30_000);
			assert.equal(search.pick.items.length, 5_000);
			const [, shown, matched] = /^Yandex Vision: Search Text in Images \(([\d,]+) of ([\d,]+) lines; type to narrow\)$/.exec(search.pick.title) ?? [];
			assert.equal(shown, '5,000', search.pick.title);
			assert.ok(Number(matched?.replace(/,/g, '')) >= 300 * 18, search.pick.title);
			assert.ok(search.pick.items.every(item => item.alwaysShow), 'the list is narrowed here, not filtered again');

			search.type('молоко 3,2%');
			const line = recordingOf('receipt.png').textDetection!.pages[0]!.blocks.flatMap(b => b.lines).find(l => l.words[0]!.text === 'Молоко')!;
			const text = line.words.map(w => w.text).join(' ');
			assert.ok(search.pick.items.length >= 300, `${search.pick.items.length} lines`);
			assert.ok(search.pick.items.every(item => item.label === text), 'only the line typed, in every receipt');
			assert.equal(search.pick.title, 'Yandex Vision: Search Text in Images', 'all matches shown');
			search.type('receipts/receipt-7.png молоко');
			assert.deepEqual(search.pick.items.map(item => item.description), ['receipts/receipt-7.png'], 'narrowed by the path too');

			search.pick.selectedItems = [search.pick.items[0]!];
			search.accept();
			await searching;
			const init = await waitFor(() => panels[0]?.messages.find((m): m is Extract<ToWebview, { type: 'init' }> => m.type === 'init'), 'the results panel to render', 30_000);
			assert.equal(init.payload.model.imageLabel, 'receipts/receipt-7.png');
			assert.equal(selectionText(init.payload.model.features[0]!.result.textDetection!, init.payload.selection), text, 'the found line is selected');
			assert.equal(emulator.log.length, 0, 'searching sends nothing');
		} finally {
			await vscode.workspace.fs.delete(many, { recursive: true });
		}
	});
});

/** The messages each results panel created from now on posts to its webview. */
function recordPanelMessages(stubs: WindowStubs): { messages: ToWebview[] }[] {
	const panels: { messages: ToWebview[] }[] = [];
	const create = vscode.window.createWebviewPanel;
	stubs.stub('createWebviewPanel', (...args: Parameters<typeof vscode.window.createWebviewPanel>) => {
		const panel = create(...args);
		const record = { messages: [] as ToWebview[] };
		panels.push(record);
		const post = panel.webview.postMessage.bind(panel.webview);
		panel.webview.postMessage = (message: ToWebview) => {
			record.messages.push(message);
			return post(message);
		};
		return panel;
	});
	return panels;
}
