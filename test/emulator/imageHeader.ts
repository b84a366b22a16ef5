/**
 * Recognizes PNG, JPEG and PDF by their own structure (not by the declared MIME type) and
 * reads the pixel size, the way the service decides between "Can't decode Image" and
 * "Image resolution too high" before looking at the pixels.
 */

export type ImageFormat = 'png' | 'jpeg' | 'pdf';

export interface ImageHeader {
	format: ImageFormat;
	/** Stored pixel size; absent for PDF, whose pages have no pixel size until rendered. */
	width?: number;
	height?: number;
}

/** The format the file's first bytes announce, whether or not the rest of it is sound. */
export function sniffFormat(bytes: Buffer): ImageFormat | undefined {
	if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
	if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpeg';
	if (startsWith(bytes, PDF_SIGNATURE)) return 'pdf';
	return undefined;
}

/** The header, or undefined when the bytes are no PNG/JPEG/PDF or are cut short. */
export function readImageHeader(bytes: Buffer): ImageHeader | undefined {
	if (startsWith(bytes, PNG_SIGNATURE)) return readPng(bytes);
	if (startsWith(bytes, JPEG_SIGNATURE)) return readJpeg(bytes);
	if (startsWith(bytes, PDF_SIGNATURE)) return readPdf(bytes);
	return undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const PDF_SIGNATURE = [...Buffer.from('%PDF-', 'latin1')];

/** Walks the chunks from IHDR to IEND: a file cut anywhere before IEND is undecodable. */
function readPng(bytes: Buffer): ImageHeader | undefined {
	let pos = PNG_SIGNATURE.length;
	let size: { width: number; height: number } | undefined;
	let sawImageData = false;
	while (pos + 12 <= bytes.length) {
		const length = bytes.readUInt32BE(pos);
		const type = bytes.toString('latin1', pos + 4, pos + 8);
		const dataStart = pos + 8;
		const next = dataStart + length + 4;
		if (length > 0x7fffffff || next > bytes.length) return undefined;
		if (size === undefined) {
			if (type !== 'IHDR' || length !== 13) return undefined;
			size = { width: bytes.readUInt32BE(dataStart), height: bytes.readUInt32BE(dataStart + 4) };
			if (size.width === 0 || size.height === 0) return undefined;
		} else if (type === 'IDAT') {
			sawImageData = true;
		} else if (type === 'IEND') {
			return sawImageData ? { format: 'png', ...size } : undefined;
		}
		pos = next;
	}
	return undefined;
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the marker segments to the frame header and the first scan, and wants an end-of-image after it. */
function readJpeg(bytes: Buffer): ImageHeader | undefined {
	let pos = 2;
	let size: { width: number; height: number } | undefined;
	while (pos < bytes.length) {
		if (bytes[pos] !== 0xff) return undefined;
		while (bytes[pos] === 0xff) pos++;
		if (pos >= bytes.length) return undefined;
		const marker = bytes[pos++];
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
		if (marker === 0xd9) return undefined;
		if (pos + 2 > bytes.length) return undefined;
		const length = bytes.readUInt16BE(pos);
		if (length < 2 || pos + length > bytes.length) return undefined;
		if (isStartOfFrame(marker)) {
			if (length < 8) return undefined;
			size = { height: bytes.readUInt16BE(pos + 3), width: bytes.readUInt16BE(pos + 5) };
			if (size.width === 0 || size.height === 0) return undefined;
		} else if (marker === 0xda) {
			const scanStart = pos + length;
			const hasEnd = bytes.indexOf(END_OF_IMAGE, scanStart) !== -1;
			return size && hasEnd ? { format: 'jpeg', ...size } : undefined;
		}
		pos += length;
	}
	return undefined;
}

const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);

/** A PDF that lost its tail has no `%%EOF` near the end. */
function readPdf(bytes: Buffer): ImageHeader | undefined {
	const tail = bytes.subarray(Math.max(0, bytes.length - 1024));
	return tail.includes('%%EOF', 0, 'latin1') ? { format: 'pdf' } : undefined;
}

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
	return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}
