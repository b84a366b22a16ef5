/**
 * Analyzing a folder under the service's quota: 200 small images against the emulator at
 * 10 requests/s (its quota and the client's limit alike) with 150 ms latency, side by side:
 * - the optimum the quota allows, ⌈200/8⌉ = 25 requests: computed, and measured with an ideal
 *   sender that fires 25 pre-built requests each at the earliest moment the quota admits it
 *   (plus the client limiter's margin);
 * - runPipeline with a real client and a fresh result cache;
 * - the same 200 images again through the same cache (no request should go out);
 * - a naive client sending one image per request, one after another.
 * Rounds alternate the ideal sender and the pipeline so that machine noise falls on both.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, request } from 'undici';
import { runPipeline, type PipelineOutcome, type PipelineSource } from '../../src/analysis/pipeline';
import { batchAnalyzeEngine } from '../../src/analysis/engines';
import { ResultCache } from '../../src/cache/resultCache';
import type { Fitter } from '../../src/images/prepareImage';
import { createVisionClient, type Feature, type VisionClient } from '../../src/api/index';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import { writeNumberFixtures, type NumberFile } from '../support/numberImages';
import type { Bench, BenchContext, BenchReport } from './bench';
import { ms, ratio, table } from './markdown';
import { summarize, type Summary } from './stats';

const IMAGES = 200;
const SPECS_PER_REQUEST = 8;
const REQUESTS_PER_SECOND = 10;
const LATENCY_MS = 150;
const ROUNDS = 3;
const WINDOW_MS = 1_000;
/** What src/api/transport/rateLimiter.ts adds to each window so that a stream at the limit is not answered 429. */
const LIMITER_MARGIN_MS = 75;
const OCR: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } };
const TARGETS = { optimumOverPipeline: 0.9, naiveSpeedUp: 8, cacheHitRequests: 0 };

/** Small PNGs go as they are. */
const noFitting: Fitter = {
	fit: async () => {
		throw new Error('nothing should be fitted here');
	},
};

export const bench: Bench = { name: 'batch', run: runBench };

/** One timed run and what the emulator saw during it. */
interface Measured {
	ms: number;
	requests: number;
	/** Answered 429 by the emulator's quota. */
	rateLimited: number;
	specsPerRequest: number[];
	/** Arrival of each request, from the start of the run. */
	arrivals: number[];
	/** Images that did not end as expected (done, or cached on the second pass). */
	wrong: number;
}

