/**
 * A thousand images through the batch pipeline against an emulator that breaks one request in
 * ten in every way it knows: each image must end exactly once, done with its own text or failed
 * with a reason, within the retry bound, under the quota, without holding the batch in memory;
 * and Cancel must stop the sending at once without losing what finished.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipeline, type PipelineOutcome, type PipelineSource } from '../../src/analysis/pipeline';
import { batchAnalyzeEngine } from '../../src/analysis/engines';
import type { Fitter } from '../../src/images/prepareImage';
import { createVisionClient, type Feature, type RequestEvent, type TextAnnotation, type VisionClient } from '../../src/api/index';
import { DEFAULT_CREDENTIALS, FAULT_KINDS, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import { countBy, fullCollection, retainedBytes } from '../support/memory';
import { writeNumberFixtures, type NumberFile } from '../support/numberImages';

const IMAGES = 1_000;
/**
 * Large enough that holding every image at once would stand well above the run's working set;
 * small enough that building a request body does not hold up the sending (larger bodies make the
 * collector pause between a rate-limit permit and the send it is for).
 */
const IMAGE_BYTES = 32 * 1024;
const SPECS_PER_REQUEST = 8;
const REQUESTS_PER_SECOND = 20;
const MAX_ATTEMPTS = 3;
/** Short, so a stalled request ends soon; the emulator's stall lasts longer than this. */
const TIMEOUT_MS = 2_000;
const STALL_MS = 6_000;
const CONCURRENCY = 8;
const READ_AHEAD = 24;
/** One second less the scheduling slack of a loaded machine (measured: up to ~30 ms late on 2 busy cores). */
const QUOTA_WINDOW_MS = 1_000 - 100;
const OCR: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } };

/** PNGs within the service's limits go as they are: nothing here is fitted. */
const noFitting: Fitter = {
	fit: async () => {
		throw new Error('nothing should be fitted here');
	},
};

interface Run {
	outcomes: PipelineOutcome[];
	/** How many times onOutcome was called for each index. */
	told: number[];
	/** Outcomes in the order they were told. */
	order: number[];
	events: (RequestEvent & { at: number })[];
}

