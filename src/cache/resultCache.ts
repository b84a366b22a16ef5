/**
 * Analysis results kept on disk, keyed by the image's bytes and the request's features, so the
 * same image analyzed the same way is answered without a request (and without spending quota).
 *
 * Layout of the folder: one `<key>.json` per entry, plus `index.json` with what eviction and
 * search need (last use, size, feature types, files seen) so they never read the entries.
 * Every file is written to a temporary name in the same folder and renamed into place, so a
 * reader (in this window or another one sharing the folder) sees a whole file or none.
 * The index is a summary that can always be rebuilt from the entry files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FeatureView, FitView } from '../shared/protocol';
import { FEATURE_TYPES, type FeatureType } from '../results/types';
import { type Feature } from '../api/batchAnalyze/types';

/** What is kept per analyzed image: the panel's model minus where the image is. */
export interface CachedResult {
	/** Already mapped to the original upright image's pixels. */
	features: FeatureView[];
	requestId?: string;
	analyzedAt: string;
	fitted?: FitView;
}
/** A file seen holding these bytes; `mtime`/`size` from vscode.workspace.fs.stat. */
export interface CachedFile { uri: string; size: number; mtime: number }
export interface CacheEntryInfo {
	key: string;
	/** Feature types of the result, so search can skip entries without TEXT_DETECTION unread. */
	types: FeatureType[];
	files: readonly CachedFile[];
	lastUsed: number;
	bytes: number;
}
export interface CacheStats { entries: number; bytes: number; maxBytes: number }

export interface ResultCacheOptions {
	maxBytes?: number;
	now?: () => number;
	warn?: (message: string) => void;
}

export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
/** Bumped when the key's inputs or the entry format change, so old entries stop matching. */
const FORMAT_VERSION = 1;
const INDEX_FILE = 'index.json';
const INDEX_DELAY_MS = 500;
/** The files a result was seen in; older ones beyond this are forgotten. */
const MAX_FILES_PER_ENTRY = 16;
/** A temporary file this old was left by a crash, not by a write in progress in another window. */
const STALE_TEMP_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[0-9a-f]{1,128}$/;
const ENTRY_NAME = /^([0-9a-f]{1,128})\.json$/;
const TEMP_SUFFIX = '.tmp';
/** Open files at a time while rebuilding, to stay under the descriptor limit. */
const READ_CONCURRENCY = 16;

