import * as vscode from 'vscode';
import { Analyzer, type ImageReport } from './analysis';
import { CredentialStore, showCredentials } from './auth';
import { Commands, IMAGE_EXTENSIONS, type CommandId } from './commands';
import type { FeatureKind } from './config';
import { EditorInserter } from './editorInsert';
import { Log } from './log';
import { ResultsPanels } from './resultsPanel';
import type { ResultsModel } from './shared/protocol';
import { activeImageUri, isAnalyzable } from './statusBar';
import { annotationToMarkdown, annotationToText } from './vision/text';

/** Everything behind the commands; loaded on first use (see extension.ts). */
export interface Runtime {
	execute(id: CommandId, args: readonly unknown[]): Promise<unknown>;
	restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
}

export function createRuntime(context: vscode.ExtensionContext): Runtime {
	const log = new Log();
	const credentials = new CredentialStore(context);
	const analyzer = new Analyzer(credentials, log);
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
	context.subscriptions.push(
		log,
		credentials,
		// Minted tokens arrive during requests; redaction follows them.
		credentials.onDidChangeSecrets(() => void credentials.secrets().then(secrets => log.setSecrets(secrets))),
		analyzer,
		inserter,
		panels,
	);

	const analyzeAndShow = async (kinds: FeatureKind[], args: readonly unknown[], title: string): Promise<ImageReport[] | undefined> => {
		const uris = await targetImages(args);
		if (!uris) return undefined;
		const reports = await analyzer.analyze(uris, kinds, title);
		for (const report of reports ?? []) {
			if (report.model) panels.show(report.model, { preserveFocus: reports!.length > 1 });
		}
		return reports;
	};

	const execute = async (id: CommandId, args: readonly unknown[]): Promise<unknown> => {
		switch (id) {
			case Commands.recognizeText:
				return analyzeAndShow(['text'], args, vscode.l10n.t('Yandex Vision: recognizing text…'));
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
		restorePanel: async (panel, state) => panels.restore(panel, state),
	};
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

function markdownOf(model: ResultsModel): string {
	const ocr = model.features.find(f => f.result.textDetection)?.result.textDetection;
	return ocr ? annotationToMarkdown(ocr, { title: model.imageLabel }) : `# ${model.imageLabel}\n`;
}
