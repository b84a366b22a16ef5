/**
 * A document through the OCR API's asynchronous call, from start to pages: recognizeTextAsync
 * starts it (or an operation started before, after a reload, is taken up again), the operation
 * is asked about at a pace that slows as it ages (every status request, across all operations,
 * within the operation service's quota), and once it is done getRecognition streams the pages.
 *
 * - `done` with `error`: the recognition failed. An INTERNAL or UNAVAILABLE failure is started
 *   once more (a failed operation is not billed); any other is the document's error.
 * - A status answer of NOT_FOUND: the operation is unknown or its results have expired (the service
 *   keeps them 3 days); said so, never waited on.
 * - getRecognition's NOT_FOUND ("not ready") after `done`: the results are on their way; asked
 *   again a few times, then reported.
 * - Status requests that keep failing (the network is down) are retried with backoff for a while:
 *   the operation goes on at the service, and nothing is lost by waiting.
 */
import type { Page } from '../../results/types';
import { sleep as defaultSleep } from '../transport/rateLimiter';
import { phrase } from '../../shared/phrase';
import { rpcCodeMeaning, RpcCode, VisionError } from '../transport/errors';
import type { CallMeta } from '../transport/callWithRetries';
import { sniffImage } from '../content/imageInfo';
import type { OcrClient } from './client';
import { sentSize } from './normalize';
import { DEFAULT_POLL_SCHEDULE, nextPollDelay, OPERATION_RESULTS_KEPT_MS, type Operation, type PollSchedule } from './operation';
import type { RecognizeTextRequest, RecognizeTextResult } from './types';

/** An operation already started for this document, as it was recorded. */
export interface StartedOperation {
	id: string;
	/** Milliseconds since the epoch. */
	createdAt: number;
}