/** SHA-256 (hex) of the image bytes + the features with their config, canonical (key order, defaults) — hex. */
export function cacheKey(imageSha256: string, features: readonly Feature[]): string {
	const request = { v: FORMAT_VERSION, image: imageSha256.toLowerCase(), features: features.map(normalizeFeature) };
	return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/**
 * The key of an OCR API result: the bytes, the model and the languages as sent. The engine is part
 * of what is hashed, so the same image read by batchAnalyze never answers for it.
 */
export function ocrApiCacheKey(imageSha256: string, request: { model: string; languageCodes: readonly string[] }): string {
	const key = { v: FORMAT_VERSION, image: imageSha256.toLowerCase(), engine: 'ocr-api', model: request.model || 'page', languageCodes: [...request.languageCodes] };
	return createHash('sha256').update(canonicalJson(key)).digest('hex');
}

export function sha256Hex(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** The feature as the service understands it: defaults filled in, config that does not apply dropped. */
function normalizeFeature(feature: Feature): Record<string, unknown> {
	switch (feature.type) {
		case 'TEXT_DETECTION':
			return {
				type: feature.type,
				textDetectionConfig: {
					// Order is kept: the first language leads the service's model choice.
					languageCodes: [...(feature.textDetectionConfig?.languageCodes ?? [])],
					model: feature.textDetectionConfig?.model || 'page',
				},
			};
		case 'CLASSIFICATION':
			return { type: feature.type, classificationConfig: { model: feature.classificationConfig?.model ?? '' } };
		case 'FACE_DETECTION':
		case 'IMAGE_COPY_SEARCH':
			return { type: feature.type };
	}
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const record = value as Record<string, unknown>;
		const fields = Object.keys(record)
			.filter(name => record[name] !== undefined)
			.sort()
			.map(name => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
		return `{${fields.join(',')}}`;
	}
	return JSON.stringify(value);
}

interface IndexEntry {
	lastUsed: number;
	bytes: number;
	types: FeatureType[];
	files: CachedFile[];
}

/** An entry file's content. */
interface StoredEntry {
	v: number;
	key: string;
	files: CachedFile[];
	result: CachedResult;
}

export class ResultCache {
	private readonly index = new Map<string, IndexEntry>();
	private totalBytes = 0;
	/** Per key, the tail of its queue of operations: one at a time per key. */
	private readonly queues = new Map<string, Promise<unknown>>();
	/** Public operations in progress, for dispose to wait on. */
	private readonly inFlight = new Set<Promise<unknown>>();
	/** Keys dropped from the index whose files are about to be deleted; a put in between cancels the delete. */
	private readonly pendingDelete = new Set<string>();
	private indexDirty = false;
	private indexTimer: NodeJS.Timeout | undefined;
	private indexWrites: Promise<void> = Promise.resolve();
	/** One warning per run of failed writes, not one per file. */
	private writeFailureWarned = false;
	private disposed = false;
	private readonly maxBytes: number;
	private readonly now: () => number;
	private readonly warn: (message: string) => void;

	private constructor(private readonly dir: string, options: ResultCacheOptions) {
		this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
		this.now = options.now ?? Date.now;
		this.warn = options.warn ?? (() => undefined);
	}

	static async open(dir: string, options: ResultCacheOptions = {}): Promise<ResultCache> {
		if (options.maxBytes !== undefined && !(options.maxBytes > 0)) {
			throw new RangeError(`The result cache size must be positive, got ${options.maxBytes} bytes`);
		}
		try {
			await fs.mkdir(dir, { recursive: true });
		} catch (error) {
			throw new Error(`Cannot create the result cache folder ${dir}: ${messageOf(error)}`);
		}
		const cache = new ResultCache(dir, options);
		await cache.load();
		return cache;
	}

	/** The result, marking it most recently used; undefined on a miss or an unreadable entry (which is dropped). */
	async get(key: string): Promise<CachedResult | undefined> {
		const checked = checkKey(key);
		return this.track(this.serialized(checked, () => this.read(checked, true)));
	}

	/** Like get, without touching the LRU order (search, export). */
	async peek(key: string): Promise<CachedResult | undefined> {
		const checked = checkKey(key);
		return this.track(this.serialized(checked, () => this.read(checked, false)));
	}

	/** Stores (replacing), records `file`, then evicts least recently used entries until under maxBytes. */
	async put(key: string, result: CachedResult, file?: CachedFile): Promise<void> {
		const checked = checkKey(key);
		return this.track((async () => {
			await this.serialized(checked, () => this.store(checked, result, file));
			await this.evict(checked);
		})());
	}

	/** Records that `file` holds the bytes of `key` (a hit from another path or after a rename). */
	async seen(key: string, file: CachedFile): Promise<void> {
		const checked = checkKey(key);
		return this.track(this.serialized(checked, async () => {
			const entry = this.index.get(checked);
			if (!entry) return;
			entry.files = withFile(entry.files, file);
			this.scheduleIndexWrite();
		}));
	}

	/** Most recently used first. */
	entries(): readonly CacheEntryInfo[] {
		return [...this.index]
			.map(([key, entry]) => ({ key, types: [...entry.types], files: [...entry.files], lastUsed: entry.lastUsed, bytes: entry.bytes }))
			.sort((a, b) => b.lastUsed - a.lastUsed);
	}

	/** Removes everything; resolves with how many entries were removed. */
	clear(): Promise<number> {
		return this.track((async () => {
			// Entries another window added are in the folder but not in this index.
			const keys = new Set([...this.index.keys(), ...(await this.entryKeysOnDisk())]);
			for (const key of keys) {
				this.dropFromIndex(key);
				this.pendingDelete.add(key);
			}
			const removed = await Promise.all([...keys].map(key => this.serialized(key, () => this.deleteIfPending(key))));
			await this.flush();
			return removed.filter(Boolean).length;
		})());
	}

	stats(): CacheStats {
		return { entries: this.index.size, bytes: this.totalBytes, maxBytes: this.maxBytes };
	}

	/** Writes pending index changes. */
	flush(): Promise<void> {
		if (this.indexTimer) {
			clearTimeout(this.indexTimer);
			this.indexTimer = undefined;
		}
		this.indexWrites = this.indexWrites.then(() => this.writeIndex());
		return this.indexWrites;
	}

	async dispose(): Promise<void> {
		this.disposed = true;
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
		await this.flush();
	}

	private async load(): Promise<void> {
		let names: string[];
		try {
			names = await fs.readdir(this.dir);
		} catch (error) {
			throw new Error(`Cannot read the result cache folder ${this.dir}: ${messageOf(error)}`);
		}
		const indexed = await this.readIndex();
		let changed = false;
		const onDisk = new Set<string>();
		const unknown: string[] = [];
		const temporary: string[] = [];
		for (const name of names) {
			const match = ENTRY_NAME.exec(name);
			if (match) {
				const key = match[1]!;
				onDisk.add(key);
				const entry = indexed?.get(key);
				if (entry) this.setEntry(key, entry);
				else unknown.push(key);
			} else if (name.endsWith(TEMP_SUFFIX)) {
				temporary.push(name);
			}
		}
		// Entries another window evicted since the index was written.
		if (indexed && [...indexed.keys()].some(key => !onDisk.has(key))) changed = true;
		// Entries the index does not know: written by another window, or the index was lost.
		await forEachLimited(unknown, READ_CONCURRENCY, async key => {
			if (await this.adopt(key)) changed = true;
		});
		await forEachLimited(temporary, READ_CONCURRENCY, name => this.removeIfStale(name));
		if (changed) this.scheduleIndexWrite();
		await this.evict();
	}

	/** The index as written, or undefined when it is missing or unreadable. */
	private async readIndex(): Promise<Map<string, IndexEntry> | undefined> {
		let text: string;
		try {
			text = await fs.readFile(this.indexPath(), 'utf8');
		} catch (error) {
			if (codeOf(error) !== 'ENOENT') {
				this.warn(`The result cache index could not be read (${messageOf(error)}); rebuilding it from the entries.`);
				this.scheduleIndexWrite();
			}
			return undefined;
		}
		const index = parseIndex(text);
		if (!index) {
			this.warn('The result cache index was damaged; rebuilding it from the entries.');
			this.scheduleIndexWrite();
		}
		return index;
	}

	/** Puts an entry file the index did not list into the index; a damaged one is deleted. */
	private async adopt(key: string): Promise<boolean> {
		const file = this.entryPath(key);
		try {
			const [buffer, stat] = await Promise.all([fs.readFile(file), fs.stat(file)]);
			const stored = parseEntry(buffer, key);
			if (!stored) {
				await removeQuietly(file);
				return false;
			}
			this.setEntry(key, { lastUsed: stat.mtimeMs, bytes: buffer.length, types: typesOf(stored.result), files: stored.files });
			return true;
		} catch {
			// Removed meanwhile by another window.
			return false;
		}
	}

	private async removeIfStale(name: string): Promise<void> {
		const file = path.join(this.dir, name);
		try {
			const stat = await fs.stat(file);
			if (Date.now() - stat.mtimeMs > STALE_TEMP_MS) await fs.unlink(file);
		} catch {
			// Renamed into place or removed by its writer meanwhile.
		}
	}

	private async read(key: string, touch: boolean): Promise<CachedResult | undefined> {
		const file = this.entryPath(key);
		let buffer: Buffer;
		try {
			buffer = await fs.readFile(file);
		} catch {
			// Gone (evicted or cleared by another window) or unreadable: a miss either way.
			this.dropFromIndex(key);
			return undefined;
		}
		const stored = parseEntry(buffer, key);
		if (!stored) {
			this.dropFromIndex(key);
			await removeQuietly(file);
			return undefined;
		}
		// Already chosen for eviction: answer, but do not bring it back.
		if (this.pendingDelete.has(key)) return stored.result;
		const known = this.index.get(key);
		if (!known) {
			// Written by another window after this one opened the folder.
			const lastUsed = touch ? this.now() : await mtimeOf(file, this.now());
			this.setEntry(key, { lastUsed, bytes: buffer.length, types: typesOf(stored.result), files: stored.files });
			this.scheduleIndexWrite();
		} else if (touch || known.bytes !== buffer.length) {
			// Another window may have replaced the file with a result of another size.
			this.setEntry(key, { ...known, bytes: buffer.length, types: typesOf(stored.result), lastUsed: touch ? this.now() : known.lastUsed });
			this.scheduleIndexWrite();
		}
		return stored.result;
	}

	private async store(key: string, result: CachedResult, file: CachedFile | undefined): Promise<void> {
		const files = file ? withFile(this.index.get(key)?.files ?? [], file) : [...(this.index.get(key)?.files ?? [])];
		const stored: StoredEntry = { v: FORMAT_VERSION, key, files, result };
		const text = JSON.stringify(stored);
		const bytes = Buffer.byteLength(text);
		if (bytes > this.maxBytes) {
			// Storing it would evict everything else and still not fit; the previous result goes too, as a put replaces.
			this.dropFromIndex(key);
			this.pendingDelete.delete(key);
			await removeQuietly(this.entryPath(key));
			return;
		}
		try {
			await writeAtomically(this.entryPath(key), text);
			this.writeFailureWarned = false;
		} catch (error) {
			this.warnWriteFailure(`A result could not be saved in the cache (${messageOf(error)}); it will be requested again next time.`);
			return;
		}
		this.pendingDelete.delete(key);
		this.setEntry(key, { lastUsed: this.now(), bytes, types: typesOf(result), files });
		this.scheduleIndexWrite();
	}

	/** Drops least recently used entries until the total fits; `keep` is the entry just stored. */
	private async evict(keep?: string): Promise<void> {
		if (this.totalBytes <= this.maxBytes) return;
		const oldestFirst = [...this.index].filter(([key]) => key !== keep).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
		const victims: string[] = [];
		for (const [key] of oldestFirst) {
			if (this.totalBytes <= this.maxBytes) break;
			this.dropFromIndex(key);
			this.pendingDelete.add(key);
			victims.push(key);
		}
		await Promise.all(victims.map(key => this.serialized(key, () => this.deleteIfPending(key))));
	}

	private dropFromIndex(key: string): void {
		const entry = this.index.get(key);
		if (!entry) return;
		this.index.delete(key);
		this.totalBytes -= entry.bytes;
		this.scheduleIndexWrite();
	}

	/** Deletes the file unless a put stored the key again since it was dropped; true if a file was deleted. */
	private async deleteIfPending(key: string): Promise<boolean> {
		if (!this.pendingDelete.delete(key)) return false;
		try {
			await fs.unlink(this.entryPath(key));
			return true;
		} catch (error) {
			if (codeOf(error) !== 'ENOENT') this.warn(`A cached result could not be deleted (${messageOf(error)}).`);
			return false;
		}
	}

	private setEntry(key: string, entry: IndexEntry): void {
		this.totalBytes += entry.bytes - (this.index.get(key)?.bytes ?? 0);
		this.index.set(key, entry);
	}

	private async entryKeysOnDisk(): Promise<string[]> {
		try {
			const names = await fs.readdir(this.dir);
			return names.flatMap(name => {
				const match = ENTRY_NAME.exec(name);
				return match ? [match[1]!] : [];
			});
		} catch {
			return [];
		}
	}

	private scheduleIndexWrite(): void {
		this.indexDirty = true;
		if (this.indexTimer || this.disposed) return;
		this.indexTimer = setTimeout(() => void this.flush(), INDEX_DELAY_MS);
		// A pending index write must not keep the process alive; dispose() writes it.
		this.indexTimer.unref();
	}

	private async writeIndex(): Promise<void> {
		if (!this.indexDirty) return;
		this.indexDirty = false;
		const entries: Record<string, IndexEntry> = {};
		for (const [key, entry] of this.index) entries[key] = entry;
		try {
			await writeAtomically(this.indexPath(), JSON.stringify({ v: FORMAT_VERSION, entries }));
			this.writeFailureWarned = false;
		} catch (error) {
			// The in-memory index keeps serving this window; the next change tries again.
			this.indexDirty = true;
			this.warnWriteFailure(`The result cache index could not be saved (${messageOf(error)}); the cache works for this session only.`);
		}
	}

	private warnWriteFailure(message: string): void {
		if (this.writeFailureWarned) return;
		this.writeFailureWarned = true;
		this.warn(message);
	}

	/** Runs `task` after every earlier operation on `key` has settled. */
	private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.queues.get(key) ?? Promise.resolve();
		const run = previous.then(task);
		const tail = run.then(() => undefined, () => undefined);
		this.queues.set(key, tail);
		void tail.then(() => {
			if (this.queues.get(key) === tail) this.queues.delete(key);
		});
		return run;
	}

	private track<T>(operation: Promise<T>): Promise<T> {
		this.inFlight.add(operation);
		const settled = () => this.inFlight.delete(operation);
		operation.then(settled, settled);
		return operation;
	}

	private entryPath(key: string): string {
		return path.join(this.dir, `${key}.json`);
	}

	private indexPath(): string {
		return path.join(this.dir, INDEX_FILE);
	}
}

/** The key as a file name: lowercase hex only, so it can never name a path outside the folder. */
function checkKey(key: string): string {
	const lower = typeof key === 'string' ? key.toLowerCase() : '';
	if (!KEY_PATTERN.test(lower)) throw new TypeError(`Not a result cache key: ${JSON.stringify(key)}`);
	return lower;
}

/** The files with `file` as the latest, one per URI, the oldest forgotten beyond the cap. */
function withFile(files: readonly CachedFile[], file: CachedFile): CachedFile[] {
	const others = files.filter(existing => existing.uri !== file.uri);
	return [...others, { uri: file.uri, size: file.size, mtime: file.mtime }].slice(-MAX_FILES_PER_ENTRY);
}

function typesOf(result: CachedResult): FeatureType[] {
	return [...new Set(result.features.map(feature => feature.type))];
}

function parseIndex(text: string): Map<string, IndexEntry> | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!isRecord(value) || value.v !== FORMAT_VERSION || !isRecord(value.entries)) return undefined;
	const index = new Map<string, IndexEntry>();
	for (const [key, entry] of Object.entries(value.entries)) {
		// A malformed line is skipped; its entry file is adopted as if unindexed.
		if (KEY_PATTERN.test(key) && isIndexEntry(entry)) index.set(key, entry);
	}
	return index;
}

