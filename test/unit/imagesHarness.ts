/**
 * Shared by the image tests and the bench: wasm-vips in-process (to make test images), the
 * converter's worker built from source, and hand-made files libvips cannot write (BMP).
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Vips from 'wasm-vips';

import type { ImageLibrary } from '../../src/images/converter/fitImage';
import { sharpLibrary, type SharpModule } from '../../src/images/converter/sharpLibrary';
import { vipsLibrary } from '../../src/images/converter/vipsLibrary';

export type VipsModule = typeof Vips;
export type VipsImage = Vips.Image;

/** wasm-vips' Node build; its .wasm files lie beside it. */
export const VIPS_PATH = require.resolve('wasm-vips');

/** The repository root, found above the built test (out/…) or the working directory. */
export function repoRoot(): string {
	for (const start of [__dirname, process.cwd()]) {
		for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
			if (fs.existsSync(path.join(dir, 'src', 'images', 'converter', 'wasmWorker.ts'))) return dir;
		}
	}
	throw new Error(`src/images/converter/wasmWorker.ts not found above ${__dirname} or ${process.cwd()}`);
}

/**
 * Bundles a file of the repository (`entry`, relative to its root) for Node into `outfile`, as
 * esbuild.js bundles the product: dependencies left to node_modules unless `options` says otherwise.
 */
export async function bundleForNode(entry: string, outfile: string, options: esbuild.BuildOptions = { packages: 'external' }): Promise<string> {
	await esbuild.build({
		entryPoints: [path.join(repoRoot(), entry)],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		logLevel: 'error',
		...options,
	});
	return outfile;
}

/**
 * Builds the converter's worker thread from source into `dir`, as esbuild.js builds
 * dist/imageWorker.js; returns its path.
 */
export function buildImageWorker(dir: string): Promise<string> {
	return bundleForNode('src/images/converter/wasmWorker.ts', path.join(dir, 'imageWorker.js'));
}

/**
 * Builds the native converter's process from source into `dir` as esbuild.js builds
 * dist/imageProcess.js (sharp's JavaScript inside, its binaries looked up in node_modules beside
 * it); with `native`, node_modules/@img/ is linked there, as the platform's package carries it.
 * Without, sharp cannot load: the universal package, or a platform whose binaries will not run.
 */
export async function buildImageProcess(dir: string, options: { native: boolean }): Promise<string> {
	const { sharpAtRunTime } = require(path.join(repoRoot(), 'esbuild.js')) as { sharpAtRunTime: esbuild.Plugin };
	const outfile = await bundleForNode('src/images/converter/nativeProcess.ts', path.join(dir, 'imageProcess.js'), { external: ['@img/sharp-*'], plugins: [sharpAtRunTime] });
	if (options.native) {
		fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
		fs.symlinkSync(path.join(repoRoot(), 'node_modules', '@img'), path.join(dir, 'node_modules', '@img'), 'junction');
	}
	return outfile;
}

let loaded: Promise<VipsModule> | undefined;

/** wasm-vips in this process, loaded once, with the same settings as the worker's. */
export function loadVips(): Promise<VipsModule> {
	loaded ??= (async () => {
		const factory = require(VIPS_PATH) as (options: object) => Promise<VipsModule>;
		const vips = await factory({
			dynamicLibraries: ['vips-resvg.wasm'],
			print: () => undefined,
			printErr: () => undefined,
			preRun: (runtime: { ENV: Record<string, string> }) => {
				runtime.ENV.VIPS_WARNING = '0';
			},
		});
		vips.Cache.max(0);
		return vips;
	})();
	return loaded;
}

/** Runs `make` with a tracker; every image tracked is deleted afterwards. */
export function withImages<T>(make: (keep: (image: VipsImage) => VipsImage) => T): T {
	const images: VipsImage[] = [];
	try {
		return make(image => {
			images.push(image);
			return image;
		});
	} finally {
		for (const image of images) image.delete();
	}
}

/** The same image with an EXIF orientation tag, for savers that write EXIF. */
export function oriented(image: VipsImage, orientation: number, keep: (image: VipsImage) => VipsImage): VipsImage {
	const copy = keep(image.copy());
	copy.setInt('orientation', orientation);
	return copy;
}

export interface PhotoOptions {
	/** EXIF orientation written into the file. */
	orientation?: number;
	/** Grain: 12 gives a 12 MP JPEG of ≈ 5 MB at quality 92, like a phone photo. */
	grain?: number;
	quality?: number;
	/** A white square of this many pixels at the stored image's top-left corner, at (side, side). */
	marker?: number;
}

/**
 * A photo-like JPEG (smooth colour fields at three scales, plus grain), so sizes and timings are
 * those of real photos, not of flat test patterns that compress to nothing.
 */
