import * as assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { crc32, deflateSync } from 'node:zlib';
import { base64Source } from '../../src/api/content/base64';
import { otherFormatName, sniffImage, sniffSource, type ByteSource } from '../../src/api/content/imageInfo';

// --- PNG: signature, chunks with CRCs -------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Uint8Array): Buffer {
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, crc]);
}

function ihdr(width: number, height: number): Buffer {
	const data = Buffer.alloc(13);
	data.writeUInt32BE(width, 0);
	data.writeUInt32BE(height, 4);
	data[8] = 8; // bit depth
	data[9] = 2; // RGB
	return pngChunk('IHDR', data);
}

/** A complete, decodable RGB PNG: every row is a filter byte and black pixels. */
function png(width: number, height: number): Buffer {
	const raw = Buffer.alloc((1 + width * 3) * height);
	return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

// --- JPEG: markers and segments, headers only -------------------------------------------------

function segment(marker: number, payload: Uint8Array): Buffer {
	const head = Buffer.from([0xff, marker, 0, 0]);
	head.writeUInt16BE(payload.length + 2, 2);
	return Buffer.concat([head, payload]);
}

function frameHeader(width: number, height: number, marker = 0xc0): Buffer {
	const payload = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
	payload.writeUInt16BE(height, 1);
	payload.writeUInt16BE(width, 3);
	return segment(marker, payload);
}

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
const JFIF = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
const SCAN = Buffer.concat([segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])), Buffer.alloc(64, 0x55)]);

/** A JPEG with its EXIF thumbnail: the thumbnail's own frame header must not be taken for the image's. */
function exifWithThumbnail(payloadBytes: number): Buffer {
	const thumbnail = Buffer.concat([SOI, frameHeader(160, 120), SCAN, EOI]);
	const payload = Buffer.alloc(payloadBytes, 0xff);
	Buffer.from('Exif\0\0MM\0*', 'latin1').copy(payload);
	thumbnail.copy(payload, 64);
	return segment(0xe1, payload);
}

function jpeg(width: number, height: number, before: Buffer[] = []): Buffer {
	return Buffer.concat([SOI, JFIF, ...before, frameHeader(width, height), SCAN, EOI]);
}

/** Counts what a sniffer reads, to show headers are read and the rest is not. */
function counting(source: ByteSource): { source: ByteSource; read: () => number } {
	let total = 0;
	return {
		source: {
			length: source.length,
			read(offset, count) {
				const bytes = source.read(offset, count);
				total += bytes.length;
				return bytes;
			},
		},
		read: () => total,
	};
}

