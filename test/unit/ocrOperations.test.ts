/**
 * A document through the OCR API's asynchronous call, against a scripted service and a clock of
 * its own: how often the operation is asked about, and what each way of ending means — done,
 * done with an error, expired, not ready, a status service that keeps failing, Cancel.
 */
import * as assert from 'node:assert/strict';
import type { GetRecognitionOptions, OcrClient, SubmittedOperation } from '../../src/api/ocr/client';
import { nextPollDelay, OPERATION_RESULTS_KEPT_MS, readOperation, type Operation } from '../../src/api/ocr/operation';
import { recognizeDocument, type StartedOperation } from '../../src/api/ocr/recognizeDocument';
import type { RecognizeTextResult } from '../../src/api/ocr/types';
import { RpcCode, VisionError } from '../../src/api/transport/errors';
import type { Page } from '../../src/results/types';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 100, 0, 0, 0, 50, 8, 2, 0, 0, 0]);
const META = { requestId: 'r', clientRequestId: 'c', attempts: 1, elapsedMs: 1 };

function page(n: number): Page {
	return { width: 100, height: 50, blocks: [], entities: [], fullText: `page ${n}` };
}

function notFound(message: string): VisionError {
	return new VisionError({ kind: 'service', code: RpcCode.NOT_FOUND, httpStatus: 404, message });
}

/** A service whose operations finish `doneAfterMs` after they start, on a clock the waits advance. */
class ScriptedService implements Pick<OcrClient, 'recognizeTextAsync' | 'getOperation' | 'getRecognition'> {
	now = 1_000_000;
	readonly submissions: number[] = [];
	readonly polls: { id: string; at: number }[] = [];
	readonly fetches: string[] = [];
	/** Outcome of each operation in order of submission. */
	outcomes: ('ok' | { code: number; message: string })[] = [];
	statusFailures = 0;
	notReadyAnswers = 0;
	pages = 3;
	private readonly started = new Map<string, { at: number; outcome: 'ok' | { code: number; message: string } }>();

	constructor(readonly doneAfterMs: number) {}

	sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
		signal?.throwIfAborted();
		this.now += ms;
	};

	async recognizeTextAsync(): Promise<SubmittedOperation> {
		const id = `op${this.submissions.length + 1}`;
		this.submissions.push(this.now);
		this.started.set(id, { at: this.now, outcome: this.outcomes.shift() ?? 'ok' });
		return { operation: { id, done: false }, meta: META };
	}

	async getOperation(id: string): Promise<Operation> {
		this.polls.push({ id, at: this.now });
		if (this.statusFailures > 0) {
			this.statusFailures--;
			throw new VisionError({ kind: 'network', code: RpcCode.UNAVAILABLE, message: 'connection refused' });
		}
		const op = this.started.get(id);
		if (!op) throw notFound(`Operation ${id} not found`);
		if (this.now - op.at < this.doneAfterMs) return { id, done: false };
		return op.outcome === 'ok' ? { id, done: true } : { id, done: true, error: { ...op.outcome, details: [] } };
	}

	async getRecognition(id: string, options: GetRecognitionOptions = {}): Promise<RecognizeTextResult> {
		this.fetches.push(id);
		if (this.notReadyAnswers > 0) {
			this.notReadyAnswers--;
			throw notFound('operation data is not ready');
		}
		const pages = Array.from({ length: this.pages }, (_, n) => page(n));
		pages.forEach((p, n) => options.onPage?.(p, n));
		return { annotation: { pages, engine: 'ocr-api' }, meta: META };
	}
}

function run(service: ScriptedService, options: Parameters<typeof recognizeDocument>[2] = {}) {
	return recognizeDocument(service, { content: PNG, languageCodes: ['*'] }, { now: () => service.now, sleep: service.sleep, ...options });
}

