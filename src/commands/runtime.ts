import * as vscode from 'vscode';
import { Analyzer, label, modelOf, type AnalysisChoice, type BatchPass, type ImageReport } from '../analysis/analyzer';
import { modelArgument, pickOcrModel } from './ocrModelPicker';
import { CredentialStore, showCredentials } from '../credentials/credentialStore';
import { exportBatch } from '../export/exportBatch';
import { folderTargets, imagesUnder } from '../folderRuns/folderTargets';
import { batchItemOf } from '../folderRuns/summaryModel';
import { BatchSummaryView, countParts } from '../folderRuns/summaryView';
import { countBatch, type BatchObserver, type BatchRun } from '../folderRuns/types';
import { Commands, HAS_BATCH_CONTEXT, IMAGE_EXTENSIONS, type CommandId } from './commandIds';
import type { FeatureKind } from '../settings/config';
import { EditorInserter } from '../editor/editorInsert';
import { Log } from '../output/log';
import { ResultsPanels } from '../panel/resultsPanel';
import { searchTextInImages } from '../search/searchText';
import type { ResultsModel } from '../shared/protocol';
import { activeImageUri, isAnalyzable } from '../editor/statusBar';
import { pagesMarkdown } from '../results/documents';
import { annotationToMarkdown, annotationToText } from '../results/text';
import { RecognizedTextEdits } from '../editor/pasteRecognizedText';
import { ImageLinkActions } from '../editor/imageLinkActions';
import { MementoJournal } from '../analysis/operationJournal';
import { LiveDocuments } from '../panel/liveDocuments';

/** Everything behind the commands; loaded on first use (see extension.ts). */
export interface Runtime {
	execute(id: CommandId, args: readonly unknown[]): Promise<unknown>;
	restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
	/** The paste and drop edits that insert an image's text; registered by extension.ts. */
	recognizedText: RecognizedTextEdits;
	/** The code actions and hover on Markdown image links; registered by extension.ts. */
	imageLinks: ImageLinkActions;
}

