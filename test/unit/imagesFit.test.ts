import * as assert from 'node:assert/strict';
import { FIT_LIMITS, fitBox, fitImage as fitWith, type FitLimits, type FitRequest, type ImageLibrary } from '../../src/images/converter/fitImage';
import { sharpMessage } from '../../src/images/converter/sharpLibrary';
import { vipsMessage } from '../../src/images/converter/vipsLibrary';
import { readHeader } from '../../src/images/header';
import { drawSquare, fitLibraries, loadVips, photoJpeg, withImages, type VipsImage, type VipsModule } from './imagesHarness';

describe('images: fitting with libvips', () => {
	let vips: VipsModule;
	before(async () => {
		vips = await loadVips();
	});

	/** A screenshot-like picture: a light page, a coloured bar, and rows of dark blocks for text; drawn in JS. */
	function screenshot(width: number, height: number, keep: (image: VipsImage) => VipsImage): VipsImage {
		const pixels = new Uint8Array(width * height * 3).fill(246);
		const fill = (x0: number, y0: number, w: number, h: number, rgb: number[]) => {
			for (let y = y0; y < Math.min(height, y0 + h); y++) {
				for (let x = x0; x < Math.min(width, x0 + w); x++) pixels.set(rgb, (y * width + x) * 3);
			}
		};
		fill(0, 0, width, 48, [40, 90, 200]);
		for (let y = 80; y + 12 < height; y += 24) {
			for (let x = 20; x + 30 < width; x += 37 + (y % 5)) fill(x, y, 10 + (x * y) % 19, 12, [30, 30, 30]);
		}
		return keep(keep(vips.Image.newFromMemory(pixels, width, height, 3, vips.BandFormat.uchar)).copy({ interpretation: vips.Interpretation.srgb }));
	}

	describe('the box an image is fitted into', () => {
		it('fits a 12 MP photo to 2560 on its long side, either way up', () => {
			assert.deepEqual(fitBox({ width: 4000, height: 3000 }, 2560, 20e6), { scale: 0.64, width: 2560, height: 1920 });
			assert.deepEqual(fitBox({ width: 3000, height: 4000 }, 2560, 20e6), { scale: 0.64, width: 1920, height: 2560 });
			assert.deepEqual(fitBox({ width: 3000, height: 2000 }, 2560, 20e6).width, 2560, 'not 2559 from a rounding error');
		});

		it('keeps under 20 MP when the long side allows more, and never enlarges', () => {
			const box = fitBox({ width: 20_000, height: 15_000 }, 100_000, 20e6);
			assert.ok(box.width * box.height <= 20e6 && box.width * box.height > 19.9e6, `${box.width}×${box.height}`);
			assert.deepEqual(fitBox({ width: 640, height: 480 }, 2560, 20e6), { scale: 1, width: 640, height: 480 });
		});

		it('draws a small SVG larger, up to the minimum asked for', () => {
			assert.deepEqual(fitBox({ width: 300, height: 150 }, 4096, 20e6, 1600), { scale: 1600 / 300, width: 1600, height: 800 });
		});
	});

	for (const [name, makeLibrary] of fitLibraries(() => vips)) describe(`encoding with ${name}`, () => {
		let library: ImageLibrary<unknown>;
		before(() => {
			library = makeLibrary();
		});
		const fitImage = (request: FitRequest) => fitWith(library, request);

		it('steps JPEG quality down, then the size, until the file fits; each step is recorded', async () => {
			const photo = photoJpeg(vips, 1600, 1200, { grain: 20 });
			const limits: FitLimits = { ...FIT_LIMITS, fileBytes: 60_000, photoLongSide: 1600 };
			const fitted = await fitImage({ bytes: photo, format: 'jpeg', limits });
			assert.ok(fitted.bytes.length <= 60_000, `${fitted.bytes.length} bytes`);
			assert.equal(fitted.mimeType, 'image/jpeg');
			assert.ok(fitted.width < 1600, 'scaled down once quality 50 was not enough');
			assert.ok(fitted.quality! >= 50 && fitted.quality! <= 85);
			assert.ok(fitted.attempts.length >= 1);
			assert.match(fitted.attempts[fitted.attempts.length - 1]!, new RegExp(`^JPEG ${fitted.width}×${fitted.height} q${fitted.quality} `));
			assert.equal(readHeader(fitted.bytes).orientation, 1);
		});

		it('takes the best quality that fits: a photo that fits at 85 stays at 85', async () => {
			const fitted = await fitImage({ bytes: photoJpeg(vips, 800, 600, { orientation: 6 }), format: 'jpeg' });
			assert.equal(fitted.quality, 85);
			assert.deepEqual([fitted.width, fitted.height], [600, 800]);
			assert.deepEqual(fitted.attempts, [`JPEG 600×800 q85 ${fitted.attempts[0]!.split(' ').slice(3).join(' ')}`]);
		});

		it('keeps a greyscale photo greyscale', async () => {
			const grey = withImages(keep => keep(keep(vips.Image.newFromBuffer(photoJpeg(vips, 3000, 2000, { grain: 20 }))).colourspace('b-w')).jpegsaveBuffer({ Q: 95 }));
			const fitted = await fitImage({ bytes: grey, format: 'jpeg' });
			assert.equal(fitted.mimeType, 'image/jpeg');
			assert.equal(withImages(keep => keep(vips.Image.newFromBuffer(fitted.bytes)).bands), 1, 'one band, as it came');
		});

		it('keeps a screenshot as PNG at full size when it fits', async () => {
			const png = withImages(keep => screenshot(1400, 900, keep).pngsaveBuffer());
			const fitted = await fitImage({ bytes: png, format: 'png' });
			assert.equal(fitted.content, 'graphic');
			assert.equal(fitted.mimeType, 'image/png');
			assert.deepEqual([fitted.width, fitted.height], [1400, 900]);
		});

		it('quantizes a screenshot to 256 colours when full colour is too big, before giving up PNG', async () => {
			const png = withImages(keep => screenshot(1400, 900, keep).pngsaveBuffer());
			const full = (await fitImage({ bytes: png, format: 'png' })).bytes.length;
			const fitted = await fitImage({ bytes: png, format: 'png', limits: { ...FIT_LIMITS, fileBytes: full - 1 } });
			assert.equal(fitted.mimeType, 'image/png');
			assert.equal(fitted.palette, true);
			assert.ok(fitted.bytes.length < full);
		});

		it('sends a photo stored as PNG or WEBP as JPEG', async () => {
			const webp = withImages(keep => keep(vips.Image.newFromBuffer(photoJpeg(vips, 1200, 900))).webpsaveBuffer({ lossless: true }));
			const fitted = await fitImage({ bytes: webp, format: 'webp' });
			assert.equal(fitted.content, 'photo');
			assert.equal(fitted.mimeType, 'image/jpeg');
		});

		it('keeps transparency as PNG, and lays it on white when it must become JPEG', async () => {
			const logo = withImages(keep => {
				const shape = keep(vips.Image.newFromBuffer(photoJpeg(vips, 600, 400)));
				const alpha = keep(keep(keep(vips.Image.black(600, 400)).add(255)).cast('uchar'));
				const holed = drawSquare(vips, alpha, 100, 100, 200, [0], keep);
				return keep(shape.bandjoin(holed)).pngsaveBuffer();
			});
			const png = await fitImage({ bytes: logo, format: 'png' });
			assert.equal(png.mimeType, 'image/png');
			assert.equal(withImages(keep => keep(vips.Image.newFromBuffer(png.bytes)).bands), 4, 'alpha kept');
			const jpeg = await fitImage({ bytes: logo, format: 'png', limits: { ...FIT_LIMITS, fileBytes: 100_000 } });
			assert.equal(jpeg.mimeType, 'image/jpeg');
			const centre = withImages(keep => {
				const decoded = keep(vips.Image.newFromBuffer(jpeg.bytes));
				const scale = decoded.width / 600;
				return keep(decoded.extractArea(Math.round(150 * scale), Math.round(150 * scale), Math.round(100 * scale), Math.round(100 * scale))).avg();
			});
			assert.ok(centre > 240, `transparent pixels became white: ${centre}`);
		});
	});

	describe('errors', () => {
		it('names libvips\' reason, not its plumbing', () => {
			const err = { message: ['vips::Error', 'unable to call thumbnail_source\nVipsJpeg: premature end of JPEG image\n'] };
			assert.equal(vipsMessage(err), 'premature end of JPEG image');
			assert.equal(vipsMessage(new Error('plain')), 'plain');
		});

		it('names sharp\'s reason, not what it called', () => {
			assert.equal(sharpMessage(new Error('Input buffer has corrupt header: VipsJpeg: premature end of JPEG image')), 'premature end of JPEG image');
			assert.equal(sharpMessage(new Error('Input buffer contains unsupported image format')), 'Input buffer contains unsupported image format');
		});

		for (const [name, library] of fitLibraries(() => vips)) {
			it(`says a file ${name} cannot read could not be decoded`, async () => {
				await assert.rejects(fitWith(library(), { bytes: Buffer.from('GIF89a garbage that is not a GIF at all'), format: 'gif' }), (err: unknown) => {
					assert.ok(err instanceof Error);
					assert.match(err.message, /^could not be decoded: \S/);
					return true;
				});
			});
		}
	});
});
