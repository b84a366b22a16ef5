/**
 * A folder of phone photos through the extension, side by side with what the machine can do:
 * ≥ 40 distinct 12 MP and 10 distinct 48 MP photos (EXIF orientation 6, see ./photoFolder.ts),
 * fitted for batchAnalyze (upright, long side 2560, JPEG ≤ 1 MB) and packed into requests — by the
 * extension as a platform's package runs it (native libvips in the converter's process) and as the
 * universal package does (wasm-vips) — against sharp doing the same fit with two images at a time
 * in one plain script, and the quota's optimum. Each run is a fresh child process
 * (./folderChild.ts), so its peak RSS and CPU time are its own (the converter's process counted
 * apart); the pipelines take turns, round by round, so machine noise falls on all alike.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildImageProcess, buildImageWorker, bundleForNode, repoRoot, VIPS_PATH } from '../unit/imagesHarness';
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
const TARGETS = { vsSharp: { '12 MP': 0.8, '48 MP': 0.6 } as Record<string, number>, peakRssMb: 512 };

type Kind = 'pipeline' | 'wasm' | 'sharp';
const KINDS: readonly Kind[] = ['pipeline', 'wasm', 'sharp'];

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
		const [workerPath, nativePath, childPath] = await Promise.all([buildImageWorker(dir), buildImageProcess(dir, { native: true }), bundleForNode('test/bench/folderChild.ts', path.join(dir, 'folderChild.js'))]);
		const sharpPath = path.join(repoRoot(), 'node_modules', 'sharp');
		const sharpVersion = (JSON.parse(fs.readFileSync(path.join(sharpPath, 'package.json'), 'utf8')) as { version: string }).version;
		const argsFor = (kind: Kind, files: string[]): FolderRunArgs => kind === 'sharp'
			? { kind, files, sharpPath, jobs: 2 }
			: { kind, files, workerPath, vipsPath: VIPS_PATH, nativePath: kind === 'pipeline' ? nativePath : undefined };
		const samples: Sample[] = [];
		const cold: Record<'pipeline' | 'wasm', number[]> = { pipeline: [], wasm: [] };
		for (let round = 1; round <= ROUNDS; round++) {
			// A fresh process for one photo: what a user waits for the first time.
			const first = photos[0]!;
			for (const kind of ['pipeline', 'wasm'] as const) cold[kind].push((await child(childPath, argsFor(kind, [first.file]))).firstMs);
			for (const set of SETS) {
				const files = photos.filter(p => p.label === set.label).map(p => p.file);
				// Each round starts with the next kind.
				const kinds = KINDS.map((_, i) => KINDS[(i + round - 1) % KINDS.length]!);
				for (const kind of kinds) {
					context.log(`folder: round ${round}/${ROUNDS}, ${files.length} × ${set.label}, ${kind} (load ${os.loadavg()[0]!.toFixed(2)})`);
					samples.push({ ...await child(childPath, argsFor(kind, files)), kind, set: set.label, round });
				}
			}
		}
		const loadAtEnd = os.loadavg().map(n => Math.round(n * 100) / 100);
		const data = { machine: context.machine, loadAtEnd, rounds: ROUNDS, sharp: sharpVersion, targets: TARGETS, photos: summarizePhotos(photos), cold, samples };
		return { markdown: report(samples, cold, sharpVersion, photos, context.machine.loadAverage, loadAtEnd), data };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function child(childPath: string, args: FolderRunArgs): Promise<FolderRunReport> {
	const { stdout, stderr } = await run(process.execPath, [childPath, JSON.stringify(args)], { maxBuffer: 1 << 20, timeout: 600_000, cwd: repoRoot() });
	if (!stdout.trim()) throw new Error(`the ${args.kind} run printed no report (exit 0); it said: ${stderr.trim() || 'nothing'}`);
	const report = JSON.parse(stdout) as FolderRunReport;
	if (report.failed > 0) throw new Error(`${report.failed} of ${report.images} images failed in the ${args.kind} run`);
	return report;
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
	/** This process's peak, and the native converter's process's. */
	peakRssMb: number;
	converterRssMb: number | undefined;
	/** Both processes at once, sampled. */
	togetherRssMb: number | undefined;
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
		const converter = group.map(s => s.converterRssMb).filter((mb): mb is number => mb !== undefined);
		return {
			set: group[0]!.set,
			kind: group[0]!.kind,
			imagesPerSecond: summarize(group.map(s => s.images / (s.wallMs / 1000))).median,
			peakRssMb: Math.max(...group.map(s => s.maxRssMb)),
			converterRssMb: converter.length > 0 ? Math.max(...converter) : undefined,
			togetherRssMb: converter.length > 0 ? Math.max(...group.map(s => s.togetherRssMb ?? 0)) : undefined,
			cores: summarize(group.map(s => s.cpuMs / s.wallMs)).median,
			requests: group[0]!.kind === 'sharp' ? undefined : summarize(group.map(s => s.requests.length)).median,
			firstMs: summarize(group.map(s => s.firstMs)).median,
			outputs: [...new Set(group.flatMap(s => s.outputs))].join(', '),
			largestOutput: Math.max(...group.map(s => s.largestOutput)),
		};
	});
}