export function createRuntime(context: vscode.ExtensionContext): Runtime {
	const log = new Log();
	const credentials = new CredentialStore(context);
	const journal = new MementoJournal(context.globalState);
	const analyzer = new Analyzer(credentials, log, context.globalStorageUri, journal);
	void journal.dropExpired().then(expired => {
		if (expired > 0) void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: {0} recognition(s) started more than 3 days ago were never read, and the service no longer keeps their results. Recognize those files again.', expired));
	}, err => log.warn(`Could not tidy the recognitions in flight: ${err instanceof Error ? err.message : String(err)}`));
	const inserter = new EditorInserter();
	const panels = new ResultsPanels(context.extensionUri, {
		dispatcher: () => analyzer.network.get(),
		insertText: async text => {
			await inserter.insert(text);
		},
		copyText: async text => {
			await vscode.env.clipboard.writeText(text);
			void vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Copied recognized text'), 3000);
		},
		openMarkdown: async model => {
			const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdownOf(model) });
			await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
		},
	});
	const imageLinks = new ImageLinkActions(analyzer);
	const recognizedText = new RecognizedTextEdits(analyzer);
	const summary = new BatchSummaryView({ openItem: item => void openBatchItem(item) });
	context.subscriptions.push(
		log,
		credentials,
		// Minted tokens arrive during requests; redaction follows them. A new token is added at
		// once: reading the secret storage takes a round trip, and the request's errors may echo it sooner.
		credentials.onDidChangeSecrets(() => {
			log.addSecrets(credentials.mintedTokens());
			void credentials.secrets().then(secrets => log.setSecrets(secrets));
		}),
		analyzer,
		inserter,
		panels,
		recognizedText,
		summary,
	);

	/** The run the summary view shows: the latest started. An earlier run still finishing no longer reaches the view. */
	let shownRun: BatchRun | undefined;
	const startedRuns = new WeakSet<BatchRun>();
	let nextRunId = 1;
	const observer: BatchObserver = {
		changed: (run, item) => {
			// A run's first change is its start.
			if (!startedRuns.has(run)) {
				startedRuns.add(run);
				shownRun = run;
				void vscode.commands.executeCommand('setContext', HAS_BATCH_CONTEXT, true);
			}
			if (run === shownRun) summary.changed(run, item);
		},
	};

	const analyzeAndShow = async (kinds: FeatureKind[], args: readonly unknown[], title: string, choice: AnalysisChoice = {}): Promise<ImageReport[] | undefined> => {
		const uris = await targetImages(args);
		if (!uris) return undefined;
		const documents = new LiveDocuments(panels);
		let reports: ImageReport[] | undefined;
		try {
			reports = await analyzer.analyze(uris, kinds, title, choice, (uri, progress) => documents.progress(uri, progress));
		} finally {
			documents.stop();
		}
		for (const report of reports ?? []) {
			if (report.model) panels.show(report.model, { preserveFocus: reports!.length > 1 });
			else documents.stopped(report);
		}
		return reports;
	};

	const execute = async (id: CommandId, args: readonly unknown[]): Promise<unknown> => {
		switch (id) {
			case Commands.recognizeText:
				return analyzeAndShow(['text'], args, vscode.l10n.t('Yandex Vision: recognizing text…'));
			case Commands.recognizeTextWith: {
				// A dismissed pick sends nothing.
				const ocrModel = modelArgument(args) ?? await pickOcrModel(context.globalState);
				return ocrModel && analyzeAndShow(['text'], args, vscode.l10n.t('Yandex Vision: recognizing text…'), { ocrModel });
			}
			case Commands.classifyImage:
				return analyzeAndShow(['classification'], args, vscode.l10n.t('Yandex Vision: classifying…'));
			case Commands.detectFaces:
				return analyzeAndShow(['faces'], args, vscode.l10n.t('Yandex Vision: detecting faces…'));
			case Commands.findImageCopies:
				return analyzeAndShow(['copies'], args, vscode.l10n.t('Yandex Vision: searching for copies…'));
			case Commands.analyzeImage: {
				const kinds = await pickFeatures(args);
				return kinds && analyzeAndShow(kinds, args, vscode.l10n.t('Yandex Vision: analyzing…'));
			}
			case Commands.quickOcr:
				return quickOcr(args);
			case Commands.setIamToken:
				if (await credentials.promptForIamToken()) {
					log.setSecrets(await credentials.secrets());
					void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: IAM token saved in secret storage.'));
					return true;
				}
				return false;
			case Commands.setApiKey:
				if (await credentials.promptForApiKey()) {
					log.setSecrets(await credentials.secrets());
					void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: API key saved in secret storage.'));
					return true;
				}
				return false;
			case Commands.setServiceAccountKey: {
				const key = await credentials.promptForServiceAccountKey();
				if (!key) return false;
				log.setSecrets(await credentials.secrets());
				void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: authorized key {0} of service account {1} saved in secret storage. IAM tokens are obtained with it as needed; the extension no longer reads the file.', key.id, key.serviceAccountId));
				return true;
			}
			case Commands.showCredentials:
				return showCredentials(credentials);
			case Commands.signOut: {
				const had = await credentials.signOut();
				void vscode.window.showInformationMessage(had ? vscode.l10n.t('Yandex Vision: signed out; the stored credentials were deleted.') : vscode.l10n.t('Yandex Vision: no credentials were stored.'));
				return had;
			}
			case Commands.selectClassificationModel:
				return selectClassificationModel();
			case Commands.showLog:
				log.show();
				return undefined;
			case Commands.analyzeFolder:
				return analyzeFolder(args);
			case Commands.retryFailed:
				return retryFailed();
			case Commands.exportBatch: {
				const run = summary.current;
				if (!run) return noBatch();
				return exportBatch(run, await analyzer.resultCache());
			}
			case Commands.openBatchItem:
				return openBatchItem(args[0]);
			case Commands.searchText:
				return searchTextInImages(await analyzer.resultCache(), (uri, result, selection) => {
					panels.show(modelOf(uri, result), { selection });
				});
			case Commands.clearCache:
				return clearCache();
			case Commands.recognizeImageLink:
				return imageLinks.run(args);
		}
	};

	/** "Analyze Folder…": every image under the folders (and the images) chosen, features picked once. */
	const analyzeFolder = async (args: readonly unknown[]): Promise<BatchRun | undefined> => {
		const targets = await folderTargets(args);
		if (!targets) return undefined;
		const files = await imagesUnder(targets.uris);
		if (!files) return undefined;
		if (files.length === 0) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: no images in {0}.', targets.title));
			return undefined;
		}
		const kinds = await pickFeatures(args);
		if (!kinds) return undefined;
		const run: BatchRun = {
			id: nextRunId++,
			title: targets.title,
			kinds,
			startedAt: new Date().toISOString(),
			cancelled: false,
			items: files.map(uri => ({ uri: uri.toString(), label: label(uri), status: 'pending' })),
		};
		const pass = await analyzer.analyzeBatch(run, run.items, observer, vscode.l10n.t('Yandex Vision: analyzing {0}…', targets.title));
		if (!pass) return undefined;
		void summarize(run, pass);
		return run;
	};

	/** "Retry Failed": the failed images of the run shown, again with its features, updated in place. */
	const retryFailed = async (): Promise<BatchRun | undefined> => {
		const run = summary.current;
		if (!run) return noBatch();
		if (!run.finishedAt) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: {0} is still being analyzed.', run.title));
			return run;
		}
		const failed = run.items.filter(item => item.status === 'failed');
		if (failed.length === 0) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: nothing failed in {0}.', run.title));
			return run;
		}
		const pass = await analyzer.analyzeBatch(run, failed, observer, vscode.l10n.t('Yandex Vision: retrying {0} failed images…', failed.length));
		if (pass) void summarize(run, pass);
		return run;
	};

	/** One message when a batch ends, with the way to what failed and to export. */
	const summarize = async (run: BatchRun, pass: BatchPass): Promise<void> => {
		if (pass.credentialsExplained) return;
		const counts = countBatch(run);
		// Only what there is: "10 images: 8 from cache, 2 failed".
		const summaryText = vscode.l10n.t('{0} images: {1}', counts.total, countParts(counts).join(', '));
		const message = pass.cancelled
			? vscode.l10n.t('Yandex Vision: cancelled. {0}', summaryText)
			: vscode.l10n.t('Yandex Vision: {0}', summaryText);
		const showFailed = vscode.l10n.t('Show Failed');
		const showResults = vscode.l10n.t('Show Results');
		const exportResults = vscode.l10n.t('Export…');
		const choice = counts.failed > 0
			? await vscode.window.showWarningMessage(message, showFailed, exportResults)
			: await vscode.window.showInformationMessage(message, showResults, exportResults);
		if (choice === showFailed || choice === showResults) await summary.reveal();
		else if (choice === exportResults) await exportBatch(run, await analyzer.resultCache());
	};

	/** Opens a batch image's result from the cache; a failed one says why. */
	const openBatchItem = async (arg: unknown): Promise<ResultsModel | undefined> => {
		// A BatchItem, a tree node of the summary view, or an image's URI in the run shown.
		const item = typeof arg === 'string' ? summary.current?.items.find(i => i.uri === arg) : batchItemOf(arg);
		if (!item) return undefined;
		switch (item.status) {
			case 'pending':
				void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: {0} is still being analyzed.', item.label));
				return undefined;
			case 'failed':
				void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: {0}', item.error ?? item.label));
				return undefined;
			case 'done':
			case 'cached':
				break;
		}
		const cache = await analyzer.resultCache();
		const result = item.cacheKey ? await cache?.get(item.cacheKey) : undefined;
		if (!result) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Yandex Vision: the result of {0} is no longer in the result cache. Analyze the image again.', item.label));
			return undefined;
		}
		const model = modelOf(vscode.Uri.parse(item.uri), result, item.label);
		panels.show(model);
		return model;
	};

	/** "Clear Cache": asks first, saying how much would go; resolves with how many results were removed. */
	const clearCache = async (): Promise<number | undefined> => {
		const target = await analyzer.cacheToClear();
		if (!target) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: there is no result cache here.'));
			return undefined;
		}
		try {
			const { entries, bytes } = target.cache.stats();
			if (entries === 0) {
				void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: the result cache is empty.'));
				return 0;
			}
			const clear = vscode.l10n.t('Clear Cache');
			const choice = await vscode.window.showWarningMessage(
				vscode.l10n.t('Delete {0} cached results ({1} MB)?', entries, (bytes / 1048576).toFixed(1)),
				{ modal: true, detail: vscode.l10n.t('Analyzing those images again sends them to Yandex Vision again.') },
				clear,
			);
			if (choice !== clear) return undefined;
			const removed = await target.cache.clear();
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: removed {0} cached results.', removed));
			return removed;
		} finally {
			await target.release();
		}
	};

	/** OCR of the active image tab; the text goes to the clipboard. */
	const quickOcr = async (args: readonly unknown[]): Promise<ImageReport | undefined> => {
		const uri = firstUri(args) ?? activeImageUri();
		if (!uri) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Quick OCR works on the image in the active tab. Open an image first.'));
			return undefined;
		}
		const [report] = await analyzer.analyze([uri], ['text'], vscode.l10n.t('Yandex Vision: recognizing text…')) ?? [];
		if (!report?.model) return report;
		const text = textOf(report.model);
		await vscode.env.clipboard.writeText(text);
		const insert = vscode.l10n.t('Insert');
		const open = vscode.l10n.t('Open Results');
		const words = text.split(/\s+/).filter(Boolean).length;
		const model = report.model;
		void vscode.window.showInformationMessage(
			words === 0 ? vscode.l10n.t('No text found in {0}.', model.imageLabel) : vscode.l10n.t('Copied {0} words from {1}.', words, model.imageLabel),
			insert,
			open,
		).then(async choice => {
			if (choice === insert) await inserter.insert(text);
			else if (choice === open) panels.show(model);
		});
		return report;
	};

	return {
		execute,
		restorePanel: async (panel, state) => {
			const restored = panels.restore(panel, state);
			// A document that was still arriving when the window closed: its operation is read on, not started again.
			const model = restored?.currentModel;
			if (model?.pending) {
				const ocrModel = model.features.find(feature => feature.type === 'TEXT_DETECTION')?.model;
				void analyzeAndShow(['text'], [vscode.Uri.parse(model.imageUri)], vscode.l10n.t('Yandex Vision: recognizing text…'), ocrModel ? { ocrModel } : {});
			}
		},
		recognizedText,
		imageLinks,
	};
}

