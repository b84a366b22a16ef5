/**
 * The OCR API as the text engine, in real VS Code against the emulator: Recognize Text reads with
 * it by default, Recognize Text With… picks a model and remembers it, each model's sample comes
 * back as recorded (tables with their cells, the two-column page in reading order, handwriting,
 * Markdown with LaTeX, the passport's fields), the cache keeps engine, model and languages apart,
 * and batchAnalyze still does what only it does.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImageReport } from '../../src/analysis/analyzer';
import type { BatchRun } from '../../src/folderRuns/types';
import { annotationToText } from '../../src/results/text';
import type { Page, TextAnnotation } from '../../src/results/types';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import type { RecordedOcrAnnotation } from '../emulator/recording';
import { FIXTURES_DIR, recordingOf } from '../support/fixtures';
import { fakeQuickPick } from '../support/shownToUser';
import { quietNotifications, UserSettings, waitFor, WindowStubs } from './stubs';

const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';

function documentUri(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'documents', name);
}

function imageUri(name: string): vscode.Uri {
	return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'images', name);
}

function annotationOf(report: ImageReport | undefined): TextAnnotation {
	const annotation = report?.model?.features[0]?.result.textDetection;
	assert.ok(annotation, `no text: ${report?.error ?? JSON.stringify(report?.model?.features[0]?.result.error)}`);
	return annotation;
}

function recorded(image: string, model: string): RecordedOcrAnnotation {
	const pages = recordingOf(image).ocr?.[model];
	assert.ok(pages?.[0], `${image} has a recording of ${model}`);
	return pages[0];
}

function wordTexts(page: Page | RecordedOcrAnnotation): string[] {
	return page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text)));
}

describe('the OCR API in VS Code, against the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	const stubs = new WindowStubs();
	const ocrRequests = (): RequestLogEntry[] => emulator.log.filter(entry => entry.path === '/ocr/v1/recognizeText');
	const batchRequests = (): RequestLogEntry[] => emulator.log.filter(entry => entry.path === '/vision/v1/batchAnalyze');
	const settings = new UserSettings();

	const set = (key: string, value: unknown): Promise<void> => settings.set(key, value);

	async function recognize(command: 'yandexVision.recognizeText' | 'yandexVision.recognizeTextWith', ...args: unknown[]): Promise<ImageReport> {
		const reports = await vscode.commands.executeCommand<ImageReport[] | undefined>(command, ...args);
		assert.ok(reports?.[0], 'the command ran');
		assert.equal(reports[0].status === 'failed' ? reports[0].error : reports[0].status, reports[0].status === 'cached' ? 'cached' : 'done');
		return reports[0];
	}

	before(async () => {
		// The sync call's quota is the service's, 1 per second; the client keeps to the same.
		emulator = await startEmulator({ ocrRequestsPerSecond: 1, ocrAsyncRequestsPerSecond: 10, operationRequestsPerSecond: 50, getRecognitionRequestsPerSecond: 50 });
		await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
		await set('endpoint', emulator.url);
		await set('ocrApi.endpoint', emulator.ocrUrl);
		await set('ocrApi.operationEndpoint', `${emulator.origin}/operations`);
		await set('folderId', DEFAULT_CREDENTIALS.folderId);
		await set('ocr.engine', 'ocr-api');
		stubs.stub('showInputBox', async () => DEFAULT_CREDENTIALS.userIamToken);
		assert.equal(await vscode.commands.executeCommand('yandexVision.setIamToken'), true);
		stubs.restore();
	});
	after(async () => {
		stubs.restore();
		await settings.restore();
		await emulator.close();
	});
	beforeEach(() => {
		quietNotifications(stubs);
		stubs.stub('showQuickPick', async () => undefined);
		emulator.clearLog();
	});
	afterEach(async () => {
		stubs.restore();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('Recognize Text reads with the OCR API\'s page model by default, languages detected, the folder in its header', async () => {
		const report = await recognize('yandexVision.recognizeText', documentUri('two-column-article.png'));
		const annotation = annotationOf(report);
		assert.equal(annotation.engine, 'ocr-api');
		assert.equal(report.model!.features[0]!.model, 'page');
		assert.deepEqual(wordTexts(annotation.pages[0]!), wordTexts(recorded('two-column-article.png', 'page')));
		assert.equal(ocrRequests().length, 1);
		assert.equal(batchRequests().length, 0);
		assert.equal(ocrRequests()[0]!.model, 'page');
		assert.equal(ocrRequests()[0]!.folderId, DEFAULT_CREDENTIALS.folderId);
		// No confidence is made up for words the service gave none.
		assert.ok(annotation.pages[0]!.blocks.every(block => block.lines.every(line => line.words.every(word => word.confidence === undefined))));
	});

	it('Recognize Text With… asks for the model, reads the two-column page in reading order, and puts that model first next time', async () => {
		const offered: string[][] = [];
		stubs.stub('showQuickPick', async (items: unknown) => {
			const list = await (items as Thenable<(vscode.QuickPickItem & { model: string })[]>);
			offered.push(list.map(item => item.model));
			return list.find(item => item.model === 'page-column-sort');
		});
		const report = await recognize('yandexVision.recognizeTextWith', documentUri('two-column-article.png'));
		const sorted = recorded('two-column-article.png', 'page-column-sort');
		const page = annotationOf(report).pages[0]!;
		assert.deepEqual(wordTexts(page), wordTexts(sorted), 'title, the whole left column, then the right one');
		assert.notDeepEqual(wordTexts(page), wordTexts(recorded('two-column-article.png', 'page')));
		assert.equal(page.fullText, sorted.fullText);
		assert.equal(ocrRequests().at(-1)!.model, 'page-column-sort');
		await recognize('yandexVision.recognizeTextWith', documentUri('two-column-article.png'));
		assert.equal(offered.length, 2);
		assert.equal(offered[0]!.length, 12, 'every model is offered');
		assert.equal(offered[1]![0], 'page-column-sort', 'the last choice comes first');
	});

	it('a dismissed model pick sends nothing', async () => {
		const reports = await vscode.commands.executeCommand('yandexVision.recognizeTextWith', documentUri('table-merged.png'));
		assert.equal(reports, undefined);
		assert.equal(emulator.log.length, 0);
	});

	it('the table model: every cell with its span, on the recorded pixels', async () => {
		const report = await recognize('yandexVision.recognizeTextWith', documentUri('table-merged.png'), { model: 'table' });
		const table = annotationOf(report).pages[0]!.tables?.[0];
		const want = recorded('table-merged.png', 'table').tables[0]!;
		assert.ok(table, 'a table');
		assert.deepEqual([table.rowCount, table.columnCount], [want.rowCount, want.columnCount]);
		assert.deepEqual(table.cells.map(c => [c.rowIndex, c.columnIndex, c.rowSpan, c.columnSpan, c.text]), want.cells.map(c => [c.rowIndex, c.columnIndex, c.rowSpan, c.columnSpan, c.text]));
		assert.deepEqual(table.cells.map(c => c.boundingBox.vertices), want.cells.map(c => c.boundingBox.vertices));
		assert.ok(table.cells.some(c => c.columnSpan === 2) && table.cells.some(c => c.rowSpan === 2), 'the merged cells');
		assert.equal(ocrRequests().at(-1)!.model, 'table');
	});

	it('handwriting, Markdown with formulas and the passport\'s fields, each as recorded', async () => {
		const note = annotationOf(await recognize('yandexVision.recognizeTextWith', documentUri('handwritten-note.png'), { model: 'handwritten' }));
		assert.deepEqual(wordTexts(note.pages[0]!), wordTexts(recorded('handwritten-note.png', 'handwritten')));
		const formulas = annotationOf(await recognize('yandexVision.recognizeTextWith', documentUri('formula-page.png'), { model: 'math-markdown' }));
		assert.equal(formulas.pages[0]!.markdown, recorded('formula-page.png', 'math-markdown').markdown);
		assert.match(formulas.pages[0]!.markdown ?? '', /\$\$[^$]+\$\$/, 'displayed formulas in LaTeX');
		const passport = annotationOf(await recognize('yandexVision.recognizeTextWith', documentUri('passport-form.png'), { model: 'passport' }));
		const fields = recorded('passport-form.png', 'passport').entities;
		assert.deepEqual(passport.pages[0]!.entities, fields);
		const surname = fields.findIndex(entity => entity.name === 'surname');
		assert.ok(surname >= 0);
		const surnameWords = passport.pages[0]!.blocks.flatMap(b => b.lines.flatMap(l => l.words)).filter(w => w.entityIndex === surname).map(w => w.text);
		assert.deepEqual(surnameWords.join(' '), fields[surname]!.text, 'the surname\'s words point at its field');
		assert.deepEqual(ocrRequests().map(r => r.model), ['handwritten', 'math-markdown', 'passport']);
	});

	describe('with the result cache', () => {
		before(async () => {
			await set('cache.maxMegabytes', 200);
		});

		it('keys results by engine, model and languages: the same again is 0 requests, another model or engine asks', async () => {
			const uri = documentUri('table-merged.png');
			await recognize('yandexVision.recognizeTextWith', uri, { model: 'table' });
			const again = await recognize('yandexVision.recognizeTextWith', uri, { model: 'table' });
			assert.equal(again.status, 'cached');
			assert.ok(annotationOf(again).pages[0]!.tables?.length, 'the table comes back from the cache');
			const before = emulator.log.length;
			await recognize('yandexVision.recognizeTextWith', uri, { model: 'page' });
			assert.equal(emulator.log.length, before + 1, 'another model is another request');
			await set('ocr.engine', 'batchAnalyze');
			try {
				const byBatch = await recognize('yandexVision.recognizeText', imageUri('receipt.png'));
				assert.equal(byBatch.status, 'done');
				await set('ocr.engine', 'ocr-api');
				const byOcr = await recognize('yandexVision.recognizeText', imageUri('receipt.png'));
				assert.equal(byOcr.status, 'done', 'a batchAnalyze result does not answer for the OCR API');
				assert.equal(annotationOf(byOcr).engine, 'ocr-api');
			} finally {
				await set('ocr.engine', 'ocr-api');
			}
		});

		it('Quick OCR copies the text of an OCR API result, read with the default model', async () => {
			const uri = documentUri('handwritten-note.png');
			await recognize('yandexVision.recognizeTextWith', uri, { model: 'handwritten' });
			await vscode.env.clipboard.writeText('');
			const quick = await vscode.commands.executeCommand<ImageReport | undefined>('yandexVision.quickOcr', uri);
			assert.ok(quick?.model);
			assert.equal(quick.status, 'done', 'the handwritten result does not answer for the page model');
			assert.equal(ocrRequests().at(-1)!.model, 'page');
			const text = await vscode.env.clipboard.readText();
			assert.deepEqual(text.split(/\s+/).filter(Boolean), wordTexts(recorded('handwritten-note.png', 'page')));
			const again = await vscode.commands.executeCommand<ImageReport | undefined>('yandexVision.quickOcr', uri);
			assert.equal(again?.status, 'cached');
			assert.equal(await vscode.env.clipboard.readText(), annotationToText(annotationOf(again)));
		});

		it('Analyze Folder… reads every document through the OCR API\'s asynchronous call, within its quota, and exports them as CSV without made-up confidences', async () => {
			const folder = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'documents');
			const documents = (await vscode.workspace.fs.readDirectory(folder)).filter(([name]) => /\.(png|jpe?g|pdf)$/i.test(name)).length;
			stubs.stub('showWarningMessage', async () => 'Clear Cache');
			await vscode.commands.executeCommand('yandexVision.clearCache');
			quietNotifications(stubs);
			emulator.clearLog();
			const run = await vscode.commands.executeCommand<BatchRun | undefined>('yandexVision.analyzeFolder', folder, [folder], ['text']);
			assert.ok(run);
			assert.deepEqual(run.items.map(item => item.status), run.items.map(() => 'done'), run.items.map(item => item.error).filter(Boolean).join('; '));
			assert.equal(run.items.length, documents);
			const submissions = emulator.log.filter(entry => entry.path.endsWith('/recognizeTextAsync'));
			assert.equal(submissions.length, documents, 'one recognizeTextAsync request per document');
			assert.equal(new Set(submissions.map(entry => entry.operationId)).size, documents, 'each its own operation');
			assert.equal(ocrRequests().length, 0, 'no synchronous request: a folder goes the fast way');
			assert.equal(batchRequests().length, 0);
			assert.equal(emulator.log.filter(entry => entry.status === 429).length, 0, 'never over the quota');

			const target = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'documents-export.csv');
			stubs.stub('showQuickPick', async (items: unknown) => (await (items as Thenable<(vscode.QuickPickItem & { format: string })[]>)).find(item => item.format === 'csv'));
			stubs.stub('showSaveDialog', async () => target);
			assert.equal((await vscode.commands.executeCommand<vscode.Uri | undefined>('yandexVision.exportBatch'))?.toString(), target.toString());
			const csv = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
			await vscode.workspace.fs.delete(target);
			const row = csv.split('\r\n').find(line => line.includes('table-merged.png') && line.includes('Пятница'));
			assert.ok(row, 'a line of the table in the CSV');
			assert.match(row, /,$/, 'the confidence column is empty: the OCR API gives none');
		});

		it('Search Text in Images shows a hidden bidi override of a recognized line by its code, never as a character that reorders the list', async () => {
			// The emulator answers, for a copy of latin-note.png, a line whose word hides U+202E.
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-bidi-'));
			const bytes = fs.readFileSync(path.join(FIXTURES_DIR, 'latin-note.png'));
			const box = { vertices: [{ x: 10, y: 10 }, { x: 10, y: 40 }, { x: 200, y: 40 }, { x: 200, y: 10 }] };
			const word = (text: string, start: number) => ({ boundingBox: box, text, entityIndex: -1, textSegments: [{ startIndex: start, length: text.length }] });
			const text = 'Pay invoice\u202Efdp.exe now';
			const page = {
				width: 720, height: 250, fullText: `${text}\n`, entities: [], tables: [],
				blocks: [{ boundingBox: box, languages: [{ languageCode: 'en' }], textSegments: [{ startIndex: 0, length: text.length }], layoutType: 'LAYOUT_TYPE_TEXT', lines: [{ boundingBox: box, text, textSegments: [{ startIndex: 0, length: text.length }], words: [word('Pay', 0), word('invoice\u202Efdp.exe', 4), word('now', 20)] }] }],
			};
			fs.writeFileSync(path.join(dir, 'bidi.png'), bytes);
			fs.writeFileSync(path.join(dir, 'bidi.recording.json'), JSON.stringify({ image: 'bidi.png', sha256: createHash('sha256').update(bytes).digest('hex'), mimeType: 'image/png', width: 720, height: 250, description: 'A line hiding a right-to-left override.', ocr: { page: [page] } }));
			const uri = documentUri('bidi-note.png');
			await vscode.workspace.fs.writeFile(uri, bytes);
			emulator.configure({ fixturesDir: dir });
			try {
				await recognize('yandexVision.recognizeText', uri);
				const search = fakeQuickPick();
				stubs.stub('createQuickPick', () => search.pick);
				const searching = vscode.commands.executeCommand('yandexVision.searchText');
				const found = await waitFor(() => search.pick.items.find(item => item.line.uri === uri.toString()), 'the line in the search list');
				assert.equal(found.label, 'Pay invoice⟦U+202E⟧fdp.exe now');
				assert.ok(!found.label.includes('\u202E'), 'no raw override in what the list shows');
				assert.match(found.detail ?? '', /U\+202E RIGHT-TO-LEFT OVERRIDE/);
				search.pick.hide();
				await searching;
			} finally {
				emulator.configure({ fixturesDir: undefined });
				await vscode.workspace.fs.delete(uri);
				fs.rmSync(dir, { recursive: true, force: true });
			}
		});

		it('Search Text in Images finds a line of a table read by the OCR API and opens it, with no request', async () => {
			const uri = documentUri('table-merged.png');
			await recognize('yandexVision.recognizeTextWith', uri, { model: 'table' });
			emulator.clearLog();
			const search = fakeQuickPick();
			stubs.stub('createQuickPick', () => search.pick);
			const searching = vscode.commands.executeCommand('yandexVision.searchText');
			const line = await waitFor(() => search.pick.items.find(item => item.line.uri === uri.toString() && item.label.includes('Весь день')), 'the table\'s recognized lines');
			search.pick.selectedItems = [line];
			search.accept();
			await searching;
			await waitFor(() => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(tab => tab.input instanceof vscode.TabInputWebview && tab.label.endsWith('table-merged.png')), 'the results panel of table-merged.png');
			assert.equal(emulator.log.length, 0, 'found in the cache, nothing sent');
		});
	});

	it('a PDF of two pages goes to recognizeTextAsync once: the operation is followed, and both pages are read', async () => {
		const report = await recognize('yandexVision.recognizeText', imageUri('two-pages.pdf'));
		const annotation = annotationOf(report);
		assert.equal(annotation.pages.length, 2);
		assert.equal(annotation.engine, 'ocr-api');
		assert.equal(batchRequests().length, 0);
		const submissions = emulator.log.filter(entry => entry.path.endsWith('/recognizeTextAsync'));
		assert.equal(submissions.length, 1);
		assert.equal(submissions[0]!.folderId, DEFAULT_CREDENTIALS.folderId, 'the folder in its header');
		const operationId = submissions[0]!.operationId;
		assert.ok(emulator.log.some(entry => entry.path === `/operations/${operationId}` && entry.status === 200), 'its operation was asked about');
		assert.ok(emulator.log.some(entry => entry.path.endsWith('/getRecognition') && entry.operationId === operationId && entry.status === 200), 'its pages were read');
	});

	it('a two-page PDF with the table model goes the same way, in that model', async () => {
		const reports = await vscode.commands.executeCommand<ImageReport[]>('yandexVision.recognizeTextWith', imageUri('two-pages.pdf'), { model: 'table' });
		assert.equal(reports?.[0]?.status, 'done');
		assert.deepEqual(emulator.log.filter(entry => entry.path.endsWith('/recognizeTextAsync')).map(entry => entry.model), ['table']);
	});

	it('Analyze Image… with text and faces sends one batchAnalyze request, whatever the text engine', async () => {
		const reports = await vscode.commands.executeCommand<ImageReport[]>('yandexVision.analyzeImage', imageUri('faces.jpg'), ['text', 'faces']);
		assert.equal(reports?.[0]?.status, 'done');
		assert.deepEqual(reports![0]!.model!.features.map(f => f.type), ['TEXT_DETECTION', 'FACE_DETECTION']);
		assert.equal(batchRequests().length, 1);
		assert.equal(ocrRequests().length, 0);
	});

	it('the batchAnalyze engine reads text as before, with confidences', async () => {
		await set('ocr.engine', 'batchAnalyze');
		try {
			const report = await recognize('yandexVision.recognizeText', imageUri('latin-note.png'));
			assert.equal(batchRequests().length, 1);
			assert.equal(ocrRequests().length, 0);
			assert.ok(annotationOf(report).pages[0]!.blocks[0]!.lines[0]!.words[0]!.confidence! > 0, 'batchAnalyze gives confidences');
		} finally {
			await set('ocr.engine', 'ocr-api');
		}
	});
});