describe('batch pipeline reliability: 1,000 images under faults', function () {
	this.timeout(150_000);
	let dir: string;
	let files: NumberFile[];
	let emulator: Emulator;
	let methodPath: string;
	const clients: VisionClient[] = [];

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-reliability-'));
		files = writeNumberFixtures(dir, IMAGES, { first: 1, sizeBytes: IMAGE_BYTES });
		emulator = await startEmulator({ fixturesDir: dir, stallMs: STALL_MS });
		methodPath = new URL(emulator.url).pathname;
	});
	after(async () => {
		await emulator?.close();
		if (dir) fs.rmSync(dir, { recursive: true, force: true });
	});
	beforeEach(() => {
		emulator.configure({ faults: {}, latencyMs: 0, requestsPerSecond: undefined });
		emulator.clearLog();
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(c => c.close()));
	});

	function sources(count: number): PipelineSource[] {
		return files.slice(0, count).map(f => ({
			name: path.basename(f.file),
			read: async signal => ({ bytes: await fs.promises.readFile(f.file, { signal }) }),
		}));
	}

	interface RunOptions {
		/** The first `count` images; default all. */
		count?: number;
		concurrency?: number;
		signal?: AbortSignal;
		onOutcome?(index: number, outcome: PipelineOutcome): void;
	}

	async function run(options: RunOptions = {}): Promise<Run> {
		const count = options.count ?? IMAGES;
		const events: Run['events'] = [];
		const client = createVisionClient({
			endpoint: emulator.url,
			credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
			folderId: DEFAULT_CREDENTIALS.folderId,
			timeoutMs: TIMEOUT_MS,
			// The injected 429 asks for 1 s: it is waited for, not given up on.
			retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 50, maxDelayMs: 400, maxRetryAfterMs: 2_000 },
			requestsPerSecond: REQUESTS_PER_SECOND,
			onEvent: event => events.push({ ...event, at: Date.now() }),
		});
		clients.push(client);
		const told = new Array<number>(count).fill(0);
		const order: number[] = [];
		const outcomes = await runPipeline(sources(count), {
			engine: batchAnalyzeEngine(client, [OCR]),
			fitter: noFitting,
			concurrency: options.concurrency ?? CONCURRENCY,
			readAhead: READ_AHEAD,
			signal: options.signal,
			onOutcome: (index, outcome) => {
				told[index]!++;
				order.push(index);
				options.onOutcome?.(index, outcome);
			},
		});
		return { outcomes, told, order, events };
	}

	function requests(): RequestLogEntry[] {
		return emulator.log.filter(entry => entry.path === methodPath);
	}

	it('ends every image once, done with its own number or failed after every attempt failed, within the quota and bounded memory', async () => {
		emulator.configure({ faults: { rate: 0.1, kinds: [...FAULT_KINDS], seed: 7 }, latencyMs: 20, requestsPerSecond: REQUESTS_PER_SECOND });
		const memory = watchMemory();
		const started = Date.now();
		const { outcomes, told, events } = await run({ onOutcome: () => memory.progress() });
		const elapsed = Date.now() - started;
		const peak = memory.stop();

		const log = requests();
		const groups = groupAttempts(log);
		const failed = outcomes.flatMap((outcome, index) => outcome.status === 'failed' ? [index] : []);
		const sentAt = sendTimes(log, events);
		const busiest = busiestWindow([...sentAt.values()], QUOTA_WINDOW_MS);
		const busiestArrival = busiestWindow(log.map(entry => entry.receivedAt), 1_000);
		const busiestSent = busiestWindow([...sentAt.values()], 1_000);
		console.log(`      ${IMAGES} images in ${(elapsed / 1000).toFixed(1)} s: ${log.length} requests for ${groups.size} groups `
			+ `(${[...groups.values()].filter(attempts => attempts[0]!.specCount! < SPECS_PER_REQUEST).length} not full), ${failed.length} images failed; `
			+ `faults ${JSON.stringify(countBy(log.map(entry => entry.fault ?? 'none')))}; most sent within ${QUOTA_WINDOW_MS} ms ${busiest.count} (within 1 s ${busiestSent.count}), most arrived within 1 s ${busiestArrival.count}; `
			+ `live heap+buffers at most +${mb(peak.liveGrowth)} (checked at ${peak.checkpoints.join(', ')} images), peak heap ${mb(peak.heapUsed)}, peak rss ${mb(peak.rss)}`);

		assertEachToldOnce(outcomes, told);
		const byRequestId = new Map(log.map(entry => [entry.requestId, entry]));
		outcomes.forEach((outcome, index) => {
			const number = files[index]!.number;
			if (outcome.status === 'failed') {
				assertNamedFailure(outcome, files[index]!);
				return;
			}
			assert.equal(outcome.status, 'done', `image ${number}`);
			assert.equal(textOf(outcome), String(number), `image ${number} has its own number as text`);
			const answer = byRequestId.get(outcome.requestId ?? '');
			assert.ok(answer, `image ${number}: its request ${outcome.requestId} is in the emulator's log`);
			assert.ok(answer.fault === undefined && answer.status === 200, `image ${number} was answered by a clean attempt`);
			assert.ok(answer.matches?.includes(`exact ${recordingName(number)}`), `image ${number} was in that request`);
		});

		// One request is one x-client-request-id with all its attempts.
		for (const [id, attempts] of groups) {
			assert.ok(attempts.length <= MAX_ATTEMPTS, `request ${id}: ${attempts.length} attempts, at most ${MAX_ATTEMPTS}`);
			const answered = attempts.filter(entry => entry.fault === undefined && entry.status === 200);
			assert.ok(answered.length <= 1, `request ${id} was answered once at most`);
			const itsFailures = failed.filter(index => failureOf(outcomes[index]).error.clientRequestId === id);
			if (answered.length === 0) {
				assert.equal(attempts.length, MAX_ATTEMPTS, `request ${id} failed every attempt, so it used them all`);
				assert.equal(itsFailures.length, attempts[0]!.specCount, `request ${id} failed every attempt: each of its images failed`);
			} else {
				assert.equal(itsFailures.length, 0, `request ${id} was answered: none of its images failed`);
			}
		}
		for (const index of failed) {
			const id = failureOf(outcomes[index]).error.clientRequestId;
			assert.ok(id !== undefined && groups.has(id), `failed image ${files[index]!.number} names a request the emulator saw`);
		}

		assert.ok(log.every(entry => entry.specCount !== undefined && entry.specCount >= 1 && entry.specCount <= SPECS_PER_REQUEST), 'no request carried more than 8 images');
		const sentImages = [...groups.values()].reduce((sum, attempts) => sum + attempts[0]!.specCount!, 0);
		assert.equal(sentImages, IMAGES, 'each image went in exactly one request (no 400 split them)');
		assert.ok(log.length <= groups.size * MAX_ATTEMPTS, `${log.length} requests for ${groups.size} groups of at most ${MAX_ATTEMPTS} attempts`);
		assert.ok(log.some(entry => entry.fault !== undefined && entry.fault !== 'rate-limit'), 'faults were injected');

		// Checked on when each logged request was sent: arrival times also carry the emulator's own
		// delays (it shares this process). A send may start a little after its permit when the machine
		// is busy, hence the slack; a sender that ignored the quota would be far over.
		assert.ok(busiest.count <= REQUESTS_PER_SECOND, `${busiest.count} requests were sent within ${QUOTA_WINDOW_MS} ms from ${new Date(busiest.from).toISOString()}, the quota is ${REQUESTS_PER_SECOND}/s`);

		// What may be in memory at once: images waiting (readAhead) and in flight (concurrency × 8) on the
		// client's side, in flight on the emulator's (it shares this process); each as its bytes, and at
		// most three copies of its base64 (the spec, the body text, the body's bytes on the wire).
		const imageInMemory = IMAGE_BYTES * (1 + 3 * 4 / 3);
		const workingSet = (READ_AHEAD + 2 * CONCURRENCY * SPECS_PER_REQUEST) * imageInMemory;
		const allHeld = IMAGES * IMAGE_BYTES * (1 + 4 / 3);
		assert.ok(workingSet < allHeld / 2, 'the bound tells a streaming run from one that holds every image');
		assert.ok(peak.checkpoints.length >= 3, 'memory was checked during the run');
		assert.ok(peak.liveGrowth < workingSet, `live heap and buffers grew by ${mb(peak.liveGrowth)}; at most ${mb(workingSet)} expected, holding every image would add ${mb(allHeld)}`);
	});

	it('fails the images of a request whose every attempt failed, naming why, and still analyzes the rest', async () => {
		const count = 24;
		emulator.configure({ faults: { script: ['http500', 'reset', 'http503'] } });
		// One request at a time, so the scripted faults fall on the first request's attempts.
		const { outcomes, told } = await run({ count, concurrency: 1 });
		assertEachToldOnce(outcomes, told, count);
		const log = requests();
		const first = log[0]!;
		assert.deepEqual(log.filter(entry => entry.clientRequestId === first.clientRequestId).map(entry => entry.fault), ['http500', 'reset', 'http503']);
		outcomes.forEach((outcome, index) => {
			if (outcome.status === 'failed') {
				assertNamedFailure(outcome, files[index]!);
				assert.equal(outcome.error.clientRequestId, first.clientRequestId, 'only the broken request\'s images failed');
				assert.match(outcome.error.message, /Service unavailable .*Gave up after 3 attempts/);
			} else {
				assert.equal(textOf(outcome), String(files[index]!.number));
			}
		});
		assert.equal(outcomes.filter(outcome => outcome.status === 'failed').length, first.specCount);
	});

	it('Cancel at 40 % starts no request after it, keeps what finished, and fails the rest as cancelled', async () => {
		emulator.configure({ faults: { rate: 0.1, kinds: [...FAULT_KINDS], seed: 11 }, latencyMs: 20, requestsPerSecond: REQUESTS_PER_SECOND });
		const controller = new AbortController();
		let cancelledAt = 0;
		let toldSoFar = 0;
		let toldAtCancel = 0;
		const doneBeforeCancel = new Map<number, PipelineOutcome>();
		const started = Date.now();
		const { outcomes, told, order, events } = await run({
			signal: controller.signal,
			onOutcome: (index, outcome) => {
				if (cancelledAt !== 0) return;
				if (outcome.status === 'done') doneBeforeCancel.set(index, outcome);
				if (++toldSoFar >= IMAGES * 0.4) {
					toldAtCancel = toldSoFar;
					cancelledAt = Date.now();
					controller.abort();
				}
			},
		});
		const stoppedIn = Date.now() - cancelledAt;
		assert.ok(cancelledAt > 0, 'Cancel happened');
		assert.ok(stoppedIn < 1_000, `the run ended ${stoppedIn} ms after Cancel`);
		assertEachToldOnce(outcomes, told);

		// Whatever was on the wire when Cancel came may still land; nothing may start after it.
		await new Promise(resolve => setTimeout(resolve, 500));
		const attemptsBefore = events.filter(event => event.type === 'attempt' && event.at <= cancelledAt);
		assert.equal(events.filter(event => event.type === 'attempt' && event.at > cancelledAt).length, 0, 'no attempt started after Cancel');
		const log = requests();
		for (const [id, attempts] of groupAttempts(log)) {
			const startedBefore = attemptsBefore.filter(event => event.clientRequestId === id).length;
			assert.ok(attempts.length <= startedBefore, `request ${id}: the emulator saw ${attempts.length} attempts, ${startedBefore} started before Cancel`);
		}

		for (const [index, before] of doneBeforeCancel) assert.equal(outcomes[index], before, `image ${files[index]!.number} finished before Cancel and is kept`);
		outcomes.forEach((outcome, index) => {
			if (outcome.status === 'failed') assertNamedFailure(outcome, files[index]!);
			else assert.equal(textOf(outcome), String(files[index]!.number));
		});
		const afterCancel = order.slice(toldAtCancel).map(index => outcomes[index]!);
		const doneAfterCancel = afterCancel.filter(outcome => outcome.status === 'done').length;
		assert.ok(afterCancel.every(outcome => outcome.status === 'done' || (outcome.status === 'failed' && outcome.error.kind === 'cancelled')),
			'after Cancel, images end cancelled, or done when their answer had already come');
		assert.ok(doneAfterCancel <= CONCURRENCY * SPECS_PER_REQUEST, `${doneAfterCancel} images finished after Cancel: at most the requests in flight`);
		const cancelled = afterCancel.length - doneAfterCancel;
		console.log(`      cancelled after ${((cancelledAt - started) / 1000).toFixed(1)} s with ${doneBeforeCancel.size} done; ended ${stoppedIn} ms later; `
			+ `${log.length} requests, ${cancelled} images cancelled`);
	});
});