describe('sniffImage', () => {
	describe('PNG', () => {
		it('reads the size from IHDR of a real PNG', () => {
			const file = png(3, 2);
			assert.deepEqual(sniffImage(file), { format: 'png', mimeType: 'image/png', width: 3, height: 2, bytes: file.length });
		});

		it('needs only the signature and IHDR: 24 bytes are enough, 23 are a truncated PNG', () => {
			const file = png(640, 480);
			assert.deepEqual(sniffImage(file.subarray(0, 24)), { format: 'png', mimeType: 'image/png', width: 640, height: 480, bytes: 24 });
			const cut = sniffImage(file.subarray(0, 23));
			assert.equal(cut?.format, 'png');
			assert.equal(cut?.width, undefined);
			assert.match(cut?.corrupt ?? '', /ends after 23 bytes, before the IHDR header/);
		});

		it('reports a PNG cut right after its magic as a truncated PNG, not an unknown format', () => {
			assert.match(sniffImage(PNG_SIGNATURE.subarray(0, 4))?.corrupt ?? '', /ends after 4 bytes/);
		});

		it('reports a signature mangled by a text-mode copy (CRLF → LF)', () => {
			const file = png(2, 2);
			const mangled = Buffer.concat([file.subarray(0, 4), Buffer.from([0x0a, 0x1a, 0x0a]), file.subarray(8)]);
			const info = sniffImage(mangled);
			assert.equal(info?.format, 'png');
			assert.match(info?.corrupt ?? '', /signature is damaged \(bytes 4–7 are 0A 1A 0A 00 instead of 0D 0A 1A 0A\)/);
		});

		it('reports an Apple-optimized PNG (CgBI before IHDR) as corrupt', () => {
			const file = Buffer.concat([PNG_SIGNATURE, pngChunk('CgBI', Buffer.alloc(4)), ihdr(10, 10)]);
			assert.match(sniffImage(file)?.corrupt ?? '', /first chunk is "CgBI" instead of IHDR.*Apple/);
		});

		it('reports an IHDR of the wrong length', () => {
			const file = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', Buffer.alloc(12, 1)), Buffer.alloc(8)]);
			assert.match(sniffImage(file)?.corrupt ?? '', /IHDR header is 12 bytes long instead of 13/);
		});

		it('takes sides from 1 to 2^31 - 1 and reports 0 or 2^31 as impossible', () => {
			assert.equal(sniffImage(Buffer.concat([PNG_SIGNATURE, ihdr(1, 0x7fffffff)]))?.height, 0x7fffffff);
			assert.equal(sniffImage(Buffer.concat([PNG_SIGNATURE, ihdr(1, 1)]))?.width, 1);
			assert.match(sniffImage(Buffer.concat([PNG_SIGNATURE, ihdr(0, 10)]))?.corrupt ?? '', /impossible size, 0×10/);
			assert.match(sniffImage(Buffer.concat([PNG_SIGNATURE, ihdr(0x80000000, 10)]))?.corrupt ?? '', /impossible size, 2147483648×10/);
		});
	});

	describe('JPEG', () => {
		it('reads the size from a baseline frame header (SOF0)', () => {
			const file = jpeg(4000, 3000);
			assert.deepEqual(sniffImage(file), { format: 'jpeg', mimeType: 'image/jpeg', width: 4000, height: 3000, bytes: file.length });
		});

		it('reads every frame header SOF0–SOF15 except the DHT, JPG and DAC markers', () => {
			for (let marker = 0xc0; marker <= 0xcf; marker++) {
				if (marker === 0xc4 || marker === 0xc8 || marker === 0xcc) continue;
				const file = Buffer.concat([SOI, frameHeader(321, 123, marker), SCAN, EOI]);
				assert.deepEqual([sniffImage(file)?.width, sniffImage(file)?.height], [321, 123], `marker ${marker.toString(16)}`);
			}
		});

		it('skips DHT (C4), JPG (C8) and DAC (CC) segments even when their bytes look like a size', () => {
			// Each payload, read as a frame header, would give 4660×22136.
			const lookalike = Buffer.from([8, 0x56, 0x78, 0x12, 0x34, 1, 1, 0x11, 0]);
			const file = jpeg(800, 600, [segment(0xc4, lookalike), segment(0xc8, lookalike), segment(0xcc, lookalike)]);
			assert.deepEqual([sniffImage(file)?.width, sniffImage(file)?.height], [800, 600]);
		});

		it('skips a 64 KB EXIF block with a thumbnail and a 64 KB ICC profile to the image\'s own size', () => {
			const icc = segment(0xe2, Buffer.alloc(65533, 0xc0));
			const file = jpeg(6000, 4000, [exifWithThumbnail(65533), icc, segment(0xfe, Buffer.from('a comment'))]);
			assert.deepEqual(sniffImage(file), { format: 'jpeg', mimeType: 'image/jpeg', width: 6000, height: 4000, bytes: file.length });
		});

		it('tolerates 0xFF fill bytes before markers', () => {
			const fill = Buffer.alloc(7, 0xff);
			const file = Buffer.concat([SOI, fill, JFIF, fill, frameHeader(10, 20), SCAN, EOI]);
			assert.deepEqual([sniffImage(file)?.width, sniffImage(file)?.height], [10, 20]);
		});

		it('skips stray bytes between segments, as decoders do', () => {
			const file = Buffer.concat([SOI, JFIF, Buffer.from([0, 0, 0x12]), frameHeader(10, 20), SCAN, EOI]);
			assert.deepEqual([sniffImage(file)?.width, sniffImage(file)?.height], [10, 20]);
		});

		it('passes over standalone markers (TEM, RST0–RST7)', () => {
			const file = Buffer.concat([SOI, Buffer.from([0xff, 0x01, 0xff, 0xd0, 0xff, 0xd7]), frameHeader(5, 6), SCAN, EOI]);
			assert.deepEqual([sniffImage(file)?.width, sniffImage(file)?.height], [5, 6]);
		});

		it('needs the file only up to the width: one byte less is a truncated JPEG', () => {
			const head = Buffer.concat([SOI, exifWithThumbnail(30000)]);
			const file = jpeg(640, 480, [exifWithThumbnail(30000)]);
			const widthEnd = head.length + JFIF.length + 9;
			assert.equal(widthEnd, 30_033);
			assert.equal(sniffImage(file.subarray(0, widthEnd))?.width, 640);
			const cut = sniffImage(file.subarray(0, widthEnd - 1));
			assert.equal(cut?.format, 'jpeg');
			assert.equal(cut?.width, undefined);
			assert.equal(cut?.corrupt, 'it ends after 30,032 bytes, before the frame header that gives the image size');
		});

		it('reports a JPEG cut inside its EXIF block, or right after SOI, as truncated', () => {
			const file = jpeg(640, 480, [exifWithThumbnail(65533)]);
			assert.match(sniffImage(file.subarray(0, 40000))?.corrupt ?? '', /ends after 40,000 bytes/);
			assert.match(sniffImage(SOI)?.corrupt ?? '', /ends after 2 bytes/);
			assert.match(sniffImage(Buffer.from([0xff, 0xd8, 0xff]))?.corrupt ?? '', /ends after 3 bytes/);
		});

		it('reports markers that end or start the image before any frame header', () => {
			assert.match(sniffImage(Buffer.concat([SOI, JFIF, EOI]))?.corrupt ?? '', /end-of-image marker at byte 20 comes before any frame header/);
			assert.match(sniffImage(Buffer.concat([SOI, JFIF, SCAN, EOI]))?.corrupt ?? '', /image data starts at byte 20, before any frame header/);
			assert.match(sniffImage(Buffer.concat([SOI, JFIF, SOI, frameHeader(1, 1)]))?.corrupt ?? '', /second start-of-image marker/);
		});

		it('reports impossible segment lengths and sizes', () => {
			assert.match(sniffImage(Buffer.concat([SOI, Buffer.from([0xff, 0xe1, 0, 1]), frameHeader(1, 1)]))?.corrupt ?? '', /impossible length, 1/);
			assert.match(sniffImage(Buffer.concat([SOI, segment(0xc0, Buffer.from([8, 0, 1, 0, 1]))]))?.corrupt ?? '', /frame header at byte 2 is 7 bytes long/);
			assert.match(sniffImage(Buffer.concat([SOI, frameHeader(100, 0)]))?.corrupt ?? '', /size 100×0/);
			assert.equal(sniffImage(Buffer.concat([SOI, frameHeader(65535, 65535)]))?.width, 65535);
		});
	});

	describe('PDF and other files', () => {
		it('recognizes a PDF by %PDF- and gives no pixel size', () => {
			const file = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n', 'latin1');
			assert.deepEqual(sniffImage(file), { format: 'pdf', mimeType: 'application/pdf', bytes: file.length });
			assert.equal(sniffImage(Buffer.from('%PDF')), undefined);
		});

		it('returns undefined for files that are not JPEG, PNG or PDF by their magic bytes', () => {
			assert.equal(sniffImage(new Uint8Array(0)), undefined);
			assert.equal(sniffImage(Buffer.from('GIF89a\x01\0\x01\0', 'latin1')), undefined);
			assert.equal(sniffImage(Buffer.from([0xff, 0xd8, 0x00, 0x00])), undefined);
			assert.equal(sniffImage(Buffer.from([0x89, 0x50, 0x4e])), undefined);
			assert.equal(sniffImage(Buffer.from('image.png')), undefined);
		});

		it('reads a view inside a larger buffer from the view\'s start', () => {
			const file = png(7, 9);
			const backing = Buffer.concat([Buffer.from('garbage!'), file, Buffer.from('more')]);
			const view = new Uint8Array(backing.buffer, backing.byteOffset + 8, file.length);
			assert.deepEqual(sniffImage(view), { format: 'png', mimeType: 'image/png', width: 7, height: 9, bytes: file.length });
		});
	});

	describe('from base64 text', () => {
		it('gives the same answers as from the bytes', () => {
			const files = [png(3, 2), jpeg(1024, 768, [exifWithThumbnail(65533)]), Buffer.from('%PDF-1.4\n'), Buffer.from('GIF89a')];
			for (const file of files) assert.deepEqual(sniffSource(base64Source(file.toString('base64'))), sniffImage(file));
			const truncated = jpeg(10, 10, [exifWithThumbnail(5000)]).subarray(0, 3001);
			assert.deepEqual(sniffSource(base64Source(truncated.toString('base64'))), sniffImage(truncated));
		});

		it('decodes only the headers of a 1 MB JPEG, however far its frame header is', () => {
			const icc = segment(0xe2, Buffer.alloc(65533, 0xc0));
			const head = jpeg(3000, 2000, [exifWithThumbnail(65533), icc, icc]);
			const file = Buffer.concat([head, Buffer.alloc(1_048_576 - head.length)]);
			const probe = counting(base64Source(file.toString('base64')));
			assert.equal(sniffSource(probe.source)?.width, 3000);
			assert.ok(probe.read() <= 5 * 4096, `decoded ${probe.read()} bytes`);
		});
	});
});

