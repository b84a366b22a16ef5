/**
 * Fitting phone photos to the service's limits: the extension's pipeline (wasm-vips in the
 * converter's worker thread) side by side with sharp (native libvips), on a 12 MP and a 48 MP
 * JPEG with EXIF orientation 6. Each pipeline runs in a fresh child process, so its peak RSS is
 * its own; children alternate, in rounds, so machine noise falls on both alike.
 *
 * sharp is installed for this bench only, into .vscode-test/bench-deps (git-ignored), never
 * into package.json; without it the table shows the extension's pipeline alone.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_LIMITS } from '../../src/images/plan';
import { buildFitScript, buildImageWorker, loadVips, photoJpeg, repoRoot, VIPS_PATH, type FitScriptReport } from '../unit/imagesHarness';
import type { Bench, BenchContext, BenchReport } from './bench';
import { ms, ratio, table } from './markdown';
import { summarize, type Summary } from './stats';

const run = promisify(execFile);

/** Timed runs per child, after its first (cold) one. */
const RUNS = 6;
const ROUNDS = 2;
const SHARP_VERSION = '0.34';
const TARGETS = { timeVsSharp12: 2, peakRssMb: 400, outputBytes: SERVICE_LIMITS.fileBytes };
const PHOTOS = [
	{ label: '12 MP', width: 4000, height: 3000 },
	{ label: '48 MP', width: 8000, height: 6000 },
] as const;

type Pipeline = 'wasm-vips' | 'sharp';

interface ChildRun {
	pipeline: Pipeline;
	photo: string;
	/** Every run's milliseconds; the first is cold (process and library start included). */
	samples: number[];
	maxRssMb: number;
	outputBytes: number[];
	output: string;
}

export const bench: Bench = { name: 'images', run: runBench };

