/**
 * A thousand images through the OCR API's asynchronous path (a folder run) against an emulator
 * that breaks one request in ten on every method: submissions refused or cut, status requests
 * failing or stalling, result streams cut inside a page, operations that end in an error. Each
 * image must end exactly once, done with its own text or failed with a reason; and none may be
 * submitted twice unless its earlier submission provably started nothing (an answered 429, 500
 * or 503, or an operation that ended in error) — anything else could bill it twice.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ocrApiEngine, type OperationJournal } from '../../src/analysis/engines';
import { runPipeline, type PipelineOutcome, type PipelineSource } from '../../src/analysis/pipeline';
import { createOcrClient, type OcrClient } from '../../src/api/ocr/client';
import type { StartedOperation } from '../../src/api/ocr/recognizeDocument';
import { VisionError } from '../../src/api/transport/errors';
import type { Fitter } from '../../src/images/prepareImage';
import type { TextAnnotation } from '../../src/results/types';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator, type FaultKind, type RequestLogEntry } from '../emulator';
import { countBy } from '../support/memory';
import { writeNumberFixtures, type NumberFile } from '../support/numberImages';

const IMAGES = 1_000;
/** Quotas raised tenfold from the service's (10, 50, 50), so that the run takes seconds; the client keeps to the same. */
const ASYNC_PER_SECOND = 100;
const STATUS_PER_SECOND = 500;
const RESULTS_PER_SECOND = 500;
const TIMEOUT_MS = 2_000;
const STALL_MS = 6_000;
/** Answered failures after which the service started nothing: sending again cannot bill twice. */
const STARTED_NOTHING = new Set([429, 500, 503]);

const noFitting: Fitter = {
	fit: async () => {
		throw new Error('nothing should be fitted here');
	},
};

/** The journal of a run, in memory: what the engine recorded and forgot. */
class MemoryJournal implements OperationJournal {
	readonly entries = new Map<string, StartedOperation>();
	recorded = 0;
	find(key: string): StartedOperation | undefined {
		return this.entries.get(key);
	}
	async record(key: string, operation: StartedOperation): Promise<void> {
		this.recorded++;
		this.entries.set(key, operation);
	}
	async forget(key: string): Promise<void> {
		this.entries.delete(key);
	}
}