describe('base64Source', () => {
	it('reads any range, padded or not, across group boundaries', () => {
		const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff));
		for (const text of [bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, '')]) {
			const source = base64Source(text);
			assert.equal(source.length, 100);
			for (const [offset, count] of [[0, 1], [1, 5], [2, 7], [50, 50], [97, 10], [99, 1], [100, 4]] as const) {
				assert.deepEqual(Buffer.from(source.read(offset, count)), bytes.subarray(offset, offset + count), `read(${offset}, ${count})`);
			}
		}
	});
});

describe('otherFormatName', () => {
	const named: [string, Uint8Array][] = [
		['a GIF image', Buffer.from('GIF87a', 'latin1')],
		['a WebP image', Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1')],
		['a BMP image', Buffer.concat([Buffer.from('BM'), Buffer.alloc(20)])],
		['a TIFF image', Buffer.from('II*\0\x08\0\0\0', 'latin1')],
		['a TIFF image', Buffer.from('MM\0*\0\0\0\x08', 'latin1')],
		['a HEIC/HEIF image', Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'latin1')],
		['an AVIF image', Buffer.from('\0\0\0\x1cftypavif\0\0\0\0', 'latin1')],
		['an MP4/QuickTime file', Buffer.from('\0\0\0\x18ftypisom\0\0\0\0', 'latin1')],
		['a JPEG XL image', Buffer.from([0xff, 0x0a, 0, 0])],
		['a JPEG 2000 image', Buffer.from('\0\0\0\x0cjP  \r\n\x87\n', 'latin1')],
		['a ZIP archive (or an Office document)', Buffer.from('PK\x03\x04', 'latin1')],
		['an SVG image', Buffer.from('\ufeff  <svg xmlns="http://www.w3.org/2000/svg">')],
		['an SVG image', Buffer.from('<?xml version="1.0"?>\n<svg>')],
		['an HTML page', Buffer.from('<!DOCTYPE html><html>')],
	];
	for (const [name, head] of named) {
		const start = Buffer.from(head.subarray(0, 4)).toString('hex');
		it(`names ${name} (starting ${start})`, () => assert.equal(otherFormatName(head), name));
	}

	it('names nothing it does not know', () => {
		assert.equal(otherFormatName(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])), undefined);
		assert.equal(otherFormatName(new Uint8Array(0)), undefined);
		assert.equal(otherFormatName(Buffer.from('<?xml version="1.0"?><note/>')), undefined);
	});
});
