import * as assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { ImageError } from '../../src/images/errors';
import { HEAD_BYTES, readHeader, type ImageHeader } from '../../src/images/header';
import { countPdfPages } from '../../src/api/content/pdfPageCount';
import { encodeBmp, loadVips, oriented, withImages, type VipsImage, type VipsModule } from './imagesHarness';

function headerOf(bytes: Uint8Array): Omit<ImageHeader, 'bytes'> {
	const { bytes: _, ...rest } = readHeader(bytes);
	return rest;
}

function refuses(bytes: Uint8Array, code: ImageError['code'], pattern: RegExp): void {
	assert.throws(() => readHeader(bytes), (err: unknown) => {
		assert.ok(err instanceof ImageError, `an ImageError, got ${String(err)}`);
		assert.equal(err.code, code);
		assert.match(err.message, pattern);
		return true;
	});
}

// --- JPEG by hand: segments, for what libvips will not write ----------------------------------

function segment(marker: number, payload: Uint8Array): Buffer {
	const head = Buffer.from([0xff, marker, 0, 0]);
	head.writeUInt16BE(payload.length + 2, 2);
	return Buffer.concat([head, payload]);
}

function frame(width: number, height: number): Buffer {
	const payload = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
	payload.writeUInt16BE(height, 1);
	payload.writeUInt16BE(width, 3);
	return segment(0xc0, payload);
}

/** An EXIF APP1 with one IFD0 entry: Orientation, big- or little-endian. */
function exif(orientation: number, order: 'II' | 'MM' = 'MM'): Buffer {
	const tiff = Buffer.alloc(26);
	const le = order === 'II';
	tiff.write(order, 0, 'latin1');
	le ? tiff.writeUInt16LE(42, 2) : tiff.writeUInt16BE(42, 2);
	le ? tiff.writeUInt32LE(8, 4) : tiff.writeUInt32BE(8, 4);
	le ? tiff.writeUInt16LE(1, 8) : tiff.writeUInt16BE(1, 8);
	le ? tiff.writeUInt16LE(0x0112, 10) : tiff.writeUInt16BE(0x0112, 10);
	le ? tiff.writeUInt16LE(3, 12) : tiff.writeUInt16BE(3, 12);
	le ? tiff.writeUInt32LE(1, 14) : tiff.writeUInt32BE(1, 14);
	le ? tiff.writeUInt16LE(orientation, 18) : tiff.writeUInt16BE(orientation, 18);
	return segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]));
}

const SOI = Buffer.from([0xff, 0xd8]);
const SCAN = Buffer.concat([segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])), Buffer.alloc(32, 0x55), Buffer.from([0xff, 0xd9])]);

