import * as assert from 'node:assert/strict';
import type { Converted } from '../../src/images/converter/converter';
import { ImageError, megabytes } from '../../src/images/errors';
import type { FitRequest } from '../../src/images/converter/fitImage';
import type { ImageHeader } from '../../src/images/header';
import { MAX_DECODE_PIXELS, planImage, SERVICE_LIMITS, type Plan } from '../../src/images/plan';
import { describeFit, prepareImage, summarizeFit, type Fitter } from '../../src/images/prepareImage';

const MB = 1_048_576;

function header(fields: Partial<ImageHeader>): ImageHeader {
	return { format: 'jpeg', width: 4000, height: 3000, orientation: 1, bytes: 500_000, ...fields };
}

function action(plan: Plan): string {
	return plan.action;
}

function refusal(plan: Plan): string {
	assert.equal(plan.action, 'refuse');
	return plan.action === 'refuse' ? plan.error.message : '';
}

/** A minimal PNG header claiming `width × height`: 33 bytes, nothing to decode. */
function pngHeader(width: number, height: number): Uint8Array {
	const file = Buffer.alloc(33);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(file);
	file.writeUInt32BE(13, 8);
	file.write('IHDR', 12, 'latin1');
	file.writeUInt32BE(width, 16);
	file.writeUInt32BE(height, 20);
	file[24] = 8;
	file[25] = 2;
	return file;
}

/** A fitter that must not be reached, recording any request that does. */
function forbiddenFitter(): Fitter & { requests: FitRequest[] } {
	const requests: FitRequest[] = [];
	return {
		requests,
		fit: async request => {
			requests.push(request);
			throw new Error('the converter was asked to decode');
		},
	};
}

