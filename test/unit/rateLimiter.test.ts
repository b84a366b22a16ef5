import * as assert from 'node:assert/strict';
import { RateLimiter } from '../../src/api/transport/rateLimiter';

/** A clock that only moves when the limiter sleeps, so the schedule is exact. */
function fakeClock() {
	let now = 0;
	return {
		now: () => now,
		sleep: async (ms: number, signal?: AbortSignal) => {
			signal?.throwIfAborted();
			now += ms;
		},
	};
}

describe('RateLimiter', () => {
	it('grants a burst up to the limit, then one per freed slot of the window', async () => {
		const clock = fakeClock();
		const limiter = new RateLimiter({ requestsPerSecond: 3, marginMs: 0, ...clock });
		const times: number[] = [];
		for (let i = 0; i < 7; i++) {
			await limiter.acquire();
			times.push(clock.now());
		}
		assert.deepEqual(times, [0, 0, 0, 1000, 1000, 1000, 2000]);
	});

	it('never lets more than N through in any window of one second (plus margin)', async () => {
		const clock = fakeClock();
		const limiter = new RateLimiter({ requestsPerSecond: 10, ...clock });
		const times: number[] = [];
		await Promise.all(Array.from({ length: 35 }, () => limiter.acquire().then(() => times.push(clock.now()))));
		for (const t of times) {
			assert.ok(times.filter(u => u >= t && u < t + 1000).length <= 10);
		}
	});

	it('spaces a fractional rate', async () => {
		const clock = fakeClock();
		const limiter = new RateLimiter({ requestsPerSecond: 0.5, marginMs: 0, ...clock });
		await limiter.acquire();
		await limiter.acquire();
		assert.equal(clock.now(), 2000);
	});

	it('lets the next waiter through when one is cancelled', async () => {
		const limiter = new RateLimiter({ requestsPerSecond: 1, marginMs: 0 });
		await limiter.acquire();
		const controller = new AbortController();
		const cancelled = limiter.acquire(controller.signal);
		controller.abort(new Error('stop'));
		await assert.rejects(cancelled, /stop/);
		const started = Date.now();
		await limiter.acquire();
		assert.ok(Date.now() - started < 1100);
	});

	it('rejects a nonsensical rate', () => {
		assert.throws(() => new RateLimiter({ requestsPerSecond: 0 }), /positive/);
		assert.throws(() => new RateLimiter({ requestsPerSecond: Number.NaN }), /positive/);
	});
});