function assertEachToldOnce(outcomes: readonly PipelineOutcome[], told: readonly number[], count = IMAGES): void {
	assert.equal(outcomes.length, count);
	for (let index = 0; index < count; index++) {
		assert.ok(index in outcomes && outcomes[index] !== undefined, `image ${index} has an outcome in the result`);
		assert.equal(told[index], 1, `image ${index} was told once, not ${told[index]} times`);
	}
}

function assertNamedFailure(outcome: PipelineOutcome & { status: 'failed' }, file: NumberFile): void {
	const { error } = outcome;
	assert.ok(error.message.trim().length > 0, `image ${file.number} failed with a reason`);
	assert.ok(['service', 'network', 'timeout', 'protocol', 'cancelled'].includes(error.kind), `image ${file.number} failed for a ${error.kind} reason: ${error.message}`);
	if (error.kind !== 'cancelled') {
		assert.equal(error.attempts, MAX_ATTEMPTS, `image ${file.number} failed after every attempt: ${error.message}`);
		assert.ok(error.clientRequestId, 'the failure names its request');
	}
}

function failureOf(outcome: PipelineOutcome | undefined): PipelineOutcome & { status: 'failed' } {
	assert.ok(outcome?.status === 'failed');
	return outcome;
}

function textOf(outcome: PipelineOutcome): string {
	assert.ok(outcome.status !== 'failed');
	return words(outcome.result.features[0]?.result.textDetection).join(' ');
}

