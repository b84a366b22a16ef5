import type { VisionClient } from './client';
import { RpcCode, VisionError } from './errors';
import type { AnalyzeResult, AnalyzeSpec } from './types';
import { LIMITS, prepareSpec } from './validate';

/** How one image of a batch ended. Exactly one per input, in input order. */
export type ItemOutcome =
	| {
		status: 'done';
		/** Per-feature errors, if any, are inside, next to the other features' results. */
		result: AnalyzeResult;
		requestId: string | undefined;
	}
	| {
		status: 'failed';
		error: VisionError;
	};

export interface AnalyzeAllOptions {
	/** Requests in flight at once. The client's requests-per-second limit applies on top. */
	concurrency?: number;
	/** Specs per request, 1–8. */
	specsPerRequest?: number;
	signal?: AbortSignal;
	/** Called once per input as soon as its outcome is known. */
	onOutcome?: (index: number, outcome: ItemOutcome) => void;
}

/**
 * Analyzes any number of images: each is validated alone (a bad one fails by itself, nothing is
 * sent for it), the rest are packed into requests of up to 8 specs and sent with bounded
 * concurrency. Results come back in input order. After cancellation no new request starts, and
 * everything that had not finished ends as `cancelled`; what finished is kept.
 */
export async function analyzeAll(client: Pick<VisionClient, 'batchAnalyze'>, specs: readonly AnalyzeSpec[], options: AnalyzeAllOptions = {}): Promise<ItemOutcome[]> {
	const perRequest = options.specsPerRequest ?? LIMITS.specs;
	if (!Number.isInteger(perRequest) || perRequest < 1 || perRequest > LIMITS.specs) {
		throw new RangeError(`specsPerRequest must be an integer from 1 to ${LIMITS.specs}, got ${perRequest}`);
	}
	const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
	const outcomes: (ItemOutcome | undefined)[] = new Array(specs.length).fill(undefined);
	const settle = (index: number, outcome: ItemOutcome) => {
		outcomes[index] = outcome;
		options.onOutcome?.(index, outcome);
	};

	const valid: number[] = [];
	specs.forEach((spec, index) => {
		try {
			prepareSpec(spec, `analyzeSpecs[${index}]`);
			valid.push(index);
		} catch (err) {
			settle(index, { status: 'failed', error: asVisionError(err) });
		}
	});

	const queue: number[][] = [];
	for (let i = 0; i < valid.length; i += perRequest) queue.push(valid.slice(i, i + perRequest));

	const sendGroup = async (group: number[]): Promise<void> => {
		try {
			const response = await client.batchAnalyze({ analyzeSpecs: group.map(i => specs[i]!) }, { signal: options.signal });
			group.forEach((index, k) => {
				const result = response.results[k]!;
				if (result.error) {
					settle(index, {
						status: 'failed',
						error: new VisionError({ kind: 'service', code: result.error.code, message: result.error.message, details: result.error.details, requestId: response.meta.requestId, clientRequestId: response.meta.clientRequestId }),
					});
				} else {
					settle(index, { status: 'done', result, requestId: response.meta.requestId });
				}
			});
		} catch (err) {
			const error = asVisionError(err);
			// The service rejected the whole request over one spec: halve until the culprit stands alone.
			if (error.kind === 'service' && error.code === RpcCode.INVALID_ARGUMENT && group.length > 1 && !options.signal?.aborted) {
				const middle = Math.ceil(group.length / 2);
				queue.unshift(group.slice(0, middle), group.slice(middle));
				return;
			}
			for (const index of group) settle(index, { status: 'failed', error });
		}
	};

	const worker = async (): Promise<void> => {
		for (let group = queue.shift(); group; group = queue.shift()) {
			if (options.signal?.aborted) {
				queue.unshift(group);
				return;
			}
			await sendGroup(group);
		}
	};
	// Workers take groups as they free up; a split group goes back to the front of the queue and
	// the worker that split it is still running, so nothing is stranded.
	await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));

	const notRun = new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: 'Cancelled before this image was sent.' });
	return outcomes.map((outcome, index) => {
		if (outcome) return outcome;
		const failed: ItemOutcome = { status: 'failed', error: notRun };
		options.onOutcome?.(index, failed);
		return failed;
	});
}

function asVisionError(err: unknown): VisionError {
	if (err instanceof VisionError) return err;
	return new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, message: err instanceof Error ? err.message : String(err), cause: err });
}
