/**
 * Small images built in memory, for tests that need exact sizes or deliberately broken files
 * without depending on the sample fixtures.
 */

import { deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A real, decodable RGB PNG; `seed` varies the pixels so that different seeds hash differently. */
export function tinyPng(width: number, height: number, seed = 0): Buffer {
	const rows: Buffer[] = [];
	for (let y = 0; y < height; y++) {
		const row = Buffer.alloc(1 + width * 3);
		for (let x = 0; x < width; x++) {
			row[1 + x * 3] = (x * 37 + seed * 11) & 0xff;
			row[2 + x * 3] = (y * 53 + seed * 7) & 0xff;
			row[3 + x * 3] = (x * y + seed) & 0xff;
		}
		rows.push(row);
	}
	return Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', ihdr(width, height)),
		pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/**
 * A structurally complete PNG that claims any pixel size (its image data is a stub), padded with
 * a private ancillary chunk to exactly `totalBytes` when given.
 */
export function pngWithSize(width: number, height: number, totalBytes?: number): Buffer {
	const parts = [PNG_SIGNATURE, pngChunk('IHDR', ihdr(width, height)), pngChunk('IDAT', deflateSync(Buffer.alloc(1)))];
	const end = pngChunk('IEND', Buffer.alloc(0));
	const used = parts.reduce((sum, part) => sum + part.length, 0) + end.length;
	if (totalBytes !== undefined) {
		const padding = totalBytes - used - 12;
		if (padding < 0) throw new RangeError(`a PNG needs at least ${used + 12} bytes`);
		parts.push(pngChunk('emUl', Buffer.alloc(padding, 0x61)));
	}
	return Buffer.concat([...parts, end]);
}

/** The JPEG markers the service reads before the pixels: SOI, APP0, SOF0 with the size, SOS, a stub scan, EOI. */
export function jpegWithSize(width: number, height: number): Buffer {
	const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
	return Buffer.from([
		0xff, 0xd8,
		...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
		...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]),
		...segment(0xda, [3, 1, 0, 2, 0, 3, 0, 0, 63, 0]),
		0x12, 0x34, 0x56, 0x78,
		0xff, 0xd9,
	]);
}

export function minimalPdf(): Buffer {
	return Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
}

function ihdr(width: number, height: number): Buffer {
	const data = Buffer.alloc(13);
	data.writeUInt32BE(width, 0);
	data.writeUInt32BE(height, 4);
	data[8] = 8; // bit depth
	data[9] = 2; // colour type: RGB
	return data;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
	return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(bytes: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}
