/**
 * Files the service would refuse as they are, analyzed in real VS Code against the emulator: a
 * 4 MB phone photo stored on its side, a WEBP, a BMP, and a selection with an empty and a cut-off
 * file among good ones. The images are made at test time from the recorded samples (see
 * test/support/fittingSamples.ts); the emulator recognizes what the extension sends by its
 * fingerprint and answers with the recording, in the pixels it received.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import type { Polygon, TextAnnotation } from '../../src/results/types';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import { loadVips } from '../emulator/decode';
import { recordingOf } from '../support/fixtures';
import { nativeConverterProcesses } from '../support/processes';
import { writeFittingSamples, type FittingSample, type FittingSamples } from '../support/fittingSamples';
import { quietNotifications, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';
const MB = 1_048_576;
/** Where the images are written, in the test workspace (a temporary copy). */
const FOLDER = path.join('images', 'generated');
/** window functions that ask the user something. */
const PROMPTS = ['showQuickPick', 'showInputBox', 'showOpenDialog', 'showSaveDialog', 'showWarningMessage', 'showErrorMessage', 'showInformationMessage'] as const;

function workspaceRoot(): vscode.Uri {
	return vscode.workspace.workspaceFolders![0]!.uri;
}

function generated(name: string): vscode.Uri {
	return vscode.Uri.joinPath(workspaceRoot(), 'images', 'generated', name);
}

async function recognizeText(...args: unknown[]): Promise<ImageReport[]> {
	const reports = await vscode.commands.executeCommand<ImageReport[] | undefined>('yandexVision.recognizeText', ...args);
	assert.ok(reports, 'the command ran');
	return reports;
}

function resultsTab(label: string): vscode.Tab | undefined {
	return vscode.window.tabGroups.all.flatMap(g => g.tabs)
		.find(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('yandexVision.results') && t.label === label);
}

function annotationOf(report: ImageReport): TextAnnotation {
	const annotation = report.model?.features[0]?.result.textDetection;
	assert.ok(annotation, `${report.uri}: no text in ${JSON.stringify(report.model?.features[0]?.result.error)}`);
	return annotation;
}

function wordsOf(annotation: TextAnnotation): { text: string; boundingBox: Polygon }[] {
	return annotation.pages.flatMap(page => page.blocks.flatMap(block => block.lines.flatMap(line => line.words)));
}

/**
 * The recorded words come back with their recorded text, each polygon the recording's scaled to
 * the original upright image, within `tolerance` pixels; the page is the original's size.
 */
function assertWordsOnOriginal(report: ImageReport, sample: FittingSample, tolerance: number): void {
	const recorded = recordingOf(sample.source).textDetection!;
	const recordedPage = recorded.pages[0]!;
	const annotation = annotationOf(report);
	const page = annotation.pages[0]!;
	assert.deepEqual({ width: page.width, height: page.height }, sample.upright, `${sample.name}: the page is the original's size`);
	const words = wordsOf(annotation);
	const expected = wordsOf(recorded);
	assert.deepEqual(words.map(w => w.text), expected.map(w => w.text), `${sample.name}: the recorded words`);
	const sx = sample.upright.width / recordedPage.width;
	const sy = sample.upright.height / recordedPage.height;
	words.forEach((word, i) => {
		const want = expected[i]!.boundingBox.vertices.map(v => ({ x: v.x * sx, y: v.y * sy }));
		const got = word.boundingBox.vertices;
		assert.equal(got.length, want.length, `${sample.name}: word ${i} "${word.text}" vertices`);
		got.forEach((v, k) => {
			const w = want[k]!;
			assert.ok(Math.abs(v.x - w.x) <= tolerance && Math.abs(v.y - w.y) <= tolerance,
				`${sample.name}: word ${i} "${word.text}" vertex ${k} is at (${v.x.toFixed(1)}, ${v.y.toFixed(1)}), the recording's scaled is (${w.x.toFixed(1)}, ${w.y.toFixed(1)}), tolerance ${tolerance.toFixed(1)} px`);
		});
	});
}

/** The emulator answers in whole pixels of the image it received: that rounding, scaled to the original, plus a pixel. */
function toleranceFor(report: ImageReport): number {
	const fitted = report.fitted;
	if (!fitted) return 1;
	return 1 + 0.5 * Math.max(fitted.original.width / fitted.sent.width, fitted.original.height / fitted.sent.height);
}

