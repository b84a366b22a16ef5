/**
 * Fitting one image to the service's limits with libvips (wasm-vips): decode, turn upright,
 * scale down once, and encode — JPEG for photos, PNG for screenshots and line art when that fits
 * — stepping JPEG quality down, then the size, until the file is small enough. Runs in the
 * converter's worker thread: every call here can block for hundreds of milliseconds.
 */
import type Vips from 'wasm-vips';
import type { FitWarning } from '../../shared/protocol';
import { decodeBmp } from './bmp';
import { phrase } from '../../shared/phrase';
import { count, ImageError, megabytes, size } from '../errors';
import type { ImageFormat, Orientation } from '../header';
import { uprightSize, type Size } from '../mapping';
import { FIT_LIMITS, MAX_DECODE_PIXELS, type FitLimits } from '../plan';

export { FIT_LIMITS, type FitLimits } from '../plan';

export type VipsModule = typeof Vips;
type VipsImage = Vips.Image;

export interface FitRequest {
	bytes: Uint8Array;
	format: ImageFormat;
	/** Stored pixels, from the header, when known: how much work is coming. */
	pixels?: number;
	limits?: FitLimits;
}

export interface FitResult {
	bytes: Uint8Array;
	mimeType: 'image/jpeg' | 'image/png';
	/** The sent image: upright, no orientation tag. */
	width: number;
	height: number;
	/** The original as the decoder sees it: stored size and orientation, and the upright size. */
	original: { width: number; height: number; orientation: Orientation; upright: Size };
	/** JPEG quality; absent for PNG. */
	quality?: number;
	/** PNG quantized to a palette of at most 256 colours. */
	palette?: boolean;
	content: 'photo' | 'graphic';
	/** Each encoding tried, for the log: `JPEG q85 1.2 MB`. */
	attempts: string[];
	/** Things a person may want to know (an SVG's text is not drawn, only the first frame is used). */
	warnings: FitWarning[];
}

/** JPEG qualities tried, best first; 50 is the floor below which text edges smear. */
const QUALITIES = [85, 80, 75, 70, 65, 60, 55, 50] as const;
/**
 * JPEG size at each quality relative to quality 85, measured on 2560 px photos: used to skip
 * qualities that cannot fit rather than encode them all.
 */
const RELATIVE_SIZE: Readonly<Record<number, number>> = { 85: 1, 80: 0.79, 75: 0.65, 70: 0.57, 65: 0.5, 60: 0.45, 55: 0.41, 50: 0.37 };
/** An SVG is drawn at least this large (long side), so thin strokes and small shapes survive. */
const SVG_MIN_LONG_SIDE = 1600;
/** How many times smaller a 256-colour PNG may be than a full-colour one, at best. */
const MAX_PALETTE_GAIN = 5;
/** Share of sampled pixels equal to their left neighbour above which a picture counts as flat artwork. */
const FLAT_SHARE = 0.5;

/** Fits one image; throws ImageError. Frees every libvips image it makes. */
export function fitImage(vips: VipsModule, request: FitRequest): FitResult {
	const limits = request.limits ?? FIT_LIMITS;
	const handles: Handle[] = [];
	const keep: Keep = handle => {
		handles.push(handle);
		return handle;
	};
	const warnings: FitWarning[] = [];
	try {
		const loaded = request.format === 'bmp' ? loadBmp(vips, request.bytes, limits, keep) : load(vips, request, limits, keep, warnings);
		let image = keep(normalize(loaded.image, keep).copyMemory());
		const hasAlpha = image.hasAlpha();
		const graphic = request.format !== 'jpeg' && looksLikeGraphic(image, keep);
		if (!graphic) {
			const box = fitBox(image, photoLongSide(request, limits), limits.pixels);
			if (box.scale < 1) image = keep(keep(image.resize(box.scale)).copyMemory());
		}
		const attempts: string[] = [];
		const base = { original: loaded.original, content: graphic ? 'graphic' as const : 'photo' as const, attempts, warnings };
		if (graphic) {
			const png = image.pngsaveBuffer({ compression: 6, keep: 'none' });
			attempts.push(`PNG ${image.width}×${image.height} ${megabytes(png.length)}`);
			if (png.length <= limits.fileBytes) return { ...base, bytes: png, mimeType: 'image/png', width: image.width, height: image.height };
			// A palette makes a PNG 3–5 times smaller at best: further over, it would be time spent for nothing.
			if (png.length <= limits.fileBytes * MAX_PALETTE_GAIN) {
				const quantized = image.pngsaveBuffer({ palette: true, Q: 90, dither: 0, effort: 4, keep: 'none' });
				attempts.push(`PNG ${image.width}×${image.height}, 256 colours, ${megabytes(quantized.length)}`);
				if (quantized.length <= limits.fileBytes) return { ...base, bytes: quantized, mimeType: 'image/png', palette: true, width: image.width, height: image.height };
			}
		}
		if (hasAlpha) image = keep(keep(image.flatten({ background: [255, 255, 255] })).copyMemory());
		const jpeg = encodeJpegWithin(vips, image, limits.fileBytes, keep, attempts);
		return { ...base, bytes: jpeg.bytes, mimeType: 'image/jpeg', quality: jpeg.quality, width: jpeg.width, height: jpeg.height };
	} catch (err) {
		if (err instanceof ImageError) throw err;
		throw new ImageError('decode', phrase('could not be decoded: {0}', vipsMessage(err)), { cause: err });
	} finally {
		for (const handle of handles) handle.delete();
	}
}