async function runBench(context: BenchContext): Promise<BenchReport> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-images-'));
	try {
		context.log('images: generating the photos with wasm-vips');
		const vips = await loadVips();
		const files = PHOTOS.map(photo => {
			const file = path.join(dir, `photo-${photo.label.replace(' ', '')}-o6.jpg`);
			fs.writeFileSync(file, photoJpeg(vips, photo.width, photo.height, { orientation: 6 }));
			return { ...photo, file, bytes: fs.statSync(file).size };
		});
		const [workerPath, fitScript] = await Promise.all([buildImageWorker(dir), buildFitScript(dir)]);
		const sharpPath = await installSharp(context);
		const sharpScript = path.join(dir, 'sharp-fit.js');
		fs.writeFileSync(sharpScript, SHARP_SCRIPT);

		const runs: ChildRun[] = [];
		for (let round = 1; round <= ROUNDS; round++) {
			for (const photo of files) {
				context.log(`images: round ${round}/${ROUNDS}, ${photo.label}: wasm-vips${sharpPath ? ' and sharp' : ''}, ${RUNS + 1} runs each`);
				runs.push(await child('wasm-vips', photo.label, process.execPath, [fitScript, workerPath, VIPS_PATH, String(RUNS + 1), photo.file]));
				if (sharpPath) runs.push(await child('sharp', photo.label, process.execPath, [sharpScript, sharpPath, String(RUNS + 1), photo.file]));
			}
		}
		const data = { machine: context.machine, targets: TARGETS, photos: files.map(({ file: _file, ...rest }) => rest), sharp: sharpPath ? SHARP_VERSION : undefined, runs };
		return { markdown: report(files, runs, sharpPath !== undefined), data };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function child(pipeline: Pipeline, photo: string, command: string, args: string[]): Promise<ChildRun> {
	const { stdout } = await run(command, args, { maxBuffer: 1 << 20, timeout: 300_000 });
	const parsed = JSON.parse(stdout) as FitScriptReport;
	return {
		pipeline,
		photo,
		samples: parsed.runs.map(r => r.ms),
		maxRssMb: parsed.maxRssMb,
		outputBytes: parsed.runs.map(r => r.bytes),
		output: `${parsed.runs[0]!.width}×${parsed.runs[0]!.height}`,
	};
}

/** sharp's path, installed on first use; undefined (and said why) when it cannot be had. */
async function installSharp(context: BenchContext): Promise<string | undefined> {
	const prefix = path.join(repoRoot(), '.vscode-test', 'bench-deps');
	const main = path.join(prefix, 'node_modules', 'sharp');
	if (!fs.existsSync(main)) {
		context.log(`images: installing sharp@${SHARP_VERSION} into ${path.relative(repoRoot(), prefix)} (for the comparison only)`);
		try {
			fs.mkdirSync(prefix, { recursive: true });
			await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `sharp@${SHARP_VERSION}`], { timeout: 300_000 });
		} catch (error) {
			context.log(`images: sharp could not be installed, measuring wasm-vips alone: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
			return undefined;
		}
	}
	return main;
}

/**
 * The same work with sharp: turned upright, fitted into 2560 px, resized once to raw pixels,
 * then JPEG from quality 85 down by 5 until it is within 1 MB.
 */
const SHARP_SCRIPT = `
const fs = require('node:fs');
const [sharpPath, runs, ...files] = process.argv.slice(2);
const sharp = require(sharpPath);
(async () => {
	const results = [];
	for (let run = 0; run < Number(runs); run++) {
		for (const file of files) {
			const input = fs.readFileSync(file);
			const started = performance.now();
			const { data, info } = await sharp(input).rotate().resize(2560, 2560, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
			let output;
			for (const quality of [85, 80, 75, 70, 65, 60, 55, 50]) {
				output = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality }).toBuffer();
				if (output.length <= ${SERVICE_LIMITS.fileBytes}) break;
			}
			results.push({ file, ms: performance.now() - started, bytes: output.length, mimeType: 'image/jpeg', width: info.width, height: info.height });
		}
	}
	process.stdout.write(JSON.stringify({ runs: results, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
})().catch(err => {
	process.stderr.write(String(err && err.stack || err));
	process.exitCode = 1;
});
`;

interface Row {
	photo: string;
	pipeline: Pipeline;
	warm: Summary;
	cold: Summary;
	peakRssMb: number;
	largestOutput: number;
	output: string;
}

function rows(runs: readonly ChildRun[]): Row[] {
	const keys = [...new Set(runs.map(r => `${r.photo}|${r.pipeline}`))];
	return keys.map(key => {
		const group = runs.filter(r => `${r.photo}|${r.pipeline}` === key);
		return {
			photo: group[0]!.photo,
			pipeline: group[0]!.pipeline,
			warm: summarize(group.flatMap(r => r.samples.slice(1))),
			cold: summarize(group.map(r => r.samples[0]!)),
			peakRssMb: Math.max(...group.map(r => r.maxRssMb)),
			largestOutput: Math.max(...group.flatMap(r => r.outputBytes)),
			output: group[0]!.output,
		};
	});
}

/** Rounded up, so a peak a fraction over the target never reads as on it. */
function rss(mb: number): string {
	return `${Math.ceil(mb)} MB`;
}

function report(photos: readonly { label: string; bytes: number }[], runs: readonly ChildRun[], withSharp: boolean): string {
	const all = rows(runs);
	const sharpOf = (photo: string) => all.find(r => r.photo === photo && r.pipeline === 'sharp');
	const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;
	const lines = [
		'## Fitting photos to 1 MB: wasm-vips (the extension) and sharp (native)',
		'',
		`Phone-like JPEGs with EXIF orientation 6 (${photos.map(p => `${p.label}: ${mb(p.bytes)}`).join(', ')}) → upright, long side 2560 px, JPEG within 1 MB. `
		+ `Each pipeline in a fresh process per round (${ROUNDS} rounds × ${RUNS} timed runs after a cold one); "warm" is the median of the timed runs.`,
		'',
		table(
			['photo', 'pipeline', 'warm median', 'warm p95', 'cold first run', 'vs sharp', 'peak RSS', 'output', 'largest output'],
			all.map(r => {
				const sharp = sharpOf(r.photo);
				return [r.photo, r.pipeline, ms(r.warm.median), ms(r.warm.p95), ms(r.cold.median), sharp && r.pipeline !== 'sharp' ? ratio(r.warm.median, sharp.warm.median) : '–', rss(r.peakRssMb), r.output, mb(r.largestOutput)];
			}),
			['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
		),
		'',
		'Targets for the extension\'s pipeline:',
		'',
	];
	const ours = all.filter(r => r.pipeline === 'wasm-vips');
	const ours12 = ours.find(r => r.photo === '12 MP');
	const sharp12 = sharpOf('12 MP');
	const check = (ok: boolean) => ok ? 'met' : 'NOT met';
	if (ours12 && sharp12) lines.push(`- ≤ ${TARGETS.timeVsSharp12}× sharp's time at 12 MP: ${ratio(ours12.warm.median, sharp12.warm.median)} — ${check(ours12.warm.median <= TARGETS.timeVsSharp12 * sharp12.warm.median)}`);
	else if (!withSharp) lines.push('- ≤ 2× sharp\'s time at 12 MP: not measured (sharp could not be installed)');
	for (const r of ours) lines.push(`- peak RSS ≤ ${TARGETS.peakRssMb} MB at ${r.photo}: ${rss(r.peakRssMb)} — ${check(r.peakRssMb <= TARGETS.peakRssMb)}`);
	for (const r of ours) lines.push(`- output ≤ 1 MB at ${r.photo}: ${mb(r.largestOutput)} — ${check(r.largestOutput <= TARGETS.outputBytes)}`);
	lines.push('', 'The extension\'s timed runs include what a user waits for: reading the header, moving the file to the worker, and — when the process nears its memory budget — starting a fresh worker, which returns the memory libvips\' allocators keep. Files over 12 MB (the 48 MP photo) are streamed to libvips instead of copied into its memory: lighter, and slower.');
	return lines.join('\n');
}
