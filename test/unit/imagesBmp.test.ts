import * as assert from 'node:assert/strict';
import { decodeBmp, type DecodedBitmap } from '../../src/images/converter/bmp';
import { ImageError } from '../../src/images/errors';
import { encodeBmp, type BmpSpec } from './imagesHarness';

/** Distinct colours per pixel, so a flipped row or a swapped channel shows. */
function colour(x: number, y: number): [number, number, number, number] {
	return [(x * 37 + 11) & 0xff, (y * 53 + 7) & 0xff, (x * 11 + y * 13) & 0xff, 255];
}

function pixelAt(bitmap: DecodedBitmap, x: number, y: number): number[] {
	const at = (y * bitmap.width + x) * bitmap.channels;
	return Array.from(bitmap.data.subarray(at, at + bitmap.channels));
}

/** Every pixel of `bitmap` against `expected(x, y)` (RGB, or RGBA for 4 channels). */
function assertPixels(bitmap: DecodedBitmap, expected: (x: number, y: number) => number[]): void {
	for (let y = 0; y < bitmap.height; y++) {
		for (let x = 0; x < bitmap.width; x++) {
			assert.deepEqual(pixelAt(bitmap, x, y), expected(x, y).slice(0, bitmap.channels), `pixel (${x}, ${y})`);
		}
	}
}

const PALETTE: [number, number, number][] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 128, 255], [12, 34, 56], [200, 100, 50], [7, 7, 7], [250, 240, 230]];

function paletted(bpp: 1 | 4 | 8, extra: Partial<BmpSpec> = {}): { file: Uint8Array; expected: (x: number, y: number) => number[] } {
	const entries = Math.min(PALETTE.length, 1 << bpp);
	const index = (x: number, y: number) => (x + 3 * y) % entries;
	return {
		file: encodeBmp({ width: 13, height: 5, bpp, palette: PALETTE.slice(0, entries), pixel: index, ...extra }),
		expected: (x, y) => PALETTE[index(x, y)]!,
	};
}

