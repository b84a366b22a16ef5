/**
 * Image conversion with libvips compiled to WebAssembly, where native libvips cannot run: a small
 * pool of worker threads in the extension host, one image each at a time. Workers start on first use (or when warmed), as many as there are
 * images waiting, up to a size set by the cores and a memory budget, and end after a while
 * without work so their memory goes back. A crash, an out-of-memory or a cancellation fails that
 * one image; the others go on.
 *
 * WebAssembly memory never shrinks, and a worker's creeps up with every photo. That is what the
 * budget is for: a worker is replaced (its memory returned) only when the process nears it, and
 * where the budget has room a spare is loaded beforehand, so photos do not wait for libvips to
 * load. libvips' threads are shared out so that the images in progress use the cores, no more.
 */
import * as os from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { conversionCancelled, converterShutDown, ImageError } from '../errors';
import { WasmThread, type Job } from './wasmThread';
import { fitBytes, type Converted, type FitOptions, type FitRequest } from './fitImage';

export interface WasmConverterOptions {
	/** The worker's script (dist/imageWorker.js in the extension). */
	workerPath: string;
	/** wasm-vips' vips-node.js, with its .wasm files beside it. */
	vipsPath: string;
	/** A worker ends after this long without work. */
	idleMs?: number;
	/**
	 * Limits on each worker's JavaScript heap. libvips' pixels live in WebAssembly memory, which
	 * these do not cover; that is bounded by the largest image accepted (see MAX_DECODE_PIXELS).
	 */
	resourceLimits?: ResourceLimits;
	/** Workers at most; by default {@link poolSize} of the cores and the memory budget. */
	workers?: number;
	/**
	 * Resident memory of the whole process, in MB, that converting keeps within (see
	 * DEFAULT_BUDGET_MB); a process already large when the first worker starts still gets
	 * MIN_ALLOWANCE_MB for its workers.
	 */
	memoryBudgetMb?: number;
	/** The process's resident memory in bytes; a stand-in in tests. */
	residentBytes?: () => number;
	/** Cores to plan for; the machine's by default. */
	cores?: number;
}

const DEFAULT_IDLE_MS = 30_000;
const MB = 1024 * 1024;
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 };
/**
 * The extension host is shared with every other extension: a folder of photos keeps the whole
 * process within 512 MB (measured by `npm run bench folder`).
 */
const DEFAULT_BUDGET_MB = 512;
/**
 * What one worker settles at while fitting phone photos, measured: libvips loaded and warmed
 * (≈ 75 MB with its threads), then ≈ 150 MB more after the first 12 MP photo, creeping up to
 * ≈ 280 MB — WebAssembly memory keeps what libvips' allocator has touched. Two such workers and
 * the extension host do not fit in 512 MB: on such a budget the pool is one worker whose libvips
 * uses every core (two threads), and a larger budget buys more workers.
 */
const WORKER_MB = 280;
/** What the extension host holds besides the converter, planned for when sizing the pool. */
const HOST_MB = 160;
/**
 * Kept free for what the process holds for a moment beside the workers, which its reading after a
 * fit does not show: a request being built (8 images in base64 and JSON, ≈ 35 MB), a fit in
 * flight. Measured: with 80 MB a folder of 12 MP photos still peaked at 517–534 MB now and then.
 */
const PEAK_MARGIN_MB = 104;
/** Memory for the workers however large the process already is: one worker and a 48 MP photo. */
const MIN_ALLOWANCE_MB = 320;
/**
 * How much a worker may grow fitting one more image like the last: memory creeps up by 5–20 MB
 * per 12 MP photo fitted and 20–70 MB per 48 MP one (WebAssembly memory keeps what libvips'
 * allocator touched), mostly with the file's size. A worker done with its image is replaced (its
 * memory goes back) when that much more would take the workers past their allowance: with 512 MB,
 * about every 15–20 12 MP photos, or every few 48 MP ones.
 */
function creepBytes(fileBytes: number): number {
	return 2 * fileBytes + 10 * MB;
}
/** A loaded worker before its first photo, for starting a spare. */
const SPARE_MB = 75;
/**
 * A spare worker starts loading libvips (0.5–1 s, about two photos' time) this much before the
 * line above, so that no photo waits when the old one is replaced — when the allowance has room
 * for it beside the old one; on a tight budget the replacement loads when it is needed instead.
 */
const SPARE_LEAD_MB = 40;

/** Workers for `cores` within `budgetMb`: one per core while each has its share of memory; at least one. */
export function poolSize(cores: number, budgetMb: number): number {
	return Math.max(1, Math.min(cores, Math.floor((budgetMb - HOST_MB) / WORKER_MB)));
}

