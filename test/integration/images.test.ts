import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { decodeBmp } from '../../src/images/converter/bmp';
import { ImageConverter } from '../../src/images/converter/converter';
import { NativeConverter } from '../../src/images/converter/nativeConverter';
import { WasmConverter } from '../../src/images/converter/wasmConverter';
import { ImageError } from '../../src/images/errors';
import { readHeader } from '../../src/images/header';
import { rawToUpright } from '../../src/images/mapping';
import { SERVICE_LIMITS } from '../../src/images/plan';
import { prepareImage, summarizeFit, type PreparedImage } from '../../src/images/prepareImage';
import { buildFitScript, buildImageProcess, buildImageWorker, drawSquare, encodeBmp, loadVips, photoJpeg, VIPS_PATH, withImages, type FitScriptReport, type VipsModule } from '../unit/imagesHarness';

const run = promisify(execFile);

/** What the service takes, checked on every fitted file. */
function assertSendable(prepared: PreparedImage): void {
	assert.ok(prepared.bytes.length <= SERVICE_LIMITS.fileBytes, `${prepared.bytes.length} bytes ≤ 1 MB`);
	const header = readHeader(prepared.bytes);
	assert.equal(header.format, prepared.mimeType === 'image/jpeg' ? 'jpeg' : 'png');
	assert.equal(header.orientation, 1, 'stored upright, without an orientation tag');
	assert.ok(header.width! * header.height! <= SERVICE_LIMITS.pixels, 'within 20 MP');
}

function error(code: ImageError['code'], pattern: RegExp): (err: unknown) => boolean {
	return err => {
		assert.ok(err instanceof ImageError, `an ImageError, got ${String(err)}`);
		assert.equal(err.code, code, err.message);
		assert.match(err.message, pattern);
		return true;
	};
}

const CONVERTERS = {
	native: 'native libvips in the converter\'s own process',
	wasm: 'wasm-vips in the converter\'s worker threads',
} as const;