/** Anything wasm-vips allocates: it lives until `delete()`, whatever JavaScript's GC does. */
interface Handle {
	delete(): void;
}

/** Records a handle for deletion when the fit ends, and returns it. */
type Keep = <T extends Handle>(handle: T) => T;

/** The photo cap applies to files over the size limit; one within it fits at about its own size. */
function photoLongSide(request: FitRequest, limits: FitLimits): number {
	return request.bytes.length > limits.fileBytes ? limits.photoLongSide : limits.graphicLongSide;
}

interface Loaded {
	image: VipsImage;
	original: FitResult['original'];
}

/** Decodes with shrink-on-load into a box that no content type needs exceeded, turned upright. */
function load(vips: VipsModule, request: FitRequest, limits: FitLimits, keep: Keep, warnings: FitWarning[]): Loaded {
	// One source for both reads (SVG is only read from a buffer).
	const source = request.format === 'svg' ? undefined : keep(sourceOf(vips, request.bytes));
	// The header only: cheap, and it is what the thumbnail below will see, orientation included.
	const probe = keep(source ? vips.Image.newFromSource(source, '', { access: 'sequential' }) : vips.Image.newFromBuffer(request.bytes, '', { access: 'sequential' }));
	const orientation = probe.getTypeof('orientation') !== 0 ? clampOrientation(probe.getInt('orientation')) : 1;
	const stored = { width: probe.width, height: probe.height };
	if (stored.width * stored.height > MAX_DECODE_PIXELS) {
		throw new ImageError('limit', phrase('is {0}×{1} pixels, too large to convert safely (at most {2} MP); scale it down first', count(stored.width), count(stored.height), MAX_DECODE_PIXELS / 1e6));
	}
	const upright = uprightSize(stored, orientation);
	const pages = probe.getTypeof('n-pages') !== 0 ? probe.getInt('n-pages') : 1;
	if (pages > 1) warnings.push(request.format === 'tiff' ? { code: 'firstPage', pages } : { code: 'firstFrame', frames: pages });
	if (request.format === 'svg' && /<text[\s>]/.test(Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength).toString('latin1'))) {
		warnings.push({ code: 'svgText' });
	}
	const longSide = request.format === 'jpeg' ? photoLongSide(request, limits) : limits.graphicLongSide;
	const minimum = request.format === 'svg' ? SVG_MIN_LONG_SIDE : 0;
	const box = fitBox(upright, longSide, limits.pixels, minimum);
	const options = {
		height: box.height,
		size: request.format === 'svg' ? 'both' : 'down',
		// A cut-off file fails rather than arrive half grey (thumbnail's own fail_on is not passed to the loader).
		option_string: 'fail_on=truncated',
	};
	// thumbnailSource returns the image; its declared type says void.
	const image = keep(source ? vips.Image.thumbnailSource(source, box.width, options) as unknown as VipsImage : vips.Image.thumbnailBuffer(request.bytes, box.width, options));
	return { image, original: { width: stored.width, height: stored.height, orientation, upright } };
}

/**
 * Files up to this size are copied into WebAssembly memory whole; larger ones are streamed to
 * libvips from JavaScript instead, which is slower (libvips' thread asks for 4 KiB at a time,
 * through this thread) but spares WebAssembly memory — which never shrinks — two copies of a
 * 20+ MB file.
 */
const STREAM_FROM_BYTES = 12 * 1024 * 1024;

