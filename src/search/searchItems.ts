/**
 * "Search Text in Images…" without VS Code: which cached results may be offered (files of the
 * workspace still holding the bytes that were analyzed), and one entry per recognized line with
 * the indexes of its words, as the results panel numbers them (wordsInReadingOrder).
 */
import type { CacheEntryInfo, CachedResult } from '../cache/resultCache';
import { WORD_SEPARATOR, wordsInReadingOrder } from '../results/text';

/** A file whose text may be searched: its uri, what was recorded about it, and the result's key. */
export interface SearchCandidate {
	uri: string;
	key: string;
	size: number;
	mtime: number;
	/** Of the cache entry: when one file has several current results, the latest used wins. */
	lastUsed: number;
}

/** A file to search, as listed. */
export interface SearchEntry {
	uri: string;
	key: string;
	/** Workspace-relative path. */
	label: string;
}

/** One recognized line. */
export interface SearchItem {
	/** The line's words, as the panel shows them. */
	label: string;
	/** The file's workspace-relative path. */
	description: string;
	uri: string;
	key: string;
	/** From 1. */
	page: number;
	pageCount: number;
	/** The line's words as indexes into wordsInReadingOrder: what the panel selects. */
	selection: number[];
}

/** The current size and modification time of a file; undefined when it is gone. */
export interface FileStamp {
	size: number;
	mtime: number;
}

/** Files in the workspace recorded with results that have recognized text. */
export function textCandidates(entries: readonly CacheEntryInfo[], inWorkspace: (uri: string) => boolean): SearchCandidate[] {
	const candidates: SearchCandidate[] = [];
	for (const entry of entries) {
		if (!entry.types.includes('TEXT_DETECTION')) continue;
		for (const file of entry.files) {
			if (inWorkspace(file.uri)) candidates.push({ uri: file.uri, key: entry.key, size: file.size, mtime: file.mtime, lastUsed: entry.lastUsed });
		}
	}
	return candidates;
}

/**
 * The candidates whose file still has the size and modification time recorded with the result:
 * a file changed or deleted since must not be found by its old text. One per file.
 */
export function currentCandidates(candidates: readonly SearchCandidate[], stamps: ReadonlyMap<string, FileStamp | undefined>): SearchCandidate[] {
	const byUri = new Map<string, SearchCandidate>();
	for (const candidate of candidates) {
		const stamp = stamps.get(candidate.uri);
		if (!stamp || stamp.size !== candidate.size || stamp.mtime !== candidate.mtime) continue;
		const other = byUri.get(candidate.uri);
		if (!other || candidate.lastUsed > other.lastUsed) byUri.set(candidate.uri, candidate);
	}
	return [...byUri.values()];
}

/** One item per recognized line with text, file by file in the order given, lines in reading order. */
export function buildSearchItems(entries: readonly SearchEntry[], results: ReadonlyMap<string, CachedResult>): SearchItem[] {
	const items: SearchItem[] = [];
	for (const entry of entries) {
		const text = results.get(entry.key)?.features.find(feature => feature.type === 'TEXT_DETECTION' && !feature.result.error);
		const annotation = text?.result.textDetection;
		if (!annotation) continue;
		const pageCount = annotation.pages.length;
		let current: SearchItem | undefined;
		let lineOf = '';
		wordsInReadingOrder(annotation).forEach((word, index) => {
			const line = `${word.page}/${word.block}/${word.line}`;
			if (current && line === lineOf) {
				current.label += WORD_SEPARATOR + word.text;
				current.selection.push(index);
				return;
			}
			current = { label: word.text, description: entry.label, uri: entry.uri, key: entry.key, page: word.page + 1, pageCount, selection: [index] };
			lineOf = line;
			items.push(current);
		});
	}
	return items;
}

/** What a search list shows for a query: the first `limit` matches, and how many there are. */
export interface SearchMatches {
	items: SearchItem[];
	matched: number;
}

/**
 * The lines to search, each line's text and path lower-cased once: a long list is matched again
 * on every keystroke.
 */
export function searchIndex(items: readonly SearchItem[], locale?: string): { match(query: string, limit: number): SearchMatches } {
	const texts = items.map(item => `${item.label}\n${item.description}`.toLocaleLowerCase(locale));
	return {
		/**
		 * The lines containing every word of `query` (case-insensitive, in the line or its file's
		 * path), in their order, at most `limit`, and how many matched.
		 */
		match(query, limit) {
			const words = query.toLocaleLowerCase(locale).split(/\s+/).filter(Boolean);
			const found: SearchItem[] = [];
			let matched = 0;
			items.forEach((item, index) => {
				if (!words.every(word => texts[index]!.includes(word))) return;
				matched++;
				if (found.length < limit) found.push(item);
			});
			return { items: found, matched };
		},
	};
}

/** `fn` over `items` with at most `limit` running at once; results in the order of `items`. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index]!);
		}
	};
	await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
	return results;
}