function words(annotation: TextAnnotation | undefined): string[] {
	return (annotation?.pages ?? []).flatMap(page => page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text))));
}

function recordingName(number: number): string {
	return `number-${String(number).padStart(6, '0')}.recording.json`;
}

/** Attempts by x-client-request-id, in arrival order. */
function groupAttempts(log: readonly RequestLogEntry[]): Map<string, RequestLogEntry[]> {
	const groups = new Map<string, RequestLogEntry[]>();
	for (const entry of log) {
		const id = entry.clientRequestId ?? `missing-${entry.seq}`;
		groups.set(id, [...groups.get(id) ?? [], entry]);
	}
	return groups;
}

/** The most times within any window of `windowMs`, counted as the emulator's quota counts them. */
function busiestWindow(times: readonly number[], windowMs: number): { count: number; from: number } {
	const sorted = [...times].sort((a, b) => a - b);
	let busiest = { count: 0, from: 0 };
	for (let last = 0, first = 0; last < sorted.length; last++) {
		while (sorted[last]! - sorted[first]! >= windowMs) first++;
		if (last - first + 1 > busiest.count) busiest = { count: last - first + 1, from: sorted[first]! };
	}
	return busiest;
}

/** Each logged request's send time: the client's attempt with the same x-client-request-id and ordinal. */
function sendTimes(log: readonly RequestLogEntry[], events: Run['events']): Map<RequestLogEntry, number> {
	const attempts = new Map<string, number[]>();
	for (const event of events) {
		if (event.type === 'attempt') attempts.set(event.clientRequestId, [...attempts.get(event.clientRequestId) ?? [], event.at]);
	}
	const times = new Map<RequestLogEntry, number>();
	for (const [id, entries] of groupAttempts(log)) {
		const sent = attempts.get(id) ?? [];
		assert.equal(entries.length, sent.length, `request ${id}: the emulator saw ${entries.length} attempts, the client made ${sent.length}`);
		entries.forEach((entry, k) => times.set(entry, sent[k]!));
	}
	assert.equal(times.size, events.filter(event => event.type === 'attempt').length, 'every attempt reached the emulator');
	return times;
}

