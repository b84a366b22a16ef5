/** Order statistics of repeated timings; nothing here judges them. */

export interface Summary {
	n: number;
	median: number;
	p95: number;
	min: number;
	max: number;
}

/**
 * Nearest-rank percentiles: always a value that was measured. With 10 samples the p95 is the
 * slowest run, which is what a reader of a 10-run p95 should expect.
 */
export function summarize(samples: readonly number[]): Summary {
	if (samples.length === 0) throw new Error('no samples to summarize');
	const sorted = [...samples].sort((a, b) => a - b);
	return {
		n: sorted.length,
		median: median(sorted),
		p95: nearestRank(sorted, 0.95),
		min: sorted[0],
		max: sorted[sorted.length - 1],
	};
}

function median(sorted: readonly number[]): number {
	const middle = sorted.length >> 1;
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function nearestRank(sorted: readonly number[], fraction: number): number {
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}
