/**
 * Fitting one image to the service's limits: decode, turn upright, scale down once, and encode —
 * JPEG for photos, PNG for screenshots and line art when that fits — stepping JPEG quality down,
 * then the size, until the file is small enough. The steps are the same whichever libvips does
 * the work (native in its own process, or WebAssembly in a worker thread): each is a call on an
 * {@link ImageLibrary}, which may take hundreds of milliseconds.
 */
import type { FitWarning } from '../../shared/protocol';
import { decodeBmp } from './bmp';
import { phrase } from '../../shared/phrase';
import { count, ImageError, megabytes, size } from '../errors';
import type { ImageFormat, Orientation } from '../header';
import { uprightSize, type Size } from '../mapping';
import { FIT_LIMITS, MAX_DECODE_PIXELS, type FitLimits } from '../plan';

export { FIT_LIMITS, type FitLimits } from '../plan';

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

/** What the file's header says, as the decoder reads it. */
export interface StoredImage extends Size {
	/** EXIF orientation, 1 when there is none. */
	orientation: number;
	/** Pages of a TIFF, frames of a GIF or WEBP; 1 for the rest. */
	pages: number;
}

/** Pixels in JavaScript memory: `channels` bytes per pixel, row by row. */
export interface Raster extends Size {
	data: Uint8Array;
	channels: number;
}

/**
 * One libvips, as the fit uses it. An image (`I`) is decoded pixels in memory, 8-bit sRGB or
 * greyscale with its alpha kept.
 */
export interface ImageLibrary<I> {
	/** Whether an SVG's <text> is drawn (fonts are available). */
	readonly drawsSvgText: boolean;
	/** Opens one file; everything made through the session is freed by its `close()`. */
	open(request: FitRequest): ImageSession<I>;
	/** The reason in an error the library threw, without its plumbing. */
	reason(err: unknown): string;
}

export interface ImageSession<I> {
	/** The header only: cheap. */
	header(): Promise<StoredImage>;
	/**
	 * The file decoded upright into `box` (aspect kept), shrunk while decoding where the format
	 * allows; drawn larger than it declares only when `enlarge` (an SVG). A cut-off file fails.
	 */
	thumbnail(box: Size, enlarge: boolean): Promise<I>;
	/** Pixels decoded elsewhere (BMP), as an image. */
	fromPixels(raster: Raster): Promise<I>;
	size(image: I): Size;
	hasAlpha(image: I): boolean;
	/** Every `step`-th pixel of every `step`-th row. */
	sample(image: I, step: number): Promise<Raster>;
	/** Scaled by `scale` (< 1), to width and height rounded as {@link fitBox} rounds them. */
	resize(image: I, scale: number): Promise<I>;
	/** Alpha laid on white. */
	flatten(image: I): Promise<I>;
	/** Full-width strips `rows` high starting at `tops`, one under the other. */
	strips(image: I, tops: readonly number[], rows: number): Promise<I>;
	jpeg(image: I, quality: number): Promise<Uint8Array>;
	/** PNG, or quantized to at most 256 colours. */
	png(image: I, palette: boolean): Promise<Uint8Array>;
	close(): void;
}

/**
 * What fitting one image may add to a process at its peak, roughly: the file and a copy of it, and
 * the pixels as decoded — a JPEG at a fraction of its size when the target is far smaller
 * (shrink-on-load), an 8-bit RGBA frame for others.
 */