describe('images: BMP decoder', () => {
	describe('uncompressed', () => {
		for (const bpp of [1, 4, 8] as const) {
			it(`${bpp} bits per pixel through the colour table, rows padded to 4 bytes`, () => {
				const { file, expected } = paletted(bpp);
				const bitmap = decodeBmp(file);
				assert.deepEqual([bitmap.width, bitmap.height, bitmap.channels], [13, 5, 3]);
				assertPixels(bitmap, expected);
			});
		}

		it('24 bits per pixel, bottom-up (the usual order) and top-down (negative height)', () => {
			for (const topDown of [false, true]) {
				const bitmap = decodeBmp(encodeBmp({ width: 7, height: 6, bpp: 24, topDown, pixel: colour }));
				assertPixels(bitmap, colour);
			}
		});

		it('32 bits per pixel BI_RGB: the fourth byte is not alpha', () => {
			const file = encodeBmp({ width: 5, height: 4, bpp: 32, masks: [0xff0000, 0xff00, 0xff, 0xff000000], pixel: (x, y) => [...colour(x, y).slice(0, 3), 0x7f] as [number, number, number, number] });
			assert.equal(file[file.length - 1], 0x7f, 'the fourth byte is set');
			const bitmap = decodeBmp(file);
			assert.equal(bitmap.channels, 3);
			assertPixels(bitmap, colour);
		});

		it('16 bits per pixel BI_RGB is 5-5-5', () => {
			const five = (v: number) => Math.round(Math.round(v * 31 / 255) * 255 / 31);
			const bitmap = decodeBmp(encodeBmp({ width: 6, height: 3, bpp: 16, pixel: colour }));
			assertPixels(bitmap, (x, y) => colour(x, y).slice(0, 3).map(five));
		});

		it('draws an index past a short colour table black', () => {
			const bitmap = decodeBmp(encodeBmp({ width: 4, height: 1, bpp: 4, palette: [[10, 20, 30], [40, 50, 60]], pixel: x => x }));
			assert.deepEqual([0, 1, 2, 3].map(x => pixelAt(bitmap, x, 0)), [[10, 20, 30], [40, 50, 60], [0, 0, 0], [0, 0, 0]]);
		});

		it('the old core header (OS/2 1.x) with a 3-byte colour table', () => {
			const { file, expected } = paletted(8, { headerSize: 12 });
			assertPixels(decodeBmp(file), expected);
			assertPixels(decodeBmp(encodeBmp({ width: 9, height: 2, bpp: 24, headerSize: 12, pixel: colour })), colour);
		});
	});

	describe('channel masks (BI_BITFIELDS)', () => {
		it('16 bits per pixel 5-6-5 after an INFO header', () => {
			const scale = (v: number, bits: number) => Math.round(Math.round(v * ((1 << bits) - 1) / 255) * 255 / ((1 << bits) - 1));
			const bitmap = decodeBmp(encodeBmp({ width: 6, height: 3, bpp: 16, compression: 3, masks: [0xf800, 0x07e0, 0x001f, 0], pixel: colour }));
			assertPixels(bitmap, (x, y) => {
				const [r, g, b] = colour(x, y);
				return [scale(r, 5), scale(g, 6), scale(b, 5)];
			});
		});

		for (const headerSize of [108, 124]) {
			it(`32 bits per pixel with alpha in a ${headerSize === 108 ? 'V4' : 'V5'} header, top-down`, () => {
				const translucent = (x: number, y: number): [number, number, number, number] => [...colour(x, y).slice(0, 3), (x * 40 + y * 9) & 0xff] as [number, number, number, number];
				const bitmap = decodeBmp(encodeBmp({ width: 5, height: 4, bpp: 32, headerSize, compression: 3, topDown: true, masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000], pixel: translucent }));
				assert.equal(bitmap.channels, 4);
				assertPixels(bitmap, translucent);
			});
		}

		it('an alpha mask whose alpha is 0 everywhere means opaque', () => {
			const bitmap = decodeBmp(encodeBmp({ width: 3, height: 2, bpp: 32, headerSize: 124, compression: 3, masks: [0xff0000, 0xff00, 0xff, 0xff000000], pixel: (x, y) => [...colour(x, y).slice(0, 3), 0] as [number, number, number, number] }));
			assertPixels(bitmap, colour);
		});

		it('32 bits per pixel with an unusual channel order (RGBA, as some tools write)', () => {
			const bitmap = decodeBmp(encodeBmp({ width: 4, height: 4, bpp: 32, headerSize: 56, compression: 3, masks: [0xff000000, 0x00ff0000, 0x0000ff00, 0x000000ff], pixel: colour }));
			assertPixels(bitmap, colour);
		});
	});

	describe('shrinking while decoding', () => {
		it('averages whole blocks, and the partial blocks at the right and bottom edges', () => {
			const bitmap = decodeBmp(encodeBmp({ width: 5, height: 3, bpp: 24, pixel: (x, y) => [x * 10, y * 100, 50, 255] }), { shrink: 2 });
			assert.deepEqual([bitmap.width, bitmap.height], [3, 2]);
			assert.deepEqual(pixelAt(bitmap, 0, 0), [5, 50, 50]);
			assert.deepEqual(pixelAt(bitmap, 2, 0), [40, 50, 50], 'a 1-pixel-wide block at the right edge');
			assert.deepEqual(pixelAt(bitmap, 1, 1), [25, 200, 50], 'a 1-row block at the bottom');
		});
	});

	describe('files it cannot decode', () => {
		const refuses = (file: Uint8Array, code: ImageError['code'], pattern: RegExp) => assert.throws(() => decodeBmp(file), (err: unknown) => err instanceof ImageError && err.code === code && pattern.test(err.message));

		it('says a cut-off file is truncated, with the sizes', () => {
			const file = encodeBmp({ width: 100, height: 100, bpp: 24, pixel: colour });
			refuses(file.subarray(0, 10_000), 'truncated', /^is a truncated BMP: 100×100 pixels need 30,054 bytes, the file has 10,000$/);
		});

		it('refuses run-length encoding and impossible headers, saying what to do', () => {
			refuses(encodeBmp({ width: 4, height: 4, bpp: 8, compression: 1, palette: PALETTE, pixel: () => 0 }), 'unsupported', /RLE.*save it as PNG/);
			const zeroWidth = encodeBmp({ width: 4, height: 4, bpp: 24, pixel: colour });
			new DataView(zeroWidth.buffer, zeroWidth.byteOffset).setInt32(18, 0, true);
			refuses(zeroWidth, 'corrupt', /its header gives the size 0×4/);
		});
	});
});
