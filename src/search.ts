/**
 * "Search Text in Images…": a quick pick over the text already recognized in the workspace's
 * images, from the result cache, without a request. Enter opens the image's results with the
 * line selected.
 */
import * as vscode from 'vscode';
import type { CachedResult, ResultCache } from './cache/resultCache';
import { buildSearchItems, currentCandidates, mapBounded, textCandidates, type FileStamp, type SearchItem } from './searchItems';

/** Stats and cache reads at once: enough to hide latency, few enough not to flood a remote file system. */
const STAT_CONCURRENCY = 16;
const READ_CONCURRENCY = 8;

type LineItem = vscode.QuickPickItem & { line: SearchItem };

export async function searchTextInImages(
	cache: ResultCache | undefined,
	open: (uri: vscode.Uri, result: CachedResult, selection: number[]) => void,
): Promise<void> {
	if (!cache) {
		void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: searching needs the result cache, which is off. Set yandexVision.cache.maxMegabytes above 0, then run "Yandex Vision: Recognize Text" or "Yandex Vision: Analyze Folder…".'));
		return;
	}
	const pick = vscode.window.createQuickPick<LineItem>();
	pick.title = vscode.l10n.t('Yandex Vision: Search Text in Images');
	pick.placeholder = vscode.l10n.t('Type to search the text recognized in this workspace\'s images');
	pick.matchOnDescription = true;
	pick.busy = true;
	let hidden = false;
	const results = new Map<string, CachedResult>();
	const done = new Promise<void>(resolve => {
		pick.onDidHide(() => {
			hidden = true;
			pick.dispose();
			resolve();
		});
	});
	pick.onDidAccept(() => {
		const line = pick.selectedItems[0]?.line;
		const result = line && results.get(line.key);
		if (!line || !result) return;
		pick.hide();
		open(vscode.Uri.parse(line.uri), result, line.selection);
	});
	pick.show();

	let lines: SearchItem[];
	try {
		lines = await loadLines(cache, results, () => hidden);
	} catch (err) {
		pick.hide();
		void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: could not read the result cache: {0}', err instanceof Error ? err.message : String(err)));
		return;
	}
	if (hidden) return;
	if (lines.length === 0) {
		pick.hide();
		void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: no recognized text in this workspace\'s images yet. Run "Yandex Vision: Recognize Text" or "Yandex Vision: Analyze Folder…" first.'));
		return;
	}
	pick.items = lines.map(line => ({
		label: line.label,
		description: line.description,
		...line.pageCount > 1 ? { detail: vscode.l10n.t('Page {0} of {1}', line.page, line.pageCount) } : {},
		line,
	}));
	pick.busy = false;
	await done;
}

/** Every recognized line of the workspace's current files, by path; fills `results` with what it read. */
async function loadLines(cache: ResultCache, results: Map<string, CachedResult>, cancelled: () => boolean): Promise<SearchItem[]> {
	const candidates = textCandidates(cache.entries(), uri => vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(uri)) !== undefined);
	const uris = [...new Set(candidates.map(candidate => candidate.uri))];
	const stamps = await mapBounded(uris, STAT_CONCURRENCY, async (uri): Promise<FileStamp | undefined> => {
		if (cancelled()) return undefined;
		try {
			const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(uri));
			return { size: stat.size, mtime: stat.mtime };
		} catch {
			// Deleted or unreadable since: its old text is not offered.
			return undefined;
		}
	});
	const current = currentCandidates(candidates, new Map(uris.map((uri, i) => [uri, stamps[i]])));
	const keys = [...new Set(current.map(candidate => candidate.key))];
	// peek: searching is no reason to keep a result longer than the ones in use.
	const read = await mapBounded(keys, READ_CONCURRENCY, key => (cancelled() ? Promise.resolve(undefined) : cache.peek(key)));
	keys.forEach((key, i) => {
		const result = read[i];
		if (result) results.set(key, result);
	});
	const multipleFolders = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
	const entries = current
		.map(candidate => ({ uri: candidate.uri, key: candidate.key, label: vscode.workspace.asRelativePath(vscode.Uri.parse(candidate.uri), multipleFolders) }))
		.sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
	return buildSearchItems(entries, results);
}