/** The entry file's content, or undefined when it is truncated, damaged or belongs to another key. */
function parseEntry(buffer: Buffer, key: string): StoredEntry | undefined {
	let value: unknown;
	try {
		value = JSON.parse(buffer.toString('utf8'));
	} catch {
		return undefined;
	}
	if (!isRecord(value) || value.v !== FORMAT_VERSION || value.key !== key) return undefined;
	if (!Array.isArray(value.files) || !value.files.every(isCachedFile) || !isCachedResult(value.result)) return undefined;
	return value as unknown as StoredEntry;
}

function isIndexEntry(value: unknown): value is IndexEntry {
	return isRecord(value)
		&& Number.isFinite(value.lastUsed)
		&& Number.isSafeInteger(value.bytes) && (value.bytes as number) >= 0
		&& Array.isArray(value.types) && value.types.every(isFeatureType)
		&& Array.isArray(value.files) && value.files.every(isCachedFile);
}

function isCachedResult(value: unknown): value is CachedResult {
	return isRecord(value)
		&& typeof value.analyzedAt === 'string'
		&& (value.requestId === undefined || typeof value.requestId === 'string')
		&& (value.fitted === undefined || isRecord(value.fitted))
		&& Array.isArray(value.features)
		&& value.features.every(feature => isRecord(feature) && isFeatureType(feature.type) && isRecord(feature.result));
}

