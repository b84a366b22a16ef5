/**
 * A BMP decoder, because libvips reads no BMP: BITMAPCOREHEADER, BITMAPINFOHEADER and its V2–V5
 * extensions; 1, 4, 8, 16, 24 and 32 bits per pixel, uncompressed (BI_RGB) or with channel masks
 * (BI_BITFIELDS, BI_ALPHABITFIELDS); rows stored bottom-up or top-down. Out comes top-down RGB, or
 * RGBA when the file has an alpha mask, optionally shrunk by a whole factor while decoding so a
 * huge bitmap never exists at full size in memory.
 */
import { phrase, type Phrase } from '../../shared/phrase';
import { count, ImageError } from '../errors';

export interface DecodedBitmap {
	width: number;
	height: number;
	/** 3 (RGB) or 4 (RGBA). */
	channels: 3 | 4;
	/** Top-down rows, `width * channels` bytes each. */
	data: Uint8Array;
}

export interface BmpOptions {
	/** Averages `shrink × shrink` blocks of pixels into one (1 = full size). */
	shrink?: number;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

interface Mask {
	mask: number;
	shift: number;
	/** The largest value the mask holds, for scaling to 0–255. */
	max: number;
}

export function decodeBmp(bytes: Uint8Array, options: BmpOptions = {}): DecodedBitmap {
	const corrupt = (problem: Phrase) => new ImageError('corrupt', phrase('is a corrupt BMP: {0}', problem));
	if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw corrupt(phrase('it does not start with a BMP file header'));
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const dataOffset = view.getUint32(10, true);
	const headerSize = view.getUint32(14, true);
	const core = headerSize === 12;
	if (!core && headerSize < 40) throw corrupt(phrase('its header is {0} bytes long, not a size any BMP version uses', headerSize));
	if (14 + headerSize > bytes.length) throw new ImageError('truncated', phrase('is a truncated BMP: it ends after {0} bytes, inside its header', count(bytes.length)));

	const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
	const rawHeight = core ? view.getUint16(20, true) : view.getInt32(22, true);
	const bpp = core ? view.getUint16(24, true) : view.getUint16(28, true);
	const compression = core ? BI_RGB : view.getUint32(30, true);
	const topDown = rawHeight < 0;
	const height = Math.abs(rawHeight);
	if (width <= 0 || height <= 0) throw corrupt(phrase('its header gives the size {0}×{1}', width, rawHeight));
	if (compression === BI_RLE8 || compression === BI_RLE4) {
		throw new ImageError('unsupported', phrase('is a run-length encoded (RLE) BMP, which is not converted here; save it as PNG'));
	}
	if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
		throw new ImageError('unsupported', phrase('is a BMP with compression type {0} (embedded JPEG or PNG, or a printer format), which is not converted here; save it as PNG', compression));
	}
	if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw corrupt(phrase('it has {0} bits per pixel', bpp));
	if (compression !== BI_RGB && bpp !== 16 && bpp !== 32) throw corrupt(phrase('it has channel masks with {0} bits per pixel; masks need 16 or 32', bpp));

	const masks = compression === BI_RGB ? defaultMasks(bpp) : readMasks(view, headerSize, compression);
	const palette = bpp <= 8 ? readPalette(bytes, view, headerSize, core, bpp) : undefined;
	const channels: 3 | 4 = masks && masks[3].mask !== 0 ? 4 : 3;

	const stride = Math.floor((bpp * width + 31) / 32) * 4;
	if (dataOffset + stride * (height - 1) + Math.ceil(bpp * width / 8) > bytes.length) {
		throw new ImageError('truncated', phrase('is a truncated BMP: {0}×{1} pixels need {2} bytes, the file has {3}', count(width), count(height), count(dataOffset + stride * height), count(bytes.length)));
	}

	const shrink = Math.max(1, Math.floor(options.shrink ?? 1));
	const outWidth = Math.ceil(width / shrink);
	const outHeight = Math.ceil(height / shrink);
	const out = new Uint8Array(outWidth * outHeight * channels);
	const row = new Uint8Array(width * channels);
	const sums = shrink > 1 ? new Uint32Array(outWidth * channels) : undefined;

	for (let y = 0; y < height; y++) {
		const stored = topDown ? y : height - 1 - y;
		decodeRow(bytes, view, dataOffset + stored * stride, width, bpp, palette, masks, channels, row);
		if (!sums) {
			out.set(row, y * width * channels);
			continue;
		}
		for (let x = 0; x < width; x++) {
			const to = Math.floor(x / shrink) * channels;
			for (let c = 0; c < channels; c++) sums[to + c]! += row[x * channels + c]!;
		}
		const blockRows = y % shrink + 1;
		if (blockRows === shrink || y === height - 1) {
			const outRow = Math.floor(y / shrink);
			for (let ox = 0; ox < outWidth; ox++) {
				const n = Math.min(shrink, width - ox * shrink) * blockRows;
				for (let c = 0; c < channels; c++) {
					out[(outRow * outWidth + ox) * channels + c] = Math.round(sums[ox * channels + c]! / n);
				}
			}
			sums.fill(0);
		}
	}
	if (channels === 4) opaqueWhenAlphaIsEmpty(out);
	return { width: outWidth, height: outHeight, channels, data: out };
}

