/**
 * A folder of phone photos through the extension, side by side with what the machine can do:
 * ≥ 40 distinct 12 MP and 10 distinct 48 MP photos (EXIF orientation 6, see ./photoFolder.ts),
 * fitted for batchAnalyze (upright, long side 2560, JPEG ≤ 1 MB) and packed into requests, against
 * sharp (native libvips) doing the same fit with two images at a time, and the quota's optimum.
 * Each run is a fresh child process (./folderChild.ts), so its peak RSS and CPU time are its own;
 * the two pipelines alternate, round by round, so machine noise falls on both alike.
 *
 * sharp is for the comparison only, never a dependency of the project: it is taken from
 * YV_BENCH_SHARP (a path to the package), /tmp/sharp-ref, or installed once into the system's
 * temporary folder. Without it the bench says so and leaves its column out.
 */
import { execFile } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildImageWorker, repoRoot, VIPS_PATH } from '../unit/imagesHarness';
import type { Bench, BenchContext, BenchReport } from './bench';
import type { FolderRunArgs, FolderRunReport } from './folderChild';
import { ms, ratio, table } from './markdown';
import { photoFolder, type Photo } from './photoFolder';
import { summarize } from './stats';

const run = promisify(execFile);

const ROUNDS = Math.max(1, Number(process.env.YV_BENCH_ROUNDS) || 3);
const SETS = [
	{ label: '12 MP', width: 4000, height: 3000, count: 40 },
	{ label: '48 MP', width: 8000, height: 6000, count: 10 },
] as const;
const IMAGES_PER_REQUEST = 8;
/** batchAnalyze's quota: requests per second, each of up to 8 images. */
const QUOTA_RPS = 10;
const SHARP_VERSION = '0.34';
const TARGETS = { vsSharp: { '12 MP': 0.8, '48 MP': 0.6 } as Record<string, number>, peakRssMb: 512 };

type Kind = 'pipeline' | 'sharp';

interface Sample extends FolderRunReport {
	kind: Kind;
	set: string;
	round: number;
}

export const bench: Bench = { name: 'folder', run: runBench };

