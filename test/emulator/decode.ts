/**
 * Decoding with wasm-vips (WASM libvips), loaded on the first image that has no exact recording:
 * it takes up to a couple of seconds to start, which requests answered by hash never pay.
 */

import type Vips from 'wasm-vips';
import { Fingerprint, GRID, fingerprintOf } from './fingerprint';

export type VipsModule = typeof Vips;

let loading: Promise<VipsModule> | undefined;

/** The one wasm-vips instance of this process, started on first use. */
export function loadVips(): Promise<VipsModule> {
	loading ??= startVips().catch((err: unknown) => {
		// A later request may try again.
		loading = undefined;
		throw err;
	});
	return loading;
}

async function startVips(): Promise<VipsModule> {
	// A plain require of the package: bundling wasm-vips breaks its worker threads.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const factory = require('wasm-vips') as (options: object) => Promise<VipsModule>;
	const vips = await factory({
		dynamicLibraries: [],
		// Damaged images are expected here; failures arrive as exceptions, warnings would only be noise.
		print: () => undefined,
		printErr: () => undefined,
		preRun: (runtime: { ENV: Record<string, string> }) => {
			runtime.ENV.VIPS_WARNING = '0';
		},
	});
	// Without this libvips keeps every decoded image in its operation cache.
	vips.Cache.max(0);
	return vips;
}

/** libvips errors arrive as `['vips::Error', message]` arrays, not Error objects. */
export function vipsMessage(err: unknown): string {
	if (Array.isArray(err)) return err.map(String).join(': ').trim();
	return err instanceof Error ? err.message : String(err);
}

/**
 * The fingerprint of a PNG or JPEG as the service sees it: with its EXIF orientation applied.
 * Throws when libvips cannot decode it.
 */
export function fingerprintImage(vips: VipsModule, bytes: Uint8Array): Fingerprint {
	return fingerprintOf(greyGrid(vips, bytes), uprightSize(vips, bytes));
}

function uprightSize(vips: VipsModule, bytes: Uint8Array): { width: number; height: number } {
	// Reads the header only: pixels are decoded when asked for.
	const header = vips.Image.newFromBuffer(bytes, '', { fail_on: 'error' });
	try {
		const orientation = header.getTypeof('orientation') === 0 ? 1 : header.getInt('orientation');
		const turned = orientation >= 5 && orientation <= 8;
		return turned ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
	} finally {
		header.delete();
	}
}

/**
 * Each grid cell averages SAMPLES × SAMPLES thumbnail pixels: a plain box average is what
 * stays put when an image is resized first (thin text lines alias in a 16-pixel thumbnail;
 * measured, the worst fitted version of a fixture drops from d ≈ 0.05 to ≈ 0.006).
 */
const SAMPLES = 4;

/** The upright image squeezed to GRID × GRID grey values; transparency is laid on white. */
function greyGrid(vips: VipsModule, bytes: Uint8Array): number[] {
	const side = GRID * SAMPLES;
	const images: Vips.Image[] = [];
	const keep = (image: Vips.Image): Vips.Image => {
		images.push(image);
		return image;
	};
	try {
		// thumbnail turns the image upright by its EXIF orientation and shrinks JPEGs while decoding.
		const thumbnail = keep(vips.Image.thumbnailBuffer(bytes, side, { height: side, size: 'force', fail_on: 'error' }));
		// 8-bit sRGB whatever came in (grey, 16-bit, CMYK), so that white is 255 below.
		let image = keep(thumbnail.colourspace('srgb'));
		if (image.hasAlpha()) image = keep(image.flatten({ background: [255, 255, 255] }));
		const grey = keep(keep(image.colourspace('b-w')).cast('uchar'));
		const memory = grey.writeToMemory();
		const bands = grey.bands;
		const cells = new Array<number>(GRID * GRID).fill(0);
		for (let y = 0; y < side; y++) {
			for (let x = 0; x < side; x++) {
				cells[Math.floor(y / SAMPLES) * GRID + Math.floor(x / SAMPLES)] += memory[(y * side + x) * bands];
			}
		}
		return cells.map(sum => sum / (SAMPLES * SAMPLES));
	} finally {
		for (const image of images) image.delete();
	}
}
