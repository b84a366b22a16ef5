/**
 * What a file is, from its magic bytes and header alone: JPEG, PNG or PDF, and the pixel size
 * of the images. The bytes decide; a declared MIME type or file name does not.
 */

import { formatCount } from './base64';

export type ImageFormat = 'jpeg' | 'png' | 'pdf';
export type ImageMimeType = 'image/jpeg' | 'image/png' | 'application/pdf';

export const MIME_TYPES: Readonly<Record<ImageFormat, ImageMimeType>> = {
	jpeg: 'image/jpeg',
	png: 'image/png',
	pdf: 'application/pdf',
};

/** Names for messages: "a JPEG image". */
export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = { jpeg: 'JPEG', png: 'PNG', pdf: 'PDF' };

export interface ImageInfo {
	format: ImageFormat;
	mimeType: ImageMimeType;
	/** Pixels, from the header. Absent for PDF and when `corrupt` is set. */
	width?: number;
	height?: number;
	/** The file's size. */
	bytes: number;
	/**
	 * Set when the magic bytes say JPEG or PNG but the header is broken or ends before the size:
	 * what is wrong, as a clause, e.g. `it ends after 2,048 bytes, before the frame header that gives
	 * the image size`. Such a file cannot be decoded; callers check this before trusting the format.
	 */
	corrupt?: string;
}

/** Random access to a file's bytes, so a header can be read without materializing the whole file. */
export interface ByteSource {
	readonly length: number;
	/** Up to `count` bytes from `offset`; fewer at the end. */
	read(offset: number, count: number): Uint8Array;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
	return { length: bytes.length, read: (offset, count) => bytes.subarray(offset, offset + count) };
}

/**
 * JPEG, PNG or PDF by magic bytes, else undefined. A JPEG or PNG whose header is broken or
 * truncated still comes back, with `corrupt` set and no size.
 */
export function sniffImage(bytes: Uint8Array): ImageInfo | undefined {
	return sniffSource(bytesSource(bytes));
}

export function sniffSource(source: ByteSource): ImageInfo | undefined {
	const reader = new Reader(source);
	if (reader.u8(0) === 0xff && reader.u8(1) === 0xd8 && (source.length === 2 || reader.u8(2) === 0xff)) return jpegInfo(reader);
	if (reader.matches(0, PNG_SIGNATURE.subarray(0, 4))) return pngInfo(reader);
	if (reader.matches(0, PDF_MAGIC)) return { format: 'pdf', mimeType: MIME_TYPES.pdf, bytes: source.length };
	return undefined;
}

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PDF_MAGIC = ascii('%PDF-');
const IHDR = ascii('IHDR');
/** PNG limits width and height to 2^31 - 1. */
const PNG_MAX_SIDE = 0x7fffffff;

function pngInfo(reader: Reader): ImageInfo {
	const bytes = reader.length;
	const corrupt = (problem: string): ImageInfo => ({ format: 'png', mimeType: MIME_TYPES.png, bytes, corrupt: problem });
	if (bytes < 24) return corrupt(`it ends after ${formatCount(bytes)} bytes, before the IHDR header that gives the image size`);
	if (!reader.matches(4, PNG_SIGNATURE.subarray(4))) {
		return corrupt(`its signature is damaged (bytes 4–7 are ${reader.hex(4, 4)} instead of 0D 0A 1A 0A), as happens when a file is copied in text mode`);
	}
	if (!reader.matches(12, IHDR)) {
		const type = reader.ascii(12, 4);
		// Xcode's "optimized" PNGs put CgBI first and store pixels in a form only Apple's decoder reads.
		const note = type === 'CgBI' ? ' (an Apple-optimized PNG that other decoders cannot read)' : '';
		return corrupt(`its first chunk is ${/^[A-Za-z]{4}$/.test(type) ? `"${type}"` : reader.hex(12, 4)} instead of IHDR, the header that gives the image size${note}`);
	}
	const chunkLength = reader.u32(8);
	if (chunkLength !== 13) return corrupt(`its IHDR header is ${chunkLength} bytes long instead of 13`);
	const width = reader.u32(16);
	const height = reader.u32(20);
	if (width === 0 || height === 0 || width > PNG_MAX_SIDE || height > PNG_MAX_SIDE) {
		return corrupt(`its IHDR header gives an impossible size, ${width}×${height}`);
	}
	return { format: 'png', mimeType: MIME_TYPES.png, width, height, bytes };
}

/**
 * Walks the markers after SOI to the first frame header (SOF0–SOF15 without DHT C4, JPG C8,
 * DAC CC). Segments are skipped by their length, whatever their size (EXIF, ICC profiles, XMP);
 * 0xFF fill bytes before a marker are allowed, and stray bytes between segments are skipped as
 * libjpeg does, so a file that decoders accept is not refused here.
 */