export class WasmConverter {
	/** Live workers: starting, idle or busy. */
	private readonly threads: WasmThread[] = [];
	private readonly queue: Job[] = [];
	private readonly idleTimers = new Map<WasmThread, NodeJS.Timeout>();
	/** Workers being ended, awaited by dispose. */
	private readonly stopping = new Set<Promise<void>>();
	private readonly size: number;
	private readonly cores: number;
	private readonly budgetBytes: number;
	/** The process's resident memory when the first worker started: what is not the converter's. */
	private baselineBytes = 0;
	/** What the workers may take together: the budget above the baseline. */
	private allowanceBytes = 0;
	/** Workers being ended for memory: their memory is not back yet, so no other is ended for it meanwhile. */
	private recycling = 0;
	private readonly residentBytes: () => number;
	private nextId = 1;
	private disposed = false;
	/** Workers started, and how many of them were ended to give memory back: for the log and the bench. */
	readonly counts = { started: 0, recycled: 0 };

	constructor(private readonly options: WasmConverterOptions) {
		this.cores = Math.max(1, options.cores ?? os.availableParallelism());
		const budgetMb = options.memoryBudgetMb ?? DEFAULT_BUDGET_MB;
		this.size = Math.max(1, Math.floor(options.workers ?? poolSize(this.cores, budgetMb)));
		this.budgetBytes = budgetMb * MB;
		this.residentBytes = options.residentBytes ?? (() => process.memoryUsage.rss());
	}

	/** Images fitted at once, at most: how many a caller may usefully have waiting. */
	get parallelism(): number {
		return this.size;
	}

	/** Starts a worker (and so loads libvips) ahead of the first image. */
	warm(): void {
		if (this.disposed || this.threads.length > 0) return;
		this.scheduleIdle(this.start(false));
	}

	/** Whether a worker is running now (for tests and the log). */
	get active(): boolean {
		return this.threads.length > 0;
	}

	/**
	 * Fits one image in a worker. Rejects with ImageError; with code 'cancelled' when `signal`
	 * fires. With `handOver`, the request's bytes may be moved to the worker rather than copied:
	 * the caller must not use them afterwards.
	 */
	fit(request: FitRequest, signal?: AbortSignal, options: FitOptions = {}): Promise<Converted> {
		if (this.disposed) return Promise.reject(converterShutDown());
		if (signal?.aborted) return Promise.reject(conversionCancelled());
		return new Promise<Converted>((resolve, reject) => {
			const job: Job = { id: this.nextId++, request, fileBytes: request.bytes.length, handOver: options.handOver ?? false, resolve, reject, signal, onAbort: undefined };
			if (signal) {
				job.onAbort = () => this.cancel(job);
				signal.addEventListener('abort', job.onAbort, { once: true });
			}
			this.queue.push(job);
			this.pump();
		});
	}

	async dispose(): Promise<void> {
		this.disposed = true;
		for (const job of this.queue.splice(0)) this.settle(job, converterShutDown());
		for (const thread of [...this.threads]) {
			const job = thread.job;
			void this.retire(thread);
			if (job) this.settle(job, converterShutDown());
		}
		await Promise.all(this.stopping);
	}

	/**
	 * Gives waiting images to idle workers, and starts workers for the rest while the pool has
	 * room. At most `size` images are in progress: a spare worker waits for one to be replaced.
	 */
	private pump(): void {
		if (this.disposed) return;
		for (let i = 0; i < this.queue.length && this.busyCount() < this.size;) {
			const job = this.queue[i]!;
			// One image always goes; another joins it only while the process stays within the budget.
			if (this.busyCount() > 0 && this.workersBytes() + fitBytes(job.request) > this.allowanceBytes) break;
			const svg = job.request.format === 'svg';
			const thread = this.idleFor(svg) ?? this.grow(svg);
			if (!thread) {
				i++;
				continue;
			}
			this.queue.splice(i, 1);
			this.dispatch(thread, job);
		}
	}

	/** An idle worker that can fit it: one already loaded first. */
	private idleFor(svg: boolean): WasmThread | undefined {
		const idle = this.threads.filter(t => !t.busy && (t.svg || !svg));
		return idle.find(t => t.ready) ?? idle[0];
	}

	/**
	 * A new worker when the pool has room; for an SVG, an idle worker that cannot render it makes
	 * room. Not while one is ended for memory: the two would add up.
	 */
	private grow(svg: boolean): WasmThread | undefined {
		if (this.recycling > 0) return undefined;
		if (this.threads.length >= this.size && svg) {
			const plain = this.threads.find(t => !t.busy && !t.svg);
			if (plain) void this.retire(plain);
		}
		return this.threads.length < this.size ? this.start(svg) : undefined;
	}

