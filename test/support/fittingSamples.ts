/**
 * Images made at test time from the recorded sample images, for tests of files the service would
 * not take as they are: a 12 MP, ≈ 4 MB phone photo stored on its side with EXIF orientation 6,
 * a WEBP, a BMP, a smaller PNG, an empty file and a JPEG cut off in its header. The emulator
 * recognizes what the extension makes of the good ones by their fingerprint, and answers with the
 * recording of the image each was made from.
 *
 * They are written into a temporary copy of the test workspace, never into the repository: a
 * 4 MB file is not worth keeping when a few seconds of wasm-vips make it again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Vips from 'wasm-vips';
import type { VipsModule } from '../emulator/decode';
import { fixtureBytes } from './fixtures';

export interface FittingSample {
	/** The file's name in the folder it was written to. */
	name: string;
	/** The recorded sample it was made from: its recording is what the emulator answers. */
	source: string;
	format: 'JPEG' | 'PNG' | 'WEBP' | 'BMP';
	/** As the image is shown: with its EXIF orientation applied. */
	upright: { width: number; height: number };
	orientation: number;
	bytes: number;
}

export interface FittingSamples {
	/** receipt.png at ≈ 12 MP with fine noise, JPEG q92 ≈ 4 MB, stored turned a quarter left and tagged orientation 6. */
	photo: FittingSample;
	/** cyrillic-sign.jpg at three times its size, lossy WEBP. */
	webp: FittingSample;
	/** latin-note.png at one and a half times its size, 24-bit BMP. */
	bmp: FittingSample;
	/** rotated-line.png at three quarters of its size, PNG: small enough to be sent as it is. */
	png: FittingSample;
	/** faces.jpg at 1.2 times its size, lossy WEBP. */
	secondWebp: FittingSample;
	/** 0 bytes. */
	empty: { name: string };
	/** The photo cut off inside its EXIF segment, before the frame header that gives its size. */
	cutOff: { name: string; bytes: number };
}

/**
 * Writes every image into `dir` (created when needed). Takes a few seconds, the photo most of
 * them; the event loop runs between images, so a host process stays responsive.
 */
export async function writeFittingSamples(vips: VipsModule, dir: string): Promise<FittingSamples> {
	fs.mkdirSync(dir, { recursive: true });
	const write = (name: string, bytes: Uint8Array): number => {
		fs.writeFileSync(path.join(dir, name), bytes);
		return bytes.length;
	};
	const sample = (name: string, source: string, format: FittingSample['format'], orientation: number, made: Made): FittingSample =>
		({ name, source, format, orientation, upright: made.upright, bytes: write(name, made.bytes) });

	const photo = make(vips, 'receipt.png', (image, keep) => {
		// Linear: half the time of the default Lanczos, and as good for a picture that is only matched, not read.
		const big = keep(image.resize(Math.sqrt(12e6 / (image.width * image.height)), { kernel: 'linear' }));
		// Fine grain, as a phone's sensor gives: it is what makes a 12 MP JPEG weigh 4 MB. Seeded: the same file each run.
		const noise = keep(vips.Image.gaussnoise(big.width, big.height, { sigma: 8, mean: 0, seed: 42 }));
		const upright = keep(keep(big.add(noise)).cast('uchar'));
		// Stored as a phone held upright stores it: turned a quarter left, orientation 6 turning it back.
		const stored = keep(keep(upright.rot270()).copy());
		stored.setInt('orientation', 6);
		return { bytes: stored.jpegsaveBuffer({ Q: 92 }), upright: { width: upright.width, height: upright.height } };
	});
	await breather();
	const webp = make(vips, 'cyrillic-sign.jpg', (image, keep) => {
		const big = keep(image.resize(3));
		return { bytes: big.webpsaveBuffer({ Q: 85 }), upright: { width: big.width, height: big.height } };
	});
	await breather();
	const bmp = make(vips, 'latin-note.png', (image, keep) => {
		const big = keep(image.resize(1.5));
		const rgb = big.bands > 3 ? keep(big.extractBand(0, { n: 3 })) : big;
		return { bytes: encodeBmp(rgb.writeToMemory() as Uint8Array, rgb.width, rgb.height, rgb.bands), upright: { width: rgb.width, height: rgb.height } };
	});
	await breather();
	const png = make(vips, 'rotated-line.png', (image, keep) => {
		const small = keep(image.resize(0.75));
		return { bytes: small.pngsaveBuffer({ keep: 'none' }), upright: { width: small.width, height: small.height } };
	});
	await breather();
	const secondWebp = make(vips, 'faces.jpg', (image, keep) => {
		const big = keep(image.resize(1.2));
		return { bytes: big.webpsaveBuffer({ Q: 80 }), upright: { width: big.width, height: big.height } };
	});

	const empty = { name: 'zero-bytes.png' };
	write(empty.name, new Uint8Array(0));
	// As a download that stopped early: the start of the photo, ending inside its EXIF block.
	const cutOffName = 'corrupt.jpg';
	const cutOff = { name: cutOffName, bytes: write(cutOffName, photo.bytes.subarray(0, exifEnd(photo.bytes) - 10)) };
	return {
		photo: sample('phone-photo-orientation-6.jpg', 'receipt.png', 'JPEG', 6, photo),
		webp: sample('sign.webp', 'cyrillic-sign.jpg', 'WEBP', 1, webp),
		bmp: sample('note.bmp', 'latin-note.png', 'BMP', 1, bmp),
		png: sample('good.png', 'rotated-line.png', 'PNG', 1, png),
		secondWebp: sample('friends.webp', 'faces.jpg', 'WEBP', 1, secondWebp),
		empty,
		cutOff,
	};
}