function jpegInfo(reader: Reader): ImageInfo {
	const bytes = reader.length;
	const corrupt = (problem: string): ImageInfo => ({ format: 'jpeg', mimeType: MIME_TYPES.jpeg, bytes, corrupt: problem });
	const truncated = () => corrupt(`it ends after ${formatCount(bytes)} bytes, before the frame header that gives the image size`);
	let pos = 2;
	for (;;) {
		let b = reader.u8(pos);
		while (b !== 0xff) {
			if (b < 0) return truncated();
			b = reader.u8(++pos);
		}
		while (b === 0xff) b = reader.u8(++pos);
		if (b < 0) return truncated();
		const marker = b;
		const markerAt = pos - 1;
		pos++;
		// 0x00 is a stuffed byte (not a marker); TEM and RSTn stand alone, without a length.
		if (marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
		if (marker === 0xd8) return corrupt(`it has a second start-of-image marker at byte ${formatCount(markerAt)}, before any frame header`);
		if (marker === 0xd9) return corrupt(`its end-of-image marker at byte ${formatCount(markerAt)} comes before any frame header`);
		if (marker === 0xda) return corrupt(`its image data starts at byte ${formatCount(markerAt)}, before any frame header`);
		const length = reader.u16(pos);
		if (length < 0) return truncated();
		if (length < 2) return corrupt(`its segment at byte ${formatCount(markerAt)} has an impossible length, ${length}`);
		if (isFrameHeader(marker)) {
			if (length < 8) return corrupt(`its frame header at byte ${formatCount(markerAt)} is ${length} bytes long, too short to hold the image size`);
			const height = reader.u16(pos + 3);
			const width = reader.u16(pos + 5);
			if (width < 0 || height < 0) return truncated();
			if (width === 0 || height === 0) return corrupt(`its frame header gives the size ${width}×${height}`);
			return { format: 'jpeg', mimeType: MIME_TYPES.jpeg, width, height, bytes };
		}
		pos += length;
	}
}

function isFrameHeader(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * A name for the formats people most often try instead, for messages such as "the file is a
 * GIF image"; undefined when unrecognized.
 */
export function otherFormatName(head: Uint8Array): string | undefined {
	const text = (start: number, end: number) => String.fromCharCode(...head.subarray(start, end));
	if (text(0, 6) === 'GIF87a' || text(0, 6) === 'GIF89a') return 'a GIF image';
	if (text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP') return 'a WebP image';
	if (text(0, 2) === 'BM' && head.length >= 14) return 'a BMP image';
	if (text(0, 4) === 'II*\0' || text(0, 4) === 'MM\0*') return 'a TIFF image';
	if (text(4, 8) === 'ftyp') {
		const brand = text(8, 12);
		if (brand === 'avif' || brand === 'avis') return 'an AVIF image';
		if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) return 'a HEIC/HEIF image';
		return 'an MP4/QuickTime file';
	}
	if (text(0, 2) === '\xff\x0a' || text(4, 12) === 'JXL \r\n\x87\n') return 'a JPEG XL image';
	if (text(4, 12) === 'jP  \r\n\x87\n') return 'a JPEG 2000 image';
	if (text(0, 4) === 'PK\x03\x04') return 'a ZIP archive (or an Office document)';
	const start = text(0, 64).replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart().toLowerCase();
	if (start.startsWith('<svg') || (start.startsWith('<?xml') && text(0, 1024).includes('<svg'))) return 'an SVG image';
	if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML page';
	return undefined;
}

/** Reads a ByteSource in chunks, so walking markers byte by byte stays cheap. */
class Reader {
	private chunk: Uint8Array = new Uint8Array(0);
	private chunkStart = 0;

	constructor(private readonly source: ByteSource) {}

	get length(): number {
		return this.source.length;
	}

	/** The byte at `pos`, or -1 past the end. */
	u8(pos: number): number {
		let i = pos - this.chunkStart;
		if (i < 0 || i >= this.chunk.length) {
			if (pos < 0 || pos >= this.source.length) return -1;
			this.chunk = this.source.read(pos, CHUNK_BYTES);
			this.chunkStart = pos;
			i = 0;
		}
		return this.chunk[i]!;
	}

	/** Big-endian, or -1 when cut off. */
	u16(pos: number): number {
		const hi = this.u8(pos);
		const lo = this.u8(pos + 1);
		return hi < 0 || lo < 0 ? -1 : hi * 0x100 + lo;
	}

	/** Big-endian, or -1 when cut off. */
	u32(pos: number): number {
		const hi = this.u16(pos);
		const lo = this.u16(pos + 2);
		return hi < 0 || lo < 0 ? -1 : hi * 0x10000 + lo;
	}

	matches(pos: number, expected: Uint8Array): boolean {
		return expected.every((b, i) => this.u8(pos + i) === b);
	}

	ascii(pos: number, count: number): string {
		let out = '';
		for (let i = 0; i < count; i++) out += String.fromCharCode(Math.max(0, this.u8(pos + i)));
		return out;
	}

	hex(pos: number, count: number): string {
		const out: string[] = [];
		for (let i = 0; i < count; i++) out.push(this.u8(pos + i).toString(16).toUpperCase().padStart(2, '0'));
		return out.join(' ');
	}
}

const CHUNK_BYTES = 4096;

function ascii(text: string): Uint8Array {
	return Uint8Array.from(text, c => c.charCodeAt(0));
}