function sourceOf(vips: VipsModule, bytes: Uint8Array): Vips.Source {
	if (bytes.length <= STREAM_FROM_BYTES) return vips.Source.newFromMemory(bytes);
	const source = new vips.SourceCustom();
	let position = 0;
	source.onRead = length => {
		if (position >= bytes.length) return undefined;
		const chunk = bytes.subarray(position, Math.min(bytes.length, position + length));
		position += chunk.length;
		return chunk;
	};
	// whence as lseek's: 0 from the start, 1 from here, 2 from the end.
	source.onSeek = (offset, whence) => {
		position = Math.max(0, Math.min(bytes.length, whence === 0 ? offset : whence === 1 ? position + offset : bytes.length + offset));
		return position;
	};
	return source;
}

/** BMP through the JS decoder, shrunk while decoding when it is far larger than any box. */
function loadBmp(vips: VipsModule, bytes: Uint8Array, limits: FitLimits, keep: Keep): Loaded {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const core = bytes.length >= 18 && view.getUint32(14, true) === 12;
	const width = bytes.length >= 26 ? (core ? view.getUint16(18, true) : Math.abs(view.getInt32(18, true))) : 0;
	const height = bytes.length >= 26 ? (core ? view.getUint16(20, true) : Math.abs(view.getInt32(22, true))) : 0;
	const box = fitBox({ width, height }, limits.graphicLongSide, limits.pixels);
	// Block-averaged while decoding to between 1 and 2 times the final size: memory stays near the
	// final image's, and libvips still does the last, finer step.
	const shrink = Math.max(1, Math.floor(1 / box.scale));
	const bitmap = decodeBmp(bytes, { shrink });
	const raw = keep(vips.Image.newFromMemory(bitmap.data, bitmap.width, bitmap.height, bitmap.channels, vips.BandFormat.uchar));
	const rgb = keep(raw.copy({ interpretation: vips.Interpretation.srgb }));
	const fitted = fitBox({ width: bitmap.width, height: bitmap.height }, limits.graphicLongSide, limits.pixels);
	const image = fitted.scale < 1 ? keep(rgb.resize(fitted.width / bitmap.width)) : rgb;
	return { image, original: { width, height, orientation: 1, upright: { width, height } } };
}

/** 8-bit sRGB or greyscale, alpha kept: what the encoders take as is. */
function normalize(image: VipsImage, keep: Keep): VipsImage {
	const grey = image.bands <= 2 && image.interpretation !== 'cmyk';
	const space = grey ? 'b-w' : 'srgb';
	if (image.interpretation === space && image.format === 'uchar') return image;
	return keep(image.colourspace(space));
}

interface Box extends Size {
	/** ≤ 1 unless upscaling was asked for. */
	scale: number;
}

/**
 * The largest size with the image's aspect ratio within `longSide` and `pixels` (0.2 % under,
 * so rounding never crosses the limit); at least `minimumLongSide` when given (an SVG is drawn
 * larger than it declares), else never larger than the image.
 */
export function fitBox(size: Size, longSide: number, pixels: number, minimumLongSide = 0): Box {
	const long = Math.max(size.width, size.height);
	const up = minimumLongSide > long ? minimumLongSide / long : 1;
	const scale = Math.min(up, longSide / long, Math.sqrt(pixels * 0.998 / (size.width * size.height)));
	// Rounded as libvips rounds; the 0.2 % under the pixel limit absorbs it.
	return {
		scale,
		width: Math.max(1, Math.round(size.width * scale)),
		height: Math.max(1, Math.round(size.height * scale)),
	};
}

/**
 * Whether the picture is a screenshot, drawing or other flat artwork rather than a photo, from a
 * point sample of ≤ 65,536 pixels (a few milliseconds): transparency in use, or most pixels
 * exactly equal to their neighbour — flat areas, which a photo's noise (or a GIF's dithering)
 * never has, and which PNG compresses well.
 */
function looksLikeGraphic(image: VipsImage, keep: Keep): boolean {
	const step = Math.max(1, Math.ceil(Math.sqrt(image.width * image.height / 65_536)));
	const sample = step > 1 ? keep(image.subsample(step, step, { point: true })) : image;
	const data = sample.writeToMemory() as Uint8Array;
	const bands = sample.bands;
	const alpha = bands === 2 || bands === 4;
	let equal = 0;
	let pairs = 0;
	let translucent = false;
	for (let y = 0; y < sample.height; y++) {
		const row = y * sample.width * bands;
		for (let x = 0; x < sample.width; x++) {
			const at = row + x * bands;
			if (alpha && data[at + bands - 1]! < 250) translucent = true;
			if (x === 0) continue;
			pairs++;
			let same = true;
			for (let b = 0; b < bands && same; b++) same = data[at + b] === data[at - bands + b];
			if (same) equal++;
		}
	}
	return translucent || (pairs > 0 && equal / pairs >= FLAT_SHARE);
}

