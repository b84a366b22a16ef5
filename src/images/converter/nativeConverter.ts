/**
 * Image conversion with native libvips (sharp) in a process of its own, started on first use and
 * ended after a while without work. Several images are fitted at once, one libvips thread each,
 * as many as the cores and a memory budget allow. The extension host sends the bytes and gets
 * the fitted image back; it never loads the native library itself.
 *
 * When the process cannot start, cannot load libvips, or dies, the images it had fail with code
 * 'converter' (see ImageConverter, which fits them with WebAssembly instead).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { phrase } from '../../shared/phrase';
import { conversionCancelled, converterShutDown, ImageError } from '../errors';
import { fitBytes, type Converted, type FitRequest } from './fitImage';
import type { FromProcess, ToProcess } from './converterProtocol';

export interface NativeConverterOptions {
	/** The process's script (dist/imageProcess.js in the extension). */
	processPath: string;
	/** The process ends after this long without work. */
	idleMs?: number;
	/** Images fitted at once, at most; the cores by default. */
	jobs?: number;
	/** What the images in progress may take together, in MB (one always goes). */
	memoryBudgetMb?: number;
}

const DEFAULT_IDLE_MS = 30_000;
/**
 * The converter's process on its own, measured: 260 MB at its peak while fitting 12 MP photos two
 * at a time. This bounds what several photos at once may add on a many-core machine.
 */
const DEFAULT_BUDGET_MB = 384;
/**
 * The image sent ahead waits in the process as its file: worth it for phone photos (12 MP, 5 MB:
 * 0.77–0.83× of sharp's speed without, 0.85–0.91× with), not for 48 MP files of 20 MB and more,
 * which take long enough to fit that the wait for their bytes matters less, and whose copy
 * would take the host and the process past 512 MB together.
 */
const AHEAD_MAX_BYTES = 8 * 1024 * 1024;
/** Last lines the process wrote to stderr, kept to say why it died. */
const STDERR_LINES = 4;

interface NativeJob {
	id: number;
	request: FitRequest;
	bytes: number;
	resolve(result: Converted): void;
	reject(error: ImageError): void;
	signal: AbortSignal | undefined;
	onAbort: (() => void) | undefined;
	/** The caller was answered (cancelled); the process still has it, and its slot stays taken. */
	settled: boolean;
}

export class NativeConverter {
	private child: ChildProcess | undefined;
	/** Settles when the process has loaded libvips; rejects with why it could not. */
	private started: Promise<string> | undefined;
	private readonly queue: NativeJob[] = [];
	private readonly running = new Map<number, NativeJob>();
	private idleTimer: NodeJS.Timeout | undefined;
	private stderr: string[] = [];
	/** Why the process could not load libvips, when it said so before it ended. */
	private broken: string | undefined;
	/** What the process runs (`libvips 8.18.8, sharp 0.35.6`), once it has said so. */
	versions: string | undefined;
	private nextId = 1;
	private disposed = false;
	private readonly jobs: number;
	private readonly budgetBytes: number;
	/** Processes started, and how many of them died (or could not start) with images to fit. */
	readonly counts = { started: 0, died: 0 };

	constructor(private readonly options: NativeConverterOptions) {
		this.jobs = Math.max(1, Math.floor(options.jobs ?? os.availableParallelism()));
		this.budgetBytes = (options.memoryBudgetMb ?? DEFAULT_BUDGET_MB) * 1024 * 1024;
	}

	/** Images fitted at once, at most. */
	get parallelism(): number {
		return this.jobs;
	}

	/** Whether the process is running (for tests and the log). */
	get active(): boolean {
		return this.child !== undefined;
	}

	/** Why native libvips could not load, when the process said so: starting it again would not help. */
	get cannotLoad(): string | undefined {
		return this.broken;
	}

	/** The process's pid, while it runs. */
	get pid(): number | undefined {
		return this.child?.pid;
	}

	/** Starts the process ahead of the first image; resolves with what it runs, rejects with why it cannot. */
	warm(): Promise<string> {
		if (this.disposed) return Promise.reject(converterShutDown());
		this.start();
		this.scheduleIdle();
		return this.started!;
	}

