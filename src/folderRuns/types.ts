/**
 * A batch of images analyzed together ("Analyze Folder…", a multi-selection): what the summary
 * view lists, what export writes, what "Retry failed" starts from. Results themselves live in the
 * result cache (see ../cache/resultCache.ts) so that a batch of thousands keeps only this list
 * in memory.
 */
import type { FeatureKind } from '../settings/config';

export type BatchStatus = 'pending' | 'done' | 'cached' | 'failed';

export interface BatchItem {
	/** `vscode.Uri.toString()` of the file. */
	uri: string;
	/** Workspace-relative path, as shown. */
	label: string;
	status: BatchStatus;
	/** When failed: a sentence naming the file and the reason (with the request id for service errors). */
	error?: string;
	requestId?: string;
	/** When done or cached: where the result is in the result cache. */
	cacheKey?: string;
}

export interface BatchRun {
	/** Increasing within a session. */
	id: number;
	/** What was analyzed, e.g. `images` or `3 selected items`. */
	title: string;
	kinds: FeatureKind[];
	startedAt: string;
	/** Set when every item has left `pending`. */
	finishedAt?: string;
	cancelled: boolean;
	items: BatchItem[];
}

/** Told about every change while a batch runs; the summary view refreshes from it. */
export interface BatchObserver {
	/** A new run started (replacing the one shown), or `item` of `run` changed, or the run finished. */
	changed(run: BatchRun, item?: BatchItem): void;
}

export interface BatchCounts {
	total: number;
	pending: number;
	done: number;
	cached: number;
	failed: number;
}

export function countBatch(run: BatchRun): BatchCounts {
	const counts: BatchCounts = { total: run.items.length, pending: 0, done: 0, cached: 0, failed: 0 };
	for (const item of run.items) counts[item.status]++;
	return counts;
}
