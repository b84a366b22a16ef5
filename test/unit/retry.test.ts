import * as assert from 'node:assert/strict';
import { VisionError } from '../../src/api/transport/errors';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../src/api/transport/retryPolicy';

describe('retry policy', () => {
	const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };

	it('doubles the backoff per retry, jittered within [half, full], capped', () => {
		assert.equal(backoffDelay(policy, 1, () => 0), 50);
		assert.equal(backoffDelay(policy, 1, () => 1), 100);
		assert.equal(backoffDelay(policy, 3, () => 1), 400);
		assert.equal(backoffDelay(policy, 10, () => 1), 1_000);
		assert.equal(backoffDelay(policy, 10, () => 0), 500);
	});

	it('waits at least as long as Retry-After asks', () => {
		assert.equal(backoffDelay(policy, 1, () => 0.5, 3_000), 3_000);
		assert.equal(backoffDelay(policy, 4, () => 1, 10), 800);
	});

	it('reads Retry-After as seconds or an HTTP date', () => {
		assert.equal(parseRetryAfter('2', 0), 2_000);
		assert.equal(parseRetryAfter(['1'], 0), 1_000);
		const now = Date.parse('2026-01-01T00:00:00Z');
		assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5_000);
		assert.equal(parseRetryAfter('soon', now), undefined);
		assert.equal(parseRetryAfter(undefined, now), undefined);
	});

	it('caps a Retry-After beyond a day, so a broken header never reads as an endless wait', () => {
		assert.equal(parseRetryAfter('9'.repeat(400), 0), 86_400_000);
		assert.equal(parseRetryAfter('86400', 0), 86_400_000);
	});

	it('retries 429/500/502/503/504 and connection trouble, never 400/401/403', () => {
		const service = (httpStatus: number) => new VisionError({ kind: 'service', code: 0, message: '', httpStatus });
		for (const status of [429, 500, 502, 503, 504]) assert.equal(service(status).retryable, true, String(status));
		for (const status of [400, 401, 403, 404, 413]) assert.equal(service(status).retryable, false, String(status));
		assert.equal(new VisionError({ kind: 'network', code: 14, message: '' }).retryable, true);
		assert.equal(new VisionError({ kind: 'timeout', code: 4, message: '' }).retryable, true);
		assert.equal(new VisionError({ kind: 'cancelled', code: 1, message: '' }).retryable, false);
		assert.equal(new VisionError({ kind: 'protocol', code: 13, message: '', httpStatus: 200 }).retryable, false);
	});
});
