/**
 * The extension host's side of image conversion: a worker thread running libvips, started on
 * first use (or when warmed), given one image at a time, and ended after a while without work so
 * its memory goes back. A crash, an out-of-memory or a cancellation fails that one image; the
 * next image gets a fresh worker.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ImageError } from '../errors';
import type { FitRequest, FitResult } from './fitWithVips';
import type { FromWorker, ToWorker, WorkerData } from './protocol';

export interface ConverterOptions {
	/** The worker's script (dist/imageWorker.js in the extension). */
	workerPath: string;
	/** wasm-vips' vips-node.js, with its .wasm files beside it. */
	vipsPath: string;
	/** The worker ends after this long without work. */
	idleMs?: number;
	/**
	 * Limits on the worker's JavaScript heap. libvips' pixels live in WebAssembly memory, which
	 * these do not cover; that is bounded by the largest image accepted (see MAX_DECODE_PIXELS).
	 */
	resourceLimits?: ResourceLimits;
}

export interface Converted extends FitResult {
	/** Time in the worker. */
	ms: number;
}

export interface FitOptions {
	/** The bytes are the caller's to give away: moved to the worker, not copied. */
	handOver?: boolean;
}

interface Job {
	id: number;
	request: FitRequest;
	handOver: boolean;
	resolve(result: Converted): void;
	reject(error: ImageError): void;
	signal: AbortSignal | undefined;
	onAbort: (() => void) | undefined;
}

const DEFAULT_IDLE_MS = 30_000;
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 };

export class ImageConverter {
	private worker: Worker | undefined;
	/** Whether the worker renders SVG: it is started so only when an SVG comes. */
	private workerSvg = false;
	private readonly queue: Job[] = [];
	private running: Job | undefined;
	private idleTimer: NodeJS.Timeout | undefined;
	/** A worker being ended: the next one starts only after, so their memory never adds up. */
	private stopping: Promise<void> | undefined;
	private nextId = 1;
	private disposed = false;

	constructor(private readonly options: ConverterOptions) {}

	/** Starts the worker (and so loads libvips) ahead of the first image. */
	warm(): void {
		if (this.disposed) return;
		if (this.stopping) {
			void this.stopping.then(() => this.warm());
			return;
		}
		this.start();
		if (!this.running && this.queue.length === 0) this.scheduleIdle();
	}

	/** Whether a worker is running now (for tests and the log). */
	get active(): boolean {
		return this.worker !== undefined;
	}

