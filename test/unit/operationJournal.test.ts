/**
 * The journal of recognitions in flight, over a Memento as VS Code's global state is one: what a
 * reloaded window finds, what it forgets, and what it drops once the service no longer keeps it.
 */
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { OPERATION_RESULTS_KEPT_MS } from '../../src/api/ocr/operation';
import { MementoJournal } from '../../src/analysis/operationJournal';

class MemoryMemento implements vscode.Memento {
	readonly values = new Map<string, unknown>();
	keys(): readonly string[] {
		return [...this.values.keys()];
	}
	get<T>(key: string, fallback?: T): T | undefined {
		return (this.values.has(key) ? this.values.get(key) : fallback) as T | undefined;
	}
	async update(key: string, value: unknown): Promise<void> {
		if (value === undefined) this.values.delete(key);
		else this.values.set(key, value);
	}
}

describe('the journal of recognitions in flight', () => {
	let now = 1_700_000_000_000;
	const clock = () => now;

	it('finds an operation by the cache key it was recorded under, after a new journal opens the same state', async () => {
		const memento = new MemoryMemento();
		await new MementoJournal(memento, clock).record('key-a', { id: 'fd3op1', createdAt: now }, 120);
		const reopened = new MementoJournal(memento, clock);
		assert.deepEqual(reopened.find('key-a'), { id: 'fd3op1', createdAt: now });
		assert.equal(reopened.find('key-b'), undefined);
		assert.deepEqual(reopened.pending(), [{ cacheKey: 'key-a', operation: { id: 'fd3op1', createdAt: now }, pages: 120 }]);
		assert.deepEqual(Object.keys(memento.get<object>(memento.keys()[0]!)!).sort(), ['createdAt', 'id', 'pages'], 'an id, a time and a page count: no credential, no path');
	});

	it('forgets what was read, and leaves other state alone', async () => {
		const memento = new MemoryMemento();
		await memento.update('yandexVision.ocrModels.recent', ['table']);
		const journal = new MementoJournal(memento, clock);
		await journal.record('key-a', { id: 'op1', createdAt: now }, undefined);
		await journal.forget('key-a');
		await journal.forget('key-never-recorded');
		assert.deepEqual(memento.keys(), ['yandexVision.ocrModels.recent']);
	});

	it('drops operations older than the service keeps results (3 days) and unreadable entries, counting the expired', async () => {
		const memento = new MemoryMemento();
		const journal = new MementoJournal(memento, clock);
		await journal.record('old', { id: 'op-old', createdAt: now - OPERATION_RESULTS_KEPT_MS - 1 }, 3);
		await journal.record('fresh', { id: 'op-fresh', createdAt: now - 60_000 }, 3);
		await memento.update('yandexVision.operation.broken', { id: 42 });
		assert.equal(journal.find('old'), undefined, 'an expired operation is never taken up');
		assert.equal(await journal.dropExpired(), 1);
		assert.deepEqual(journal.pending().map(entry => entry.cacheKey), ['fresh']);
		now += OPERATION_RESULTS_KEPT_MS;
		assert.equal(await journal.dropExpired(), 1);
		assert.deepEqual(memento.keys(), []);
	});
});
