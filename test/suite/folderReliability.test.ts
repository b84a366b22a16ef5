/**
 * Analyze Folder… on 1,000 images in real VS Code while the emulator injects 10 % faults of every
 * kind: every image ends exactly once, done with its own text or failed with a named reason;
 * requests stay within 8 images and the retry policy; the extension host's memory stays near the
 * runner's working set instead of growing with the folder.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BatchRun } from '../../src/folderRuns/types';
import type { ResultsModel } from '../../src/shared/protocol';
import { annotationToText } from '../../src/results/text';
import { DEFAULT_CREDENTIALS, FAULT_KINDS, startEmulator, type Emulator } from '../emulator';
import { countBy, fullCollection, retainedBytes } from '../support/memory';
import { writeNumberFixtures } from '../support/numberImages';
import { quietNotifications, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const IMAGES = 1000;
/** Large enough that holding the folder (bytes + base64) would show far above the working set. */
const IMAGE_BYTES = 48 * 1024;
/** The client's default policy (src/api/transport/retryPolicy.ts). */
const MAX_ATTEMPTS = 4;

describe('Analyze Folder on 1,000 images under faults, in VS Code', function () {
	this.timeout(300_000);
	let emulator: Emulator;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');
	let folder: vscode.Uri;
	const saved = new Map<string, unknown>();
	const settings: Record<string, unknown> = { requestsPerSecond: 40, timeoutSeconds: 1, 'cache.maxMegabytes': 200 };

	before(async () => {
		folder = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'reliability');
		// Each image beside its recording: the folder is also the emulator's fixtures folder.
		writeNumberFixtures(folder.fsPath, IMAGES, { sizeBytes: IMAGE_BYTES });
		// Stalls outlast the 1 s timeout, so they end as timeouts and are retried.
		emulator = await startEmulator({ fixturesDir: folder.fsPath, stallMs: 5_000 });
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
		for (const [key, value] of Object.entries(settings)) {
			saved.set(key, config().inspect(key)?.globalValue);
			await config().update(key, value, vscode.ConfigurationTarget.Global);
		}
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();
	});
	after(async () => {
		stubs.restore();
		stubs.stub('showWarningMessage', async (_message: string, options: vscode.MessageOptions, ...actions: string[]) => options?.modal ? actions[0] : undefined);
		await vscode.commands.executeCommand('yandexVision.clearCache');
		stubs.restore();
		await vscode.workspace.fs.delete(folder, { recursive: true });
		await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
		await config().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		for (const [key, value] of saved) await config().update(key, value, vscode.ConfigurationTarget.Global);
		await vscode.commands.executeCommand('yandexVision.signOut');
		await emulator.close();
	});

	it('ends every image once, done with its own text or failed with a reason, within 8 per request and the retry policy, memory bounded', async () => {
		quietNotifications(stubs);
		// Clear Cache asks first; this run must send every image.
		stubs.stub('showWarningMessage', async (_message: string, options: vscode.MessageOptions, ...actions: string[]) => options?.modal ? actions[0] : undefined);
		await vscode.commands.executeCommand('yandexVision.clearCache');
		emulator.clearLog();
		emulator.configure({ faults: { rate: 0.1, kinds: [...FAULT_KINDS], seed: 5 }, latencyMs: 10 });

		const gc = fullCollection();
		const baseline = retainedBytes(gc);
		let peak = 0;
		const sampler = setInterval(() => {
			peak = Math.max(peak, retainedBytes(gc) - baseline);
		}, 500);
		let run: BatchRun | undefined;
		try {
			run = await vscode.commands.executeCommand<BatchRun | undefined>('yandexVision.analyzeFolder', folder, [folder], ['text']);
		} finally {
			clearInterval(sampler);
		}
		assert.ok(run, 'the command returns the batch');

		// Exactly once each, none missing.
		assert.equal(run.items.length, IMAGES);
		assert.equal(new Set(run.items.map(item => item.uri)).size, IMAGES, 'no image twice');
		const byStatus = countBy(run.items.map(item => item.status));
		assert.equal((byStatus.done ?? 0) + (byStatus.failed ?? 0), IMAGES, `every image done or failed: ${JSON.stringify(byStatus)}`);
		for (const item of run.items.filter(i => i.status === 'failed')) {
			assert.match(item.error ?? '', /number-\d{6}\.png: .{10,}/, `${item.label} names its reason`);
		}
		assert.ok((byStatus.done ?? 0) >= IMAGES * 0.9, `most images done despite the faults: ${JSON.stringify(byStatus)}`);

		// Requests: ≤ 8 images each; attempts of one request share its x-client-request-id.
		const log = emulator.log.filter(entry => entry.path.endsWith('/batchAnalyze'));
		assert.ok(log.some(entry => entry.fault !== undefined), 'faults were injected');
		assert.ok(log.every(entry => (entry.specCount ?? 0) <= 8), 'no request over 8 images');
		const attempts = countBy(log.map(entry => entry.clientRequestId ?? ''));
		const most = Math.max(...Object.values(attempts));
		assert.ok(most <= MAX_ATTEMPTS, `at most ${MAX_ATTEMPTS} attempts per request, saw ${most}`);
		const groups = Object.keys(attempts).length;
		assert.ok(groups >= Math.ceil(IMAGES / 8) && groups <= Math.ceil(IMAGES / 8) * 2, `${groups} requests for ${IMAGES} images`);

		// Done images read as their own number (a sample, opened from the cache).
		const done = run.items.filter(item => item.status === 'done');
		for (const item of done.filter((_, i) => i % 97 === 0)) {
			const model = await vscode.commands.executeCommand<ResultsModel | undefined>('yandexVision.openBatchItem', item);
			const text = model?.features[0]?.result.textDetection;
			assert.ok(text, `${item.label} has its text`);
			assert.equal(annotationToText(text).trim(), String(Number(/number-(\d+)/.exec(item.label)![1])));
		}
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');

		// Holding the folder would take IMAGES × IMAGE_BYTES × (1 + 4/3) ≈ 109 MB.
		const bound = 48 * 1024 * 1024;
		console.log(`  1,000 images: ${JSON.stringify(byStatus)}, ${log.length} requests (${groups} distinct), faults ${JSON.stringify(countBy(log.map(e => e.fault ?? 'none')))}, peak retained growth ${(peak / 1048576).toFixed(1)} MB`);
		assert.ok(peak < bound, `the extension host retained ${(peak / 1048576).toFixed(1)} MB more at its peak (bound ${bound / 1048576} MB)`);
	});
});