	/**
	 * Fits one image in the worker. Rejects with ImageError; with code 'cancelled' when `signal`
	 * fires. With `handOver`, the request's bytes may be moved to the worker rather than copied:
	 * the caller must not use them afterwards.
	 */
	fit(request: FitRequest, signal?: AbortSignal, options: FitOptions = {}): Promise<Converted> {
		if (this.disposed) return Promise.reject(new ImageError('cancelled', 'was not converted: the converter has shut down'));
		if (signal?.aborted) return Promise.reject(cancelled());
		return new Promise<Converted>((resolve, reject) => {
			const job: Job = { id: this.nextId++, request, handOver: options.handOver ?? false, resolve, reject, signal, onAbort: undefined };
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
		const error = new ImageError('cancelled', 'was not converted: the converter has shut down');
		for (const job of this.queue.splice(0)) this.settle(job, error);
		if (this.running) this.settle(this.running, error);
		this.running = undefined;
		await this.stop();
	}

	private start(svg = false): Worker {
		if (this.worker) return this.worker;
		const data: WorkerData = { vipsPath: this.options.vipsPath, svg };
		const worker = new Worker(this.options.workerPath, {
			workerData: data,
			resourceLimits: this.options.resourceLimits ?? DEFAULT_LIMITS,
			name: 'image converter',
		});
		worker.on('message', (message: FromWorker) => this.onMessage(worker, message));
		worker.on('error', (err: Error) => this.onStopped(worker, err));
		worker.on('exit', code => this.onStopped(worker, new Error(`it exited with code ${code}`)));
		// An idle worker never keeps the process alive; a job in progress does (see pump).
		worker.unref();
		this.worker = worker;
		this.workerSvg = svg;
		return worker;
	}

	private pump(): void {
		if (this.running || this.disposed) return;
		if (this.stopping) {
			void this.stopping.then(() => this.pump());
			return;
		}
		const job = this.queue[0];
		if (!job) {
			this.scheduleIdle();
			return;
		}
		const svg = job.request.format === 'svg';
		if (svg && this.worker && !this.workerSvg) {
			// Replaced by one that renders SVG, which serves every later image as well.
			void this.stop().then(() => this.pump());
			return;
		}
		this.queue.shift();
		clearTimeout(this.idleTimer);
		const worker = this.start(svg);
		worker.ref();
		this.running = job;
		const message: ToWorker = { type: 'fit', id: job.id, request: job.request };
		// Moved only when handed over and the view spans its whole buffer: else it may be memory others use.
		const bytes = job.request.bytes;
		const movable = job.handOver && bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
		worker.postMessage(message, movable ? [bytes.buffer as ArrayBuffer] : []);
	}

	private onMessage(worker: Worker, message: FromWorker): void {
		if (worker !== this.worker) return;
		switch (message.type) {
			case 'ready':
				return;
			case 'broken':
				// A running job is answered with a failure that stops the worker; an idle one stops now.
				if (!this.running) void this.stop();
				return;
			case 'fitted':
			case 'failed': {
				const job = this.running;
				if (!job || job.id !== message.id) return;
				this.running = undefined;
				worker.unref();
				if (message.type === 'fitted') this.settle(job, { ...message.result, ms: message.ms });
				else this.settle(job, new ImageError(message.code, message.message));
				if (message.recycle) {
					// Its memory goes back; a fresh worker loads meanwhile for whatever comes next.
					void this.stop();
					if (this.queue.length === 0) this.warm();
				}
				this.pump();
				return;
			}
		}
	}

	/** The worker crashed, ran out of memory, or exited: the job it had fails, the others go on. */
	private onStopped(worker: Worker, err: Error): void {
		if (worker !== this.worker) return;
		this.worker = undefined;
		const job = this.running;
		this.running = undefined;
		if (job) {
			const reason = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory' : err.message;
			this.settle(job, new ImageError('converter', `could not be converted: the image converter stopped (${reason})`));
		}
		this.pump();
	}

	private cancel(job: Job): void {
		const queued = this.queue.indexOf(job);
		if (queued >= 0) {
			this.queue.splice(queued, 1);
			this.settle(job, cancelled());
			return;
		}
		if (this.running === job) {
			// libvips cannot be interrupted mid-call: the worker goes, and the next image starts a new one.
			this.running = undefined;
			this.settle(job, cancelled());
			void this.stop();
			this.pump();
		}
	}

	private settle(job: Job, outcome: Converted | ImageError): void {
		if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
		if (outcome instanceof ImageError) job.reject(outcome);
		else job.resolve(outcome);
	}

	private scheduleIdle(): void {
		clearTimeout(this.idleTimer);
		if (!this.worker) return;
		this.idleTimer = setTimeout(() => {
			if (!this.running && this.queue.length === 0) void this.stop();
		}, this.options.idleMs ?? DEFAULT_IDLE_MS);
		this.idleTimer.unref();
	}

	private stop(): Promise<void> {
		clearTimeout(this.idleTimer);
		const worker = this.worker;
		this.worker = undefined;
		if (!worker) return this.stopping ?? Promise.resolve();
		const stopping = worker.terminate().then(() => undefined, () => undefined).finally(() => {
			if (this.stopping === stopping) this.stopping = undefined;
		});
		this.stopping = stopping;
		return stopping;
	}
}

function cancelled(): ImageError {
	return new ImageError('cancelled', 'was not converted: cancelled');
}