export interface RecognizeDocumentOptions {
	signal?: AbortSignal;
	/** Taken up instead of starting a new recognition: nothing is sent (or billed) again. */
	operation?: StartedOperation;
	/** Called once the service has accepted the document, before any waiting: the place to record it. */
	onStarted?(operation: StartedOperation, pages: number | undefined): void | Promise<void>;
	/** Called when an operation is over (its pages read, or failed for good): the place to forget it. */
	onFinished?(operation: StartedOperation): void | Promise<void>;
	/** Each page as it arrives, in page order. */
	onPage?(page: Page, index: number): void;
	/** Each status seen while waiting, for progress. */
	onStatus?(status: { operationId: string; ageMs: number; polls: number }): void;
	schedule?: PollSchedule;
	now?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DocumentResult extends RecognizeTextResult {
	operationId: string;
	/** Whether this call started the operation (false when one started before was taken up). */
	started: boolean;
}

/** Operations started for one document, at most: the second only after the first failed at the service. */
const MAX_OPERATIONS = 2;
/** Consecutive status requests that may fail (each after its own retries) before the wait gives up. */
const MAX_STATUS_FAILURES = 6;
/** getRecognition answering "not ready" after `done`, at most this many times. */
const MAX_NOT_READY = 5;

export async function recognizeDocument(client: Pick<OcrClient, 'recognizeTextAsync' | 'getOperation' | 'getRecognition'>, request: RecognizeTextRequest, options: RecognizeDocumentOptions = {}): Promise<DocumentResult> {
	const { signal } = options;
	const now = options.now ?? Date.now;
	const wait = options.sleep ?? defaultSleep;
	const schedule = options.schedule ?? DEFAULT_POLL_SCHEDULE;
	let taken = options.operation;
	for (let round = 1; ; round++) {
		let operation: StartedOperation;
		let started = false;
		let pages: number | undefined;
		if (taken) {
			operation = taken;
			taken = undefined;
		} else {
			const submitted = await client.recognizeTextAsync(request, { signal });
			// This machine's clock, which the waits and the expiry are judged by.
			operation = { id: submitted.operation.id, createdAt: now() };
			pages = submitted.pages;
			started = true;
			await options.onStarted?.(operation, pages);
		}
		const finished = await waitForOperation(client, operation, started, { signal, now, wait, schedule, onStatus: options.onStatus });
		if (finished.error) {
			await options.onFinished?.(operation);
			const { code, message, details } = finished.error;
			const failure = new VisionError({
				kind: 'service',
				code,
				message: phrase('The recognition (operation {0}) failed: {1}', operation.id, message || rpcCodeMeaning(code)),
				details,
			});
			if ((code === RpcCode.INTERNAL || code === RpcCode.UNAVAILABLE) && round < MAX_OPERATIONS && !signal?.aborted) continue;
			throw failure;
		}
		const result = await readRecognition(client, operation, request, { signal, now, wait, onPage: options.onPage });
		await options.onFinished?.(operation);
		return { ...result, operationId: operation.id, started };
	}
}

interface Waiting {
	signal: AbortSignal | undefined;
	now: () => number;
	wait: (ms: number, signal?: AbortSignal) => Promise<void>;
	schedule: PollSchedule;
	onStatus: RecognizeDocumentOptions['onStatus'];
}

/** Asks about the operation until it is done (one taken up is asked at once); NOT_FOUND ends it as unknown or expired. */
async function waitForOperation(client: Pick<OcrClient, 'getOperation'>, operation: StartedOperation, fresh: boolean, waiting: Waiting): Promise<Operation> {
	const { signal, now, wait, schedule } = waiting;
	let failures = 0;
	for (let polls = 0; ; ) {
		const age = now() - operation.createdAt;
		const delay = polls === 0 && failures === 0 ? (fresh ? schedule.firstMs : 0) : nextPollDelay(age, schedule);
		await wait(delay, signal).catch(reason => {
			throw cancelled(reason);
		});
		let status: Operation;
		try {
			status = await client.getOperation(operation.id, { signal });
			failures = 0;
		} catch (err) {
			if (!(err instanceof VisionError)) throw err;
			if (err.kind === 'service' && err.code === RpcCode.NOT_FOUND) throw gone(operation, now(), err);
			if (!err.retryable || ++failures >= MAX_STATUS_FAILURES) throw err;
			continue;
		}
		polls++;
		waiting.onStatus?.({ operationId: operation.id, ageMs: now() - operation.createdAt, polls });
		if (status.done) return status;
	}
}

/** The pages of a done operation; "not ready" is waited out a few times. */
async function readRecognition(
	client: Pick<OcrClient, 'getRecognition'>,
	operation: StartedOperation,
	request: RecognizeTextRequest,
	reading: { signal: AbortSignal | undefined; now: () => number; wait: Waiting['wait']; onPage: RecognizeDocumentOptions['onPage'] },
): Promise<RecognizeTextResult & { meta: CallMeta }> {
	const info = request.content instanceof Uint8Array ? sniffImage(request.content) : undefined;
	const sent = info ? sentSize(info) : undefined;
	for (let notReady = 0; ; notReady++) {
		try {
			return await client.getRecognition(operation.id, { signal: reading.signal, onPage: reading.onPage, ...sent ? { sent } : {} });
		} catch (err) {
			if (!(err instanceof VisionError) || !(err.kind === 'service' && err.code === RpcCode.NOT_FOUND)) throw err;
			if (reading.now() - operation.createdAt > OPERATION_RESULTS_KEPT_MS) throw gone(operation, reading.now(), err);
			if (notReady + 1 >= MAX_NOT_READY) throw err.with({ message: phrase('The results of operation {0} are still not ready although it is done: {1}', operation.id, err.wording) });
			await reading.wait(1000 * 2 ** notReady, reading.signal).catch(reason => {
				throw cancelled(reason);
			});
		}
	}
}

function gone(operation: StartedOperation, at: number, err: VisionError): VisionError {
	const days = (at - operation.createdAt) / 86_400_000;
	const message = at - operation.createdAt > OPERATION_RESULTS_KEPT_MS
		? phrase('The results of operation {0} are no longer kept: it started {1} days ago and the service keeps results 3 days. Recognize the document again.', operation.id, days.toFixed(1))
		: phrase('The service does not know operation {0} ({1}). Recognize the document again.', operation.id, err.wording);
	return err.with({ message });
}

function cancelled(cause: unknown): VisionError {
	return new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: phrase('The request was cancelled.'), cause });
}