	/** Fits one image in the process. Rejects with ImageError; 'cancelled' when `signal` fires, 'converter' when the process could not do it. */
	fit(request: FitRequest, signal?: AbortSignal): Promise<Converted> {
		if (this.disposed) return Promise.reject(converterShutDown());
		if (signal?.aborted) return Promise.reject(conversionCancelled());
		return new Promise<Converted>((resolve, reject) => {
			const job: NativeJob = { id: this.nextId++, request, bytes: fitBytes(request), resolve, reject, signal, onAbort: undefined, settled: false };
			if (signal) {
				job.onAbort = () => this.cancel(job);
				signal.addEventListener('abort', job.onAbort, { once: true });
			}
			this.queue.push(job);
			this.start();
			this.holdOn();
			void this.started!.then(() => this.pump(), () => undefined);
		});
	}

	/**
	 * Ends the process. Images still waiting fail with `reason` — by default 'cancelled', the
	 * converter having shut down; ImageConverter passes a 'converter' error when it turns to
	 * WebAssembly, so that they are fitted there.
	 */
	async dispose(reason: ImageError = converterShutDown()): Promise<void> {
		this.disposed = true;
		clearTimeout(this.idleTimer);
		this.failAll(reason);
		await this.stop();
	}

	private start(): void {
		if (this.child) return;
		this.counts.started++;
		this.stderr = [];
		this.broken = undefined;
		const child = fork(this.options.processPath, [String(1), String(this.jobs)], {
			serialization: 'advanced',
			stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
			execArgv: [],
			env: {
				...childEnvironment(),
				// sharp's pipelines run on libuv's threads (4 by default): one per image in progress.
				UV_THREADPOOL_SIZE: String(Math.max(4, this.jobs)),
				// In VS Code's own process (Electron), run the script as Node.
				ELECTRON_RUN_AS_NODE: '1',
				// glibc gives each libvips thread an arena that keeps what it freed: one arena, measured on a
				// folder of 12 MP photos, peaks at 257 MB instead of 420–448, at the same speed.
				MALLOC_ARENA_MAX: '1',
			},
		});
		this.child = child;
		child.stderr?.setEncoding('utf8');
		child.stderr?.on('data', (chunk: string) => {
			this.stderr.push(...chunk.split('\n').map(line => line.trim()).filter(Boolean));
			this.stderr.splice(0, Math.max(0, this.stderr.length - STDERR_LINES));
		});
		this.started = new Promise<string>((resolve, reject) => {
			child.on('message', (message: FromProcess) => {
				if (message.type === 'ready') {
					this.versions = message.versions;
					resolve(message.versions);
				}
				else if (message.type === 'broken') {
					this.broken = message.message;
					reject(new Error(message.message));
				}
				else this.onResult(message);
			});
			// Every failure, not just the first: a send to a process that is going away fails too, before its exit.
			child.on('error', err => {
				reject(err);
				// It never started (too many processes, no such executable): no exit will follow.
				if (child.pid === undefined) this.onExit(child, err.message);
			});
			child.once('exit', (code, signal) => {
				const why = this.exitReason(code, signal);
				reject(new Error(why));
				this.onExit(child, why);
			});
		});
		// A failure to start is reported to whoever awaits it (fit, warm); not unhandled.
		this.started.catch(() => undefined);
		this.holdOn();
	}

	/**
	 * Sends waiting images while fewer than `jobs` are in progress, and one more to wait in the
	 * process (its bytes there when a place frees), while their memory stays within the budget.
	 */
	private pump(): void {
		const child = this.child;
		if (!child || this.disposed) return;
		while (this.queue.length > 0 && this.running.size < this.jobs + 1) {
			const next = this.queue[0]!;
			if (this.running.size > 0 && this.runningBytes() + next.bytes > this.budgetBytes) break;
			if (this.running.size >= this.jobs && next.request.bytes.length > AHEAD_MAX_BYTES) break;
			this.queue.shift();
			this.running.set(next.id, next);
			const message: ToProcess = { type: 'fit', id: next.id, request: next.request };
			// A send that fails means the process is going: its exit fails the images it had.
			child.send(message, undefined, {}, () => undefined);
		}
		clearTimeout(this.idleTimer);
		if (this.running.size === 0) this.scheduleIdle();
		this.holdOn();
	}