describe('OCR API asynchronous path: 1,000 images under faults', function () {
	this.timeout(240_000);
	let dir: string;
	let files: NumberFile[];
	let emulator: Emulator;
	let client: OcrClient;

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocr-async-reliability-'));
		files = writeNumberFixtures(dir, IMAGES, { first: 1, sizeBytes: 16 * 1024 });
		emulator = await startEmulator({
			fixturesDir: dir,
			stallMs: STALL_MS,
			ocrAsyncRequestsPerSecond: ASYNC_PER_SECOND,
			operationRequestsPerSecond: STATUS_PER_SECOND,
			getRecognitionRequestsPerSecond: RESULTS_PER_SECOND,
			ocrProcessingMs: 300,
		});
	});
	after(async () => {
		await client?.close();
		await emulator?.close();
		if (dir) fs.rmSync(dir, { recursive: true, force: true });
	});

	it('ends every image once, with its own text or a reason; nothing submitted twice unless provably refused', async () => {
		const kinds: FaultKind[] = ['http429', 'http500', 'http503', 'http504', 'html502', 'reset', 'stall', 'truncated', 'streamError', 'operationError'];
		emulator.configure({ faults: { rate: 0.1, kinds, seed: 11 } });
		client = createOcrClient({
			endpoint: emulator.ocrUrl,
			operationEndpoint: emulator.operationsUrl,
			credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
			folderId: DEFAULT_CREDENTIALS.folderId,
			timeoutMs: TIMEOUT_MS,
			retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 400, maxRetryAfterMs: 2_000 },
			asyncRequestsPerSecond: ASYNC_PER_SECOND,
			operationRequestsPerSecond: STATUS_PER_SECOND,
			getRecognitionRequestsPerSecond: RESULTS_PER_SECOND,
		});
		// Which calls of the client were for which image: each call is one x-client-request-id, whatever its attempts.
		const callsOf = new Map<string, string[]>();
		const track = (content: Uint8Array | string, id: string | undefined): void => {
			if (id === undefined) return;
			const key = createHash('sha256').update(content).digest('hex');
			callsOf.set(key, [...callsOf.get(key) ?? [], id]);
		};
		const tracked: typeof client = {
			...client,
			recognizeTextAsync: async (request, options) => {
				try {
					const submitted = await client.recognizeTextAsync(request, options);
					track(request.content, submitted.meta.clientRequestId);
					return submitted;
				} catch (err) {
					track(request.content, err instanceof VisionError ? err.clientRequestId : undefined);
					throw err;
				}
			},
		};
		const journal = new MemoryJournal();
		const told = new Array<number>(IMAGES).fill(0);
		const sources: PipelineSource[] = files.map(f => ({
			name: path.basename(f.file),
			read: async signal => ({ bytes: await fs.promises.readFile(f.file, { signal }) }),
		}));
		const started = Date.now();
		const outcomes = await runPipeline(sources, {
			engine: ocrApiEngine(tracked, { model: 'page', languageCodes: ['en'], manyImages: true }, journal),
			fitter: noFitting,
			onOutcome: index => told[index]!++,
		});
		const elapsed = Date.now() - started;

		const log = emulator.log;
		const submissions = log.filter(entry => entry.path.endsWith('/recognizeTextAsync'));
		const failed = outcomes.flatMap((outcome, index) => outcome.status === 'failed' ? [index] : []);
		console.log(`      ${IMAGES} images in ${(elapsed / 1000).toFixed(1)} s: ${submissions.length} submissions, `
			+ `${log.filter(entry => entry.path.startsWith('/operations/')).length} status requests, ${log.filter(entry => entry.path.endsWith('/getRecognition')).length} result requests; `
			+ `${failed.length} images failed; faults ${JSON.stringify(countBy(log.map(entry => entry.fault ?? 'none')))}`);

		assert.deepEqual(told.flatMap((count, index) => count === 1 ? [] : [`image ${index + 1} told ${count} times`]), []);
		outcomes.forEach((outcome, index) => {
			const number = files[index]!.number;
			if (outcome.status === 'failed') {
				assert.ok(outcome.error.message.length > 0 && outcome.error.kind !== 'cancelled', `image ${number} failed with a reason`);
				return;
			}
			assert.equal(outcome.status, 'done', `image ${number}`);
			assert.equal(textOf(outcome), String(number), `image ${number} has its own number as text`);
		});

		const byCall = new Map<string, RequestLogEntry[]>();
		for (const entry of submissions) {
			if (entry.clientRequestId === undefined) continue;
			byCall.set(entry.clientRequestId, [...byCall.get(entry.clientRequestId) ?? [], entry]);
		}
		const erredOperations = new Set(submissions.filter(entry => entry.fault === 'operationError').map(entry => entry.operationId));
		const provablyNothing = (entry: RequestLogEntry): boolean =>
			(STARTED_NOTHING.has(entry.status) && entry.fault !== 'truncated' && entry.fault !== 'stall')
			|| (entry.fault === 'operationError' && erredOperations.has(entry.operationId));
		let resubmitted = 0;
		for (const [, calls] of callsOf) {
			const sent = calls.flatMap(id => byCall.get(id) ?? []).sort((a, b) => a.seq - b.seq);
			assert.ok(sent.length >= 1);
			if (sent.length > 1) resubmitted++;
			for (const earlier of sent.slice(0, -1)) {
				assert.ok(provablyNothing(earlier), `submitted again after ${earlier.fault ?? earlier.status} (operation ${earlier.operationId ?? 'none'}): that one may have started a billed job`);
			}
		}
		assert.equal(callsOf.size, IMAGES, 'every image was submitted');
		assert.ok(resubmitted > 0, 'some images were submitted again after a provable refusal');
		assert.ok(failed.length < IMAGES * 0.1, `${failed.length} failed: only what could not be resent safely`);
		assert.ok(log.some(entry => entry.path.endsWith('/getRecognition') && entry.fault === 'truncated'), 'result streams were cut');
		const doneKeys = outcomes.flatMap(outcome => outcome.status === 'done' ? [outcome.cacheKey] : []);
		assert.deepEqual(doneKeys.filter(key => journal.entries.has(key)), [], 'an operation read is forgotten');
		assert.ok(journal.entries.size <= failed.length, 'the journal keeps only operations of images that failed, to be read later');
	});
});

function textOf(outcome: PipelineOutcome): string {
	assert.ok(outcome.status !== 'failed');
	const annotation = outcome.result.features[0]!.result.textDetection as TextAnnotation;
	return annotation.pages.flatMap(page => page.blocks.flatMap(block => block.lines.map(line => line.words.map(word => word.text).join(' ')))).join(' ');
}
