/**
 * The OCR API's recognitions started and not yet read, kept in the extension's global state:
 * after a window reload or a crashed extension host the same file (same bytes, model and
 * languages: the cache key) is read from its operation instead of being started, and billed,
 * again. An entry holds the operation id, when it started and the document's pages — never a
 * credential or a path. The service keeps results 3 days; older entries are dropped.
 */
import type * as vscode from 'vscode';
import { OPERATION_RESULTS_KEPT_MS } from '../api/ocr/operation';
import type { StartedOperation } from '../api/ocr/recognizeDocument';
import type { OperationJournal } from './engines';

const PREFIX = 'yandexVision.operation.';

interface Entry {
	id: string;
	createdAt: number;
	pages?: number;
}

export class MementoJournal implements OperationJournal {
	constructor(private readonly memento: vscode.Memento, private readonly now: () => number = Date.now) {}

	find(cacheKey: string): StartedOperation | undefined {
		const entry = readEntry(this.memento.get(PREFIX + cacheKey));
		if (!entry || this.now() - entry.createdAt > OPERATION_RESULTS_KEPT_MS) return undefined;
		return { id: entry.id, createdAt: entry.createdAt };
	}

	async record(cacheKey: string, operation: StartedOperation, pages: number | undefined): Promise<void> {
		const entry: Entry = { id: operation.id, createdAt: operation.createdAt, ...pages !== undefined ? { pages } : {} };
		await this.memento.update(PREFIX + cacheKey, entry);
	}

	async forget(cacheKey: string): Promise<void> {
		if (this.memento.get(PREFIX + cacheKey) !== undefined) await this.memento.update(PREFIX + cacheKey, undefined);
	}

	/** Operations still waiting to be read. */
	pending(): { cacheKey: string; operation: StartedOperation; pages?: number }[] {
		const found: { cacheKey: string; operation: StartedOperation; pages?: number }[] = [];
		for (const key of this.memento.keys()) {
			if (!key.startsWith(PREFIX)) continue;
			const entry = readEntry(this.memento.get(key));
			if (entry) found.push({ cacheKey: key.slice(PREFIX.length), operation: { id: entry.id, createdAt: entry.createdAt }, ...entry.pages !== undefined ? { pages: entry.pages } : {} });
		}
		return found;
	}

	/** Drops entries whose results the service no longer keeps (and unreadable ones); resolves how many expired. */
	async dropExpired(): Promise<number> {
		let expired = 0;
		for (const key of this.memento.keys()) {
			if (!key.startsWith(PREFIX)) continue;
			const entry = readEntry(this.memento.get(key));
			if (entry && this.now() - entry.createdAt <= OPERATION_RESULTS_KEPT_MS) continue;
			if (entry) expired++;
			await this.memento.update(key, undefined);
		}
		return expired;
	}
}

function readEntry(value: unknown): Entry | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const { id, createdAt, pages } = value as Record<string, unknown>;
	if (typeof id !== 'string' || id === '' || typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return undefined;
	return { id, createdAt, ...typeof pages === 'number' ? { pages } : {} };
}
