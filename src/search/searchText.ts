/**
 * "Search Text in Images…": a quick pick over the text already recognized in the workspace's
 * images, from the result cache, without a request. Enter opens the image's results with the
 * line selected.
 */
import * as vscode from 'vscode';
import type { CachedResult, ResultCache } from '../cache/resultCache';
import { findInvisible, showInvisible } from '../results/invisibleCharacters';
import { buildSearchItems, currentCandidates, mapBounded, searchIndex, textCandidates, type FileStamp, type SearchEntry, type SearchItem } from './searchItems';

/** Stats and cache reads at once: enough to hide latency, few enough not to flood a remote file system. */
const STAT_CONCURRENCY = 16;
const READ_CONCURRENCY = 8;
/** Results read and turned into lines at a time: only their lines are kept, never the results. */
const READ_CHUNK = 64;
/**
 * Lines handed to the quick pick at once. Up to this many it filters them itself; with more (a
 * large folder of text-heavy pages), the list is narrowed here as the user types.
 */
export const MAX_LISTED_LINES = 5_000;

type LineItem = vscode.QuickPickItem & { line: SearchItem };

export async function searchTextInImages(
	cache: ResultCache | undefined,
	open: (uri: vscode.Uri, result: CachedResult, selection: number[]) => void,
): Promise<void> {
	if (!cache) {
		void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: searching needs the result cache, which is off. Set yandexVision.cache.maxMegabytes above 0, then run "Yandex Vision: Recognize Text" or "Yandex Vision: Analyze Folder…".'));
		return;
	}
	const title = vscode.l10n.t('Yandex Vision: Search Text in Images');
	const pick = vscode.window.createQuickPick<LineItem>();
	pick.title = title;
	pick.placeholder = vscode.l10n.t('Type to search the text recognized in this workspace\'s images');
	pick.matchOnDescription = true;
	pick.busy = true;
	let hidden = false;
	const done = new Promise<void>(resolve => {
		pick.onDidHide(() => {
			hidden = true;
			pick.dispose();
			resolve();
		});
	});
	pick.onDidAccept(async () => {
		const line = pick.selectedItems[0]?.line;
		if (!line) return;
		pick.hide();
		// Read again now: the list holds lines, not results.
		const result = await cache.get(line.key).catch(() => undefined);
		if (!result) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Yandex Vision: the result of {0} is no longer in the result cache. Analyze the image again.', line.description));
			return;
		}
		open(vscode.Uri.parse(line.uri), result, line.selection);
	});
	pick.show();

	let lines: SearchItem[];
	try {
		lines = await loadLines(cache, () => hidden);
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
	if (lines.length <= MAX_LISTED_LINES) {
		pick.items = lines.map(line => lineItem(line, false));
	} else {
		// Narrowed here; alwaysShow keeps the quick pick from filtering the matches a second time.
		const index = searchIndex(lines, vscode.env.language);
		const show = () => {
			const { items, matched } = index.match(pick.value, MAX_LISTED_LINES);
			pick.items = items.map(line => lineItem(line, true));
			pick.title = matched > items.length
				? vscode.l10n.t('Yandex Vision: Search Text in Images ({0} of {1} lines; type to narrow)', items.length.toLocaleString(vscode.env.language), matched.toLocaleString(vscode.env.language))
				: title;
		};
		pick.onDidChangeValue(show);
		show();
	}
	pick.busy = false;
	await done;
}

function lineItem(line: SearchItem, alwaysShow: boolean): LineItem {
	// A bidi override in a recognized line would reorder the list's text: it is shown by its code instead.
	const hidden = findInvisible(line.label);
	const details = [
		...line.pageCount > 1 ? [vscode.l10n.t('Page {0} of {1}', line.page, line.pageCount)] : [],
		...hidden.count > 0 ? [vscode.l10n.t('$(warning) Holds hidden or bidi control characters: {0}', hidden.characters.map(c => `${c.code} ${c.name}`).join(', '))] : [],
	];
	return {
		label: hidden.count > 0 ? showInvisible(line.label) : line.label,
		description: line.description,
		...details.length > 0 ? { detail: details.join(' · ') } : {},
		...alwaysShow ? { alwaysShow } : {},
		line,
	};
}

/**
 * Every recognized line of the workspace's current files, by path. Results are read a chunk at a
 * time and dropped once their lines are taken, so a large cache is never in memory at once.
 */
async function loadLines(cache: ResultCache, cancelled: () => boolean): Promise<SearchItem[]> {
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
	const multipleFolders = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
	const entries: SearchEntry[] = current
		.map(candidate => ({ uri: candidate.uri, key: candidate.key, label: vscode.workspace.asRelativePath(vscode.Uri.parse(candidate.uri), multipleFolders) }))
		.sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
	const lines: SearchItem[] = [];
	for (let start = 0; start < entries.length && !cancelled(); start += READ_CHUNK) {
		const chunk = entries.slice(start, start + READ_CHUNK);
		const keys = [...new Set(chunk.map(entry => entry.key))];
		// peek: searching is no reason to keep a result longer than the ones in use.
		const read = await mapBounded(keys, READ_CONCURRENCY, key => (cancelled() ? Promise.resolve(undefined) : cache.peek(key)));
		const results = new Map<string, CachedResult>();
		keys.forEach((key, i) => {
			const result = read[i];
			if (result) results.set(key, result);
		});
		for (const line of buildSearchItems(chunk, results)) lines.push(line);
	}
	return lines;
}