export function photoJpeg(vips: VipsModule, width: number, height: number, options: PhotoOptions = {}): Uint8Array {
	return withImages(keep => {
		const field = (cell: number, seed: number, gain: number, offset: number) => keep(keep(vips.Image.perlin(width, height, { cell_size: cell, seed })).linear(gain, offset));
		const grain = keep(vips.Image.gaussnoise(width, height, { sigma: options.grain ?? 12, mean: 0 }));
		const light = keep(keep(keep(field(256, 1, 100, 128).add(field(64, 7, 60, 0))).add(field(16, 3, 30, 0))).add(grain));
		let rgb: VipsImage = keep(keep(keep(vips.Image.bandjoin([light, keep(light.linear(0.8, 30)), keep(light.linear(1.1, -20))])).cast('uchar')).copy({ interpretation: 'srgb' }));
		if (options.marker) rgb = drawSquare(vips, rgb, options.marker, options.marker, options.marker, [255, 255, 255], keep);
		const image = options.orientation ? oriented(rgb, options.orientation, keep) : rgb;
		return image.jpegsaveBuffer({ Q: options.quality ?? 92 });
	});
}

/** `image` with a filled square on it. */
export function drawSquare(vips: VipsModule, image: VipsImage, left: number, top: number, side: number, colour: number[], keep: (image: VipsImage) => VipsImage): VipsImage {
	const square = keep(keep(keep(vips.Image.black(side, side, { bands: image.bands })).add(colour)).cast(image.format));
	return keep(image.insert(square, left, top));
}

/** The centre of the pixels whose first band is over `threshold` (a marker), or undefined. */
export function markerCentre(image: VipsImage, threshold = 200, keep: (image: VipsImage) => VipsImage = i => i): { x: number; y: number } | undefined {
	const pixels = keep(image.copyMemory());
	const data = pixels.writeToMemory() as Uint8Array;
	const bands = pixels.bands;
	let sx = 0;
	let sy = 0;
	let n = 0;
	for (let y = 0; y < pixels.height; y++) {
		for (let x = 0; x < pixels.width; x++) {
			if (data[(y * pixels.width + x) * bands]! > threshold) {
				sx += x + 0.5;
				sy += y + 0.5;
				n++;
			}
		}
	}
	return n === 0 ? undefined : { x: sx / n, y: sy / n };
}

// --- BMP ---------------------------------------------------------------------------------------

export interface BmpSpec {
	width: number;
	height: number;
	bpp: 1 | 4 | 8 | 16 | 24 | 32;
	/** 12 (core), 40 (INFO), 52 (V2), 56 (V3), 108 (V4), 124 (V5). */
	headerSize?: number;
	/** 0 BI_RGB, 3 BI_BITFIELDS, 6 BI_ALPHABITFIELDS, 1/2 RLE (header only). */
	compression?: number;
	topDown?: boolean;
	/** R, G, B, A masks, for BI_BITFIELDS. */
	masks?: [number, number, number, number];
	/** RGB entries, for 1–8 bpp. */
	palette?: [number, number, number][];
	/** The value stored for a pixel: a palette index for 1–8 bpp, [r, g, b, a] otherwise. */
	pixel(x: number, y: number): number | [number, number, number, number];
}

