/**
 * One timed run of a folder of photos, in its own process so that its peak RSS and CPU time are
 * its own: either the extension's pipeline (reading, fitting in the converter's workers, packing
 * requests for batchAnalyze) or sharp doing the same fit with two images at a time. Prints one
 * JSON line: see {@link FolderRunReport}.
 *
 * Usage: `node folderChild.js <json of FolderRunArgs>`.
 *
 * The pipeline's requests go to a stand-in client that builds each request's JSON body (base64
 * and all, what the real client spends) and answers at once: the service's time is not measured
 * here, the machine's is.
 */
import * as fs from 'node:fs';
import { batchAnalyzeEngine } from '../../src/analysis/engines';
import { runPipeline, type PipelineSource } from '../../src/analysis/pipeline';
import type { VisionClient } from '../../src/api/batchAnalyze/client';
import { ImageConverter } from '../../src/images/converter/converter';

export type FolderRunArgs =
	| { kind: 'pipeline'; files: string[]; workerPath: string; vipsPath: string }
	| { kind: 'sharp'; files: string[]; sharpPath: string; jobs: number };

export interface FolderRunReport {
	images: number;
	/** From the start of the run (libraries not yet loaded) to the last image done. */
	wallMs: number;
	/** The first image ready to send (fitted), from the start of the run. */
	firstMs: number;
	/** CPU time of the whole process, every thread. */
	cpuMs: number;
	maxRssMb: number;
	/** Images in each request (the pipeline only). */
	requests: number[];
	/** Sent files' sizes and sizes, to check both pipelines did the same fit. */
	largestOutput: number;
	outputs: string[];
	failed: number;
	/** Converter workers started, and how many were replaced to give memory back (the pipeline only). */
	workers?: { started: number; recycled: number };
}

async function main(): Promise<void> {
	const args = JSON.parse(process.argv[2]!) as FolderRunArgs;
	const report = args.kind === 'pipeline' ? await pipelineRun(args) : await sharpRun(args);
	process.stdout.write(JSON.stringify(report));
}

async function pipelineRun(args: Extract<FolderRunArgs, { kind: 'pipeline' }>): Promise<FolderRunReport> {
	const requests: number[] = [];
	const client: Pick<VisionClient, 'batchAnalyze'> = {
		batchAnalyze: async request => {
			requests.push(request.analyzeSpecs.length);
			const body = JSON.stringify({ analyzeSpecs: request.analyzeSpecs.map(spec => ({ ...spec, content: Buffer.from(spec.content as Uint8Array).toString('base64') })) });
			return {
				results: request.analyzeSpecs.map(() => ({ results: [{ textDetection: { pages: [] } }] })),
				meta: { requestId: `r${requests.length}-${body.length}`, clientRequestId: 'c', attempts: 1, elapsedMs: 0 },
			};
		},
	};
	const started = performance.now();
	const cpu = process.cpuUsage();
	const converter = new ImageConverter({ workerPath: args.workerPath, vipsPath: args.vipsPath });
	const sources: PipelineSource[] = args.files.map(file => ({ name: file, read: async () => ({ bytes: await fs.promises.readFile(file) }) }));
	let firstMs = 0;
	const outputs: string[] = [];
	let largestOutput = 0;
	let failed = 0;
	try {
		await runPipeline(sources, {
			engine: batchAnalyzeEngine(client, [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }]),
			fitter: converter,
			onFitted: (_index, fitted) => {
				firstMs ||= performance.now() - started;
				largestOutput = Math.max(largestOutput, fitted.sent.bytes);
				outputs.push(`${fitted.sent.width}×${fitted.sent.height}`);
			},
			onOutcome: (_index, outcome) => {
				if (outcome.status === 'failed') {
					failed++;
					process.stderr.write(`${outcome.error.message}\n`);
				}
			},
		});
	} finally {
		await converter.dispose();
	}
	return finish(args.files.length, started, cpu, { firstMs, requests, largestOutput, outputs: [...new Set(outputs)], failed, workers: { ...converter.counts } });
}

/**
 * The reference: turned upright, fitted into 2560 px, resized once to raw pixels, then JPEG from
 * quality 85 down by 5 until it is within 1 MB; `jobs` images at once.
 */
async function sharpRun(args: Extract<FolderRunArgs, { kind: 'sharp' }>): Promise<FolderRunReport> {
	const started = performance.now();
	const cpu = process.cpuUsage();
	const sharp = require(args.sharpPath) as SharpFactory;
	let next = 0;
	let firstMs = 0;
	let largestOutput = 0;
	const outputs = new Set<string>();
	const worker = async () => {
		while (next < args.files.length) {
			const file = args.files[next++]!;
			const input = await fs.promises.readFile(file);
			const { data, info } = await sharp(input).rotate().resize(2560, 2560, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
			let output: Buffer | undefined;
			for (const quality of [85, 80, 75, 70, 65, 60, 55, 50]) {
				output = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality }).toBuffer();
				if (output.length <= 1_048_576) break;
			}
			firstMs ||= performance.now() - started;
			largestOutput = Math.max(largestOutput, output!.length);
			outputs.add(`${info.width}×${info.height}`);
		}
	};
	await Promise.all(Array.from({ length: args.jobs }, worker));
	return finish(args.files.length, started, cpu, { firstMs, requests: [], largestOutput, outputs: [...outputs], failed: 0 });
}

/** The part of sharp's API used here. */
type SharpFactory = (input: Buffer, options?: { raw: { width: number; height: number; channels: number } }) => SharpPipeline;
interface SharpPipeline {
	rotate(): SharpPipeline;
	resize(width: number, height: number, options: object): SharpPipeline;
	raw(): SharpPipeline;
	jpeg(options: { quality: number }): SharpPipeline;
	toBuffer(): Promise<Buffer>;
	toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}

function finish(images: number, started: number, cpu: NodeJS.CpuUsage, rest: Omit<FolderRunReport, 'images' | 'wallMs' | 'cpuMs' | 'maxRssMb'>): FolderRunReport {
	const used = process.cpuUsage(cpu);
	return {
		images,
		wallMs: performance.now() - started,
		cpuMs: (used.user + used.system) / 1000,
		maxRssMb: process.resourceUsage().maxRSS / 1024,
		...rest,
	};
}

main().catch(err => {
	process.stderr.write(String(err && (err as Error).stack || err));
	process.exitCode = 1;
});