export function fitBytes(request: FitRequest): number {
	const pixels = request.pixels ?? 12_000_000;
	const longSide = request.limits?.photoLongSide ?? 2560;
	const side = Math.sqrt(pixels * 4 / 3);
	const shrink = request.format === 'jpeg' ? Math.min(8, 2 ** Math.floor(Math.log2(Math.max(1, side / longSide)))) : 1;
	return 2 * request.bytes.length + 4 * pixels / (shrink * shrink) + 16 * 1024 * 1024;
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

export interface FitOptions {
	/** The bytes are the caller's to give away: moved to the converter, not copied. */
	handOver?: boolean;
}

/** A fitted image, and the time its converter spent on it. */
export interface Converted extends FitResult {
	ms: number;
}

/** Fits one image; throws ImageError. Frees every image it makes. */
export async function fitImage<I>(library: ImageLibrary<I>, request: FitRequest): Promise<FitResult> {
	const limits = request.limits ?? FIT_LIMITS;
	const warnings: FitWarning[] = [];
	const session = library.open(request);
	try {
		const loaded = request.format === 'bmp' ? await loadBmp(session, request.bytes, limits) : await load(library, session, request, limits, warnings);
		let image = loaded.image;
		const hasAlpha = session.hasAlpha(image);
		const graphic = request.format !== 'jpeg' && await looksLikeGraphic(session, image);
		if (!graphic) {
			const box = fitBox(session.size(image), photoLongSide(request, limits), limits.pixels);
			if (box.scale < 1) image = await session.resize(image, box.scale);
		}
		const attempts: string[] = [];
		const base = { original: loaded.original, content: graphic ? 'graphic' as const : 'photo' as const, attempts, warnings };
		const { width, height } = session.size(image);
		if (graphic) {
			const png = await session.png(image, false);
			attempts.push(`PNG ${width}×${height} ${megabytes(png.length)}`);
			if (png.length <= limits.fileBytes) return { ...base, bytes: png, mimeType: 'image/png', width, height };
			// A palette makes a PNG 3–5 times smaller at best: further over, it would be time spent for nothing.
			if (png.length <= limits.fileBytes * MAX_PALETTE_GAIN) {
				const quantized = await session.png(image, true);
				attempts.push(`PNG ${width}×${height}, 256 colours, ${megabytes(quantized.length)}`);
				if (quantized.length <= limits.fileBytes) return { ...base, bytes: quantized, mimeType: 'image/png', palette: true, width, height };
			}
		}
		if (hasAlpha) image = await session.flatten(image);
		const jpeg = await encodeJpegWithin(session, image, limits.fileBytes, attempts);
		return { ...base, bytes: jpeg.bytes, mimeType: 'image/jpeg', quality: jpeg.quality, width: jpeg.width, height: jpeg.height };
	} catch (err) {
		if (err instanceof ImageError) throw err;
		throw new ImageError('decode', phrase('could not be decoded: {0}', library.reason(err)), { cause: err });
	} finally {
		session.close();
	}
}

/** The photo cap applies to files over the size limit; one within it fits at about its own size. */
function photoLongSide(request: FitRequest, limits: FitLimits): number {
	return request.bytes.length > limits.fileBytes ? limits.photoLongSide : limits.graphicLongSide;
}

interface Loaded<I> {
	image: I;
	original: FitResult['original'];
}

/** Decodes with shrink-on-load into a box that no content type needs exceeded, turned upright. */
async function load<I>(library: ImageLibrary<I>, session: ImageSession<I>, request: FitRequest, limits: FitLimits, warnings: FitWarning[]): Promise<Loaded<I>> {
	const header = await session.header();
	const orientation = clampOrientation(header.orientation);
	const stored = { width: header.width, height: header.height };
	if (stored.width * stored.height > MAX_DECODE_PIXELS) {
		throw new ImageError('limit', phrase('is {0}×{1} pixels, too large to convert safely (at most {2} MP); scale it down first', count(stored.width), count(stored.height), MAX_DECODE_PIXELS / 1e6));
	}
	const upright = uprightSize(stored, orientation);
	if (header.pages > 1) warnings.push(request.format === 'tiff' ? { code: 'firstPage', pages: header.pages } : { code: 'firstFrame', frames: header.pages });
	if (request.format === 'svg' && !library.drawsSvgText && /<text[\s>]/.test(Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength).toString('latin1'))) {
		warnings.push({ code: 'svgText' });
	}
	const longSide = request.format === 'jpeg' ? photoLongSide(request, limits) : limits.graphicLongSide;
	const svg = request.format === 'svg';
	const box = fitBox(upright, longSide, limits.pixels, svg ? SVG_MIN_LONG_SIDE : 0);
	const image = await session.thumbnail(box, svg);
	return { image, original: { width: stored.width, height: stored.height, orientation, upright } };
}