	private runningBytes(): number {
		let bytes = 0;
		for (const job of this.running.values()) bytes += job.bytes;
		return bytes;
	}

	private onResult(message: Extract<FromProcess, { type: 'fitted' | 'failed' }>): void {
		const job = this.running.get(message.id);
		if (!job) return;
		this.running.delete(message.id);
		if (message.type === 'fitted') {
			// Advanced serialization gives a plain Uint8Array: what callers expect.
			this.settle(job, { ...message.result, ms: message.ms });
		} else {
			this.settle(job, new ImageError(message.code, message.message));
		}
		this.pump();
	}

	private onExit(child: ChildProcess, why: string): void {
		if (this.child !== child) return;
		this.child = undefined;
		this.started = undefined;
		clearTimeout(this.idleTimer);
		if (this.running.size > 0 || this.queue.length > 0) this.counts.died++;
		// What it had, and what waited for it: the process could not do them.
		this.failAll(new ImageError('converter', phrase('could not be converted: the native image converter stopped ({0})', why)));
	}

	private exitReason(code: number | null, signal: NodeJS.Signals | null): string {
		if (this.broken) return this.broken;
		const said = this.stderr.length > 0 ? `: ${this.stderr.join(' ')}` : '';
		return `${signal ? `signal ${signal}` : `exit code ${code}`}${said}`;
	}

	private failAll(error: ImageError): void {
		for (const job of [...this.running.values(), ...this.queue.splice(0)]) this.settle(job, error);
		this.running.clear();
		this.holdOn();
	}

	private cancel(job: NativeJob): void {
		const queued = this.queue.indexOf(job);
		if (queued >= 0) this.queue.splice(queued, 1);
		// One sent cannot be interrupted once started: its place stays taken until the process answers…
		this.settle(job, conversionCancelled());
		if (this.running.has(job.id)) this.child?.send({ type: 'drop', id: job.id } satisfies ToProcess, undefined, {}, () => undefined);
		// …unless no one waits for anything it is doing (a batch cancelled, an image that never ends):
		// the process goes, and a new one takes the images still to come.
		if (this.running.size > 0 && [...this.running.values()].every(running => running.settled)) {
			this.running.clear();
			void this.stop();
			if (this.queue.length > 0) {
				this.start();
				void this.started!.then(() => this.pump(), () => undefined);
			}
		}
	}

	private settle(job: NativeJob, outcome: Converted | ImageError): void {
		if (job.settled) return;
		job.settled = true;
		if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
		if (outcome instanceof ImageError) job.reject(outcome);
		else job.resolve(outcome);
	}

	private scheduleIdle(): void {
		clearTimeout(this.idleTimer);
		this.idleTimer = setTimeout(() => {
			if (this.running.size === 0 && this.queue.length === 0) void this.stop();
		}, this.options.idleMs ?? DEFAULT_IDLE_MS);
		this.idleTimer.unref();
	}

	/** Images waiting or in progress keep the extension host (or a script) alive; an idle process never does. */
	private holdOn(): void {
		const child = this.child;
		if (!child) return;
		const handles = [child, child.channel, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[];
		const busy = this.queue.length > 0 || this.running.size > 0;
		for (const handle of handles) {
			if (busy) handle?.ref?.();
			else handle?.unref?.();
		}
	}

	/** Ends the process; resolves once it has exited. */
	private stop(): Promise<void> {
		const child = this.child;
		if (!child) return Promise.resolve();
		this.child = undefined;
		this.started = undefined;
		if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
		return new Promise<void>(resolve => {
			child.once('exit', () => resolve());
			// Whoever awaits this waits for the exit: an idle process was let go of (see holdOn).
			child.ref();
			child.kill();
		});
	}
}

/**
 * What the converter's process gets of the extension host's environment: all but what could
 * change how Node starts (NODE_OPTIONS) and proxy settings, which may hold credentials and which a
 * process that only decodes images never needs.
 */
function childEnvironment(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (/^(node_options|(http|https|all|no)_proxy)$/i.test(name)) continue;
		env[name] = value;
	}
	return env;
}