async function runBench(context: BenchContext): Promise<BenchReport> {
	const photos = await photoFolder(SETS, context.log);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-folder-'));
	try {
		const [workerPath, childPath] = await Promise.all([buildImageWorker(dir), buildChild(dir)]);
		const sharpPath = await findSharp(context);
		const samples: Sample[] = [];
		const cold: number[] = [];
		for (let round = 1; round <= ROUNDS; round++) {
			// A fresh process for one photo: what a user waits for the first time.
			const first = photos[0]!;
			cold.push((await child(childPath, { kind: 'pipeline', files: [first.file], workerPath, vipsPath: VIPS_PATH })).firstMs);
			for (const set of SETS) {
				const files = photos.filter(p => p.label === set.label).map(p => p.file);
				const kinds: Kind[] = sharpPath ? (round % 2 === 1 ? ['pipeline', 'sharp'] : ['sharp', 'pipeline']) : ['pipeline'];
				for (const kind of kinds) {
					context.log(`folder: round ${round}/${ROUNDS}, ${files.length} × ${set.label}, ${kind} (load ${os.loadavg()[0]!.toFixed(2)})`);
					const args: FolderRunArgs = kind === 'pipeline' ? { kind, files, workerPath, vipsPath: VIPS_PATH } : { kind, files, sharpPath: sharpPath!, jobs: 2 };
					samples.push({ ...await child(childPath, args), kind, set: set.label, round });
				}
			}
		}
		const loadAtEnd = os.loadavg().map(n => Math.round(n * 100) / 100);
		const data = { machine: context.machine, loadAtEnd, rounds: ROUNDS, sharp: sharpPath ? SHARP_VERSION : undefined, targets: TARGETS, photos: summarizePhotos(photos), cold, samples };
		return { markdown: report(samples, cold, sharpPath !== undefined, photos, context.machine.loadAverage, loadAtEnd), data };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function buildChild(dir: string): Promise<string> {
	const outfile = path.join(dir, 'folderChild.js');
	await esbuild.build({
		entryPoints: [path.join(repoRoot(), 'test', 'bench', 'folderChild.ts')],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		packages: 'external',
		logLevel: 'error',
	});
	return outfile;
}

async function child(childPath: string, args: FolderRunArgs): Promise<FolderRunReport> {
	const { stdout } = await run(process.execPath, [childPath, JSON.stringify(args)], { maxBuffer: 1 << 20, timeout: 600_000, cwd: repoRoot() });
	const report = JSON.parse(stdout) as FolderRunReport;
	if (report.failed > 0) throw new Error(`${report.failed} of ${report.images} images failed in the ${args.kind} run`);
	return report;
}

/** sharp's package path, or undefined (said why) when it cannot be had. */
async function findSharp(context: BenchContext): Promise<string | undefined> {
	const installed = path.join(os.tmpdir(), 'yandex-vision-bench-sharp');
	const candidates = [process.env.YV_BENCH_SHARP, '/tmp/sharp-ref/node_modules/sharp', path.join(installed, 'node_modules', 'sharp')];
	const usable = async (candidate: string | undefined) => {
		if (!candidate || !fs.existsSync(candidate)) return false;
		try {
			await run(process.execPath, ['-e', `require(${JSON.stringify(candidate)})`], { timeout: 60_000 });
			return true;
		} catch {
			return false;
		}
	};
	for (const candidate of candidates) if (await usable(candidate)) return candidate;
	context.log(`folder: installing sharp@${SHARP_VERSION} into ${installed}, for the comparison only`);
	try {
		await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', installed, `sharp@${SHARP_VERSION}`], { timeout: 300_000 });
	} catch (error) {
		context.log(`folder: sharp could not be installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): the sharp column is left out`);
		return undefined;
	}
	const fresh = path.join(installed, 'node_modules', 'sharp');
	if (await usable(fresh)) return fresh;
	context.log('folder: sharp was installed but does not load on this machine: the sharp column is left out');
	return undefined;
}

function summarizePhotos(photos: readonly Photo[]): Record<string, { count: number; minBytes: number; maxBytes: number }> {
	const out: Record<string, { count: number; minBytes: number; maxBytes: number }> = {};
	for (const set of SETS) {
		const sizes = photos.filter(p => p.label === set.label).map(p => p.bytes);
		out[set.label] = { count: sizes.length, minBytes: Math.min(...sizes), maxBytes: Math.max(...sizes) };
	}
	return out;
}

interface Row {
	set: string;
	kind: Kind;
	imagesPerSecond: number;
	peakRssMb: number;
	cores: number;
	requests: number | undefined;
	firstMs: number;
	outputs: string;
	largestOutput: number;
}

function rows(samples: readonly Sample[]): Row[] {
	const keys = [...new Set(samples.map(s => `${s.set}|${s.kind}`))];
	return keys.map(key => {
		const group = samples.filter(s => `${s.set}|${s.kind}` === key);
		return {
			set: group[0]!.set,
			kind: group[0]!.kind,
			imagesPerSecond: summarize(group.map(s => s.images / (s.wallMs / 1000))).median,
			peakRssMb: Math.max(...group.map(s => s.maxRssMb)),
			cores: summarize(group.map(s => s.cpuMs / s.wallMs)).median,
			requests: group[0]!.kind === 'pipeline' ? summarize(group.map(s => s.requests.length)).median : undefined,
			firstMs: summarize(group.map(s => s.firstMs)).median,
			outputs: [...new Set(group.flatMap(s => s.outputs))].join(', '),
			largestOutput: Math.max(...group.map(s => s.largestOutput)),
		};
	});
}

function report(samples: readonly Sample[], cold: readonly number[], withSharp: boolean, photos: readonly Photo[], loadAtStart: readonly number[], loadAtEnd: readonly number[]): string {
	const all = rows(samples);
	const find = (set: string, kind: Kind) => all.find(r => r.set === set && r.kind === kind);
	const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;
	const sizes = summarizePhotos(photos);
	const body = SETS.flatMap(set => {
		const ours = find(set.label, 'pipeline');
		const sharp = find(set.label, 'sharp');
		const line = (r: Row) => [set.label, r.kind === 'pipeline' ? 'the extension\'s pipeline' : 'sharp, 2 images at once', r.imagesPerSecond.toFixed(2), r.kind === 'pipeline' && sharp ? ratio(r.imagesPerSecond, sharp.imagesPerSecond) : '–', `${Math.ceil(r.peakRssMb)} MB`, r.cores.toFixed(2), r.requests === undefined ? '–' : String(r.requests), ms(r.firstMs), r.outputs, mb(r.largestOutput)];
		return [
			...ours ? [line(ours)] : [],
			...sharp ? [line(sharp)] : [],
			[set.label, 'the quota\'s optimum', String(QUOTA_RPS * IMAGES_PER_REQUEST), '–', '–', '–', String(Math.ceil(set.count / IMAGES_PER_REQUEST)), '–', '–', '–'],
		];
	});
	const lines = [
		'## A folder of phone photos: the extension\'s pipeline, sharp, and the quota',
		'',
		`${SETS.map(s => `${sizes[s.label]!.count} distinct ${s.label} photos (${mb(sizes[s.label]!.minBytes)}–${mb(sizes[s.label]!.maxBytes)})`).join(' and ')}, stored ${SETS.map(s => `${s.width}×${s.height}`).join(' / ')} with EXIF orientation 6 → upright, long side 2560 px, JPEG ≤ 1 MB; the pipeline also packs them into batchAnalyze requests (answered at once by a stand-in client that builds each request's body). `
		+ `Medians of ${ROUNDS} rounds, each a fresh process, the pipelines alternating. Cores used = CPU time of the whole process / wall time. Load average (1, 5, 15 min): ${loadAtStart.join(', ')} at the start, ${loadAtEnd.join(', ')} at the end.`,
		'',
		table(
			['photos', 'pipeline', 'images/s', 'vs sharp', 'peak RSS', 'cores used', 'requests', 'first image', 'sent', 'largest sent'],
			body,
			['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
		),
		'',
		`Cold first image (a fresh process, one 12 MP photo, libvips not yet loaded): median ${ms(summarize(cold).median)} of ${cold.map(c => ms(c)).join(', ')}.`,
		'',
		'Targets for the extension\'s pipeline:',
		'',
	];
	const check = (ok: boolean) => ok ? 'met' : 'NOT met';
	for (const set of SETS) {
		const ours = find(set.label, 'pipeline');
		const sharp = find(set.label, 'sharp');
		if (!ours) continue;
		const wanted = TARGETS.vsSharp[set.label]!;
		if (sharp) lines.push(`- ≥ ${wanted}× sharp's images/s at ${set.label}: ${ratio(ours.imagesPerSecond, sharp.imagesPerSecond)} — ${check(ours.imagesPerSecond >= wanted * sharp.imagesPerSecond)}`);
		else if (!withSharp) lines.push(`- ≥ ${wanted}× sharp's images/s at ${set.label}: not measured (sharp is not available on this machine)`);
		const fewest = Math.ceil(set.count / IMAGES_PER_REQUEST);
		lines.push(`- ${fewest} requests for ${set.count} photos at ${set.label}: ${ours.requests} — ${check(ours.requests === fewest)}`);
		lines.push(`- peak RSS ≤ ${TARGETS.peakRssMb} MB at ${set.label}: ${Math.ceil(ours.peakRssMb)} MB — ${check(ours.peakRssMb <= TARGETS.peakRssMb)}`);
	}
	return lines.join('\n');
}
