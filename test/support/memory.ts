/** What a test keeps alive, measured as V8 sees it once garbage is collected. */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** V8's full garbage collection, which node exposes only when asked to. */
export function fullCollection(): () => void {
	const exposed = (globalThis as { gc?: () => void }).gc;
	if (exposed) return exposed;
	v8.setFlagsFromString('--expose-gc');
	return vm.runInNewContext('gc') as () => void;
}

/** Heap and array buffers still reachable after `collect`: base64 text is on the heap, file bytes in buffers. */
export function retainedBytes(collect: () => void): number {
	collect();
	const usage = process.memoryUsage();
	return usage.heapUsed + usage.arrayBuffers;
}

/** How often each value occurs. */
export function countBy(values: readonly string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}
