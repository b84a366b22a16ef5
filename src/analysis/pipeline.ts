/**
 * From image files to results, streaming: each file is read and hashed (a result already in the
 * cache ends it there), fitted when the service cannot take it as it is, packed with others into
 * requests (up to 8 for batchAnalyze, one for the OCR API: see ./engines.ts), and sent with
 * bounded concurrency under the client's rate limit while reading goes on. Boxes are mapped back to the original's pixels and results without errors are
 * kept in the cache. Only `readAhead` images wait in memory to be sent, so a folder of thousands
 * is never held at once.
 *
 * Every source ends in exactly one outcome — done, cached or failed — whatever happens: a file
 * that cannot be read, a request the service refuses, a fault, or Cancel (after which no request
 * starts, the ones in flight are aborted, and what had finished is kept).
 */
import { setMaxListeners } from 'node:events';
import type { CallMeta } from '../api/transport/callWithRetries';
import { RpcCode, VisionError } from '../api/transport/errors';
import { sha256Hex, type CachedFile, type CachedResult, type ResultCache } from '../cache/resultCache';
import { ImageError } from '../images/errors';
import { mapResultToOriginal } from '../images/mapping';
import { prepareImage, summarizeFit, type Fitter, type FittedImage } from '../images/prepareImage';
import type { AnalyzeResult } from '../results/types';
import type { AnalysisEngine, DocumentProgress } from './engines';

export interface PipelineSource {
	/** How messages name the file, e.g. its workspace-relative path. */
	name: string;
	/**
	 * The file's bytes; `file` is recorded in the cache with its result. Throwing fails this
	 * source alone: a {@link SourceError} or an ImageError says why in a sentence naming the file.
	 */
	read(signal: AbortSignal): Promise<{ bytes: Uint8Array; file?: CachedFile }>;
}

export type PipelineOutcome =
	| {
		status: 'done';
		result: CachedResult;
		cacheKey: string;
		requestId?: string;
		/** Whether the result is in the cache now: not when a feature failed, the cache is off, or storing failed. */
		stored: boolean;
	}
	/** Nothing was sent: the result was in the cache, or another source of this run had the same bytes. */
	| { status: 'cached'; result: CachedResult; cacheKey: string }
	| {
		status: 'failed';
		/** `kind: 'cancelled'` for what Cancel stopped. */
		error: VisionError;
		/** The whole message, naming the file, for errors about the file itself. */
		sentence?: string;
	};

export interface PipelineOptions {
	/** The service and its request: batchAnalyze with its features, or the OCR API with its model. */
	engine: AnalysisEngine;
	fitter: Fitter;
	cache?: Pick<ResultCache, 'get' | 'put' | 'seen'>;
	signal?: AbortSignal;
	/** Requests in flight (or waiting for the client's rate limiter) at once. */
	concurrency?: number;
	/** Images read or fitted and waiting to be sent, at most: bounds memory. */
	readAhead?: number;
	/**
	 * Files read (and fitted) at once: bounds the memory that large originals take together. By
	 * default one more than the fitter fits at once, so that the next file is read while it works.
	 */
	readers?: number;
	/**
	 * How long the first request, when not full, may wait for images still being read or fitted,
	 * from when its first image was ready; later ones wait up to 4 times as long. Requests stay
	 * full while the first results still come soon.
	 */
	lingerMs?: number;
	/**
	 * An error after which nothing can succeed (credentials refused): no request starts after it,
	 * and every source not yet done fails with it.
	 */
	isFatal?(error: VisionError): boolean;
	/** Called once per source as soon as its outcome is known. */
	onOutcome?(index: number, outcome: PipelineOutcome): void;
	/** A long document's pages as they arrive, before its outcome (see DocumentProgress). */
	onProgress?(index: number, progress: DocumentProgress): void;
	/** Called when a source had to be fitted to the service's limits, for the log. */
	onFitted?(index: number, fitted: FittedImage): void;
	/** Problems that fail nothing, such as a result that could not be stored in the cache. */
	onWarning?(message: string): void;
}

/** Thrown by {@link PipelineSource.read}: `message` is the whole sentence to show, naming the file. */
export class SourceError extends Error {
	override readonly name = 'SourceError';
}