/** BMP through the JS decoder, shrunk while decoding when it is far larger than any box. */
async function loadBmp<I>(session: ImageSession<I>, bytes: Uint8Array, limits: FitLimits): Promise<Loaded<I>> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const core = bytes.length >= 18 && view.getUint32(14, true) === 12;
	const width = bytes.length >= 26 ? (core ? view.getUint16(18, true) : Math.abs(view.getInt32(18, true))) : 0;
	const height = bytes.length >= 26 ? (core ? view.getUint16(20, true) : Math.abs(view.getInt32(22, true))) : 0;
	const box = fitBox({ width, height }, limits.graphicLongSide, limits.pixels);
	// Block-averaged while decoding to between 1 and 2 times the final size: memory stays near the
	// final image's, and libvips still does the last, finer step.
	const shrink = Math.max(1, Math.floor(1 / box.scale));
	const bitmap = decodeBmp(bytes, { shrink });
	let image = await session.fromPixels({ data: bitmap.data, width: bitmap.width, height: bitmap.height, channels: bitmap.channels });
	const fitted = fitBox({ width: bitmap.width, height: bitmap.height }, limits.graphicLongSide, limits.pixels);
	if (fitted.scale < 1) image = await session.resize(image, fitted.width / bitmap.width);
	return { image, original: { width, height, orientation: 1, upright: { width, height } } };
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
async function looksLikeGraphic<I>(session: ImageSession<I>, image: I): Promise<boolean> {
	const { width, height } = session.size(image);
	const step = Math.max(1, Math.ceil(Math.sqrt(width * height / 65_536)));
	const sample = await session.sample(image, step);
	const { data, channels: bands } = sample;
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

/** Every `step`-th pixel of every `step`-th row of pixels in memory. */
export function pointSample(raster: Raster, step: number): Raster {
	if (step <= 1) return raster;
	const width = Math.ceil(raster.width / step);
	const height = Math.ceil(raster.height / step);
	const { channels } = raster;
	const data = new Uint8Array(width * height * channels);
	for (let y = 0; y < height; y++) {
		const from = y * step * raster.width * channels;
		for (let x = 0; x < width; x++) {
			const at = from + x * step * channels;
			for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = raster.data[at + c]!;
		}
	}
	return { data, width, height, channels };
}

/**
 * JPEG within `limit` bytes: the highest quality from 85 down to 50 that fits, then smaller
 * sizes. Qualities are first tried on a sample of the picture (see bandSample), so the whole
 * image is usually encoded once; whole-image encodings decide.
 */
async function encodeJpegWithin<I>(session: ImageSession<I>, start: I, limit: number, attempts: string[]): Promise<{ bytes: Uint8Array; quality: number; width: number; height: number }> {
	let image = start;
	for (;;) {
		const { width, height } = session.size(image);
		const sample = await bandSample(session, image);
		const predict = async (quality: number) => (await session.jpeg(sample!.image, quality)).length * sample!.scale;
		let from = 0;
		let estimate85: number | undefined;
		let hopeless = false;
		if (sample) {
			estimate85 = await predict(QUALITIES[0]);
			hopeless = estimate85 * RELATIVE_SIZE[50]! > limit * 1.05;
			// The quality curve's guess, checked on the sample (3 % kept for its error) and lowered until it fits.
			const guess = QUALITIES.findIndex(quality => estimate85! * RELATIVE_SIZE[quality]! <= limit * 0.97);
			from = guess < 0 ? QUALITIES.length - 1 : guess;
			while (!hopeless && from > 0 && from < QUALITIES.length - 1 && await predict(QUALITIES[from]!) > limit * 0.97) from++;
		}
		let tried: { quality: number; size: number } | undefined;
		for (const quality of hopeless ? [] : QUALITIES.slice(from)) {
			// Predicted from the last whole encoding; 5 % slack so a near miss is still tried.
			if (tried && tried.size * RELATIVE_SIZE[quality]! / RELATIVE_SIZE[tried.quality]! > limit * 1.05 && quality !== QUALITIES[QUALITIES.length - 1]) continue;
			const bytes = await session.jpeg(image, quality);
			attempts.push(`JPEG ${width}×${height} q${quality} ${megabytes(bytes.length)}`);
			if (bytes.length <= limit) return { bytes, quality, width, height };
			tried = { quality, size: bytes.length };
			if (tried.size * RELATIVE_SIZE[50]! / RELATIVE_SIZE[quality]! > limit * 1.05) break;
		}
		// Scaled so that quality 80 is predicted to fit with 10 % to spare.
		const size85 = tried ? tried.size / RELATIVE_SIZE[tried.quality]! : estimate85!;
		const scale = Math.min(0.9, Math.max(0.25, Math.sqrt(limit * 0.9 / (size85 * RELATIVE_SIZE[80]!))));
		if (Math.max(width, height) * scale < 64) {
			throw new ImageError('decode', phrase('could not be made smaller than {0}, even at {1}×{2} and quality 50', size(limit), width, height));
		}
		image = await session.resize(image, scale);
	}
}

/**
 * An eighth of the picture — 8 full-width bands spread from top to bottom, whole JPEG blocks
 * high — whose JPEG size, scaled up, predicted the whole image's to within 1 % on photos, at an
 * eighth of the cost. Undefined for images small enough to just encode.
 */
async function bandSample<I>(session: ImageSession<I>, image: I): Promise<{ image: I; scale: number } | undefined> {
	const bands = 8;
	const { height } = session.size(image);
	const rows = Math.floor(height / (8 * bands) / 16) * 16;
	if (rows < 16) return undefined;
	const tops = Array.from({ length: bands }, (_, i) => Math.floor((i + 0.5) * height / bands - rows / 2));
	return { image: await session.strips(image, tops, rows), scale: height / (bands * rows) };
}

function clampOrientation(value: number): Orientation {
	return value >= 1 && value <= 8 ? value as Orientation : 1;
}