function breather(): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, 20));
}

interface Made {
	bytes: Uint8Array;
	upright: { width: number; height: number };
}

type Keep = (image: Vips.Image) => Vips.Image;

/** Decodes a sample image, runs `derive` on it, and deletes every libvips image made meanwhile. */
function make(vips: VipsModule, source: string, derive: (image: Vips.Image, keep: Keep) => Made): Made {
	const images: Vips.Image[] = [];
	const keep: Keep = image => {
		images.push(image);
		return image;
	};
	try {
		return derive(keep(vips.Image.newFromBuffer(fixtureBytes(source))), keep);
	} finally {
		for (const image of images) image.delete();
	}
}

/** Where the first APP1 (EXIF) segment of a JPEG ends; throws when there is none. */
function exifEnd(jpeg: Uint8Array): number {
	let pos = 2;
	while (pos + 4 <= jpeg.length && jpeg[pos] === 0xff) {
		const marker = jpeg[pos + 1]!;
		const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
		if (marker === 0xe1) return pos + 2 + length;
		if (marker === 0xda) break;
		pos += 2 + length;
	}
	throw new Error('the JPEG has no EXIF segment to cut inside');
}

/** A bottom-up 24-bit BMP (BITMAPINFOHEADER, no compression) of 8-bit RGB or grey pixels. */
export function encodeBmp(pixels: Uint8Array, width: number, height: number, bands: number): Uint8Array {
	const stride = Math.ceil(width * 3 / 4) * 4;
	const offset = 14 + 40;
	const file = Buffer.alloc(offset + stride * height);
	file.write('BM', 0, 'latin1');
	file.writeUInt32LE(file.length, 2);
	file.writeUInt32LE(offset, 10);
	file.writeUInt32LE(40, 14);
	file.writeInt32LE(width, 18);
	file.writeInt32LE(height, 22);
	file.writeUInt16LE(1, 26);
	file.writeUInt16LE(24, 28);
	file.writeUInt32LE(stride * height, 34);
	file.writeInt32LE(2835, 38);
	file.writeInt32LE(2835, 42);
	for (let y = 0; y < height; y++) {
		const row = offset + (height - 1 - y) * stride;
		for (let x = 0; x < width; x++) {
			const at = (y * width + x) * bands;
			const grey = bands < 3;
			// BMP stores blue, green, red.
			file[row + x * 3] = pixels[grey ? at : at + 2]!;
			file[row + x * 3 + 1] = pixels[grey ? at : at + 1]!;
			file[row + x * 3 + 2] = pixels[at]!;
		}
	}
	return file;
}