const NAMES: Record<Kind, string> = {
	pipeline: 'the extension (native libvips)',
	wasm: 'the extension, universal package (wasm-vips)',
	sharp: 'sharp, 2 images at once',
};

function report(samples: readonly Sample[], cold: Record<'pipeline' | 'wasm', readonly number[]>, sharpVersion: string, photos: readonly Photo[], loadAtStart: readonly number[], loadAtEnd: readonly number[]): string {
	const all = rows(samples);
	const find = (set: string, kind: Kind) => all.find(r => r.set === set && r.kind === kind);
	const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;
	const sizes = summarizePhotos(photos);
	const body = SETS.flatMap(set => {
		const sharp = find(set.label, 'sharp');
		const line = (r: Row) => [set.label, NAMES[r.kind], r.imagesPerSecond.toFixed(2), r.kind !== 'sharp' && sharp ? ratio(r.imagesPerSecond, sharp.imagesPerSecond) : '–', `${Math.ceil(r.peakRssMb)} MB`, r.converterRssMb === undefined ? '–' : `${Math.ceil(r.converterRssMb)} MB`, r.togetherRssMb === undefined ? '–' : `${Math.ceil(r.togetherRssMb)} MB`, r.cores.toFixed(2), r.requests === undefined ? '–' : String(r.requests), ms(r.firstMs), r.outputs, mb(r.largestOutput)];
		return [
			...KINDS.map(kind => find(set.label, kind)).filter((r): r is Row => r !== undefined).map(line),
			[set.label, 'the quota\'s optimum', String(QUOTA_RPS * IMAGES_PER_REQUEST), '–', '–', '–', '–', '–', String(Math.ceil(set.count / IMAGES_PER_REQUEST)), '–', '–', '–'],
		];
	});
	const lines = [
		'## A folder of phone photos: the extension, sharp, and the quota',
		'',
		`${SETS.map(s => `${sizes[s.label]!.count} distinct ${s.label} photos (${mb(sizes[s.label]!.minBytes)}–${mb(sizes[s.label]!.maxBytes)})`).join(' and ')}, stored ${SETS.map(s => `${s.width}×${s.height}`).join(' / ')} with EXIF orientation 6 → upright, long side 2560 px, JPEG ≤ 1 MB; the extension also packs them into batchAnalyze requests (answered at once by a stand-in client that builds each request's body). sharp ${sharpVersion}. `
		+ `Medians of ${ROUNDS} rounds, each a fresh process, the pipelines taking turns. Peak RSS: the process (for the extension, its host's part), the native converter's own process, and both at once (their sum sampled every 20 ms). Cores used = CPU time of both / wall time. Load average (1, 5, 15 min): ${loadAtStart.join(', ')} at the start, ${loadAtEnd.join(', ')} at the end.`,
		'',
		table(
			['photos', 'pipeline', 'images/s', 'vs sharp', 'peak RSS', 'converter process', 'both at once', 'cores used', 'requests', 'first image', 'sent', 'largest sent'],
			body,
			['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
		),
		'',
		`Cold first image (a fresh process, one 12 MP photo, libvips not yet loaded): native median ${ms(summarize([...cold.pipeline]).median)} of ${cold.pipeline.map(c => ms(c)).join(', ')}; wasm-vips median ${ms(summarize([...cold.wasm]).median)} of ${cold.wasm.map(c => ms(c)).join(', ')}.`,
		'',
		'Targets for the extension (native libvips):',
		'',
	];
	const check = (ok: boolean) => ok ? 'met' : 'NOT met';
	for (const set of SETS) {
		const ours = find(set.label, 'pipeline');
		const sharp = find(set.label, 'sharp');
		if (!ours) continue;
		const wanted = TARGETS.vsSharp[set.label]!;
		if (sharp) lines.push(`- ≥ ${wanted}× sharp's images/s at ${set.label}: ${ratio(ours.imagesPerSecond, sharp.imagesPerSecond)} — ${check(ours.imagesPerSecond >= wanted * sharp.imagesPerSecond)}`);
		const fewest = Math.ceil(set.count / IMAGES_PER_REQUEST);
		lines.push(`- ${fewest} requests for ${set.count} photos at ${set.label}: ${ours.requests} — ${check(ours.requests === fewest)}`);
		const total = ours.togetherRssMb ?? ours.peakRssMb;
		lines.push(`- peak RSS ≤ ${TARGETS.peakRssMb} MB at ${set.label}: ${Math.ceil(total)} MB for the host and the converter's process at once (their own peaks ${Math.ceil(ours.peakRssMb)} and ${Math.ceil(ours.converterRssMb ?? 0)} MB) — ${check(total <= TARGETS.peakRssMb)}`);
	}
	return lines.join('\n');
}
