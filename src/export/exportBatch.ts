/**
 * "Export…" for a batch: asks the format and where to save, then writes the run's results from
 * the result cache one image at a time, with progress and Cancel.
 */
import { open, rename, rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ResultCache } from '../cache/resultCache';
import type { Translate } from './exportResults';
import { batchToCsv, batchToJsonLines, batchToMarkdown, EXPORT_EXTENSIONS, exportFileName, type BatchExportFormat, type ResultReader } from './batchFormats';
import type { BatchRun } from '../folderRuns/types';

export { batchToCsv, batchToJsonLines, batchToMarkdown } from './batchFormats';

/** The messages of ./batchFormats.ts and ./exportResults.ts, in the display language. */
const translate: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/** Saves the run's results where the user picks; the file written, or undefined when cancelled or failed. */
export async function exportBatch(run: BatchRun, cache: ResultCache | undefined): Promise<vscode.Uri | undefined> {
	const format = await pickFormat(run);
	if (!format) return undefined;
	const target = await vscode.window.showSaveDialog({
		defaultUri: defaultTarget(run, format),
		filters: filtersFor(format),
		saveLabel: vscode.l10n.t('Export'),
		title: vscode.l10n.t('Export Batch Results'),
	});
	if (!target) return undefined;

	// peek: exporting is no reason to keep a result longer than the ones in use.
	const read: ResultReader = cache ? key => cache.peek(key) : async () => undefined;
	const chunks = produce(format, run, read);
	const written = await vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Yandex Vision: exporting {0} images…', run.items.length), cancellable: true },
		async (progress, token) => {
			const step = 100 / (run.items.length + 1);
			try {
				return await write(target, chunks, token, () => progress.report({ increment: step }));
			} catch (err) {
				void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: could not export to {0}: {1}', displayPath(target), err instanceof Error ? err.message : String(err)));
				return false;
			}
		},
	);
	if (!written) return undefined;

	const openFile = vscode.l10n.t('Open');
	const shown = cache
		? vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: exported {0} images to {1}.', run.items.length, displayPath(target)), openFile)
		: vscode.window.showWarningMessage(vscode.l10n.t('Yandex Vision: exported {0} images to {1}. The result cache is off or unavailable, so only each image\'s status could be exported.', run.items.length, displayPath(target)), openFile);
	void shown.then(choice => {
		if (choice === openFile) void vscode.window.showTextDocument(target, { preview: false });
	});
	return target;
}

async function pickFormat(run: BatchRun): Promise<BatchExportFormat | undefined> {
	const items: (vscode.QuickPickItem & { format: BatchExportFormat })[] = [
		{
			format: 'jsonl',
			label: vscode.l10n.t('JSON Lines'),
			description: '.jsonl',
			detail: vscode.l10n.t('One JSON object per image: its path, status, error and the normalized results of every feature.'),
		},
		{
			format: 'csv',
			label: vscode.l10n.t('CSV table'),
			description: '.csv',
			detail: vscode.l10n.t('One row per recognized line of text: path, page, block, line, text, confidence.'),
		},
		{
			format: 'markdown',
			label: vscode.l10n.t('Markdown'),
			description: '.md',
			detail: vscode.l10n.t('A section per image with its recognized text and other results, to read or share.'),
		},
	];
	const picked = await vscode.window.showQuickPick(items, {
		title: vscode.l10n.t('Yandex Vision: export the results of {0}', run.title),
		placeHolder: vscode.l10n.t('Choose a format for {0} images', run.items.length),
		matchOnDetail: true,
	});
	return picked?.format;
}

function filtersFor(format: BatchExportFormat): Record<string, string[]> {
	switch (format) {
		case 'jsonl':
			return { [vscode.l10n.t('JSON Lines')]: [EXPORT_EXTENSIONS.jsonl] };
		case 'csv':
			return { [vscode.l10n.t('CSV table')]: [EXPORT_EXTENSIONS.csv] };
		case 'markdown':
			return { [vscode.l10n.t('Markdown')]: [EXPORT_EXTENSIONS.markdown, 'markdown'] };
	}
}

/** In the workspace folder of the run's first image, or the first workspace folder. */
function defaultTarget(run: BatchRun, format: BatchExportFormat): vscode.Uri | undefined {
	const first = run.items[0];
	const folder = (first && vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(first.uri))) ?? vscode.workspace.workspaceFolders?.[0];
	return folder ? vscode.Uri.joinPath(folder.uri, exportFileName(format, new Date())) : undefined;
}

function produce(format: BatchExportFormat, run: BatchRun, read: ResultReader): AsyncGenerator<string> {
	switch (format) {
		case 'jsonl':
			return batchToJsonLines(run, read, translate);
		case 'csv':
			return batchToCsv(run, read, translate);
		case 'markdown':
			return batchToMarkdown(run, read, translate);
	}
}

/**
 * Writes the chunks as they come: straight to disk for local files; other file systems (remote,
 * virtual) take a whole file, so there the chunks are gathered first. True when written,
 * false when cancelled.
 */
async function write(target: vscode.Uri, chunks: AsyncGenerator<string>, token: vscode.CancellationToken, onChunk: () => void): Promise<boolean> {
	const encoder = new TextEncoder();
	if (target.scheme !== 'file') {
		const parts: Uint8Array[] = [];
		for await (const chunk of chunks) {
			if (token.isCancellationRequested) return false;
			parts.push(encoder.encode(chunk));
			onChunk();
		}
		await vscode.workspace.fs.writeFile(target, Buffer.concat(parts));
		return true;
	}
	// Written aside and moved into place when complete: Cancel or a failure leaves an existing file as it was.
	const partial = `${target.fsPath}.part`;
	const file = await open(partial, 'w');
	let complete = false;
	try {
		for await (const chunk of chunks) {
			if (token.isCancellationRequested) break;
			await file.write(encoder.encode(chunk));
			onChunk();
		}
		complete = !token.isCancellationRequested;
	} finally {
		await file.close();
		if (complete) await rename(partial, target.fsPath);
		else await rm(partial, { force: true });
	}
	return complete;
}

function displayPath(uri: vscode.Uri): string {
	return vscode.workspace.asRelativePath(uri, false);
}
