/**
 * One timed run of a folder of photos, in its own process so that its peak RSS and CPU time are
 * its own: either the extension's pipeline (reading, fitting in the converter — native libvips in
 * its process, or wasm-vips in worker threads where native is not available — and packing
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
import type { NativeConverter } from '../../src/images/converter/nativeConverter';

export type FolderRunArgs =
	/** `nativePath`: the native converter's process; without it, the WebAssembly converter does every image. */
	| { kind: 'pipeline' | 'wasm'; files: string[]; workerPath: string; vipsPath: string; nativePath?: string }
	| { kind: 'sharp'; files: string[]; sharpPath: string; jobs: number };

export interface FolderRunReport {
	images: number;
	/** From the start of the run (libraries not yet loaded) to the last image done. */
	wallMs: number;
	/** The first image ready to send (fitted), from the start of the run. */
	firstMs: number;
	/** CPU time of the whole process, every thread, and of the native converter's process. */
	cpuMs: number;
	/** Peak RSS of this process (the extension host's part). */
	maxRssMb: number;
	/** Peak RSS of the native converter's process, when there was one. */
	converterRssMb?: number;
	/** Peak RSS of this process and the converter's together, sampled every 20 ms. */
	togetherRssMb?: number;
	/** Images in each request (the pipeline only). */
	requests: number[];
	/** Sent files' sizes and sizes, to check both pipelines did the same fit. */
	largestOutput: number;
	outputs: string[];
	failed: number;
}

async function main(): Promise<void> {
	const args = JSON.parse(process.argv[2]!) as FolderRunArgs;
	const report = args.kind === 'sharp' ? await sharpRun(args) : await pipelineRun(args);
	process.stdout.write(JSON.stringify(report));
}

async function pipelineRun(args: Extract<FolderRunArgs, { kind: 'pipeline' | 'wasm' }>): Promise<FolderRunReport> {
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
	const logged: string[] = [];
	const converter = new ImageConverter({ nativePath: args.nativePath, wasm: { workerPath: args.workerPath, vipsPath: args.vipsPath }, log: line => logged.push(line) });
	let native: { cpuMs: number; maxRssMb: number } | undefined;
	// This process and the converter's together, sampled: the peak of the whole, which the two
	// processes' own peaks (reached at different moments) only bound.
	let togetherMb = 0;
	const sampler = setInterval(() => {
		const pid = (converter as unknown as { native: NativeConverter | undefined }).native?.pid;
		togetherMb = Math.max(togetherMb, (process.memoryUsage.rss() + (pid === undefined ? 0 : residentBytes(pid))) / 1_048_576);
	}, 20);
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
		const pid = (converter as unknown as { native: NativeConverter | undefined }).native?.pid;
		if (args.nativePath && pid === undefined) throw new Error(`the native converter is not running: ${logged.join(' ')}`);
		if (pid !== undefined) native = processUsage(pid);
	} finally {
		clearInterval(sampler);
		await converter.dispose();
	}
	const report = finish(args.files.length, started, cpu, { firstMs, requests, largestOutput, outputs: [...new Set(outputs)], failed });
	return native ? { ...report, cpuMs: report.cpuMs + native.cpuMs, converterRssMb: native.maxRssMb, togetherRssMb: togetherMb } : report;
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

/** Resident bytes of another process now, from /proc (Linux); 0 once it has ended. */
function residentBytes(pid: number): number {
	try {
		return Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
	} catch {
		return 0;
	}
}

/** CPU time and peak RSS of another process, from /proc (Linux). */
function processUsage(pid: number): { cpuMs: number; maxRssMb: number } {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const peakKb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
	// Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100 per second).
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	return { cpuMs: ticks * 10, maxRssMb: peakKb / 1024 };
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
