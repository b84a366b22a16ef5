/**
 * The OCR API's asynchronous path against the emulator at the service's own quotas
 * (recognizeText 1/s, recognizeTextAsync 10/s, operation status 50/s, getRecognition 50/s) and
 * a processing time per page, side by side in one run:
 * - a folder of 200 images through runPipeline as Analyze Folder… runs it (asynchronous), rounds
 *   alternating with
 * - the same images sent one by one to the synchronous recognizeText (a sample of them: at 1/s
 *   the whole folder would take minutes; its rate is what counts);
 * - the optimum the quotas allow: the last submission at (n − 1)/10 s, done one processing time later;
 * - a 120-page PDF: when its first page and its last page reach the panel's callback, against the
 *   emulator's processing time, and how much the heap grows while the pages stream in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ocrApiEngine } from '../../src/analysis/engines';
import { runPipeline, type PipelineSource } from '../../src/analysis/pipeline';
import { createOcrClient, type OcrClient } from '../../src/api/ocr/client';
import type { Fitter } from '../../src/images/prepareImage';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { FIXTURES_DIR } from '../support/fixtures';
import { writeNumberFixtures, type NumberFile } from '../support/numberImages';
import type { Bench, BenchContext, BenchReport } from './bench';
import { ms, ratio, table } from './markdown';
import { summarize } from './stats';

const IMAGES = 200;
const SYNC_SAMPLE = 20;
const ROUNDS = 3;
const PROCESSING_MS_PER_PAGE = 2_000;
const PDF_MS_PER_PAGE = 100;
const QUOTAS = { sync: 1, async: 10, status: 50, results: 50 };
const TARGETS = { optimumOverRun: 0.9, syncSpeedUp: 8 };

const noFitting: Fitter = {
	fit: async () => {
		throw new Error('nothing should be fitted here');
	},
};

export const bench: Bench = { name: 'ocr-async', run: runBench };

async function runBench(context: BenchContext): Promise<BenchReport> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocr-async-bench-'));
	const files = writeNumberFixtures(dir, IMAGES * ROUNDS + SYNC_SAMPLE * ROUNDS, { first: 1, sizeBytes: 16 * 1024 });
	// The numbered images and the 120-page PDF, side by side.
	fs.copyFileSync(path.join(FIXTURES_DIR, 'long-contract.pdf'), path.join(dir, 'long-contract.pdf'));
	fs.copyFileSync(path.join(FIXTURES_DIR, 'long-contract.recording.json'), path.join(dir, 'long-contract.recording.json'));
	const emulator = await startEmulator({
		fixturesDir: dir,
		ocrRequestsPerSecond: QUOTAS.sync,
		ocrAsyncRequestsPerSecond: QUOTAS.async,
		operationRequestsPerSecond: QUOTAS.status,
		getRecognitionRequestsPerSecond: QUOTAS.results,
		ocrProcessingMsPerPage: PROCESSING_MS_PER_PAGE,
	});
	try {
		const folderRuns: number[] = [];
		const syncRates: number[] = [];
		const requests: { submissions: number; status: number; results: number; rateLimited: number }[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			// Fresh images each round: nothing is answered from an earlier round.
			const folder = files.slice(round * IMAGES, (round + 1) * IMAGES);
			emulator.clearLog();
			const started = Date.now();
			const failed = await pipelineRun(emulator, folder, true);
			folderRuns.push(Date.now() - started);
			requests.push({
				submissions: emulator.log.filter(entry => entry.path.endsWith('/recognizeTextAsync')).length,
				status: emulator.log.filter(entry => entry.path.startsWith('/operations/')).length,
				results: emulator.log.filter(entry => entry.path.endsWith('/getRecognition')).length,
				rateLimited: emulator.log.filter(entry => entry.status === 429).length,
			});
			if (failed > 0) throw new Error(`${failed} images failed in the folder run`);
			context.log(`round ${round + 1}: folder of ${IMAGES} in ${ms(folderRuns.at(-1))}`);

			const sample = files.slice(IMAGES * ROUNDS + round * SYNC_SAMPLE, IMAGES * ROUNDS + (round + 1) * SYNC_SAMPLE);
			const syncStarted = Date.now();
			const syncFailed = await pipelineRun(emulator, sample, false);
			if (syncFailed > 0) throw new Error(`${syncFailed} images failed one by one`);
			syncRates.push(SYNC_SAMPLE / ((Date.now() - syncStarted) / 1000));
			context.log(`round ${round + 1}: ${SYNC_SAMPLE} one by one at ${syncRates.at(-1)!.toFixed(2)} images/s`);
		}
		const optimumMs = ((IMAGES - 1) / QUOTAS.async) * 1000 + PROCESSING_MS_PER_PAGE;
		const run = summarize(folderRuns);
		const syncRate = summarize(syncRates).median;
		const syncFolderMs = (IMAGES / syncRate) * 1000;

		const pdf = await longPdf(emulator, dir);
		const data = { images: IMAGES, quotas: QUOTAS, processingMsPerPage: PROCESSING_MS_PER_PAGE, folderRuns, syncRates, optimumMs, requests, pdf, targets: TARGETS };
		const markdown = [
			'## OCR API: a folder and a long PDF through the asynchronous call',
			'',
			`Emulator at the service's quotas (recognizeText ${QUOTAS.sync}/s, recognizeTextAsync ${QUOTAS.async}/s, status ${QUOTAS.status}/s, getRecognition ${QUOTAS.results}/s), ${PROCESSING_MS_PER_PAGE} ms of processing per page; ${ROUNDS} rounds, fresh images each.`,
			'',
			table(['', 'time for 200 images', 'images/s', 'vs the folder run'], [
				['the quotas\' optimum', ms(optimumMs), (IMAGES / (optimumMs / 1000)).toFixed(2), ratio(optimumMs, run.median)],
				['the extension\'s folder run (median)', ms(run.median), (IMAGES / (run.median / 1000)).toFixed(2), '1.00×'],
				[`one by one, synchronous (${SYNC_SAMPLE}-image samples, median rate)`, ms(syncFolderMs), syncRate.toFixed(2), ratio(syncFolderMs, run.median)],
			], ['l', 'r', 'r', 'r']),
			'',
			`Folder runs: ${folderRuns.map(v => ms(v)).join(', ')}; requests per run: ${requests.map(r => `${r.submissions} submissions, ${r.status} status, ${r.results} result, ${r.rateLimited} answered 429`).join('; ')}.`,
			`Targets: optimum / run ≥ ${TARGETS.optimumOverRun} (measured ${(optimumMs / run.median).toFixed(2)}); speed-up over one by one ≥ ${TARGETS.syncSpeedUp}× (measured ${(syncFolderMs / run.median).toFixed(1)}×).`,
			'',
			`120-page PDF at ${PDF_MS_PER_PAGE} ms per page (the service done after ${ms(pdf.processingMs)}): first page after ${ms(pdf.firstPageMs)}, last after ${ms(pdf.lastPageMs)}; `
			+ `the answer is ${(pdf.answerBytes / 1048576).toFixed(2)} MB of JSON; heap grew by at most ${(pdf.heapGrowthBytes / 1048576).toFixed(2)} MB while it streamed (the pages themselves are kept as the result).`,
		].join('\n');
		return { markdown, data };
	} finally {
		await emulator.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Runs the images through the pipeline, asynchronously (a folder) or one by one; resolves how many failed. */