function noBatch(): undefined {
	void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: no batch yet. Run "Yandex Vision: Analyze Folder…" first.'));
	return undefined;
}

/** The images a command applies to: the Explorer selection, the clicked file, the active image, or a pick. */
async function targetImages(args: readonly unknown[]): Promise<vscode.Uri[] | undefined> {
	const [clicked, selected] = args;
	if (Array.isArray(selected) && selected.length > 0 && selected.every(u => u instanceof vscode.Uri)) {
		const images = (selected as vscode.Uri[]).filter(isAnalyzable);
		if (images.length > 0) return images;
	}
	if (clicked instanceof vscode.Uri) return [clicked];
	const active = activeImageUri();
	if (active) return [active];
	return pickWorkspaceImage();
}

function firstUri(args: readonly unknown[]): vscode.Uri | undefined {
	return args[0] instanceof vscode.Uri ? args[0] : undefined;
}

async function pickWorkspaceImage(): Promise<vscode.Uri[] | undefined> {
	const extensions = IMAGE_EXTENSIONS.flatMap(ext => [ext.slice(1), ext.slice(1).toUpperCase()]);
	const found = await vscode.workspace.findFiles(`**/*.{${extensions.join(',')}}`, undefined, 5000);
	if (found.length === 0) {
		void vscode.window.showInformationMessage(vscode.l10n.t('No images in this workspace that can be analyzed.'));
		return undefined;
	}
	const items = found
		.map(uri => ({ label: vscode.workspace.asRelativePath(uri, false), uri }))
		.sort((a, b) => a.label.localeCompare(b.label));
	const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Yandex Vision: choose an image'), placeHolder: vscode.l10n.t('Type to filter workspace images'), matchOnDescription: true });
	return picked ? [picked.uri] : undefined;
}