const EMPTY = new Uint8Array(0);
const DEFAULT_CONCURRENCY = 8;
const DEFAULT_READ_AHEAD = 24;
const DEFAULT_READERS = 2;
/**
 * Fitting a phone photo takes 0.3–2 s: 8 of them take several seconds, and a request of one image
 * costs the quota as much as one of 8. 6 s fills a request of 12 MP photos, and still sends the
 * first of a folder of 48 MP ones within seconds.
 */
const DEFAULT_LINGER_MS = 6_000;
const LATER_LINGER_FACTOR = 4;

/** Analyzes every source; outcomes in source order. */
export async function runPipeline(sources: readonly PipelineSource[], options: PipelineOptions): Promise<PipelineOutcome[]> {
	const outcomes = new Array<PipelineOutcome>(sources.length);
	await streamPipeline(sources, {
		...options,
		onOutcome: (index, outcome) => {
			outcomes[index] = outcome;
			options.onOutcome?.(index, outcome);
		},
	});
	return outcomes;
}

/**
 * Like {@link runPipeline}, but outcomes go to `onOutcome` only: a batch of thousands keeps no
 * results in memory, they are in the cache. Resolves when every source has its outcome.
 */
export function streamPipeline(sources: readonly PipelineSource[], options: PipelineOptions): Promise<void> {
	return new Pipeline(sources, options).finished;
}

/** A source read and ready to go out. */
interface Ready {
	index: number;
	key: string;
	/** The file as it is sent; let go (empty) once the service has it. */
	content: Uint8Array;
	fitted: FittedImage | undefined;
	file: CachedFile | undefined;
	readyAt: number;
}

/** A source holding the same bytes as one already on its way: it takes that one's outcome. */
interface Follower {
	index: number;
	file: CachedFile | undefined;
}

class Pipeline {
	readonly finished: Promise<void>;
	private resolveFinished!: () => void;
	private rejectFinished!: (reason: unknown) => void;

	private readonly signal: AbortSignal;
	private readonly concurrency: number;
	private readonly readAhead: number;
	private readonly readers: number;
	private readonly lingerMs: number;

	private readonly settled: Uint8Array;
	/** Next source to read. */
	private next = 0;
	/** Sources being read or waiting in `ready`: what readAhead bounds. */
	private held = 0;
	private reading = 0;
	private sending = 0;
	/** Requests the service has accepted and is working on: they hold no image bytes. */
	private waiting = 0;
	private readonly maxWaiting: number;
	/** Reads and sends still running, including storing results. */
	private tasks = 0;
	private readonly ready: Ready[] = [];
	/** Halves of requests the service refused as a whole; they go before new groups. */
	private readonly splits: Ready[][] = [];
	/** Cache keys of sources on their way, with later sources holding the same bytes. */
	private readonly leaders = new Map<string, { index: number; followers: Follower[] }>();
	private linger: NodeJS.Timeout | undefined;
	/** Whether a request has gone out: see lingerFor. */
	private sentAny = false;
	/** Set by the first fatal error: then nothing new starts. */
	private fatal: VisionError | undefined;
	private done = false;
	private observerError: { error: unknown } | undefined;
	private readonly onAbort = () => this.pump();

	constructor(private readonly sources: readonly PipelineSource[], private readonly options: PipelineOptions) {
		this.finished = new Promise((resolve, reject) => {
			this.resolveFinished = resolve;
			this.rejectFinished = reject;
		});
		this.signal = options.signal ?? new AbortController().signal;
		// Every request waiting at the service listens for Cancel: hundreds at once are expected.
		setMaxListeners(0, this.signal);
		this.concurrency = atLeastOne(options.concurrency, DEFAULT_CONCURRENCY);
		this.readAhead = atLeastOne(options.readAhead, DEFAULT_READ_AHEAD);
		this.readers = atLeastOne(options.readers, Math.max(DEFAULT_READERS, (options.fitter.parallelism ?? 1) + 1));
		this.lingerMs = Math.max(0, options.lingerMs ?? DEFAULT_LINGER_MS);
		this.maxWaiting = atLeastOne(options.engine.maxWaiting, Number.MAX_SAFE_INTEGER);
		this.settled = new Uint8Array(sources.length);
		this.signal.addEventListener('abort', this.onAbort);
		this.pump();
	}