describe('fitted images in VS Code, against the emulator', function () {
	// Making a 12 MP photo in WebAssembly takes seconds on a slow machine; fitting it, another one or two.
	this.timeout(120_000);
	let emulator: Emulator;
	let samples: FittingSamples;
	const stubs = new WindowStubs();
	const config = () => vscode.workspace.getConfiguration('yandexVision');

	/** What the emulator was sent: one entry per batchAnalyze request, with how each image matched. */
	const analyzeRequests = (): RequestLogEntry[] => emulator.log.filter(entry => entry.path.endsWith('batchAnalyze'));
	const matches = (): string[] => analyzeRequests().flatMap(entry => entry.matches ?? []);

	before(async () => {
		emulator = await startEmulator();
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await config().update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
		await config().update('folderId', DEFAULT_CREDENTIALS.folderId, vscode.ConfigurationTarget.Global);
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();
		// The emulator's own wasm-vips, in this process: it is loaded for fingerprints anyway.
		samples = await writeFittingSamples(await loadVips(), path.join(workspaceRoot().fsPath, FOLDER));
	});
	after(async () => {
		stubs.restore();
		await config().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
		await config().update('folderId', undefined, vscode.ConfigurationTarget.Global);
		await emulator.close();
		fs.rmSync(path.join(workspaceRoot().fsPath, FOLDER), { recursive: true, force: true });
	});
	beforeEach(() => {
		// Every way of asking the user is recorded, and answered as by a user who dismisses it.
		quietNotifications(stubs);
		stubs.stub('showQuickPick', async () => undefined);
		stubs.stub('showInputBox', async () => undefined);
		stubs.stub('showOpenDialog', async () => undefined);
		stubs.stub('showSaveDialog', async () => undefined);
		emulator.clearLog();
	});
	afterEach(async () => {
		stubs.restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('makes a ≈ 4 MB, 12 MP JPEG stored on its side with EXIF orientation 6', async () => {
		const { photo } = samples;
		assert.ok(photo.bytes >= 3.5 * MB && photo.bytes <= 4.5 * MB, `${(photo.bytes / MB).toFixed(2)} MB`);
		assert.ok(photo.upright.width * photo.upright.height >= 11.5e6, `${photo.upright.width}×${photo.upright.height}`);
		const vips = await loadVips();
		const stored = vips.Image.newFromBuffer(fs.readFileSync(generated(photo.name).fsPath));
		try {
			assert.equal(stored.getInt('orientation'), 6);
			assert.deepEqual({ width: stored.height, height: stored.width }, photo.upright, 'stored on its side');
		} finally {
			stored.delete();
		}
	});

	it('a 4 MB phone photo on its side: analyzed without a question, turned upright and resized, words on the original\'s pixels', async () => {
		const { photo } = samples;
		const [report] = await recognizeText(generated(photo.name));
		assert.equal(report!.status, 'done', report!.error);

		const asked = stubs.calls.filter(call => (PROMPTS as readonly string[]).includes(call.name));
		assert.deepEqual(asked.map(call => `${call.name}(${String(call.args[0])})`), [], 'nothing was asked or shown');

		const fitted = report!.fitted;
		assert.ok(fitted, 'the report says what fitting did');
		assert.match(fitted.note, /turned upright \(EXIF orientation 6\)/);
		assert.match(fitted.note, new RegExp(`resized ${photo.upright.width}×${photo.upright.height} → \\d+×\\d+`));
		assert.deepEqual(fitted.original, { format: 'JPEG', width: photo.upright.width, height: photo.upright.height, bytes: photo.bytes, orientation: 6 });
		assert.equal(fitted.sent.format, 'JPEG');
		assert.ok(Math.max(fitted.sent.width, fitted.sent.height) <= 2560, `sent ${fitted.sent.width}×${fitted.sent.height}`);
		assert.ok(fitted.sent.bytes <= MB, `sent ${fitted.sent.bytes} bytes`);
		// Sent upright: taller than wide, as the receipt is.
		assert.ok(fitted.sent.height > fitted.sent.width, `sent ${fitted.sent.width}×${fitted.sent.height}`);
		// Fitted by native libvips, in the converter's process beside this extension host (Linux: the CI's).
		const converters = nativeConverterProcesses().filter(p => p.ppid === process.pid);
		assert.equal(converters.length, 1, `the extension host ${process.pid} runs one native converter: ${JSON.stringify(nativeConverterProcesses())}`);

		assert.equal(analyzeRequests().length, 1);
		const [match] = matches();
		assert.match(match ?? '', /^fingerprint d=[\d.]+ orientation=1 .*receipt\.recording\.json$/, 'the emulator saw the receipt, upright');
		assertWordsOnOriginal(report!, photo, toleranceFor(report!));
	});

	it('the photo\'s results panel opens, its model holding what fitting did', async () => {
		const { photo } = samples;
		const [report] = await recognizeText(generated(photo.name));
		// Analyzed earlier in this suite, the result may come from the cache, which keeps what fitting did too.
		assert.ok(report!.status === 'done' || report!.status === 'cached', `${report!.status}: ${report!.error}`);
		await waitFor(() => resultsTab(`Vision: ${photo.name}`), 'the results panel');
		const fitted = report!.model?.fitted;
		assert.ok(fitted, 'the panel\'s model says what fitting did');
		assert.equal(fitted.original.orientation, 6);
		assert.deepEqual({ width: fitted.original.width, height: fitted.original.height }, photo.upright);
		assert.match(fitted.note, /turned upright \(EXIF orientation 6\), resized /);
		assert.equal(annotationOf(report!).pages[0]!.width, photo.upright.width, 'the boxes are in the original\'s pixels');
	});

	for (const which of ['webp', 'bmp'] as const) {
		it(`a ${which.toUpperCase()} is converted, and its words come back on its own pixels`, async () => {
			const sample = samples[which];
			const [report] = await recognizeText(generated(sample.name));
			assert.equal(report!.status, 'done', report!.error);
			const fitted = report!.fitted;
			assert.ok(fitted, 'the report says what fitting did');
			assert.equal(fitted.original.format, sample.format);
			assert.ok(fitted.sent.format === 'JPEG' || fitted.sent.format === 'PNG', fitted.sent.format);
			assert.match(fitted.note, new RegExp(`^converted ${sample.format} → ${fitted.sent.format}`));
			assert.deepEqual({ width: fitted.original.width, height: fitted.original.height }, sample.upright);
			assert.match(matches()[0] ?? '', new RegExp(`^fingerprint .*${sample.source.replace(/\.\w+$/, '')}\\.recording\\.json$`));
			assertWordsOnOriginal(report!, sample, toleranceFor(report!));
			assert.deepEqual(stubs.messages('showErrorMessage'), []);
		});
	}

	it('a selection with an empty and a cut-off file: the good ones are analyzed, the bad ones named with what is wrong, in one message', async () => {
		const { png, empty, cutOff, secondWebp } = samples;
		const selection = [png.name, empty.name, cutOff.name, secondWebp.name].map(generated);
		const reports = await recognizeText(selection[0], selection);
		assert.deepEqual(reports.map(r => r.status), ['done', 'failed', 'failed', 'done'], reports.map(r => r.error ?? '').join(' | '));
		assert.equal(reports[1]!.error, `images/generated/${empty.name} is empty (0 bytes). If it is still being saved or downloaded, try again when it is complete.`);
		assert.match(reports[2]!.error!, new RegExp(`^images/generated/${cutOff.name} is a truncated JPEG: it ends after ${cutOff.bytes} bytes, before the frame header that gives the image size\\. It was cut short: copy or download it again\\.$`));

		assertWordsOnOriginal(reports[0]!, png, 1);
		assert.equal(reports[0]!.fitted, undefined, 'a small PNG goes as it is');
		assertWordsOnOriginal(reports[3]!, secondWebp, toleranceFor(reports[3]!));
		assert.equal(reports[3]!.fitted?.original.format, 'WEBP');

		const shown = await waitFor(() => stubs.messages('showErrorMessage').length > 0 ? stubs.messages('showErrorMessage') : undefined, 'the error message');
		// Anything else the batch shows would have arrived with it.
		await new Promise(resolve => setTimeout(resolve, 300));
		assert.deepEqual(stubs.messages('showErrorMessage'), shown);
		assert.equal(shown.length, 1, shown.join(' | '));
		assert.match(shown[0]!, /2 of 4 images failed/);
		assert.match(shown[0]!, /zero-bytes\.png is empty/);

		const seen = matches();
		assert.equal(seen.length, 2, `the emulator was sent the two good images only: ${seen.join(' | ')}`);
		assert.ok(seen.some(m => /^fingerprint .*rotated-line\.recording\.json$/.test(m)), seen.join(' | '));
		assert.ok(seen.some(m => /^fingerprint .*faces\.recording\.json$/.test(m)), seen.join(' | '));
	});
});
