/** The per-cloud request quota: at most N admitted requests in any sliding 1 s window. */

const WINDOW_MS = 1000;

export class SlidingWindowLimiter {
	private admitted: number[] = [];

	/** Admits the request, or says how many whole seconds to wait (at least 1). */
	admit(limit: number | undefined, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
		if (limit === undefined) return { ok: true };
		this.admitted = this.admitted.filter(time => now - time < WINDOW_MS);
		const allowed = Math.floor(limit);
		if (this.admitted.length < allowed) {
			this.admitted.push(now);
			return { ok: true };
		}
		// The window frees a slot when the oldest request that keeps it full leaves.
		const freeAt = allowed > 0 ? this.admitted[this.admitted.length - allowed] + WINDOW_MS : now + WINDOW_MS;
		return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
	}
}