	/** Starts whatever may start now; called after every change. */
	private pump(): void {
		if (this.done) return;
		const stop = this.stopReason();
		if (stop) {
			this.failWaiting(stop);
		} else {
			this.startReads();
			this.startSends();
		}
		const idle = this.tasks === 0 && (stop !== undefined || (this.next >= this.sources.length && this.ready.length === 0 && this.splits.length === 0));
		if (idle) this.finish();
	}

	/** Why nothing new may start: Cancel, or an error nothing can succeed after. */
	private stopReason(): VisionError | undefined {
		return this.signal.aborted ? cancelledError() : this.fatal;
	}

	private startReads(): void {
		while (this.next < this.sources.length && this.held < this.readAhead && this.reading < this.readers) {
			const index = this.next++;
			this.held++;
			this.reading++;
			this.tasks++;
			void this.read(index);
		}
	}

	private startSends(): void {
		while (this.sending < this.concurrency && this.sending + this.waiting < this.maxWaiting) {
			const group = this.splits.shift() ?? this.takeGroup();
			if (!group) break;
			this.sending++;
			this.tasks++;
			this.sentAny = true;
			void this.send(group);
		}
		this.scheduleLinger();
	}

	/**
	 * A full request, or a partial one when nothing more is being read or fitted (the end, or
	 * readAhead reached), or when no request is in flight and its first image has waited lingerMs
	 * for the images in progress. While requests are in flight a partial one would only spend quota
	 * sooner.
	 */
	private takeGroup(): Ready[] | undefined {
		const first = this.ready[0];
		if (!first) return undefined;
		const perRequest = this.options.engine.imagesPerRequest;
		const full = this.ready.length >= perRequest;
		const waitedEnough = this.sending === 0 && Date.now() - first.readyAt >= this.lingerFor();
		if (!full && this.reading > 0 && !waitedEnough) return undefined;
		const group = this.ready.splice(0, perRequest);
		this.held -= group.length;
		return group;
	}

	private scheduleLinger(): void {
		const first = this.ready[0];
		if (this.linger || !first || this.sending > 0) return;
		this.linger = setTimeout(() => {
			this.linger = undefined;
			this.pump();
		}, Math.max(0, first.readyAt + this.lingerFor() - Date.now()));
	}

	/**
	 * The first request goes within lingerMs, so that the first results come soon; once results
	 * are coming, later ones may wait longer to be full (a 48 MP photo takes a second or two).
	 */
	private lingerFor(): number {
		return this.sentAny ? this.lingerMs * LATER_LINGER_FACTOR : this.lingerMs;
	}

	private async read(index: number): Promise<void> {
		const source = this.sources[index]!;
		let queued = false;
		try {
			const { bytes, file } = await source.read(this.signal);
			const key = this.options.engine.cacheKey(sha256Hex(bytes));
			const hit = await this.lookup(key);
			if (hit) {
				if (file) await this.recordSeen(key, file);
				this.settle(index, { status: 'cached', result: hit, cacheKey: key });
				return;
			}
			const leader = this.leaders.get(key);
			if (leader) {
				leader.followers.push({ index, file });
				return;
			}
			this.leaders.set(key, { index, followers: [] });
			try {
				this.signal.throwIfAborted();
				// The bytes are not used after this: a file to fit is moved to the converter's thread.
				const image = await prepareImage(bytes, this.options.fitter, { signal: this.signal, handOver: true, target: this.options.engine.target });
				if (image.fitted) this.options.onFitted?.(index, image.fitted);
				// A file the service would refuse fails alone instead of failing its whole request.
				this.options.engine.check(image.bytes, index);
				this.ready.push({ index, key, content: image.bytes, fitted: image.fitted, file, readyAt: Date.now() });
				queued = true;
			} catch (err) {
				this.fail(index, err, key);
			}
		} catch (err) {
			this.fail(index, err);
		} finally {
			if (!queued) this.held--;
			this.reading--;
			this.tasks--;
			this.pump();
		}
	}

