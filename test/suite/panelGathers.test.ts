/**
 * One results panel per image gathers what was run on it, in real VS Code against the emulator:
 * Recognize Text then Find Image Copies leaves both in the panel, running a feature again
 * replaces only its own section, each says when it was analyzed; and no command's progress
 * notification is still open when its results are shown.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ResultsModel, ToWebview } from '../../src/shared/protocol';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { recordingOf } from '../support/fixtures';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const IMAGE = 'cyrillic-sign.jpg';

interface Event {
	at: number;
	what: 'progress started' | 'progress ended' | 'panel created' | 'panel updated';
	title?: string;
}

describe('a results panel per image, gathering its features', function () {
	// Each step waits for the panel's webview to render, which a loaded machine can make slow.
	this.timeout(180_000);
	let emulator: Emulator;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');
	const events: Event[] = [];
	const posted: ToWebview[] = [];
	let created = 0;

	function uri(): vscode.Uri {
		return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', IMAGE);
	}

	/** Records progress notifications and the results panels, with when each opened, closed or changed. */
	function watch(): void {
		const withProgress = vscode.window.withProgress;
		stubs.stub('withProgress', (options: vscode.ProgressOptions, task: (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Thenable<unknown>) => {
			const title = String(options.title);
			events.push({ at: performance.now(), what: 'progress started', title });
			return withProgress(options, async (progress, token) => {
				try {
					return await task(progress, token);
				} finally {
					events.push({ at: performance.now(), what: 'progress ended', title });
				}
			});
		});
		const createWebviewPanel = vscode.window.createWebviewPanel;
		stubs.stub('createWebviewPanel', (...args: Parameters<typeof vscode.window.createWebviewPanel>) => {
			const panel = createWebviewPanel(...args);
			created++;
			events.push({ at: performance.now(), what: 'panel created' });
			const post = panel.webview.postMessage.bind(panel.webview);
			panel.webview.postMessage = (message: ToWebview) => {
				posted.push(message);
				if (message.type === 'update') events.push({ at: performance.now(), what: 'panel updated' });
				return post(message);
			};
			return panel;
		});
	}

	/** The model the panel was last given. */
	async function shown(count: number): Promise<ResultsModel> {
		const payloads = () => posted.filter((m): m is Extract<ToWebview, { type: 'init' | 'update' }> => m.type === 'init' || m.type === 'update');
		await waitFor(() => payloads().length >= count || undefined, `${count} payloads posted to the panel`, 45_000);
		return payloads().at(-1)!.payload.model;
	}

	before(async () => {
		emulator = await startEmulator();
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();
		// No panel of an earlier suite: the first one here is created by this suite's first command.
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});
	after(async () => {
		stubs.restore();
		await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
		await config().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		await emulator.close();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('Recognize Text, then Find Image Copies, then Recognize Text again: one panel, text and copies both, each replaced only by itself', async () => {
		quietNotifications(stubs);
		watch();
		const recording = recordingOf(IMAGE);

		await vscode.commands.executeCommand('yandexVision.recognizeText', uri());
		const first = await shown(1);
		assert.deepEqual(first.features.map(f => f.type), ['TEXT_DETECTION']);

		await vscode.commands.executeCommand('yandexVision.findImageCopies', uri());
		const both = await shown(2);
		assert.equal(created, 1, 'the same panel, not a second one');
		assert.deepEqual(both.features.map(f => f.type), ['TEXT_DETECTION', 'IMAGE_COPY_SEARCH']);
		assert.deepEqual(both.features[0]!.result.textDetection, first.features[0]!.result.textDetection, 'the text and its boxes are still there');
		assert.equal(both.features[1]!.result.imageCopySearch?.copyCount, recording.imageCopySearch!.copyCount);
		const [textAt, copiesAt] = both.features.map(f => f.analyzedAt);
		assert.ok(textAt && copiesAt, 'each says when it was analyzed');
		assert.ok(textAt < copiesAt, `the text (${textAt}) was read before the copies were searched (${copiesAt})`);
		assert.notEqual(both.features[0]!.requestId, both.features[1]!.requestId, 'each with its own request id');

		await new Promise(resolve => setTimeout(resolve, 5));
		await vscode.commands.executeCommand('yandexVision.recognizeText', uri());
		const again = await shown(3);
		assert.deepEqual(again.features.map(f => f.type), ['TEXT_DETECTION', 'IMAGE_COPY_SEARCH'], 'the text replaced in its place');
		assert.ok(again.features[0]!.analyzedAt! > copiesAt, 'the text is the new one');
		assert.equal(again.features[1]!.analyzedAt, copiesAt, 'the copies are the ones found before');
		assert.equal(vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(tab => tab.input instanceof vscode.TabInputWebview).length, 1);
		stubs.restore();
	});

	it('every analysis command has closed its progress notification when its results are shown', async () => {
		stubs.restore();
		events.length = 0;
		posted.length = 0;
		created = 0;
		quietNotifications(stubs);
		watch();
		const faces = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', 'faces.jpg');
		const commands: [string, ...unknown[]][] = [
			['yandexVision.recognizeText', faces],
			['yandexVision.classifyImage', faces],
			['yandexVision.detectFaces', faces],
			['yandexVision.findImageCopies', faces],
			['yandexVision.analyzeImage', faces, ['text', 'faces']],
		];
		const payloads = () => posted.filter(m => m.type === 'init' || m.type === 'update').length;
		for (const [command, ...args] of commands) {
			const before = events.length;
			const shownBefore = payloads();
			await vscode.commands.executeCommand(command, ...args);
			// Its panel has rendered (init) or taken the new results (update) before the next command runs.
			await waitFor(() => payloads() > shownBefore || undefined, `${command}: the results in the panel`, 45_000)
				.catch(err => {
					throw new Error(`${(err as Error).message}; events ${JSON.stringify(events.slice(before))}; posted ${JSON.stringify(posted.map(m => m.type))}; created ${created}`);
				});
			const mine = events.slice(before);
			const ended = mine.find(e => e.what === 'progress ended');
			const show = mine.find(e => e.what === 'panel created' || e.what === 'panel updated');
			assert.ok(ended && show, `${command}: a progress and its results (${JSON.stringify(mine)})`);
			assert.ok(ended.at <= show.at, `${command}: "${ended.title}" ended at ${ended.at.toFixed(1)} ms, its results were shown at ${show.at.toFixed(1)} ms`);
			assert.equal(mine.filter(e => e.what === 'progress started').length, mine.filter(e => e.what === 'progress ended').length, `${command}: every progress it opened was closed`);
		}
		stubs.restore();
	});
});
