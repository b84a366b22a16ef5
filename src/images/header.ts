/**
 * What an image file is, read from its header alone: the format, the stored pixel size and the
 * EXIF orientation. Only the first 64 KiB are looked at unless the header runs on (a JPEG whose
 * frame header sits behind large EXIF or ICC segments), so this stays cheap on any file size.
 * A PDF's pages are the exception: they are counted from the whole file (see pdf.ts).
 */
import { phrase, type Phrase, type PhraseArg } from '../shared/phrase';
import { count, ImageError } from './errors';
import { countPdfPages } from '../api/content/pdfPageCount';

export type ImageFormat = 'jpeg' | 'png' | 'pdf' | 'webp' | 'gif' | 'bmp' | 'tiff' | 'svg' | 'heic' | 'avif';

/** EXIF orientation: 1 is upright; 5–8 swap width and height. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = {
	jpeg: 'JPEG', png: 'PNG', pdf: 'PDF', webp: 'WEBP', gif: 'GIF', bmp: 'BMP', tiff: 'TIFF', svg: 'SVG', heic: 'HEIC', avif: 'AVIF',
};

export interface ImageHeader {
	format: ImageFormat;
	/** Stored pixels, before orientation. Absent for PDF, and for an SVG without a size. */
	width?: number;
	height?: number;
	/** 1 when the file has no orientation tag. */
	orientation: Orientation;
	/** PDF pages; absent when they could not be counted with confidence. */
	pages?: number;
	/** The file's size in bytes. */
	bytes: number;
}

/** How much is read before falling back to a larger read. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Reads the header from the first {@link HEAD_BYTES} of `bytes`, and from more only when a
 * format's header runs on beyond them. Throws an ImageError for empty, truncated, corrupt and
 * unknown files.
 */
export function readHeader(bytes: Uint8Array): ImageHeader {
	if (bytes.length === 0) throw new ImageError('empty', phrase('is empty (0 bytes)'));
	let window = Math.min(bytes.length, HEAD_BYTES);
	for (;;) {
		const head = new Head(bytes, window);
		try {
			return parse(head);
		} catch (err) {
			if (!(err instanceof OutOfWindow)) throw err;
			if (head.partial) {
				// 1 MiB holds the metadata of all but pathological files; after that, the whole file.
				window = window < 1_048_576 ? Math.min(bytes.length, 1_048_576) : bytes.length;
				continue;
			}
			const format = detect(head);
			throw new ImageError('truncated', format
				? phrase('is a truncated {0}: it ends after {1} bytes, before {2}', FORMAT_NAMES[format], count(bytes.length), err.before)
				: phrase('is a truncated image: it ends after {0} bytes, before {1}', count(bytes.length), err.before));
		}
	}
}