for (const kind of ['native', 'wasm'] as const) describe(`images: fitting with ${CONVERTERS[kind]}`, function () {
	this.timeout(120_000);
	let dir: string;
	let workerPath: string;
	let vips: VipsModule;
	let converter: ImageConverter | WasmConverter;
	/** What the converter logged: a native converter that fell back to WebAssembly would say so. */
	const logged: string[] = [];
	/** 4000×3000 stored, EXIF orientation 6 (a phone held upright), a white 200 px marker at (200, 200). */
	let photo12: Uint8Array;

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-'));
		[workerPath, vips] = await Promise.all([buildImageWorker(dir), loadVips()]);
		converter = kind === 'native'
			? new ImageConverter({ nativePath: await buildImageProcess(dir, { native: true }), wasm: { workerPath, vipsPath: VIPS_PATH }, log: line => logged.push(line) })
			: new WasmConverter({ workerPath, vipsPath: VIPS_PATH });
		converter.warm();
		photo12 = photoJpeg(vips, 4000, 3000, { orientation: 6, marker: 200 });
	});

	after(async () => {
		await converter?.dispose();
		fs.rmSync(dir, { recursive: true, force: true });
		if (kind === 'native') assert.deepEqual(logged.filter(line => /WebAssembly/.test(line)), [], 'every image of the suite fitted natively');
	});

	describe('a 12 MP phone photo with EXIF orientation 6', () => {
		let prepared: PreparedImage;
		before(async () => {
			assert.ok(photo12.length > 3 * SERVICE_LIMITS.fileBytes, `the photo is ${photo12.length} bytes, like a phone's`);
			prepared = await prepareImage(photo12, converter);
		});

		it('becomes an upright JPEG of at most 1 MB, 1920×2560, within 20 MP', () => {
			assertSendable(prepared);
			assert.equal(prepared.mimeType, 'image/jpeg');
			assert.deepEqual(readHeader(prepared.bytes), { format: 'jpeg', width: 1920, height: 2560, orientation: 1, bytes: prepared.bytes.length });
		});

		it('says what was done, and maps results to the 3000×4000 upright original', () => {
			assert.match(prepared.fitted!.note, /^turned upright \(EXIF orientation 6\), resized 3000×4000 → 1920×2560, [4-6](\.\d)? MB → 0\.\d\d? MB$/);
			assert.deepEqual(prepared.fitted!.geometry, { sent: { width: 1920, height: 2560 }, upright: { width: 3000, height: 4000 } });
			assert.ok(prepared.fitted!.sent.quality! >= 50 && prepared.fitted!.sent.quality! <= 85);
		});

		it('is turned the right way: the marker is where orientation 6 puts it', () => {
			withImages(keep => {
				const sent = keep(vips.Image.newFromBuffer(prepared.bytes));
				const scale = 1920 / 3000;
				const brightness = (stored: { x: number; y: number }) => {
					const at = rawToUpright(stored, { width: 4000, height: 3000 }, 6);
					return keep(sent.extractArea(Math.round(at.x * scale) - 20, Math.round(at.y * scale) - 20, 40, 40)).avg();
				};
				assert.ok(brightness({ x: 300, y: 300 }) > 235, 'white where the marker should be');
				assert.ok(brightness({ x: 3700, y: 2700 }) < 235, 'photo where a wrong turn would put it');
			});
		});
	});

	describe('a photo within 1 MB that only needs turning upright', () => {
		it('keeps all its pixels: 1200×1600 upright from 1600×1200 stored with orientation 8', async () => {
			const small = photoJpeg(vips, 1600, 1200, { orientation: 8, quality: 85 });
			assert.ok(small.length <= SERVICE_LIMITS.fileBytes, `the photo is ${small.length} bytes`);
			const prepared = await prepareImage(small, converter);
			assertSendable(prepared);
			assert.deepEqual([prepared.fitted!.sent.width, prepared.fitted!.sent.height], [1200, 1600]);
			assert.match(prepared.fitted!.note, /^turned upright \(EXIF orientation 8\), [\d.]+ (MB|kB) → [\d.]+ (MB|kB)$/);
		});
	});

	describe('other formats', () => {
		it('converts a WEBP photo to JPEG and a WEBP screenshot to PNG at full size', async () => {
			const [photoWebp, screenshotWebp] = withImages(keep => {
				const photo = keep(vips.Image.newFromBuffer(photoJpeg(vips, 3000, 2000, { grain: 14 })));
				const white = keep(keep(keep(vips.Image.black(2400, 1500, { bands: 3 })).add([250, 250, 250])).cast('uchar'));
				let screen = white;
				for (let i = 0; i < 40; i++) screen = drawSquare(vips, screen, 100 + (i % 10) * 200, 100 + Math.floor(i / 10) * 300, 120, [20, 20, 20 + i], keep);
				return [photo.webpsaveBuffer({ Q: 95 }), screen.webpsaveBuffer({ lossless: true })];
			});
			const photo = await prepareImage(photoWebp, converter);
			assertSendable(photo);
			assert.equal(photo.mimeType, 'image/jpeg');
			assert.match(photo.fitted!.note, /^converted WEBP → JPEG, /);
			const screenshot = await prepareImage(screenshotWebp, converter);
			assertSendable(screenshot);
			assert.equal(screenshot.mimeType, 'image/png');
			assert.deepEqual([screenshot.fitted!.sent.width, screenshot.fitted!.sent.height], [2400, 1500], 'not scaled: it fits as PNG');
			assert.match(screenshot.fitted!.note, /^converted WEBP → PNG, \d/);
		});

		it('converts a 24-bit BMP drawing to a PNG with exactly its pixels', async () => {
			// Flat areas, as in a chart or a diagram: each 40 px square one colour.
			const bmp = encodeBmp({ width: 1200, height: 800, bpp: 24, pixel: (x, y) => (Math.floor(x / 40) + Math.floor(y / 40)) % 2 ? [255, 255, 255, 255] : [Math.floor(x / 40) * 8, Math.floor(y / 40) * 12, 90, 255] });
			assert.ok(bmp.length > SERVICE_LIMITS.fileBytes * 2);
			const prepared = await prepareImage(bmp, converter);
			assertSendable(prepared);
			assert.equal(prepared.mimeType, 'image/png');
			assert.match(prepared.fitted!.note, /^converted BMP → PNG, 2\.7 MB → \d+ kB$/);
			const source = decodeBmp(bmp);
			const sent = withImages(keep => keep(vips.Image.newFromBuffer(prepared.bytes)).writeToMemory() as Uint8Array);
			assert.ok(Buffer.from(sent).equals(Buffer.from(source.data)), 'lossless');
		});

		it('converts a large 32-bit BMP photo to JPEG', async () => {
			const photo = withImages(keep => keep(keep(vips.Image.newFromBuffer(photoJpeg(vips, 2000, 1500))).copyMemory()).writeToMemory() as Uint8Array);
			const bmp = encodeBmp({ width: 2000, height: 1500, bpp: 32, pixel: (x, y) => { const at = (y * 2000 + x) * 3; return [photo[at]!, photo[at + 1]!, photo[at + 2]!, 255]; } });
			const prepared = await prepareImage(bmp, converter);
			assertSendable(prepared);
			assert.equal(prepared.mimeType, 'image/jpeg');
			assert.deepEqual([prepared.fitted!.sent.width, prepared.fitted!.sent.height], [2000, 1500]);
		});

		it('uses the first frame of an animated GIF and the first page of a TIFF, and says so', async () => {
			const [gif, tiff] = withImages(keep => {
				const frame = (value: number) => keep(keep(keep(vips.Image.black(320, 200, { bands: 3 })).add([value, value, value])).cast('uchar'));
				const frames = keep(vips.Image.arrayjoin([frame(10), frame(240), frame(128)], { across: 1 }));
				const animated = keep(frames.copy());
				animated.setInt('page-height', 200);
				return [animated.gifsaveBuffer(), animated.tiffsaveBuffer()];
			});
			for (const [file, what] of [[gif, 'frames'], [tiff, 'pages']] as const) {
				const prepared = await prepareImage(file, converter);
				assertSendable(prepared);
				assert.deepEqual([prepared.fitted!.sent.width, prepared.fitted!.sent.height], [320, 200]);
				assert.match(prepared.fitted!.note, new RegExp(`; only the first of its 3 ${what} is analyzed$`));
				assert.deepEqual(prepared.fitted!.warnings, [what === 'frames' ? { code: 'firstFrame', frames: 3 } : { code: 'firstPage', pages: 3 }]);
				// GIF's palette moves the grey levels a little; the first frame stays the darkest by far.
				const first = withImages(keep => keep(vips.Image.newFromBuffer(prepared.bytes)).avg());
				assert.ok(first < 100, `the first frame, the dark one: ${first}`);
			}
		});

		it('fits a 15 MB uncompressed TIFF photo (wasm-vips streams files over 12 MB rather than copying them)', async () => {
			const tiff = withImages(keep => keep(keep(vips.Image.newFromBuffer(photoJpeg(vips, 2600, 2000))).copyMemory()).tiffsaveBuffer());
			assert.ok(tiff.length > 12 * 1024 * 1024, `${tiff.length} bytes`);
			const prepared = await prepareImage(tiff, converter);
			assertSendable(prepared);
			assert.equal(prepared.mimeType, 'image/jpeg');
			assert.match(prepared.fitted!.note, /^converted TIFF → JPEG, resized 2600×2000 → 2560×1969, 15 MB → /);
		});

		it(kind === 'native' ? 'draws an SVG at a readable size, as PNG, its text too' : 'draws an SVG at a readable size, as PNG, warning that its text is not drawn', async () => {
			const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150"><rect width="300" height="150" fill="#fff"/><circle cx="75" cy="75" r="50" fill="#c00"/><text x="150" y="80" font-size="30">Invoice</text></svg>');
			const prepared = await prepareImage(svg, converter);
			assertSendable(prepared);
			assert.equal(prepared.mimeType, 'image/png');
			assert.deepEqual(prepared.fitted!.geometry, { sent: { width: 1600, height: 800 }, upright: { width: 300, height: 150 } });
			// The text's box, right of the circle: ink where the word is drawn, white where it is not.
			const textInk = withImages(keep => 255 - keep(keep(vips.Image.newFromBuffer(prepared.bytes)).extractArea(800, 260, 700, 200)).avg());
			if (kind === 'native') {
				assert.match(prepared.fitted!.note, /^converted SVG → PNG, resized 300×150 → 1600×800, [^;]*$/);
				assert.deepEqual(prepared.fitted!.warnings, []);
				assert.ok(textInk > 5, `the word is drawn: ${textInk.toFixed(1)} of 255 ink on average`);
			} else {
				assert.match(prepared.fitted!.note, /^converted SVG → PNG, resized 300×150 → 1600×800, .*; its <text> elements are not drawn/);
				assert.deepEqual(prepared.fitted!.warnings, [{ code: 'svgText' }]);
				assert.deepEqual(summarizeFit(prepared.fitted!).warnings, [{ code: 'svgText' }], 'kept with the result, for the panel');
				assert.ok(textInk < 1, `no text drawn: ${textInk.toFixed(1)}`);
			}
		});
	});

	describe('failures fail one image, clearly', () => {
		it('says a photo cut off in its image data is truncated', async () => {
			const cut = photo12.subarray(0, Math.floor(photo12.length / 2));
			await assert.rejects(prepareImage(cut, converter), error('decode', /^could not be decoded: .*(premature|truncated|end of)/i));
			// The converter carries on with the next image.
			assertSendable(await prepareImage(photoJpeg(vips, 1200, 900, { quality: 100, grain: 30 }), converter));
		});

		it('refuses, inside the worker too, a PNG claiming 100,000×100,000 pixels, without decoding it', async () => {
			const bomb = Buffer.alloc(33);
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(bomb);
			bomb.write('IHDR', 12, 'latin1');
			bomb.writeUInt32BE(100_000, 16);
			bomb.writeUInt32BE(100_000, 20);
			bomb[24] = 8;
			bomb[25] = 2;
			const started = Date.now();
			await assert.rejects(converter.fit({ bytes: bomb, format: 'png' }), (err: unknown) => err instanceof ImageError && (err.code === 'limit' || err.code === 'decode'));
			assert.ok(Date.now() - started < 2000, 'refused at once');
		});

		it('cancels a conversion in progress, and the next image gets a fresh worker', async () => {
			const controller = new AbortController();
			const pending = converter.fit({ bytes: photo12, format: 'jpeg' }, controller.signal);
			setTimeout(() => controller.abort(), 30);
			await assert.rejects(pending, error('cancelled', /cancelled/));
			const next = await prepareImage(photoJpeg(vips, 1000, 800, { orientation: 3 }), converter);
			assertSendable(next);
		});

		if (kind === 'wasm') it('fails with a clear message when the image library cannot load', async () => {
			const broken = new WasmConverter({ workerPath, vipsPath: path.join(dir, 'missing', 'vips-node.js') });
			try {
				await assert.rejects(broken.fit({ bytes: photo12, format: 'jpeg' }), error('converter', /^could not be converted: the image library did not load/));
			} finally {
				await broken.dispose();
			}
		});

		if (kind === 'wasm') it('ends an idle worker, and starts a new one for the next image', async () => {
			const brief = new WasmConverter({ workerPath, vipsPath: VIPS_PATH, idleMs: 200 });
			try {
				await brief.fit({ bytes: photoJpeg(vips, 400, 300), format: 'jpeg' });
				assert.equal(brief.active, true);
				await new Promise(resolve => setTimeout(resolve, 600));
				assert.equal(brief.active, false, 'the worker ended');
				const again = await brief.fit({ bytes: photoJpeg(vips, 400, 300), format: 'jpeg' });
				assert.equal(again.width, 400);
			} finally {
				await brief.dispose();
			}
		});
	});

	if (kind === 'wasm') describe('the pool of workers', () => {
		it('fits images side by side, and replaces a worker done with its image when memory nears the budget', async () => {
			const MB = 1024 * 1024;
			let resident = 100 * MB;
			const pool = new WasmConverter({ workerPath, vipsPath: VIPS_PATH, workers: 2, memoryBudgetMb: 512, residentBytes: () => resident });
			try {
				const photo = () => ({ bytes: photoJpeg(vips, 1200, 900, { orientation: 6 }), format: 'jpeg' as const });
				const side = await Promise.all([photo(), photo(), photo(), photo()].map(request => pool.fit(request)));
				assert.ok(side.every(r => r.width === 900 && r.height === 1200), 'each turned upright');
				assert.deepEqual(pool.counts, { started: 2, recycled: 0 }, 'two workers, kept');
				resident = 500 * MB;
				await pool.fit(photo());
				assert.equal(pool.counts.recycled, 1, 'the worker that grew the process past the line is replaced');
				resident = 100 * MB;
				assert.equal((await pool.fit(photo())).width, 900);
			} finally {
				await pool.dispose();
			}
		});
	});

	if (kind === 'wasm') describe('memory', () => {
		// The budget of a folder run is the benchmark's (`npm run bench folder`: the whole process within
		// 512 MB). Here the bound is a guard against gross regressions (an operation cache left on, a
		// second decode held, two workers at once): two fits usually peak at 310–345 MB, but a run of the
		// whole integration suite has seen 534 MB once, as freed memory returns to the system later.
		it('fits the 12 MP photo twice in a fresh process whose peak RSS stays under 640 MB', async () => {
			const file = path.join(dir, 'photo-12mp-o6.jpg');
			fs.writeFileSync(file, photo12);
			const script = await buildFitScript(dir);
			const { stdout } = await run(process.execPath, [script, workerPath, VIPS_PATH, '2', file], { maxBuffer: 1 << 20 });
			const report = JSON.parse(stdout) as FitScriptReport;
			assert.equal(report.runs.length, 2);
			for (const r of report.runs) assert.ok(r.bytes <= SERVICE_LIMITS.fileBytes);
			console.log(`      peak RSS ${report.maxRssMb.toFixed(0)} MB`);
			assert.ok(report.maxRssMb < 640, `peak RSS ${report.maxRssMb.toFixed(0)} MB`);
		});
	});
});