describe('images: what to do with a file', () => {
	describe('JPEG and PNG go as they are only within every limit', () => {
		it('sends a JPEG of exactly 1 MB and fits one of 1 MB and a byte', () => {
			assert.deepEqual(planImage(header({ bytes: MB })), { action: 'send', mimeType: 'image/jpeg' });
			assert.deepEqual(planImage(header({ bytes: MB + 1 })), { action: 'fit', reasons: ['1.000001 MB is over 1 MB'] });
		});

		it('sends 20,000,000 pixels and fits 20,000,001', () => {
			assert.equal(action(planImage(header({ format: 'png', width: 5000, height: 4000 }))), 'send');
			assert.deepEqual(planImage(header({ format: 'png', width: 20_000_001, height: 1 })), { action: 'fit', reasons: ['20.000001 MP is over 20 MP'] });
		});

		it('sends orientation 1 as is and turns any other upright', () => {
			assert.equal(action(planImage(header({ orientation: 1 }))), 'send');
			for (const orientation of [2, 3, 4, 5, 6, 7, 8] as const) {
				assert.deepEqual(planImage(header({ orientation })), { action: 'fit', reasons: [`EXIF orientation ${orientation}`] });
			}
		});

		it('lists every reason at once', () => {
			assert.deepEqual(planImage(header({ width: 8000, height: 6000, bytes: 12 * MB, orientation: 6 })), {
				action: 'fit',
				reasons: ['12 MB is over 1 MB', '48 MP is over 20 MP', 'EXIF orientation 6'],
			});
		});
	});

	describe('other images are converted', () => {
		it('fits WEBP, GIF, BMP, TIFF and SVG however small', () => {
			for (const format of ['webp', 'gif', 'bmp', 'tiff'] as const) {
				assert.deepEqual(planImage(header({ format, width: 10, height: 10, bytes: 100 })), { action: 'fit', reasons: [`${format.toUpperCase()} is not a format the service reads`] });
			}
			assert.equal(action(planImage({ format: 'svg', orientation: 1, bytes: 300 })), 'fit');
		});

		it('refuses HEIC and AVIF, saying how to get a JPEG', () => {
			assert.match(refusal(planImage(header({ format: 'heic' }))), /^is a HEIC image, which is not converted here; export it as JPEG/);
			assert.match(refusal(planImage(header({ format: 'avif' }))), /^is an AVIF image, which is not converted here/);
		});

		it(`converts up to ${MAX_DECODE_PIXELS / 1e6} MP and refuses a pixel more before decoding`, () => {
			assert.equal(action(planImage(header({ format: 'png', width: 20_000, height: 15_000, bytes: 3 * MB }))), 'fit');
			assert.equal(refusal(planImage(header({ format: 'png', width: 300_000_001, height: 1, bytes: 3 * MB }))), 'is 300,000,001×1 = 300 MP, too large to convert safely (at most 300 MP); scale it down first');
		});
	});

	describe('PDF is sent as it is or refused', () => {
		const pdf = (bytes: number, pages?: number): ImageHeader => ({ format: 'pdf', orientation: 1, bytes, ...pages === undefined ? {} : { pages } });

		it('sends 8 pages of 1 MB, and a PDF whose pages could not be counted', () => {
			assert.deepEqual(planImage(pdf(MB, 8)), { action: 'send', mimeType: 'application/pdf' });
			assert.deepEqual(planImage(pdf(200_000)), { action: 'send', mimeType: 'application/pdf' });
		});

		it('refuses 9 pages, naming the limit', () => {
			assert.equal(refusal(planImage(pdf(200_000, 12))), 'has 12 pages; the service reads at most 8 — split it');
			assert.match(refusal(planImage(pdf(200_000, 9))), /^has 9 pages/);
		});

		it('refuses 1 MB and a byte, and says both when both are over', () => {
			assert.equal(refusal(planImage(pdf(MB + 1, 2))), 'is 1.000001 MB; the service reads PDFs of at most 1 MB — split it or save it with smaller images');
			assert.equal(refusal(planImage(pdf(Math.round(3.2 * MB), 12))), 'is 3.2 MB with 12 pages; the service reads PDFs of at most 1 MB and 8 pages — split it');
		});
	});

	describe('preparing a file', () => {
		it('refuses a PNG whose header claims 100,000×100,000 pixels without decoding it', async () => {
			const fitter = forbiddenFitter();
			await assert.rejects(prepareImage(pngHeader(100_000, 100_000), fitter), (err: unknown) => {
				assert.ok(err instanceof ImageError);
				assert.equal(err.code, 'limit');
				assert.equal(err.sentence('bomb.png'), 'bomb.png is 100,000×100,000 = 10,000 MP, too large to convert safely (at most 300 MP); scale it down first');
				return true;
			});
			assert.equal(fitter.requests.length, 0, 'nothing reached the decoder');
		});

		it('says what is wrong with a 0-byte file and a truncated one, naming them', async () => {
			const fitter = forbiddenFitter();
			await assert.rejects(prepareImage(new Uint8Array(0), fitter), (err: unknown) => err instanceof ImageError && err.sentence('empty.jpg') === 'empty.jpg is empty (0 bytes). If it is still being saved or downloaded, try again when it is complete.');
			await assert.rejects(prepareImage(pngHeader(640, 480).subarray(0, 18), fitter), (err: unknown) => err instanceof ImageError && /^cut\.png is a truncated PNG: it ends after 18 bytes, .*\. It was cut short: copy or download it again\.$/.test(err.sentence('cut.png')));
			assert.equal(fitter.requests.length, 0);
		});

		it('sends a file within the limits as it is, the same bytes', async () => {
			const bytes = pngHeader(640, 480);
			const prepared = await prepareImage(bytes, forbiddenFitter());
			assert.equal(prepared.bytes, bytes);
			assert.equal(prepared.mimeType, 'image/png');
			assert.equal(prepared.fitted, undefined);
		});

		it('fits the rest and describes what was done, with the sizes that map results back', async () => {
			const converted: Converted = {
				bytes: new Uint8Array(975_000),
				mimeType: 'image/jpeg',
				width: 1920,
				height: 2560,
				original: { width: 8000, height: 6000, orientation: 6, upright: { width: 6000, height: 8000 } },
				quality: 80,
				content: 'photo',
				attempts: ['JPEG 1920×2560 q85 1.2 MB', 'JPEG 1920×2560 q80 0.93 MB'],
				warnings: [],
				ms: 412,
			};
			const requests: FitRequest[] = [];
			const fitter: Fitter = { fit: async request => (requests.push(request), converted) };
			const file = pngHeader(8000, 6000);
			const prepared = await prepareImage(file, fitter);
			assert.equal(requests.length, 1);
			assert.equal(requests[0]!.format, 'png');
			assert.equal(prepared.fitted?.note, 'converted PNG → JPEG, turned upright (EXIF orientation 6), resized 6000×8000 → 1920×2560, 33 bytes → 0.93 MB');
			assert.deepEqual(prepared.fitted?.geometry, { sent: { width: 1920, height: 2560 }, upright: { width: 6000, height: 8000 } });
			assert.deepEqual(summarizeFit(prepared.fitted!), {
				note: prepared.fitted!.note,
				original: { format: 'PNG', width: 6000, height: 8000, bytes: 33, orientation: 6 },
				sent: { format: 'JPEG', width: 1920, height: 2560, bytes: 975_000, quality: 80 },
			});
		});

		it('does not trust a converter that returns more than the service takes', async () => {
			const oversized: Fitter = {
				fit: async () => ({ bytes: new Uint8Array(SERVICE_LIMITS.fileBytes + 1), mimeType: 'image/jpeg', width: 10, height: 10, original: { width: 10, height: 10, orientation: 1, upright: { width: 10, height: 10 } }, content: 'photo', attempts: [], warnings: [], ms: 1 }),
			};
			await assert.rejects(prepareImage(pngHeader(10_000, 10_000), oversized), (err: unknown) => err instanceof ImageError && err.code === 'converter');
		});
	});

	describe('notes', () => {
		it('reads "resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB" for a plain resize', () => {
			const note = describeFit(
				{ format: 'jpeg', bytes: Math.round(4.9 * MB), orientation: 1, width: 4000, height: 3000 },
				{ format: 'JPEG', bytes: Math.round(0.93 * MB), width: 2560, height: 1920, quality: 80 },
			);
			assert.equal(note, 'resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB');
		});

		it('says "re-encoded" when only the bytes changed, and appends warnings', () => {
			const note = describeFit(
				{ format: 'gif', bytes: 2 * MB, orientation: 1, width: 800, height: 600 },
				{ format: 'PNG', bytes: 300_000, width: 800, height: 600 },
				[{ code: 'firstFrame', frames: 12 }],
			);
			assert.equal(note, 'converted GIF → PNG, 2 MB → 0.29 MB; only the first of its 12 frames is analyzed');
			assert.equal(describeFit({ format: 'jpeg', bytes: 2 * MB, orientation: 1, width: 800, height: 600 }, { format: 'JPEG', bytes: MB - 5, width: 800, height: 600 }), 're-encoded 800×600, 2 MB → 1 MB');
		});

		it('writes sizes with two significant digits, kB below 0.1 MB', () => {
			assert.deepEqual([megabytes(5_200_000), megabytes(975_000), megabytes(12.6 * MB), megabytes(56_000), megabytes(800)], ['5 MB', '0.93 MB', '13 MB', '55 kB', '800 bytes']);
		});
	});
});