describe('images: reading headers', () => {
	let vips: VipsModule;
	before(async () => {
		vips = await loadVips();
	});

	/** A 30×20 RGB image, saved by libvips as `save` says, with EXIF orientation `o` when given. */
	function made(save: (image: VipsImage) => Uint8Array, orientation?: number): Uint8Array {
		return withImages(keep => {
			const base = keep(keep(keep(vips.Image.black(30, 20, { bands: 3 })).add([200, 120, 40])).cast('uchar'));
			return save(orientation ? oriented(base, orientation, keep) : base);
		});
	}

	describe('JPEG', () => {
		it('reads the size and every EXIF orientation libvips writes', () => {
			for (let o = 1; o <= 8; o++) {
				assert.deepEqual(headerOf(made(image => image.jpegsaveBuffer(), o)), { format: 'jpeg', width: 30, height: 20, orientation: o }, `orientation ${o}`);
			}
		});

		it('reads orientation 1 when there is no EXIF, and from little-endian EXIF', () => {
			assert.equal(readHeader(made(image => image.jpegsaveBuffer({ keep: 'none' }))).orientation, 1);
			assert.equal(readHeader(Buffer.concat([SOI, exif(8, 'II'), frame(640, 480), SCAN])).orientation, 8);
		});

		it(`finds the frame header behind ${HEAD_BYTES / 1024} KiB of metadata by reading further`, () => {
			const icc = segment(0xe2, Buffer.alloc(65_000, 0x20));
			const file = Buffer.concat([SOI, exif(6), icc, icc, icc, frame(4000, 3000), SCAN]);
			assert.ok(file.indexOf(Buffer.from([0xff, 0xc0])) > HEAD_BYTES, 'the frame header is past the first read');
			assert.deepEqual(headerOf(file), { format: 'jpeg', width: 4000, height: 3000, orientation: 6 });
		});

		it('ignores a damaged EXIF block, as decoders do', () => {
			const broken = segment(0xe1, Buffer.from('Exif\0\0XX\0*\0\0\0\x08', 'latin1'));
			assert.deepEqual(headerOf(Buffer.concat([SOI, broken, frame(64, 48), SCAN])), { format: 'jpeg', width: 64, height: 48, orientation: 1 });
		});

		it('calls a JPEG that ends before its frame header truncated, saying where it ends', () => {
			const file = Buffer.concat([SOI, exif(1), segment(0xe2, Buffer.alloc(500))]);
			refuses(file.subarray(0, 400), 'truncated', /^is a truncated JPEG: it ends after 400 bytes, before the frame header that gives the image size$/);
			refuses(SOI, 'truncated', /truncated JPEG: it ends after 2 bytes/);
		});

		it('calls a JPEG whose image data comes before any frame header corrupt', () => {
			refuses(Buffer.concat([SOI, SCAN]), 'corrupt', /^is a corrupt JPEG: its image data at byte 2 comes before any frame header$/);
		});
	});

	describe('PNG', () => {
		it('reads the size, and the orientation from an eXIf chunk', () => {
			assert.deepEqual(headerOf(made(image => image.pngsaveBuffer(), 6)), { format: 'png', width: 30, height: 20, orientation: 6 });
			assert.deepEqual(headerOf(made(image => image.pngsaveBuffer({ keep: 'none' }))), { format: 'png', width: 30, height: 20, orientation: 1 });
		});

		it('reads the claimed size of a 100,000×100,000 PNG from its 33-byte header alone', () => {
			const ihdr = Buffer.alloc(25);
			ihdr.writeUInt32BE(13, 0);
			ihdr.write('IHDR', 4, 'latin1');
			ihdr.writeUInt32BE(100_000, 8);
			ihdr.writeUInt32BE(100_000, 12);
			ihdr[16] = 8;
			ihdr[17] = 2;
			const file = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
			assert.deepEqual(headerOf(file), { format: 'png', width: 100_000, height: 100_000, orientation: 1 });
		});

		it('calls a cut-off PNG truncated and a damaged one corrupt', () => {
			const png = made(image => image.pngsaveBuffer());
			refuses(png.subarray(0, 20), 'truncated', /^is a truncated PNG: it ends after 20 bytes, before the IHDR header that gives the image size$/);
			const damaged = Buffer.from(png);
			damaged[4] = 0x0a;
			refuses(damaged, 'corrupt', /^is a corrupt PNG: its signature is damaged/);
		});
	});

	describe('WEBP, GIF, TIFF', () => {
		it('reads lossy (VP8), lossless (VP8L) and extended (VP8X) WEBP, with its EXIF orientation', () => {
			assert.deepEqual(headerOf(made(image => image.webpsaveBuffer({ keep: 'none' }))), { format: 'webp', width: 30, height: 20, orientation: 1 });
			const lossless = made(image => image.webpsaveBuffer({ lossless: true, keep: 'none' }));
			assert.equal(Buffer.from(lossless.subarray(12, 16)).toString('latin1'), 'VP8L');
			assert.deepEqual(headerOf(lossless), { format: 'webp', width: 30, height: 20, orientation: 1 });
			const extended = made(image => image.webpsaveBuffer(), 8);
			assert.equal(Buffer.from(extended.subarray(12, 16)).toString('latin1'), 'VP8X');
			assert.deepEqual(headerOf(extended), { format: 'webp', width: 30, height: 20, orientation: 8 });
		});

		it('reads a GIF\'s screen size', () => {
			assert.deepEqual(headerOf(made(image => image.gifsaveBuffer())), { format: 'gif', width: 30, height: 20, orientation: 1 });
			refuses(Buffer.from('GIF89a\x1e\0', 'latin1'), 'truncated', /^is a truncated GIF: it ends after 8 bytes/);
		});

		it('reads classic and BigTIFF directories, orientation included', () => {
			assert.deepEqual(headerOf(made(image => image.tiffsaveBuffer(), 3)), { format: 'tiff', width: 30, height: 20, orientation: 3 });
			assert.deepEqual(headerOf(made(image => image.tiffsaveBuffer({ bigtiff: true }), 5)), { format: 'tiff', width: 30, height: 20, orientation: 5 });
		});
	});

	describe('BMP, SVG, HEIC', () => {
		it('reads BMP sizes from core and INFO headers, top-down ones too', () => {
			const pixel = (): [number, number, number, number] => [1, 2, 3, 255];
			assert.deepEqual(headerOf(encodeBmp({ width: 7, height: 5, bpp: 24, pixel })), { format: 'bmp', width: 7, height: 5, orientation: 1 });
			assert.deepEqual(headerOf(encodeBmp({ width: 7, height: 5, bpp: 24, topDown: true, headerSize: 124, pixel })), { format: 'bmp', width: 7, height: 5, orientation: 1 });
			assert.deepEqual(headerOf(encodeBmp({ width: 9, height: 3, bpp: 24, headerSize: 12, pixel })), { format: 'bmp', width: 9, height: 3, orientation: 1 });
		});

		it('reads an SVG\'s size from width and height, or from its viewBox', () => {
			const svg = (attributes: string) => Buffer.from(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" ${attributes}><rect width="10" height="10"/></svg>`);
			assert.deepEqual(headerOf(svg('width="300" height="150px"')), { format: 'svg', width: 300, height: 150, orientation: 1 });
			assert.deepEqual(headerOf(svg('viewBox="0 0 640 480"')), { format: 'svg', width: 640, height: 480, orientation: 1 });
			assert.deepEqual(headerOf(svg('width="320" viewBox="0 0 640 480"')), { format: 'svg', width: 320, height: 240, orientation: 1 });
			assert.deepEqual(headerOf(svg('width="100%"')), { format: 'svg', orientation: 1 }, 'a relative size is left to the renderer');
		});

		it('tells HEIC from AVIF by brand and reads the size from the ispe property', () => {
			const box = (type: string, body: Buffer) => {
				const head = Buffer.alloc(8);
				head.writeUInt32BE(8 + body.length, 0);
				head.write(type, 4, 'latin1');
				return Buffer.concat([head, body]);
			};
			const ispe = (w: number, h: number) => {
				const body = Buffer.alloc(12);
				body.writeUInt32BE(w, 4);
				body.writeUInt32BE(h, 8);
				return box('ispe', body);
			};
			const heif = (brand: string) => Buffer.concat([box('ftyp', Buffer.from(`${brand}\0\0\0\0mif1${brand}`, 'latin1')), box('meta', Buffer.concat([ispe(512, 384), ispe(4032, 3024)]))]);
			assert.deepEqual(headerOf(heif('heic')), { format: 'heic', width: 4032, height: 3024, orientation: 1 });
			assert.equal(readHeader(heif('avif')).format, 'avif');
			refuses(box('ftyp', Buffer.from('isom\0\0\0\0isomavc1', 'latin1')), 'unsupported', /is a video/);
		});
	});

	describe('what is not an image', () => {
		it('says a 0-byte file is empty', () => {
			refuses(new Uint8Array(0), 'empty', /^is empty \(0 bytes\)$/);
		});

		it('names the first bytes of an unknown file, and the formats that are read', () => {
			refuses(Buffer.from('This is a plain text file with a .png name, not an image.'), 'unsupported', /^is not an image this extension reads \(it starts with the bytes 54 68 69 73 20 69 73 20\); it reads JPEG, PNG, PDF, WEBP, GIF, BMP, TIFF and SVG$/);
			refuses(Buffer.from('<!DOCTYPE html><html></html>'), 'unsupported', /HTML page/);
		});
	});

	describe('PDF pages', () => {
		it('counts the pages of a plain PDF, through the catalog\'s page tree', () => {
			assert.deepEqual(headerOf(pdf(3)), { format: 'pdf', orientation: 1, pages: 3 });
			assert.equal(countPdfPages(pdf(12)), 12);
		});

		it('counts pages whose objects are inside a compressed object stream', () => {
			const file = pdf(12, { objectStream: true });
			assert.ok(!/\/Type\s*\/Page\b/.test(Buffer.from(file).toString('latin1')), 'no page object is visible uncompressed');
			assert.equal(countPdfPages(file), 12);
		});

		it('counts nested page trees by the root\'s count, and follows an incremental update that adds pages', () => {
			assert.equal(countPdfPages(pdf(9, { nested: true })), 9);
			assert.equal(countPdfPages(pdf(5, { update: 4 })), 9);
		});

		it('falls back to counting page objects when there is no catalog, and says unknown when nothing is readable', () => {
			const noCatalog = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Page>> endobj\n2 0 obj <</Type/Page /Parent 3 0 R>> endobj\n%%EOF\n', 'latin1');
			assert.equal(countPdfPages(noCatalog), 2);
			assert.equal(countPdfPages(Buffer.from('%PDF-1.7\n% nothing readable\n%%EOF\n', 'latin1')), undefined);
			assert.equal(readHeader(Buffer.from('%PDF-1.7\n%%EOF\n')).pages, undefined);
		});
	});
});

interface PdfOptions {
	/** Pages and tree in a Flate-compressed object stream, with an xref stream. */
	objectStream?: boolean;
	/** The page tree split into two levels. */
	nested?: boolean;
	/** Pages added by an incremental update appended to the file. */
	update?: number;
}

/** A PDF with `pages` blank pages, in the forms page counting must handle. */
function pdf(pages: number, options: PdfOptions = {}): Uint8Array {
	const objects = new Map<number, string>();
	const kids = Array.from({ length: pages }, (_, i) => 10 + i);
	objects.set(1, '<< /Type /Catalog /Pages 2 0 R >>');
	if (options.nested && pages > 2) {
		const half = Math.ceil(pages / 2);
		objects.set(2, `<< /Type /Pages /Kids [3 0 R 4 0 R] /Count ${pages} >>`);
		objects.set(3, `<< /Type /Pages /Parent 2 0 R /Kids [${kids.slice(0, half).map(k => `${k} 0 R`).join(' ')}] /Count ${half} >>`);
		objects.set(4, `<< /Type /Pages /Parent 2 0 R /Kids [${kids.slice(half).map(k => `${k} 0 R`).join(' ')}] /Count ${pages - half} >>`);
		kids.forEach((k, i) => objects.set(k, `<< /Type /Page /Parent ${i < half ? 3 : 4} 0 R /MediaBox [0 0 612 792] >>`));
	} else {
		objects.set(2, `<< /Type /Pages /Kids [${kids.map(k => `${k} 0 R`).join(' ')}] /Count ${pages} >>`);
		kids.forEach(k => objects.set(k, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'));
	}
	let body: string;
	if (options.objectStream) {
		const numbers = [...objects.keys()];
		let offsets = '';
		let content = '';
		for (const n of numbers) {
			offsets += `${n} ${content.length} `;
			content += `${objects.get(n)}\n`;
		}
		const data = deflateSync(Buffer.from(offsets + content, 'latin1'));
		body = `100 0 obj\n<< /Type /ObjStm /N ${numbers.length} /First ${offsets.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream\nendobj\n`;
		body += '101 0 obj\n<< /Type /XRef /Root 1 0 R /Size 102 >>\nstream\n\nendstream\nendobj\n';
	} else {
		body = [...objects].map(([n, text]) => `${n} 0 obj\n${text}\nendobj\n`).join('');
	}
	let file = `%PDF-1.5\n%\xe2\xe3\xcf\xd3\n${body}trailer\n<< /Root 1 0 R >>\n%%EOF\n`;
	if (options.update) {
		const added = Array.from({ length: options.update }, (_, i) => 200 + i);
		const all = [...kids, ...added];
		file += `2 0 obj\n<< /Type /Pages /Kids [${all.map(k => `${k} 0 R`).join(' ')}] /Count ${all.length} >>\nendobj\n`;
		file += added.map(k => `${k} 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n`).join('');
		file += 'trailer\n<< /Root 1 0 R /Prev 9 >>\n%%EOF\n';
	}
	return Buffer.from(file, 'latin1');
}