describe('OCR API operations', () => {
	describe('reading an Operation', () => {
		it('done is false when proto3 JSON leaves it out, and an error ends the operation', () => {
			assert.deepEqual(readOperation({ id: 'fd3abc', createdAt: '2026-12-07T10:00:00Z', description: 'x' }), { id: 'fd3abc', done: false, createdAt: Date.parse('2026-12-07T10:00:00Z') });
			const failed = readOperation({ id: 'fd3abc', error: { code: 13, message: 'Internal' } });
			assert.equal(failed.done, true);
			assert.equal(failed.error?.code, 13);
		});

		it('an answer without an id, or with a done that is no boolean, is a protocol error naming the field', () => {
			assert.throws(() => readOperation({ done: true }), (err: VisionError) => err.kind === 'protocol' && /id/.test(err.message));
			assert.throws(() => readOperation({ id: 'x', done: 'yes' }), (err: VisionError) => err.kind === 'protocol' && /done/.test(err.message));
		});
	});

	describe('how often an operation is asked about', () => {
		it('every 0.5 s while young, a quarter of its age later, never more than 15 s apart', () => {
			assert.equal(nextPollDelay(0), 500);
			assert.equal(nextPollDelay(1_000), 500);
			assert.equal(nextPollDelay(8_000), 2_000);
			assert.equal(nextPollDelay(40_000), 10_000);
			assert.equal(nextPollDelay(10 * 60_000), 15_000);
		});

		it('a minute-long job is asked about about 20 times, and its end is seen within a quarter of its age', async () => {
			const service = new ScriptedService(60_000);
			const result = await run(service);
			assert.equal(result.annotation.pages.length, 3);
			assert.ok(service.polls.length >= 10 && service.polls.length <= 25, `${service.polls.length} polls`);
			const seenAt = service.polls.at(-1)!.at - service.submissions[0]!;
			assert.ok(seenAt >= 60_000 && seenAt <= 60_000 * 1.25 + 500, `done seen after ${seenAt} ms`);
		});

		it('an operation taken up after a reload is asked about at once, and nothing is submitted', async () => {
			const service = new ScriptedService(10_000);
			await service.recognizeTextAsync();
			service.submissions.length = 0;
			const taken: StartedOperation = { id: 'op1', createdAt: service.now };
			service.now += 20_000;
			const result = await run(service, { operation: taken });
			assert.equal(service.submissions.length, 0);
			assert.equal(service.polls[0]!.at, service.now, 'asked at once');
			assert.equal(result.started, false);
			assert.equal(result.operationId, 'op1');
		});
	});

	describe('how an operation ends', () => {
		it('pages arrive in order through onPage, and onStarted/onFinished frame the operation', async () => {
			const service = new ScriptedService(2_000);
			const events: string[] = [];
			const result = await run(service, {
				onStarted: operation => {
					events.push(`started ${operation.id}`);
				},
				onFinished: operation => {
					events.push(`finished ${operation.id}`);
				},
				onPage: (_page, index) => events.push(`page ${index}`),
			});
			assert.deepEqual(events, ['started op1', 'page 0', 'page 1', 'page 2', 'finished op1']);
			assert.equal(result.started, true);
		});

		it('done with INTERNAL: started once more (a failed job is not billed); a second failure is the error', async () => {
			const service = new ScriptedService(1_000);
			service.outcomes = [{ code: RpcCode.INTERNAL, message: 'worker crashed' }];
			const result = await run(service);
			assert.equal(service.submissions.length, 2);
			assert.equal(result.operationId, 'op2');

			const failing = new ScriptedService(1_000);
			failing.outcomes = [{ code: RpcCode.INTERNAL, message: 'worker crashed' }, { code: RpcCode.INTERNAL, message: 'again' }];
			await assert.rejects(run(failing), (err: VisionError) => err.code === RpcCode.INTERNAL && /operation op2\) failed: again/.test(err.message));
			assert.equal(failing.submissions.length, 2);
		});

		it('done with INVALID_ARGUMENT: the error, and nothing started again', async () => {
			const service = new ScriptedService(1_000);
			service.outcomes = [{ code: RpcCode.INVALID_ARGUMENT, message: 'page 3 cannot be decoded' }];
			await assert.rejects(run(service), (err: VisionError) => err.code === RpcCode.INVALID_ARGUMENT && /page 3 cannot be decoded/.test(err.message));
			assert.equal(service.submissions.length, 1);
			assert.equal(service.fetches.length, 0);
		});

		it('an operation the service no longer keeps (over 3 days) is said to have expired, never waited on', async () => {
			const service = new ScriptedService(1_000);
			const old: StartedOperation = { id: 'gone1', createdAt: service.now - OPERATION_RESULTS_KEPT_MS - 60_000 };
			await assert.rejects(run(service, { operation: old }), (err: VisionError) => err.code === RpcCode.NOT_FOUND && /no longer kept.*3 days/.test(err.message));
			assert.equal(service.polls.length, 1);
			assert.equal(service.submissions.length, 0);
		});

		it('getRecognition "not ready" after done is waited out, then read', async () => {
			const service = new ScriptedService(1_000);
			service.notReadyAnswers = 2;
			const result = await run(service);
			assert.equal(result.annotation.pages.length, 3);
			assert.equal(service.fetches.length, 3);
		});

		it('status requests failing for a while are waited out; failing on and on, the error is reported', async () => {
			const service = new ScriptedService(1_000);
			service.statusFailures = 3;
			assert.equal((await run(service)).annotation.pages.length, 3);

			const down = new ScriptedService(1_000);
			down.statusFailures = 100;
			await assert.rejects(run(down), (err: VisionError) => err.kind === 'network');
			assert.equal(down.polls.length, 6);
		});

		it('Cancel while waiting: a cancelled error, and the operation is not forgotten', async () => {
			const service = new ScriptedService(60_000);
			const controller = new AbortController();
			let finished = false;
			const running = run(service, {
				signal: controller.signal,
				onStatus: status => {
					if (status.polls === 3) controller.abort();
				},
				onFinished: () => {
					finished = true;
				},
			});
			await assert.rejects(running, (err: VisionError) => err.kind === 'cancelled');
			assert.equal(finished, false, 'still recorded, to be read later');
		});
	});
});