	private async send(group: Ready[]): Promise<void> {
		let sending = true;
		let waiting = false;
		/** Done with the service: the request holds neither a sending slot nor a place among those waiting. */
		const release = () => {
			if (sending) this.sending--;
			if (waiting) this.waiting--;
			sending = false;
			waiting = false;
		};
		/** The service has the images: the slot goes to the next request, and the bytes are let go. */
		const submitted = () => {
			if (!sending) return;
			this.sending--;
			sending = false;
			waiting = true;
			this.waiting++;
			for (const item of group) item.content = EMPTY;
			this.pump();
		};
		try {
			let response: { results: AnalyzeResult[]; meta: CallMeta };
			try {
				response = await this.options.engine.send(group.map(item => item.content), this.signal, {
					keys: group.map(item => item.key),
					submitted,
					progress: progress => this.progress(group[0]!.index, progress),
				});
			} catch (err) {
				const error = asVisionError(err, this.signal);
				// The service refused the whole request over one spec: halve until the culprit stands alone.
				if (error.kind === 'service' && error.code === RpcCode.INVALID_ARGUMENT && group.length > 1 && !this.signal.aborted && !waiting) {
					const middle = Math.ceil(group.length / 2);
					this.splits.unshift(group.slice(0, middle), group.slice(middle));
				} else {
					for (const item of group) this.fail(item.index, error, item.key);
				}
				return;
			}
			// The next request may go while these results are stored.
			release();
			this.pump();
			const analyzedAt = new Date().toISOString();
			await Promise.all(group.map((item, k) => this.complete(item, response.results[k], response.meta, analyzedAt)));
		} finally {
			release();
			this.tasks--;
			this.pump();
		}
	}

	private progress(index: number, progress: DocumentProgress): void {
		if (this.settled[index]) return;
		try {
			this.options.onProgress?.(index, progress);
		} catch (error) {
			this.observerError ??= { error };
		}
	}