async function pickFeatures(args: readonly unknown[]): Promise<FeatureKind[] | undefined> {
	const preset = args.find((a): a is FeatureKind[] => Array.isArray(a) && a.every(k => typeof k === 'string' && ['text', 'classification', 'faces', 'copies'].includes(k)));
	if (preset && preset.length > 0) return preset;
	const items: (vscode.QuickPickItem & { kind2: FeatureKind })[] = [
		{ label: vscode.l10n.t('Recognize text'), kind2: 'text', picked: true },
		{ label: vscode.l10n.t('Classify'), kind2: 'classification' },
		{ label: vscode.l10n.t('Detect faces'), kind2: 'faces' },
		{ label: vscode.l10n.t('Find image copies'), kind2: 'copies' },
	];
	const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: vscode.l10n.t('Yandex Vision: what to analyze (one request)') });
	return picked && picked.length > 0 ? picked.map(p => p.kind2) : undefined;
}

async function selectClassificationModel(): Promise<string | undefined> {
	const config = vscode.workspace.getConfiguration('yandexVision');
	const current = config.get<string>('classification.model', 'quality');
	const items = [
		{ label: 'quality', description: vscode.l10n.t('Image quality: low, medium or high') },
		{ label: 'moderation', description: vscode.l10n.t('Moderation: adult, gruesome, text, watermarks') },
	].map(item => ({ ...item, picked: item.label === current, detail: item.label === current ? vscode.l10n.t('Current') : undefined }));
	const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Yandex Vision: classification model') });
	if (!picked) return undefined;
	await config.update('classification.model', picked.label, vscode.ConfigurationTarget.Global);
	return picked.label;
}

function textOf(model: ResultsModel): string {
	const ocr = model.features.find(f => f.result.textDetection)?.result.textDetection;
	return ocr ? annotationToText(ocr) : '';
}

/**
 * The Markdown the service wrote (the OCR API's markdown models: tables, formulas in LaTeX) when it
 * wrote one; otherwise the recognized text as Markdown, escaped.
 */
function markdownOf(model: ResultsModel): string {
	const ocr = model.features.find(f => f.result.textDetection)?.result.textDetection;
	if (!ocr) return `# ${model.imageLabel}\n`;
	return pagesMarkdown(ocr) ?? annotationToMarkdown(ocr, { title: model.imageLabel });
}