function isCachedFile(value: unknown): value is CachedFile {
	return isRecord(value) && typeof value.uri === 'string' && Number.isFinite(value.size) && Number.isFinite(value.mtime);
}

function isFeatureType(value: unknown): value is FeatureType {
	return (FEATURE_TYPES as readonly unknown[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Writes next to the target and renames over it: readers see the old file or the new one, never a part. */
async function writeAtomically(file: string, text: string): Promise<void> {
	const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
	try {
		await fs.writeFile(temporary, text);
		await renameWithRetry(temporary, file);
	} catch (error) {
		await removeQuietly(temporary);
		throw error;
	}
}

/** On Windows a rename over a file another process is reading fails briefly with EPERM/EBUSY. */
async function renameWithRetry(from: string, to: string): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		try {
			await fs.rename(from, to);
			return;
		} catch (error) {
			const code = codeOf(error);
			if (attempt >= 4 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
			await new Promise(resolve => setTimeout(resolve, 10 * 2 ** attempt));
		}
	}
}

async function removeQuietly(file: string): Promise<void> {
	try {
		await fs.unlink(file);
	} catch {
		// Already gone, or not ours to remove: either way it is not an entry any more.
	}
}

async function mtimeOf(file: string, fallback: number): Promise<number> {
	try {
		return (await fs.stat(file)).mtimeMs;
	} catch {
		return fallback;
	}
}

async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) await task(items[next++]!);
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function codeOf(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