async function pipelineRun(emulator: Emulator, files: readonly NumberFile[], manyImages: boolean): Promise<number> {
	const client = clientFor(emulator);
	try {
		const sources: PipelineSource[] = files.map(f => ({ name: path.basename(f.file), read: async () => ({ bytes: fs.readFileSync(f.file) }) }));
		const outcomes = await runPipeline(sources, { engine: ocrApiEngine(client, { model: 'page', languageCodes: ['en'], manyImages }), fitter: noFitting });
		return outcomes.filter(outcome => outcome.status === 'failed').length;
	} finally {
		await client.close();
	}
}

async function longPdf(emulator: Emulator, dir: string) {
	emulator.configure({ ocrProcessingMsPerPage: PDF_MS_PER_PAGE });
	emulator.clearLog();
	const client = clientFor(emulator);
	const bytes = fs.readFileSync(path.join(dir, 'long-contract.pdf'));
	global.gc?.();
	const heapBefore = process.memoryUsage().heapUsed;
	let heapPeak = heapBefore;
	const sampler = setInterval(() => {
		heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
	}, 5);
	const started = Date.now();
	let firstPageMs: number | undefined;
	let lastPageMs = 0;
	try {
		const [outcome] = await runPipeline([{ name: 'long-contract.pdf', read: async () => ({ bytes }) }], {
			engine: ocrApiEngine(client, { model: 'page', languageCodes: ['en'], manyImages: false }),
			fitter: noFitting,
			onProgress: (_index, progress) => {
				if (progress.pages.length === 0) return;
				firstPageMs ??= Date.now() - started;
				lastPageMs = Date.now() - started;
			},
		});
		if (outcome?.status !== 'done') throw new Error(`the 120-page PDF was not read: ${outcome?.status === 'failed' ? outcome.error.message : outcome?.status}`);
	} finally {
		clearInterval(sampler);
		await client.close();
	}
	const answer = emulator.log.find(entry => entry.path.endsWith('/getRecognition') && entry.status === 200);
	return {
		processingMs: 120 * PDF_MS_PER_PAGE,
		firstPageMs: firstPageMs ?? NaN,
		lastPageMs,
		answerBytes: answer ? JSON.stringify(JSON.parse(fs.readFileSync(path.join(dir, 'long-contract.recording.json'), 'utf8')).ocr.page).length : 0,
		heapGrowthBytes: heapPeak - heapBefore,
	};
}

function clientFor(emulator: Emulator): OcrClient {
	return createOcrClient({
		endpoint: emulator.ocrUrl,
		operationEndpoint: emulator.operationsUrl,
		credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
		folderId: DEFAULT_CREDENTIALS.folderId,
	});
}