describe('images: the native converter\'s process, and WebAssembly when it fails', function () {
	this.timeout(120_000);
	let dir: string;
	let workerPath: string;
	let nativePath: string;
	let vips: VipsModule;

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-native-'));
		[workerPath, vips] = await Promise.all([buildImageWorker(dir), loadVips()]);
		nativePath = await buildImageProcess(dir, { native: true });
	});

	after(() => {
		fs.rmSync(dir, { recursive: true, force: true });
	});

	const photo = (width = 1200, height = 900) => ({ bytes: photoJpeg(vips, width, height, { orientation: 6 }), format: 'jpeg' as const });

	it('fits several images at once, one per core, and says what it runs', async () => {
		const logged: string[] = [];
		const converter = new ImageConverter({ nativePath, wasm: { workerPath, vipsPath: VIPS_PATH }, log: line => logged.push(line) });
		try {
			assert.equal(converter.library, 'native');
			assert.equal(converter.parallelism, os.availableParallelism());
			const fitted = await Promise.all([photo(), photo(), photo(), photo()].map(request => converter.fit(request)));
			assert.ok(fitted.every(r => r.width === 900 && r.height === 1200 && r.mimeType === 'image/jpeg'), 'each turned upright');
			assert.deepEqual(logged.length, 1, logged.join('\n'));
			assert.match(logged[0]!, /^Images: converted with native libvips 8\.\d+\.\d+, sharp 0\.\d+\.\d+, in its own process\.$/);
		} finally {
			await converter.dispose();
		}
	});

	it('uses WebAssembly, saying why, where native libvips cannot load', async () => {
		// Not under `dir`, whose node_modules/ holds the native packages.
		const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'images-universal-'));
		const logged: string[] = [];
		const converter = new ImageConverter({ nativePath: await buildImageProcess(bare, { native: false }), wasm: { workerPath, vipsPath: VIPS_PATH }, log: line => logged.push(line) });
		try {
			const fitted = await Promise.all([photo(), photo()].map(request => converter.fit(request)));
			assert.ok(fitted.every(r => r.width === 900), 'both fitted, by WebAssembly');
			assert.equal(converter.library, 'wasm');
			assert.equal(logged.length, 1, logged.join('\n'));
			assert.match(logged[0]!, /^Images: native libvips cannot be used here \(Could not load the "sharp" module using the linux-x64 runtime\); images are converted with libvips in WebAssembly, which is slower\.$/);
		} finally {
			await converter.dispose();
			fs.rmSync(bare, { recursive: true, force: true });
		}
	});

	it('fits the image with WebAssembly when the process dies under it, tries a new process once, then keeps to WebAssembly', async () => {
		const logged: string[] = [];
		const converter = new ImageConverter({ nativePath, wasm: { workerPath, vipsPath: VIPS_PATH }, log: line => logged.push(line) });
		const native = (converter as unknown as { native: NativeConverter | undefined }).native!;
		try {
			await converter.fit(photo(400, 300));
			const big = { bytes: photoJpeg(vips, 4000, 3000, { grain: 30 }), format: 'jpeg' as const };
			for (let crash = 1; crash <= 2; crash++) {
				// Two images in progress: one crash, however many images it takes with it.
				const pending = [converter.fit(big), converter.fit({ ...big })];
				// Killed as a native crash would end it: mid-image, no goodbye.
				await new Promise(resolve => setTimeout(resolve, 60));
				process.kill(native.pid!, 'SIGSEGV');
				for (const fitted of await Promise.all(pending)) {
					assert.deepEqual([fitted.width, fitted.height], [2560, 1920], `crash ${crash}: each image is fitted all the same`);
				}
				assert.equal(converter.library, crash === 1 ? 'native' : 'wasm');
			}
			assert.equal(logged.length, 3, logged.join('\n'));
			assert.match(logged[1]!, /^Images: the native image converter stopped \(signal SIGSEGV\); its images are converted with libvips in WebAssembly, the next in a new native process\.$/);
			assert.match(logged[2]!, /^Images: native libvips cannot be used here \(.*stopped \(signal SIGSEGV\)\); images are converted with libvips in WebAssembly, which is slower\.$/);
			assert.equal(native.counts.started, 2, 'one new process after the first crash');
		} finally {
			await converter.dispose();
		}
	});

	it('sends one image ahead to wait in the process; cancelled there, it is answered at once and the next takes its place', async () => {
		const converter = new NativeConverter({ processPath: nativePath, jobs: 1 });
		try {
			await converter.warm();
			const big = { bytes: photoJpeg(vips, 4000, 3000, { grain: 30 }), format: 'jpeg' as const };
			const first = converter.fit(big);
			const controller = new AbortController();
			const ahead = converter.fit(photo(), controller.signal);
			const third = converter.fit(photo(400, 300));
			await new Promise(resolve => setTimeout(resolve, 30));
			controller.abort();
			await assert.rejects(ahead, error('cancelled', /cancelled/));
			assert.deepEqual([(await first).width, (await third).width], [2560, 300], 'the one in progress and the next are fitted');
			assert.deepEqual(converter.counts, { started: 1, died: 0 }, 'in the same process');
		} finally {
			await converter.dispose();
		}
	});

	it('answers a cancelled image at once, ending the process no one waits for; ends it too after a while without work', async () => {
		const converter = new NativeConverter({ processPath: nativePath, idleMs: 300 });
		try {
			// Loaded first, so that the image is in progress when it is cancelled.
			await converter.warm();
			const controller = new AbortController();
			const pending = converter.fit({ bytes: photoJpeg(vips, 4000, 3000), format: 'jpeg' }, controller.signal);
			setTimeout(() => controller.abort(), 30);
			await assert.rejects(pending, error('cancelled', /cancelled/));
			assert.equal(converter.active, false, 'the process went with the image it was fitting for no one');
			assert.equal((await converter.fit(photo(400, 300))).width, 300, 'a new process fits the next image');
			assert.equal(converter.active, true);
			await new Promise(resolve => setTimeout(resolve, 1500));
			assert.equal(converter.active, false, 'the process ended');
			assert.equal((await converter.fit(photo(400, 300))).width, 300, 'and a new one fits the next image');
			assert.deepEqual(converter.counts, { started: 3, died: 0 });
		} finally {
			await converter.dispose();
		}
	});
});
