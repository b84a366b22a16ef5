/**
 * The asynchronous call's Operation (yandex.cloud.operation.Operation) as the client needs it, and
 * how often to ask for it. recognizeTextAsync answers an Operation at once; the operation service
 * (`GET …/operations/{id}`) says when it is `done`, with an `error` when the recognition failed;
 * then getRecognition streams the pages. proto3 JSON leaves `done: false` out: absent is false.
 */
import type { Status } from '../../results/types';
import { asObject, failure, field, shapeError, str, toVisionError, within } from '../transport/proto3Json';

export interface Operation {
	id: string;
	done: boolean;
	/** Milliseconds since the epoch, when the answer gave a readable `createdAt`. */
	createdAt?: number;
	/** Set when the operation ended in failure. */
	error?: Status;
}

/** How long the service keeps an operation's results: 3 days. */
export const OPERATION_RESULTS_KEPT_MS = 3 * 24 * 60 * 60 * 1000;

/** The operation service's quota (status requests per second, across every operation). */
export const DEFAULT_OPERATION_REQUESTS_PER_SECOND = 50;
/** getRecognition's quota. */
export const DEFAULT_GET_RECOGNITION_REQUESTS_PER_SECOND = 50;
/** recognizeTextAsync's quota. */
export const DEFAULT_ASYNC_REQUESTS_PER_SECOND = 10;

export function readOperation(value: unknown): Operation {
	try {
		const o = asObject(value);
		const id = str(o, 'id');
		if (id === '') throw shapeError('is missing or empty', 'id');
		const done = field(o, 'done');
		if (done !== undefined && typeof done !== 'boolean') throw shapeError(`should be true or false, not ${JSON.stringify(done)}`, 'done');
		const operation: Operation = { id, done: done === true };
		const created = Date.parse(str(o, 'createdAt', 'created_at'));
		if (!Number.isNaN(created)) operation.createdAt = created;
		const error = field(o, 'error');
		if (error !== undefined && error !== null) operation.error = within('error', () => failure(asObject(error)));
		// An error is the end of the operation, whatever `done` says.
		if (operation.error) operation.done = true;
		return operation;
	} catch (err) {
		throw toVisionError(err);
	}
}

/** Polls of one operation: often while it is young, then a quarter of its age, at most every 15 s. */
export interface PollSchedule {
	firstMs: number;
	minMs: number;
	maxMs: number;
	/** The wait is this share of the operation's age. */
	ageShare: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = { firstMs: 500, minMs: 500, maxMs: 15_000, ageShare: 0.25 };

/**
 * The wait before the next status request of an operation `ageMs` old: a job that takes a minute
 * is asked about 20 times, one that takes a second 2–3 times, and an answer is seen at most a
 * quarter of its age (or `minMs`) after it is ready.
 */
export function nextPollDelay(ageMs: number, schedule: PollSchedule = DEFAULT_POLL_SCHEDULE): number {
	if (ageMs <= 0) return schedule.firstMs;
	return Math.round(Math.min(schedule.maxMs, Math.max(schedule.minMs, ageMs * schedule.ageShare)));
}