async function runBench(context: BenchContext): Promise<BenchReport> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-batch-'));
	const fixtures = path.join(dir, 'images');
	let emulator: Emulator | undefined;
	try {
		const files = writeNumberFixtures(fixtures, IMAGES, { first: 1 });
		emulator = await startEmulator({ fixturesDir: fixtures, latencyMs: LATENCY_MS, requestsPerSecond: REQUESTS_PER_SECOND });
		const optimumMs = computedOptimum();
		const ideal: Measured[] = [];
		const pipeline: Measured[] = [];
		const cacheHits: Measured[] = [];
		for (let round = 1; round <= ROUNDS; round++) {
			context.log(`batch: round ${round}/${ROUNDS}: ideal sender, pipeline, pipeline again from the cache`);
			ideal.push(await measure(emulator, () => idealSender(emulator!, files)));
			const cache = await ResultCache.open(path.join(dir, `cache-${round}`));
			try {
				pipeline.push(await measure(emulator, () => timed(() => pipelineRun(emulator!, files, cache, 'done'))));
				cacheHits.push(await measure(emulator, () => timed(() => pipelineRun(emulator!, files, cache, 'cached'))));
			} finally {
				await cache.dispose();
			}
		}
		context.log(`batch: naive sender, one image per request (about ${Math.round(IMAGES * (LATENCY_MS + 10) / 1000)} s)`);
		const naive = await measure(emulator, () => timed(() => naiveRun(emulator!, files)));
		const data = {
			images: IMAGES,
			imageBytes: summarize(files.map(f => f.bytes)),
			requestsPerSecond: REQUESTS_PER_SECOND,
			latencyMs: LATENCY_MS,
			rounds: ROUNDS,
			targets: TARGETS,
			optimumMs,
			ideal,
			pipeline,
			cacheHits,
			naive,
		};
		return { markdown: report(data), data };
	} finally {
		await emulator?.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * The quota admits 10 requests in any sliding second: requests 0–9 at once, 10–19 a second
 * later, 20–24 a second after that; the last answer comes one latency after it is sent.
 */
function computedOptimum(): number {
	const requests = Math.ceil(IMAGES / SPECS_PER_REQUEST);
	return Math.floor((requests - 1) / REQUESTS_PER_SECOND) * WINDOW_MS + LATENCY_MS;
}

/** What a sender says about its run. */
interface Timed {
	/** Images that did not end as expected. */
	wrong: number;
	/** Date.now() when its clock started. */
	startedAt: number;
	/** How long it ran. */
	ms: number;
}

/** Times `work` from the call to its end. */
async function timed(work: () => Promise<number>): Promise<Timed> {
	const startedAt = Date.now();
	const start = performance.now();
	const wrong = await work();
	return { wrong, startedAt, ms: performance.now() - start };
}

/** Runs a sender on a quiet emulator (empty quota window and log) and reads what it saw. */
async function measure(emulator: Emulator, sender: () => Promise<Timed>): Promise<Measured> {
	// Let the last run's requests leave the quota's window, then start it afresh.
	await new Promise(resolve => setTimeout(resolve, WINDOW_MS + 100));
	emulator.configure({ requestsPerSecond: REQUESTS_PER_SECOND });
	emulator.clearLog();
	const { wrong, startedAt, ms: elapsed } = await sender();
	const methodPath = new URL(emulator.url).pathname;
	const log: readonly RequestLogEntry[] = emulator.log.filter(entry => entry.path === methodPath);
	return {
		ms: elapsed,
		requests: log.length,
		rateLimited: log.filter(entry => entry.fault === 'rate-limit').length,
		specsPerRequest: log.map(entry => entry.specCount ?? 0),
		arrivals: log.map(entry => entry.receivedAt - startedAt),
		wrong,
	};
}

function client(emulator: Emulator): VisionClient {
	return createVisionClient({
		endpoint: emulator.url,
		credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
		folderId: DEFAULT_CREDENTIALS.folderId,
		requestsPerSecond: REQUESTS_PER_SECOND,
	});
}

function sources(files: readonly NumberFile[]): PipelineSource[] {
	return files.map(f => ({
		name: path.basename(f.file),
		read: async signal => {
			const bytes = await fs.promises.readFile(f.file, { signal });
			return { bytes, file: { uri: `file://${f.file}`, size: bytes.length, mtime: 1 } };
		},
	}));
}

/** The pipeline as the extension runs it; resolves with how many images did not end as `expected`. */
async function pipelineRun(emulator: Emulator, files: readonly NumberFile[], cache: ResultCache, expected: 'done' | 'cached'): Promise<number> {
	const c = client(emulator);
	try {
		const outcomes = await runPipeline(sources(files), { engine: batchAnalyzeEngine(c, [OCR]), fitter: noFitting, cache });
		return outcomes.filter((outcome, i) => outcome.status !== expected || textOf(outcome) !== String(files[i]!.number)).length;
	} finally {
		await c.close();
	}
}

/** One image per request, each waiting for the one before. */
async function naiveRun(emulator: Emulator, files: readonly NumberFile[]): Promise<number> {
	const c = client(emulator);
	let wrong = 0;
	try {
		for (const f of files) {
			const content = await fs.promises.readFile(f.file);
			const response = await c.batchAnalyze({ analyzeSpecs: [{ content, features: [OCR] }] });
			const word = response.results[0]?.results[0]?.textDetection?.pages[0]?.blocks[0]?.lines[0]?.words[0]?.text;
			if (word !== String(f.number)) wrong++;
		}
	} finally {
		await c.close();
	}
	return wrong;
}

/**
 * 25 requests built beforehand, request k fired at ⌊k / 10⌋ × (1 s + margin) from the start —
 * the earliest the quota admits it, with the client's limiter's margin for the clocks' jitter —
 * over connections opened beforehand; timed from the first request to the last answer.
 */
async function idealSender(emulator: Emulator, files: readonly NumberFile[]): Promise<Timed> {
	const bodies: { body: string; numbers: number[] }[] = [];
	for (let i = 0; i < files.length; i += SPECS_PER_REQUEST) {
		const group = files.slice(i, i + SPECS_PER_REQUEST);
		const analyzeSpecs = group.map(f => ({ content: fs.readFileSync(f.file).toString('base64'), features: [OCR] }));
		bodies.push({ body: JSON.stringify({ analyzeSpecs, folderId: DEFAULT_CREDENTIALS.folderId }), numbers: group.map(f => f.number) });
	}
	const dispatcher = new Agent({ connections: REQUESTS_PER_SECOND, keepAliveTimeout: 30_000 });
	const headers = { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_CREDENTIALS.userIamToken}` };
	try {
		// Open the connections first: a real sender would have them open already.
		await Promise.all(Array.from({ length: REQUESTS_PER_SECOND }, async () => {
			const warm = await request(emulator.origin + '/', { dispatcher, method: 'GET' });
			await warm.body.dump();
		}));
		const startedAt = Date.now();
		const start = performance.now();
		const answers = await Promise.all(bodies.map(async ({ body, numbers }, k) => {
			const at = start + Math.floor(k / REQUESTS_PER_SECOND) * (WINDOW_MS + LIMITER_MARGIN_MS);
			await new Promise(resolve => setTimeout(resolve, Math.max(0, at - performance.now())));
			const answer = await request(emulator.url, { dispatcher, method: 'POST', headers, body });
			const text = await answer.body.text();
			return answer.statusCode === 200 ? wrongWords(text, numbers) : numbers.length;
		}));
		return { wrong: answers.reduce((sum, n) => sum + n, 0), startedAt, ms: performance.now() - start };
	} finally {
		await dispatcher.close();
	}
}

/** How many of the answer's images do not read as their number. */
function wrongWords(json: string, numbers: readonly number[]): number {
	const parsed = JSON.parse(json) as { results?: { results?: { textDetection?: { pages?: { blocks?: { lines?: { words?: { text?: string }[] }[] }[] }[] } }[] }[] };
	return numbers.filter((n, i) => parsed.results?.[i]?.results?.[0]?.textDetection?.pages?.[0]?.blocks?.[0]?.lines?.[0]?.words?.[0]?.text !== String(n)).length;
}

function textOf(outcome: PipelineOutcome): string {
	if (outcome.status === 'failed') return '';
	return (outcome.result.features[0]?.result.textDetection?.pages ?? [])
		.flatMap(page => page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text))))
		.join(' ');
}

interface Data {
	optimumMs: number;
	ideal: Measured[];
	pipeline: Measured[];
	cacheHits: Measured[];
	naive: Measured;
}

function report(data: Data): string {
	const time = (runs: readonly Measured[]): Summary => summarize(runs.map(r => r.ms));
	const ideal = time(data.ideal);
	const pipeline = time(data.pipeline);
	const hits = time(data.cacheHits);
	const naive = data.naive.ms;
	const requests = (runs: readonly Measured[]): string => [...new Set(runs.map(r => r.requests))].join(' / ');
	const limited = (runs: readonly Measured[]): string => [...new Set(runs.map(r => r.rateLimited))].join(' / ');
	const wrong = (runs: readonly Measured[]): number => runs.reduce((sum, r) => sum + r.wrong, 0);
	const check = (ok: boolean): string => ok ? 'met' : 'NOT met';
	const optimumOverPipeline = data.optimumMs / pipeline.median;
	const speedUp = naive / pipeline.median;
	const hitRequests = Math.max(...data.cacheHits.map(r => r.requests));
	const lines = [
		`## Batch analysis under the quota: ${IMAGES} images at ${REQUESTS_PER_SECOND} requests/s, ${LATENCY_MS} ms latency`,
		'',
		`Emulator quota and client limit both ${REQUESTS_PER_SECOND}/s; up to ${SPECS_PER_REQUEST} images per request. `
		+ `Medians of ${ROUNDS} runs (the naive sender: 1 run, it takes about half a minute). Times from the call to the last result. `
		+ `The computed optimum is the quota alone: ${Math.ceil(IMAGES / SPECS_PER_REQUEST)} requests, ${REQUESTS_PER_SECOND} per sliding second, plus one latency. `
		+ `The ideal sender fires pre-built requests on that schedule plus the client limiter's ${LIMITER_MARGIN_MS} ms margin per second, which keeps the quota's 429 away.`,
		'',
		table(
			['sender', 'time (median)', 'min – max', 'requests', '429 from the quota', 'wrong results', 'optimum / time'],
			[
				['optimum, computed', ms(data.optimumMs), '–', String(Math.ceil(IMAGES / SPECS_PER_REQUEST)), '–', '–', ratio(data.optimumMs, data.optimumMs)],
				[`ideal sender, measured (${LIMITER_MARGIN_MS} ms margin per second)`, ms(ideal.median), `${ms(ideal.min)} – ${ms(ideal.max)}`, requests(data.ideal), limited(data.ideal), wrong(data.ideal), ratio(data.optimumMs, ideal.median)],
				['runPipeline, fresh cache', ms(pipeline.median), `${ms(pipeline.min)} – ${ms(pipeline.max)}`, requests(data.pipeline), limited(data.pipeline), wrong(data.pipeline), ratio(data.optimumMs, pipeline.median)],
				['runPipeline again, same cache', ms(hits.median), `${ms(hits.min)} – ${ms(hits.max)}`, requests(data.cacheHits), limited(data.cacheHits), wrong(data.cacheHits), '–'],
				['naive: 1 image per request, in turn', ms(naive), '–', String(data.naive.requests), String(data.naive.rateLimited), data.naive.wrong, ratio(data.optimumMs, naive)],
			],
			['l', 'r', 'r', 'r', 'r', 'r', 'r'],
		),
		'',
		'Targets:',
		'',
		`- optimum / pipeline ≥ ${TARGETS.optimumOverPipeline}: ${optimumOverPipeline.toFixed(2)} — ${check(optimumOverPipeline >= TARGETS.optimumOverPipeline)} `
		+ `(against the measured ideal sender: ${(ideal.median / pipeline.median).toFixed(2)})`,
		`- speed-up over the naive sender ≥ ${TARGETS.naiveSpeedUp}×: ${speedUp.toFixed(1)}× — ${check(speedUp >= TARGETS.naiveSpeedUp)}`,
		`- requests on the cache-hit pass = ${TARGETS.cacheHitRequests}: ${hitRequests} — ${check(hitRequests === TARGETS.cacheHitRequests)}`,
		'',
		'When the pipeline\'s requests reached the emulator (ms from the start; images per request):',
		'',
		...data.pipeline.map((run, i) => `- run ${i + 1}: ${timeline(run)}`),
		`- ideal sender, run 1: ${timeline(data.ideal[0]!)}`,
	];
	return lines.join('\n');
}

/** `0 ×10 (8 each) · 1025 ×10 · 2050 ×5 (8,8,8,8,8)`: arrivals grouped into the quota's seconds. */
function timeline(run: Measured): string {
	const bursts: { at: number; specs: number[] }[] = [];
	run.arrivals.forEach((at, i) => {
		const last = bursts.at(-1);
		if (last && at - last.at < WINDOW_MS / 2) last.specs.push(run.specsPerRequest[i]!);
		else bursts.push({ at, specs: [run.specsPerRequest[i]!] });
	});
	const described = bursts.map(b => {
		const sizes = [...new Set(b.specs)];
		return `${Math.round(b.at)} ms ×${b.specs.length} (${sizes.length === 1 ? `${sizes[0]} each` : b.specs.join(',')})`;
	});
	return described.join(' · ') + (run.rateLimited > 0 ? `; ${run.rateLimited} answered 429` : '');
}