/** Writes a BMP as the format describes it, independently of the decoder under test. */
export function encodeBmp(spec: BmpSpec): Uint8Array {
	const headerSize = spec.headerSize ?? 40;
	const compression = spec.compression ?? 0;
	const core = headerSize === 12;
	const extraMasks = headerSize === 40 && (compression === 3 || compression === 6) ? (compression === 6 ? 16 : 12) : 0;
	const paletteEntries = spec.bpp <= 8 ? (spec.palette ?? []).length : 0;
	const paletteBytes = paletteEntries * (core ? 3 : 4);
	const dataOffset = 14 + headerSize + extraMasks + paletteBytes;
	const stride = Math.floor((spec.bpp * spec.width + 31) / 32) * 4;
	const file = Buffer.alloc(dataOffset + stride * spec.height);
	file.write('BM', 0, 'latin1');
	file.writeUInt32LE(file.length, 2);
	file.writeUInt32LE(dataOffset, 10);
	file.writeUInt32LE(headerSize, 14);
	if (core) {
		file.writeUInt16LE(spec.width, 18);
		file.writeUInt16LE(spec.height, 20);
		file.writeUInt16LE(1, 22);
		file.writeUInt16LE(spec.bpp, 24);
	} else {
		file.writeInt32LE(spec.width, 18);
		file.writeInt32LE(spec.topDown ? -spec.height : spec.height, 22);
		file.writeUInt16LE(1, 26);
		file.writeUInt16LE(spec.bpp, 28);
		file.writeUInt32LE(compression, 30);
		file.writeUInt32LE(stride * spec.height, 34);
		file.writeUInt32LE(paletteEntries, 46);
		if (spec.masks && (headerSize > 40 || extraMasks > 0)) {
			const count = headerSize >= 56 || compression === 6 ? 4 : 3;
			for (let i = 0; i < count; i++) file.writeUInt32LE(spec.masks[i]! >>> 0, 54 + i * 4);
		}
		if (headerSize >= 108) file.write('BGRs', 70, 'latin1');
	}
	(spec.palette ?? []).forEach(([r, g, b], i) => {
		const at = 14 + headerSize + extraMasks + i * (core ? 3 : 4);
		file[at] = b;
		file[at + 1] = g;
		file[at + 2] = r;
	});
	for (let y = 0; y < spec.height; y++) {
		const row = dataOffset + (spec.topDown ? y : spec.height - 1 - y) * stride;
		for (let x = 0; x < spec.width; x++) {
			const value = spec.pixel(x, y);
			if (typeof value === 'number') {
				const bit = x * spec.bpp;
				file[row + (bit >> 3)] |= value << (8 - spec.bpp - (bit & 7));
				continue;
			}
			const [r, g, b, a] = value;
			if (spec.bpp === 24) {
				file[row + x * 3] = b;
				file[row + x * 3 + 1] = g;
				file[row + x * 3 + 2] = r;
				continue;
			}
			const masks = spec.masks ?? (spec.bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0]);
			let word = 0;
			[r, g, b, a].forEach((v, i) => {
				const m = masks[i]! >>> 0;
				if (m === 0) return;
				let shift = 0;
				while (((m >>> shift) & 1) === 0) shift++;
				const max = m >>> shift;
				word = (word | (Math.round(v * max / 255) << shift)) >>> 0;
			});
			if (spec.bpp === 16) file.writeUInt16LE(word, row + x * 2);
			else file.writeUInt32LE(word, row + x * 4);
		}
	}
	return new Uint8Array(file.buffer, file.byteOffset, file.length);
}

/**
 * Builds a command-line script that fits image files the way the extension does (the converter
 * and its worker thread) and prints, as JSON, each run's time, the output, and the process's
 * peak RSS: so memory is measured in a fresh process, not one that made the test images.
 * Usage: `node fit.js <workerPath> <vipsPath> <runs> <file>…`.
 */
export async function buildFitScript(dir: string): Promise<string> {
	const outfile = path.join(dir, 'fit.js');
	await esbuild.build({
		stdin: {
			contents: FIT_SCRIPT,
			resolveDir: repoRoot(),
			sourcefile: 'fit-script.ts',
			loader: 'ts',
		},
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

/** What {@link buildFitScript}'s script prints. */
export interface FitScriptReport {
	runs: { file: string; ms: number; bytes: number; mimeType: string; width?: number; height?: number; note?: string }[];
	maxRssMb: number;
}

const FIT_SCRIPT = `
import { readFileSync } from 'node:fs';
import { WasmConverter } from './src/images/converter/wasmConverter';
import { prepareImage } from './src/images/prepareImage';

async function main(): Promise<void> {
	const [workerPath, vipsPath, runs, ...files] = process.argv.slice(2);
	const converter = new WasmConverter({ workerPath: workerPath!, vipsPath: vipsPath! });
	const results = [];
	try {
		for (let run = 0; run < Number(runs); run++) {
			for (const file of files) {
				const bytes = readFileSync(file);
				const started = performance.now();
				const prepared = await prepareImage(bytes, converter, { handOver: true });
				const ms = performance.now() - started;
				results.push({ file, ms, bytes: prepared.bytes.length, mimeType: prepared.mimeType, width: prepared.fitted?.sent.width, height: prepared.fitted?.sent.height, note: prepared.fitted?.note });
			}
		}
	} finally {
		await converter.dispose();
	}
	process.stdout.write(JSON.stringify({ runs: results, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch(err => {
	process.stderr.write(String(err && err.stack || err));
	process.exitCode = 1;
});
`;

/** sharp (native libvips) in this process, set up as the converter's process sets it up. */
export function loadSharp(): SharpModule {
	const sharp = require('sharp') as SharpModule & { cache(on: boolean): void; concurrency(threads: number): number };
	sharp.cache(false);
	sharp.concurrency(1);
	return sharp;
}

/**
 * Both libraries the fit runs on, by name, made when a test runs (wasm-vips loads in a hook):
 * every fitting test holds for each.
 */
export function fitLibraries(vips: () => VipsModule): Array<[string, () => ImageLibrary<unknown>]> {
	return [
		['wasm-vips', () => vipsLibrary(vips()) as ImageLibrary<unknown>],
		['native libvips (sharp)', () => sharpLibrary(loadSharp()) as ImageLibrary<unknown>],
	];
}
