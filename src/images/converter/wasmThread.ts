/**
 * One worker thread of the WebAssembly converter's pool, as the extension host sees it: started
 * with libvips loading, given one image at a time, and ended by the pool. A crash or
 * out-of-memory fails the image it had; the pool decides what comes next.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ImageError } from '../errors';
import type { Converted, FitRequest } from './fitImage';
import type { FromWorker, ToWorker, WorkerData } from './converterProtocol';

/** One image waiting for, or in, a worker. */
export interface Job {
	id: number;
	request: FitRequest;
	/** The file's size, kept: its bytes may be moved to the worker. */
	fileBytes: number;
	/** The bytes may be moved to the worker rather than copied. */
	handOver: boolean;
	resolve(result: Converted): void;
	reject(error: ImageError): void;
	signal: AbortSignal | undefined;
	onAbort: (() => void) | undefined;
}

export interface ThreadOptions {
	workerPath: string;
	vipsPath: string;
	resourceLimits: ResourceLimits;
	/** Load the SVG renderer too. */
	svg: boolean;
}

export interface ThreadEvents {
	/** libvips is loaded and warmed up: the next image starts at once. */
	ready(thread: WasmThread): void;
	/** `recycle`: the worker asks to be replaced (after a failed decode). */
	done(thread: WasmThread, job: Job, outcome: Converted | ImageError, recycle: boolean): void;
	/** The worker crashed, ran out of memory, or exited; `job` is what it had. */
	stopped(thread: WasmThread, job: Job | undefined, error: ImageError): void;
	/** libvips could not load: idle, it is ended; a job it had gets the failure anyway. */
	broken(thread: WasmThread): void;
}

export class WasmThread {
	readonly svg: boolean;
	/** Loaded and warmed up. */
	ready = false;
	/** The image it is fitting. */
	job: Job | undefined;
	private readonly worker: Worker;
	private ended = false;

	constructor(options: ThreadOptions, private readonly events: ThreadEvents) {
		this.svg = options.svg;
		const data: WorkerData = { vipsPath: options.vipsPath, svg: options.svg };
		this.worker = new Worker(options.workerPath, { workerData: data, resourceLimits: options.resourceLimits, name: 'image converter' });
		this.worker.on('message', (message: FromWorker) => this.onMessage(message));
		this.worker.on('error', (err: Error) => this.onStopped(err));
		this.worker.on('exit', code => this.onStopped(new Error(`it exited with code ${code}`)));
		// An idle worker never keeps the process alive; a job in progress does (see run).
		this.worker.unref();
	}

	get busy(): boolean {
		return this.job !== undefined;
	}

	/** Fits `job` with `threads` libvips threads. */
	run(job: Job, threads: number): void {
		this.job = job;
		this.worker.ref();
		const message: ToWorker = { type: 'fit', id: job.id, request: job.request, threads };
		// Moved only when handed over and the view spans its whole buffer: else it may be memory others use.
		const bytes = job.request.bytes;
		const movable = job.handOver && bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
		this.worker.postMessage(message, movable ? [bytes.buffer as ArrayBuffer] : []);
	}

	/** Ends the worker; what it was doing is dropped (libvips cannot be interrupted mid-call). Its memory goes back once this resolves. */
	stop(): Promise<void> {
		this.ended = true;
		this.job = undefined;
		return this.worker.terminate().then(() => undefined, () => undefined);
	}

	private onMessage(message: FromWorker): void {
		if (this.ended) return;
		switch (message.type) {
			case 'ready':
				this.ready = true;
				this.events.ready(this);
				return;
			case 'broken':
				// A running job is answered with a failure that ends the worker; an idle one ends now.
				if (!this.job) this.events.broken(this);
				return;
			case 'fitted':
			case 'failed': {
				const job = this.job;
				if (!job || job.id !== message.id) return;
				this.job = undefined;
				this.worker.unref();
				const outcome = message.type === 'fitted' ? { ...message.result, ms: message.ms } : new ImageError(message.code, message.message);
				this.events.done(this, job, outcome, message.type === 'failed' && message.recycle);
				return;
			}
		}
	}

	private onStopped(err: Error): void {
		if (this.ended) return;
		this.ended = true;
		const job = this.job;
		this.job = undefined;
		const reason = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory' : err.message;
		this.events.stopped(this, job, new ImageError('converter', `could not be converted: the image converter stopped (${reason})`));
	}
}