	private start(svg: boolean): WasmThread {
		if (this.threads.length === 0 && this.stopping.size === 0) {
			this.baselineBytes = this.residentBytes();
			this.allowanceBytes = Math.max(MIN_ALLOWANCE_MB * MB, this.budgetBytes - this.baselineBytes - PEAK_MARGIN_MB * MB);
		}
		this.counts.started++;
		const thread = new WasmThread({
			workerPath: this.options.workerPath,
			vipsPath: this.options.vipsPath,
			resourceLimits: this.options.resourceLimits ?? DEFAULT_LIMITS,
			svg,
		}, {
			ready: () => this.pump(),
			done: (t, job, outcome, recycle) => this.onDone(t, job, outcome, recycle),
			stopped: (t, job, error) => this.onStopped(t, job, error),
			broken: t => void this.retire(t),
		});
		this.threads.push(thread);
		return thread;
	}

	private dispatch(thread: WasmThread, job: Job): void {
		clearTimeout(this.idleTimers.get(thread));
		this.idleTimers.delete(thread);
		// The cores shared among the images in progress: a photo alone gets two threads, never more than the machine has.
		thread.run(job, Math.max(1, Math.floor(this.cores / (this.busyCount() + 1))));
	}

	private onDone(thread: WasmThread, job: Job, outcome: Converted | ImageError, recycle: boolean): void {
		this.settle(job, outcome);
		const used = this.recycling === 0 ? this.workersBytes() : 0;
		if (recycle) {
			void this.retire(thread);
		} else if (used + creepBytes(job.fileBytes) > this.allowanceBytes) {
			this.recycling++;
			this.counts.recycled++;
			void this.retire(thread).finally(() => {
				this.recycling--;
				this.pump();
			});
		} else if (used + creepBytes(job.fileBytes) + SPARE_LEAD_MB * MB > this.allowanceBytes && used + (SPARE_MB + SPARE_LEAD_MB) * MB <= this.allowanceBytes && this.queue.length > 0 && this.threads.length === this.size && this.threads.every(t => t.ready)) {
			// Loads while the others work; it takes the place of the next one replaced.
			this.scheduleIdle(this.start(false));
		}
		this.pump();
		if (!thread.busy && this.threads.includes(thread)) this.scheduleIdle(thread);
	}

	/** What the workers hold now, as the process's growth since the first of them started. */
	private workersBytes(): number {
		return Math.max(0, this.residentBytes() - this.baselineBytes);
	}

	private busyCount(): number {
		let busy = 0;
		for (const thread of this.threads) if (thread.busy) busy++;
		return busy;
	}

	/** The worker crashed, ran out of memory, or exited: the job it had fails, the others go on. */
	private onStopped(thread: WasmThread, job: Job | undefined, error: ImageError): void {
		this.remove(thread);
		if (job) this.settle(job, error);
		this.pump();
	}

	private cancel(job: Job): void {
		const queued = this.queue.indexOf(job);
		if (queued >= 0) {
			this.queue.splice(queued, 1);
			this.settle(job, conversionCancelled());
			return;
		}
		const thread = this.threads.find(t => t.job === job);
		if (thread) {
			// libvips cannot be interrupted mid-call: the worker goes, and a new one takes its place when needed.
			void this.retire(thread);
			this.settle(job, conversionCancelled());
			this.pump();
		}
	}

	private settle(job: Job, outcome: Converted | ImageError): void {
		if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
		if (outcome instanceof ImageError) job.reject(outcome);
		else job.resolve(outcome);
	}

	private scheduleIdle(thread: WasmThread): void {
		clearTimeout(this.idleTimers.get(thread));
		const timer = setTimeout(() => {
			this.idleTimers.delete(thread);
			if (!thread.busy) void this.retire(thread);
		}, this.options.idleMs ?? DEFAULT_IDLE_MS);
		timer.unref();
		this.idleTimers.set(thread, timer);
	}

	/** Ends a worker; a job it had is the caller's to settle. Resolves once its memory is back. */
	private retire(thread: WasmThread): Promise<void> {
		if (!this.remove(thread)) return Promise.resolve();
		const stopping = thread.stop();
		this.stopping.add(stopping);
		void stopping.finally(() => this.stopping.delete(stopping));
		return stopping;
	}

	private remove(thread: WasmThread): boolean {
		const at = this.threads.indexOf(thread);
		if (at < 0) return false;
		this.threads.splice(at, 1);
		clearTimeout(this.idleTimers.get(thread));
		this.idleTimers.delete(thread);
		return true;
	}
}