/**
 * JPEG within `limit` bytes: the highest quality from 85 down to 50 that fits, then smaller
 * sizes. Qualities are first tried on a sample of the picture (see bandSample), so the whole
 * image is usually encoded once; whole-image encodings decide.
 */
function encodeJpegWithin(vips: VipsModule, start: VipsImage, limit: number, keep: Keep, attempts: string[]): { bytes: Uint8Array; quality: number; width: number; height: number } {
	let image = start;
	for (;;) {
		const sample = bandSample(vips, image, keep);
		const predict = (quality: number) => sample!.image.jpegsaveBuffer({ Q: quality, keep: 'none' }).length * sample!.scale;
		let from = 0;
		let estimate85: number | undefined;
		let hopeless = false;
		if (sample) {
			estimate85 = predict(QUALITIES[0]);
			hopeless = estimate85 * RELATIVE_SIZE[50]! > limit * 1.05;
			// The quality curve's guess, checked on the sample (3 % kept for its error) and lowered until it fits.
			const guess = QUALITIES.findIndex(quality => estimate85! * RELATIVE_SIZE[quality]! <= limit * 0.97);
			from = guess < 0 ? QUALITIES.length - 1 : guess;
			while (!hopeless && from > 0 && from < QUALITIES.length - 1 && predict(QUALITIES[from]!) > limit * 0.97) from++;
		}
		let tried: { quality: number; size: number } | undefined;
		for (const quality of hopeless ? [] : QUALITIES.slice(from)) {
			// Predicted from the last whole encoding; 5 % slack so a near miss is still tried.
			if (tried && tried.size * RELATIVE_SIZE[quality]! / RELATIVE_SIZE[tried.quality]! > limit * 1.05 && quality !== QUALITIES[QUALITIES.length - 1]) continue;
			const bytes = image.jpegsaveBuffer({ Q: quality, keep: 'none' });
			attempts.push(`JPEG ${image.width}×${image.height} q${quality} ${megabytes(bytes.length)}`);
			if (bytes.length <= limit) return { bytes, quality, width: image.width, height: image.height };
			tried = { quality, size: bytes.length };
			if (tried.size * RELATIVE_SIZE[50]! / RELATIVE_SIZE[quality]! > limit * 1.05) break;
		}
		// Scaled so that quality 80 is predicted to fit with 10 % to spare.
		const size85 = tried ? tried.size / RELATIVE_SIZE[tried.quality]! : estimate85!;
		const scale = Math.min(0.9, Math.max(0.25, Math.sqrt(limit * 0.9 / (size85 * RELATIVE_SIZE[80]!))));
		if (Math.max(image.width, image.height) * scale < 64) {
			throw new ImageError('decode', phrase('could not be made smaller than {0}, even at {1}×{2} and quality 50', size(limit), image.width, image.height));
		}
		image = keep(keep(image.resize(scale)).copyMemory());
	}
}

/**
 * An eighth of the picture — 8 full-width bands spread from top to bottom, whole JPEG blocks
 * high — whose JPEG size, scaled up, predicted the whole image's to within 1 % on photos, at an
 * eighth of the cost. Undefined for images small enough to just encode.
 */
function bandSample(vips: VipsModule, image: VipsImage, keep: Keep): { image: VipsImage; scale: number } | undefined {
	const count = 8;
	const rows = Math.floor(image.height / (8 * count) / 16) * 16;
	if (rows < 16) return undefined;
	const bands = Array.from({ length: count }, (_, i) => keep(image.extractArea(0, Math.floor((i + 0.5) * image.height / count - rows / 2), image.width, rows)));
	return { image: keep(vips.Image.arrayjoin(bands, { across: 1 })), scale: image.height / (count * rows) };
}

function clampOrientation(value: number): Orientation {
	return value >= 1 && value <= 8 ? value as Orientation : 1;
}

/**
 * libvips errors arrive as WebAssembly exceptions whose `message` is `['vips::Error', 'unable to
 * …\nVipsJpeg: …\n']`; the last line says why.
 */
export function vipsMessage(err: unknown): string {
	const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
	const text = Array.isArray(message) ? message.map(String).join('\n') : typeof message === 'string' ? message : String(err);
	const lines = text.split('\n').map(line => line.trim()).filter(line => line && line !== 'vips::Error' && !line.startsWith('unable to'));
	return (lines[lines.length - 1] ?? text).replace(/^Vips\w*: /, '').replace(/\.$/, '');
}
