/**
 * "Recognize Text With…": the OCR API's models in words a person looks for, the last one chosen
 * first. The choice is remembered in the extension's global state, never in settings.
 */
import * as vscode from 'vscode';
import { OCR_MODELS, type OcrModel } from '../api/ocr/types';

const LAST_MODEL_KEY = 'yandexVision.lastOcrModel';

interface ModelItem extends vscode.QuickPickItem {
	model: OcrModel;
}

function items(): ModelItem[] {
	const entries: Record<OcrModel, [label: string, detail: string]> = {
		'page': [vscode.l10n.t('Page'), vscode.l10n.t('Text in one column: letters, notes, screenshots.')],
		'page-column-sort': [vscode.l10n.t('Multi-column page'), vscode.l10n.t('Newspapers, articles, leaflets: columns read in order.')],
		'handwritten': [vscode.l10n.t('Handwriting'), vscode.l10n.t('Handwritten and printed text mixed; Russian and English.')],
		'table': [vscode.l10n.t('Table'), vscode.l10n.t('Rows and cells, merged cells included; copy them as Markdown, CSV or TSV.')],
		'markdown': [vscode.l10n.t('Markdown'), vscode.l10n.t('The page as a Markdown document: headings, lists, tables.')],
		'math-markdown': [vscode.l10n.t('Markdown with formulas'), vscode.l10n.t('Like Markdown, with formulas in LaTeX.')],
		'passport': [vscode.l10n.t('Passport'), vscode.l10n.t('The main page of a Russian passport: name, number, dates as fields.')],
		'driver-license-front': [vscode.l10n.t('Driver\'s licence, front'), vscode.l10n.t('Name, number, dates as fields.')],
		'driver-license-back': [vscode.l10n.t('Driver\'s licence, back'), vscode.l10n.t('Experience, number, dates as fields.')],
		'vehicle-registration-front': [vscode.l10n.t('Vehicle registration, front'), vscode.l10n.t('Plate number, VIN, make, model, year as fields.')],
		'vehicle-registration-back': [vscode.l10n.t('Vehicle registration, back'), vscode.l10n.t('Owner and certificate number as fields.')],
		'license-plates': [vscode.l10n.t('Licence plates'), vscode.l10n.t('Every vehicle number plate in a photo.')],
	};
	return OCR_MODELS.map(model => ({ model, label: entries[model][0], description: model, detail: entries[model][1] }));
}

/** Asks for a model; resolves undefined when the user dismisses the list. */
export async function pickOcrModel(state: vscode.Memento): Promise<OcrModel | undefined> {
	const last = state.get<string>(LAST_MODEL_KEY);
	const all = items();
	const lastItem = all.find(item => item.model === last);
	const ordered = lastItem ? [{ ...lastItem, detail: `${lastItem.detail} ${vscode.l10n.t('(last used)')}` }, ...all.filter(item => item !== lastItem)] : all;
	const picked = await vscode.window.showQuickPick(ordered, {
		title: vscode.l10n.t('Yandex Vision: recognize text with which model?'),
		placeHolder: vscode.l10n.t('OCR API model'),
		matchOnDescription: true,
		matchOnDetail: true,
	});
	if (!picked) return undefined;
	await state.update(LAST_MODEL_KEY, picked.model);
	return picked.model;
}

/** A model given as a command argument (from a test, a keybinding or another extension). */
export function modelArgument(args: readonly unknown[]): OcrModel | undefined {
	for (const arg of args) {
		if (typeof arg === 'object' && arg !== null && typeof (arg as { model?: unknown }).model === 'string') {
			const model = (arg as { model: string }).model;
			return OCR_MODELS.find(name => name === model);
		}
	}
	return undefined;
}