interface MemoryPeak {
	/** Most that live heap + array buffers grew over the start, measured right after a full collection. */
	liveGrowth: number;
	/** Images finished at each such measurement. */
	checkpoints: number[];
	/** Plain samples, garbage included. */
	heapUsed: number;
	rss: number;
}

/**
 * Base64 text is on the heap and file bytes in array buffers. Plain samples mostly show garbage
 * that has not been collected yet, so what is kept is measured after a full collection, at a
 * quarter, half and three quarters of the run.
 */
function watchMemory(): { progress(): void; stop(): MemoryPeak } {
	const collect = fullCollection();
	const live = (): number => retainedBytes(collect);
	const baseline = live();
	const peak: MemoryPeak = { liveGrowth: 0, checkpoints: [], heapUsed: 0, rss: 0 };
	const sample = (): void => {
		const usage = process.memoryUsage();
		peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
		peak.rss = Math.max(peak.rss, usage.rss);
	};
	const timer = setInterval(sample, 20);
	let finished = 0;
	return {
		progress: () => {
			finished++;
			if (finished % (IMAGES / 4) !== 0 || finished === IMAGES) return;
			const at = finished;
			setImmediate(() => {
				peak.liveGrowth = Math.max(peak.liveGrowth, live() - baseline);
				peak.checkpoints.push(at);
			});
		},
		stop: () => {
			clearInterval(timer);
			sample();
			return peak;
		},
	};
}

function mb(bytes: number): string {
	return `${(bytes / 1_048_576).toFixed(0)} MB`;
}
