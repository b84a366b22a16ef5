export interface RetryPolicy {
	/** Attempts in all, the first included. 1 disables retries. */
	maxAttempts: number;
	/** First backoff step; each retry doubles it. */
	baseDelayMs: number;
	/** Upper bound of one backoff step. */
	maxDelayMs: number;
	/** A Retry-After longer than this is not waited for: the error is reported instead. */
	maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 4,
	baseDelayMs: 300,
	maxDelayMs: 8_000,
	maxRetryAfterMs: 30_000,
};

/**
 * Delay before retry number `retry` (1 for the first retry): exponential backoff, half of it random,
 * so clients that failed together do not come back together. A Retry-After from the service wins
 * when it asks for longer.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number, retryAfterMs?: number): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
	const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
	return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (!text) return undefined;
	// Capped at a day: a 400-digit value is a broken header, not a wait.
	if (/^\s*\d+\s*$/.test(text)) return Math.min(Number(text), 86_400) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