	/** One image's answer: mapped back, stored, and given to the sources with the same bytes too. */
	private async complete(item: Ready, answer: AnalyzeResult | undefined, meta: CallMeta, analyzedAt: string): Promise<void> {
		try {
			if (!answer) throw new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, message: 'The answer has no result for this image.', requestId: meta.requestId, clientRequestId: meta.clientRequestId });
			if (answer.error) {
				const { code, message, details } = answer.error;
				this.fail(item.index, new VisionError({ kind: 'service', code, message, details, requestId: meta.requestId, clientRequestId: meta.clientRequestId }), item.key);
				return;
			}
			const { fitted } = item;
			const result: CachedResult = {
				features: this.options.engine.features.map((feature, f) => {
					const featureResult = answer.results[f] ?? {};
					const { model } = feature;
					return {
						type: feature.type,
						// Left out rather than undefined: results go through JSON in the cache.
						...model !== undefined ? { model } : {},
						// Boxes come in the sent image's pixels; results are kept in the original's.
						result: fitted ? mapResultToOriginal(featureResult, fitted.geometry) : featureResult,
					};
				}),
				...meta.requestId !== undefined ? { requestId: meta.requestId } : {},
				analyzedAt,
				...fitted ? { fitted: summarizeFit(fitted) } : {},
			};
			// A feature that failed may succeed next time: such results are not kept.
			const stored = result.features.every(feature => !feature.result.error) && await this.store(item.key, result, item.file);
			const followers = this.takeFollowers(item.key, item.index);
			if (stored) await Promise.all(followers.map(f => f.file && this.recordSeen(item.key, f.file)));
			this.settle(item.index, { status: 'done', result, cacheKey: item.key, stored, ...meta.requestId !== undefined ? { requestId: meta.requestId } : {} });
			for (const follower of followers) this.settle(follower.index, { status: 'cached', result, cacheKey: item.key });
		} catch (err) {
			this.fail(item.index, err, item.key);
		}
	}

	/**
	 * After Cancel or a fatal error: everything not started or waiting to be sent fails now;
	 * running work ends by the signal, or by itself.
	 */
	private failWaiting(reason: VisionError): void {
		for (; this.next < this.sources.length; this.next++) this.fail(this.next, reason);
		for (const item of this.ready.splice(0)) {
			this.held--;
			this.fail(item.index, reason, item.key);
		}
		for (const item of this.splits.splice(0).flat()) this.fail(item.index, reason, item.key);
	}

	private finish(): void {
		this.done = true;
		clearTimeout(this.linger);
		this.signal.removeEventListener('abort', this.onAbort);
		// Nothing should be left; if anything is, it still gets its one outcome.
		const leftover = this.stopReason() ?? new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, message: 'This image was not analyzed.' });
		for (let index = 0; index < this.sources.length; index++) this.fail(index, leftover);
		if (this.observerError) this.rejectFinished(this.observerError.error);
		else this.resolveFinished();
	}

	private async lookup(key: string): Promise<CachedResult | undefined> {
		if (!this.options.cache) return undefined;
		try {
			return await this.options.cache.get(key);
		} catch (err) {
			this.warn(`Result cache: could not read an entry (${messageOf(err)}); analyzing again.`);
			return undefined;
		}
	}

	private async store(key: string, result: CachedResult, file: CachedFile | undefined): Promise<boolean> {
		if (!this.options.cache) return false;
		try {
			await this.options.cache.put(key, result, file);
			return true;
		} catch (err) {
			this.warn(`Result cache: could not store a result (${messageOf(err)}).`);
			return false;
		}
	}

	private async recordSeen(key: string, file: CachedFile): Promise<void> {
		try {
			await this.options.cache?.seen(key, file);
		} catch (err) {
			this.warn(`Result cache: could not record ${file.uri} (${messageOf(err)}).`);
		}
	}

	private warn(message: string): void {
		this.options.onWarning?.(message);
	}

	/** The sources waiting on `key`, once its leader `index` is done with it. */
	private takeFollowers(key: string, index: number): Follower[] {
		const entry = this.leaders.get(key);
		if (!entry || entry.index !== index) return [];
		this.leaders.delete(key);
		return entry.followers;
	}

	/** Fails `index` (and, when it led `key`, the sources with the same bytes) for `reason`. */
	private fail(index: number, reason: unknown, key?: string): void {
		if (!this.settled[index]) this.settle(index, failure(reason, this.sources[index]!.name, this.signal.aborted));
		if (key === undefined) return;
		for (const follower of this.takeFollowers(key, index)) {
			this.settle(follower.index, failure(reason, this.sources[follower.index]!.name, this.signal.aborted));
		}
	}

	private settle(index: number, outcome: PipelineOutcome): void {
		if (this.settled[index]) return;
		this.settled[index] = 1;
		if (outcome.status === 'failed' && !this.fatal && outcome.error.kind !== 'cancelled' && this.options.isFatal?.(outcome.error)) this.fatal = outcome.error;
		try {
			this.options.onOutcome?.(index, outcome);
		} catch (error) {
			// The outcomes must all be told regardless; the first observer error rejects the run at the end.
			this.observerError ??= { error };
		}
	}
}

function failure(reason: unknown, name: string, aborted: boolean): PipelineOutcome {
	if (reason instanceof ImageError) {
		if (reason.code === 'cancelled') return { status: 'failed', error: cancelledError(reason) };
		const sentence = reason.sentence(name);
		return { status: 'failed', error: new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message: sentence, cause: reason }), sentence };
	}
	if (reason instanceof SourceError) {
		return { status: 'failed', error: new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message: reason.message, cause: reason }), sentence: reason.message };
	}
	if (reason instanceof VisionError) return { status: 'failed', error: reason };
	if (aborted) return { status: 'failed', error: cancelledError(reason) };
	const message = messageOf(reason);
	return { status: 'failed', error: new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, message, cause: reason }), sentence: `${name}: ${message}` };
}

function cancelledError(cause?: unknown): VisionError {
	return new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: 'Cancelled before this image was analyzed.', cause });
}

function asVisionError(err: unknown, signal: AbortSignal): VisionError {
	if (err instanceof VisionError) return err;
	if (signal.aborted) return cancelledError(err);
	return new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, message: messageOf(err), cause: err });
}

function messageOf(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

function atLeastOne(value: number | undefined, fallback: number): number {
	return Math.max(1, Math.floor(value ?? fallback));
}