/** The format by its magic bytes alone. */
function detect(head: Head): ImageFormat | undefined {
	const start = head.peek(0, 12);
	if (start.startsWith('\xff\xd8\xff') || start === '\xff\xd8') return 'jpeg';
	if (start.startsWith('\x89PNG')) return 'png';
	if (start.startsWith('GIF87a') || start.startsWith('GIF89a')) return 'gif';
	if (start.startsWith('RIFF') && start.slice(8, 12) === 'WEBP') return 'webp';
	if (start.startsWith('BM') && head.fileLength >= 18) return 'bmp';
	if (['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(start.slice(0, 4))) return 'tiff';
	// ISO media: HEIC, AVIF or a video, told apart by brand in isoMedia.
	if (start.slice(4, 8) === 'ftyp') return 'heic';
	if (head.indexOf('%PDF-', 1024) >= 0) return 'pdf';
	return undefined;
}

function parse(head: Head): ImageHeader {
	switch (detect(head)) {
		case 'jpeg':
			return jpeg(head);
		case 'png':
			return png(head);
		case 'gif':
			return gif(head);
		case 'webp':
			return webp(head);
		case 'bmp':
			return bmp(head);
		case 'tiff':
			return tiff(head);
		case 'heic':
		case 'avif':
			return isoMedia(head);
		case 'pdf':
			return { format: 'pdf', orientation: 1, bytes: head.fileLength, ...pagesOf(head.all) };
		case 'svg':
		case undefined:
			return svgSize(head) ?? throwUnrecognized(head);
	}
}

function pagesOf(bytes: Uint8Array): { pages?: number } {
	const pages = countPdfPages(bytes);
	return pages === undefined ? {} : { pages };
}

/** What a header that gives the image size is called where its format has no name for it. */
const SIZE_HEADER = phrase('the header that gives the image size');
const EXIF_CHUNK = phrase('its EXIF chunk');

// --- JPEG ------------------------------------------------------------------------------------

/**
 * Walks the segments to the first frame header (SOF0–SOF15 but DHT C4, JPG C8, DAC CC), picking
 * up the orientation from the first EXIF APP1 on the way. Fill bytes and stray bytes between
 * segments are skipped as libjpeg does.
 */
function jpeg(head: Head): ImageHeader {
	const before = phrase('the frame header that gives the image size');
	const corrupt = (problem: Phrase) => new ImageError('corrupt', phrase('is a corrupt JPEG: {0}', problem));
	let orientation: Orientation | undefined;
	let pos = 2;
	for (;;) {
		let b = head.u8(pos, before);
		while (b !== 0xff) b = head.u8(++pos, before);
		while (b === 0xff) b = head.u8(++pos, before);
		const marker = b;
		const markerAt = pos - 1;
		pos++;
		if (marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
		if (marker === 0xd8 || marker === 0xd9 || marker === 0xda) {
			const at = count(markerAt);
			throw corrupt(marker === 0xda
				? phrase('its image data at byte {0} comes before any frame header', at)
				: marker === 0xd9
					? phrase('its end-of-image marker at byte {0} comes before any frame header', at)
					: phrase('its second start-of-image marker at byte {0} comes before any frame header', at));
		}
		const length = head.u16be(pos, before);
		if (length < 2) throw corrupt(phrase('its segment at byte {0} has an impossible length, {1}', count(markerAt), length));
		if (isFrameHeader(marker)) {
			const height = head.u16be(pos + 3, before);
			const width = head.u16be(pos + 5, before);
			// Height 0 means "defined by a DNL marker later", which no common decoder supports.
			if (width === 0 || height === 0) throw corrupt(phrase('its frame header gives the size {0}×{1}', width, height));
			return { format: 'jpeg', width, height, orientation: orientation ?? 1, bytes: head.fileLength };
		}
		if (marker === 0xe1 && orientation === undefined && length >= 8 && head.ascii(pos + 2, 6, before) === 'Exif\0\0') {
			orientation = exifOrientation(head, pos + 8, pos + length, before);
		}
		pos += length;
	}
}

function isFrameHeader(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

// --- PNG -------------------------------------------------------------------------------------

/** IHDR for the size; the chunks before the image data for an eXIf orientation. */
function png(head: Head): ImageHeader {
	const before = phrase('the IHDR header that gives the image size');
	const corrupt = (problem: Phrase) => new ImageError('corrupt', phrase('is a corrupt PNG: {0}', problem));
	if (head.ascii(4, 4, before) !== '\r\n\x1a\n') throw corrupt(phrase('its signature is damaged, as happens when a file is copied in text mode'));
	if (head.ascii(12, 4, before) !== 'IHDR') throw corrupt(phrase('its first chunk is not IHDR, the header that gives the image size'));
	const width = head.u32be(16, before);
	const height = head.u32be(20, before);
	if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt(phrase('its IHDR header gives an impossible size, {0}×{1}', width, height));
	let orientation: Orientation = 1;
	// eXIf belongs before the image data; chunks are skipped by their length, not scanned.
	for (let pos = 33; ;) {
		if (pos + 8 > head.window) {
			if (head.partial) throw new OutOfWindow(phrase('its image data'));
			break;
		}
		const length = head.u32be(pos);
		const type = head.ascii(pos + 4, 4);
		if (type === 'IDAT' || type === 'IEND') break;
		if (type === 'eXIf') {
			orientation = exifOrientation(head, pos + 8, pos + 8 + length, EXIF_CHUNK) ?? 1;
			break;
		}
		pos += 12 + length;
	}
	return { format: 'png', width, height, orientation, bytes: head.fileLength };
}

// --- GIF, WEBP, BMP ---------------------------------------------------------------------------

function gif(head: Head): ImageHeader {
	const before = phrase('the screen descriptor that gives the image size');
	const width = head.u16le(6, before);
	const height = head.u16le(8, before);
	if (width === 0 || height === 0) throw new ImageError('corrupt', phrase('is a corrupt GIF: its screen descriptor gives the size {0}×{1}', width, height));
	return { format: 'gif', width, height, orientation: 1, bytes: head.fileLength };
}

/** VP8 (lossy), VP8L (lossless) or VP8X (extended: canvas size, and maybe an EXIF chunk). */
function webp(head: Head): ImageHeader {
	const before = SIZE_HEADER;
	const chunk = head.ascii(12, 4, before);
	let width: number;
	let height: number;
	let orientation: Orientation = 1;
	switch (chunk) {
		case 'VP8 ':
			width = head.u16le(26, before) & 0x3fff;
			height = head.u16le(28, before) & 0x3fff;
			break;
		case 'VP8L': {
			const bits = head.u32le(21, before);
			width = (bits & 0x3fff) + 1;
			height = ((bits >>> 14) & 0x3fff) + 1;
			break;
		}
		case 'VP8X':
			width = head.u24le(24, before) + 1;
			height = head.u24le(27, before) + 1;
			if (head.u8(20, before) & 0x08) orientation = webpOrientation(head);
			break;
		default:
			throw new ImageError('corrupt', phrase('is a corrupt WEBP: its first chunk is "{0}", not VP8, VP8L or VP8X', printable(chunk)));
	}
	if (width === 0 || height === 0) throw new ImageError('corrupt', phrase('is a corrupt WEBP: its header gives the size {0}×{1}', width, height));
	return { format: 'webp', width, height, orientation, bytes: head.fileLength };
}

/** The EXIF chunk usually follows the image data: chunks are skipped by their length to reach it. */
function webpOrientation(head: Head): Orientation {
	for (let pos = 12; pos + 8 <= head.fileLength;) {
		const type = head.ascii(pos, 4, EXIF_CHUNK);
		const length = head.u32le(pos + 4, EXIF_CHUNK);
		if (type === 'EXIF') {
			const start = head.ascii(pos + 8, 6, EXIF_CHUNK) === 'Exif\0\0' ? pos + 14 : pos + 8;
			return exifOrientation(head, start, pos + 8 + length, EXIF_CHUNK) ?? 1;
		}
		pos += 8 + length + (length & 1);
	}
	return 1;
}

function bmp(head: Head): ImageHeader {
	const before = SIZE_HEADER;
	const headerSize = head.u32le(14, before);
	let width: number;
	let height: number;
	if (headerSize === 12) {
		width = head.u16le(18, before);
		height = head.u16le(20, before);
	} else if (headerSize >= 40) {
		width = head.i32le(18, before);
		// Negative height: rows are stored top-down.
		height = Math.abs(head.i32le(22, before));
	} else {
		throw new ImageError('corrupt', phrase('is a corrupt BMP: its header is {0} bytes long, not a size any BMP version uses', headerSize));
	}
	if (width <= 0 || height <= 0) throw new ImageError('corrupt', phrase('is a corrupt BMP: its header gives the size {0}×{1}', width, height));
	return { format: 'bmp', width, height, orientation: 1, bytes: head.fileLength };
}

// --- TIFF and EXIF ----------------------------------------------------------------------------

/** The first image's size and orientation from IFD0, in classic TIFF or BigTIFF. */
function tiff(head: Head): ImageHeader {
	const ifd = readIfd0(head, 0, head.fileLength, 'TIFF', phrase('the directory that gives the image size'));
	const width = ifd.get(256);
	const height = ifd.get(257);
	if (!width || !height) throw new ImageError('corrupt', phrase('is a corrupt TIFF: its first directory gives no image size'));
	return { format: 'tiff', width, height, orientation: asOrientation(ifd.get(274)) ?? 1, bytes: head.fileLength };
}

/** The Orientation tag (274) of an EXIF block: a TIFF structure from `start` to `end`. */
function exifOrientation(head: Head, start: number, end: number, before: Phrase): Orientation | undefined {
	try {
		return asOrientation(readIfd0(head, start, Math.min(end, head.fileLength), phrase('EXIF block'), before).get(274));
	} catch (err) {
		// A damaged EXIF block leaves the image readable, and decoders ignore it too.
		if (err instanceof ImageError || (err instanceof OutOfWindow && !head.partial)) return undefined;
		throw err;
	}
}

/** SHORT and LONG values of IFD0's entries, by tag; offsets are relative to `start`. */
function readIfd0(head: Head, start: number, end: number, what: PhraseArg, before: Phrase): Map<number, number> {
	const order = head.ascii(start, 2, before);
	if (order !== 'II' && order !== 'MM') throw new ImageError('corrupt', phrase('is a corrupt {0}: its byte order mark is damaged', what));
	const le = order === 'II';
	const u16 = (pos: number) => le ? head.u16le(pos, before) : head.u16be(pos, before);
	const u32 = (pos: number) => le ? head.u32le(pos, before) : head.u32be(pos, before);
	const big = u16(start + 2) === 43;
	// BigTIFF offsets are 64-bit; any offset a header needs fits in the low 32 bits.
	const ifd = start + (big ? u32(start + 8) : u32(start + 4));
	if (ifd >= end) throw new ImageError('corrupt', phrase('is a corrupt {0}: its first directory lies beyond its end', what));
	const entries = big ? u32(ifd) : u16(ifd);
	const entrySize = big ? 20 : 12;
	const first = ifd + (big ? 8 : 2);
	const values = new Map<number, number>();
	for (let i = 0; i < Math.min(entries, 1024); i++) {
		const entry = first + i * entrySize;
		if (entry + entrySize > end) break;
		const tag = u16(entry);
		const type = u16(entry + 2);
		const valueAt = entry + (big ? 12 : 8);
		// SHORT (3), LONG (4), and LONG8 (16) in BigTIFF: single values stored in place.
		if (type === 3) values.set(tag, u16(valueAt));
		else if (type === 4 || type === 16) values.set(tag, u32(valueAt));
	}
	return values;
}

function asOrientation(value: number | undefined): Orientation | undefined {
	return value !== undefined && value >= 1 && value <= 8 ? value as Orientation : undefined;
}

// --- HEIC and AVIF ----------------------------------------------------------------------------

/** ISO media (ftyp): HEIC or AVIF by brand; the size from the largest `ispe` property. */
function isoMedia(head: Head): ImageHeader {
	const brand = head.peek(8, 4);
	const brands = [brand];
	const ftypLength = head.u32be(0);
	for (let pos = 16; pos + 4 <= Math.min(ftypLength, head.window); pos += 4) brands.push(head.peek(pos, 4));
	const format: ImageFormat | undefined = brands.some(b => b === 'avif' || b === 'avis')
		? 'avif'
		: brands.some(b => ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(b)) ? 'heic' : undefined;
	if (!format) throw new ImageError('unsupported', phrase('is a video (MP4/QuickTime, brand "{0}"), not an image', printable(brand)));
	let width = 0;
	let height = 0;
	for (let at = head.indexOf('ispe', head.window); at >= 4 && at + 16 <= head.window; at = head.indexOf('ispe', head.window, at + 4)) {
		const w = head.u32be(at + 8);
		const h = head.u32be(at + 12);
		if (w * h > width * height) {
			width = w;
			height = h;
		}
	}
	return width > 0 && height > 0 ? { format, width, height, orientation: 1, bytes: head.fileLength } : { format, orientation: 1, bytes: head.fileLength };
}

// --- SVG -------------------------------------------------------------------------------------

/** An SVG by its root element; the size from width/height in px (or unitless), else the viewBox. */
function svgSize(head: Head): ImageHeader | undefined {
	const text = head.peek(0, 16 * 1024);
	const start = text.replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
	if (!/^<(\?xml|svg|!--|!DOCTYPE svg)/i.test(start)) return undefined;
	const root = /<svg\b([^>]*)>/i.exec(text);
	if (!root) return undefined;
	const attributes = root[1]!;
	const attribute = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`).exec(attributes)?.[1]?.trim();
	const length = (value: string | undefined) => {
		const match = value ? /^(\d+(?:\.\d+)?|\.\d+)(px)?$/.exec(value) : null;
		return match ? Math.round(Number(match[1])) : undefined;
	};
	let width = length(attribute('width'));
	let height = length(attribute('height'));
	const viewBox = attribute('viewBox')?.split(/[\s,]+/).map(Number);
	if (viewBox?.length === 4 && viewBox.every(Number.isFinite) && viewBox[2]! > 0 && viewBox[3]! > 0) {
		const [, , vw, vh] = viewBox as [number, number, number, number];
		if (width === undefined && height === undefined) {
			width = Math.round(vw);
			height = Math.round(vh);
		} else if (width === undefined && height !== undefined) {
			width = Math.round(height * vw / vh);
		} else if (height === undefined && width !== undefined) {
			height = Math.round(width * vh / vw);
		}
	}
	const sized = width !== undefined && height !== undefined && width > 0 && height > 0;
	return sized ? { format: 'svg', width, height, orientation: 1, bytes: head.fileLength } : { format: 'svg', orientation: 1, bytes: head.fileLength };
}

// --- Unknown ---------------------------------------------------------------------------------

function throwUnrecognized(head: Head): never {
	throw unrecognized(head);
}

function unrecognized(head: Head): ImageError {
	const text = head.peek(0, 12);
	if (text.startsWith('\xff\x0a') || text.slice(4, 12) === 'JXL \r\n\x87\n') return new ImageError('unsupported', phrase('is a JPEG XL image, which is not converted here; export it as JPEG or PNG'));
	if (text.slice(4, 12) === 'jP  \r\n\x87\n') return new ImageError('unsupported', phrase('is a JPEG 2000 image, which is not converted here; export it as JPEG or PNG'));
	if (text.startsWith('PK\x03\x04')) return new ImageError('unsupported', phrase('is a ZIP archive (or an Office document), not an image'));
	const start = head.peek(0, 64).trimStart().toLowerCase();
	if (start.startsWith('<!doctype html') || start.startsWith('<html')) return new ImageError('unsupported', phrase('is an HTML page, not an image'));
	const hex = Array.from(head.peek(0, 8), c => c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')).join(' ');
	return new ImageError('unsupported', phrase('is not an image this extension reads (it starts with the bytes {0}); it reads JPEG, PNG, PDF, WEBP, GIF, BMP, TIFF and SVG', hex));
}

function printable(text: string): string {
	return text.replace(/[^\x20-\x7e]/g, '?');
}

// --- Reading ---------------------------------------------------------------------------------

/** What a truncated file ends before, when nothing more particular is known. */
const END_OF_HEADER = phrase('the end of its header');

/** Thrown when parsing reaches past the bytes read so far; `before` names what was not reached. */
class OutOfWindow extends Error {
	constructor(readonly before: Phrase) {
		super('the header continues beyond the bytes read');
	}
}

/** The first `window` bytes of a file; reading past them throws OutOfWindow. */
class Head {
	constructor(private readonly bytes: Uint8Array, readonly window: number) {}

	get fileLength(): number {
		return this.bytes.length;
	}

	/** The whole file, for parsers that need all of it (PDF). */
	get all(): Uint8Array {
		return this.bytes;
	}

	/** Whether bytes beyond the window exist: reading on would find more. */
	get partial(): boolean {
		return this.window < this.bytes.length;
	}

	u8(pos: number, before = END_OF_HEADER): number {
		if (pos < 0 || pos >= this.window) throw new OutOfWindow(before);
		return this.bytes[pos]!;
	}

	u16be(pos: number, before?: Phrase): number {
		return this.u8(pos, before) * 0x100 + this.u8(pos + 1, before);
	}

	u16le(pos: number, before?: Phrase): number {
		return this.u8(pos, before) + this.u8(pos + 1, before) * 0x100;
	}

	u24le(pos: number, before?: Phrase): number {
		return this.u16le(pos, before) + this.u8(pos + 2, before) * 0x10000;
	}

	u32be(pos: number, before?: Phrase): number {
		return this.u16be(pos, before) * 0x10000 + this.u16be(pos + 2, before);
	}

	u32le(pos: number, before?: Phrase): number {
		return this.u16le(pos, before) + this.u16le(pos + 2, before) * 0x10000;
	}

	i32le(pos: number, before?: Phrase): number {
		return this.u32le(pos, before) | 0;
	}

	/** Latin-1 text; throws like u8 past the window. */
	ascii(pos: number, length: number, before?: Phrase): string {
		let out = '';
		for (let i = pos; i < pos + length; i++) out += String.fromCharCode(this.u8(i, before));
		return out;
	}

	/** Latin-1 text, cut short at the window instead of throwing: for sniffing magic bytes. */
	peek(pos: number, length: number): string {
		let out = '';
		for (let i = pos; i < Math.min(pos + length, this.window); i++) out += String.fromCharCode(this.bytes[i]!);
		return out;
	}

	/** Where `text` starts within the first `limit` bytes, searching from `from`; -1 if nowhere. */
	indexOf(text: string, limit: number, from = 0): number {
		const end = Math.min(limit, this.window) - text.length;
		outer: for (let i = from; i <= end; i++) {
			for (let k = 0; k < text.length; k++) if (this.bytes[i + k] !== text.charCodeAt(k)) continue outer;
			return i;
		}
		return -1;
	}
}