/** Writers that declare an alpha mask but leave it all 0 mean an opaque image, not an invisible one. */
function opaqueWhenAlphaIsEmpty(rgba: Uint8Array): void {
	for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) return;
	for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
}

function decodeRow(
	bytes: Uint8Array,
	view: DataView,
	start: number,
	width: number,
	bpp: number,
	palette: Uint8Array | undefined,
	masks: readonly [Mask, Mask, Mask, Mask] | undefined,
	channels: 3 | 4,
	row: Uint8Array,
): void {
	if (palette) {
		const perByte = 8 / bpp;
		const valueMask = (1 << bpp) - 1;
		const entries = palette.length / 3;
		for (let x = 0; x < width; x++) {
			const byte = bytes[start + Math.floor(x / perByte)]!;
			const shift = 8 - bpp * (x % perByte + 1);
			const index = (byte >> shift) & valueMask;
			// An index past the colour table is drawn black, as browsers do.
			const known = index < entries;
			row[x * channels] = known ? palette[index * 3]! : 0;
			row[x * channels + 1] = known ? palette[index * 3 + 1]! : 0;
			row[x * channels + 2] = known ? palette[index * 3 + 2]! : 0;
		}
		return;
	}
	if (bpp === 24) {
		for (let x = 0; x < width; x++) {
			const at = start + x * 3;
			row[x * 3] = bytes[at + 2]!;
			row[x * 3 + 1] = bytes[at + 1]!;
			row[x * 3 + 2] = bytes[at]!;
		}
		return;
	}
	const [r, g, b, a] = masks!;
	for (let x = 0; x < width; x++) {
		const value = bpp === 16 ? view.getUint16(start + x * 2, true) : view.getUint32(start + x * 4, true);
		row[x * channels] = channel(value, r);
		row[x * channels + 1] = channel(value, g);
		row[x * channels + 2] = channel(value, b);
		if (channels === 4) row[x * channels + 3] = channel(value, a);
	}
}

function channel(value: number, m: Mask): number {
	if (m.max === 0) return 0;
	const v = ((value & m.mask) >>> 0) >>> m.shift;
	return m.max === 255 ? v : Math.round(v * 255 / m.max);
}

function mask(value: number): Mask {
	const bits = value >>> 0;
	if (bits === 0) return { mask: 0, shift: 0, max: 0 };
	let shift = 0;
	while (((bits >>> shift) & 1) === 0) shift++;
	return { mask: bits, shift, max: bits >>> shift };
}

/** BI_RGB: 16 bpp is 5-5-5, 32 bpp is BGRX (the fourth byte is not alpha). */
function defaultMasks(bpp: number): [Mask, Mask, Mask, Mask] | undefined {
	if (bpp === 16) return [mask(0x7c00), mask(0x03e0), mask(0x001f), mask(0)];
	if (bpp === 32) return [mask(0x00ff0000), mask(0x0000ff00), mask(0x000000ff), mask(0)];
	return undefined;
}

/** V2+ headers carry the masks; a plain INFO header is followed by them. */
function readMasks(view: DataView, headerSize: number, compression: number): [Mask, Mask, Mask, Mask] {
	const at = 54;
	const alpha = headerSize >= 56 || compression === BI_ALPHABITFIELDS;
	return [mask(view.getUint32(at, true)), mask(view.getUint32(at + 4, true)), mask(view.getUint32(at + 8, true)), mask(alpha ? view.getUint32(at + 12, true) : 0)];
}

/** RGB triples from the colour table (BGRX entries, or BGR in the old core format). */
function readPalette(bytes: Uint8Array, view: DataView, headerSize: number, core: boolean, bpp: number): Uint8Array {
	const used = core ? 0 : view.getUint32(46, true);
	const entries = used > 0 && used <= 1 << bpp ? used : 1 << bpp;
	const entrySize = core ? 3 : 4;
	const start = 14 + headerSize;
	const palette = new Uint8Array(entries * 3);
	for (let i = 0; i < entries; i++) {
		const at = start + i * entrySize;
		if (at + 2 >= bytes.length) break;
		palette[i * 3] = bytes[at + 2]!;
		palette[i * 3 + 1] = bytes[at + 1]!;
		palette[i * 3 + 2] = bytes[at]!;
	}
	return palette;
}
