/**
 * Bad files through the real image path — prepareImage with the converter's worker thread, as
 * the extension runs it: empty, cut off, lying about their size, decompression bombs, not images
 * at all, SVGs that point outside themselves. All of them go in one batch with two good images,
 * as a folder analysis would send them: each bad one fails alone with a sentence that names it,
 * the good ones still prepare, nothing is fetched or read from elsewhere, and the process's
 * memory stays bounded throughout.
 */
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32, createDeflate } from 'node:zlib';
import { ImageConverter } from '../../src/images/converter/converter';
import { WasmConverter } from '../../src/images/converter/wasmConverter';
import { ImageError } from '../../src/images/errors';
import { readHeader } from '../../src/images/header';
import { SERVICE_LIMITS } from '../../src/images/plan';
import { prepareImage, type PreparedImage } from '../../src/images/prepareImage';
import { pngWithSize, tinyPng } from '../emulator/testImages';
import { fixtureBytes } from '../support/fixtures';
import { buildImageProcess, buildImageWorker, encodeBmp, VIPS_PATH } from '../unit/imagesHarness';

/**
 * How much the batch may add to the process's resident memory, the converter's worker already
 * running: about three times what it adds (≈ 100 MB measured, worker restarts included), less
 * than decoding the 17,000×17,000 bomb in full would (289 MB even as greyscale). Measured as
 * growth, since the suites before this one in the same process leave their own memory behind.
 */
const RSS_GROWTH_LIMIT_MB = 300;

interface BadFile {
	name: string;
	bytes: Uint8Array;
}

type Outcome = { prepared: PreparedImage } | { error: unknown };

for (const kind of ['native', 'wasm'] as const) describe(`bad files through the image converter: ${kind === 'native' ? 'native libvips in its own process' : 'wasm-vips in worker threads'}`, function () {
	this.timeout(180_000);
	let dir: string;
	let converter: ImageConverter | WasmConverter;
	const logged: string[] = [];
	let server: Server;
	let fetched: string[];
	let files: BadFile[];
	const outcomes = new Map<string, Outcome>();
	let baselineRssMb = 0;
	let peakRssMb = 0;
	/** The SVGs' picture when nothing outside them is drawn. */
	let plainSvg: Uint8Array;

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-files-'));
		fetched = [];
		server = createServer((req, res) => {
			fetched.push(req.url ?? '');
			res.writeHead(200, { 'content-type': 'image/png' }).end(tinyPng(64, 64, 1));
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		// A colourful local picture an SVG may name: drawn, it would change the SVG's pixels.
		const localPicture = path.join(dir, 'private.png');
		fs.writeFileSync(localPicture, tinyPng(128, 128, 7));

		const workerPath = await buildImageWorker(dir);
		converter = kind === 'native'
			? new ImageConverter({ nativePath: await buildImageProcess(dir, { native: true }), wasm: { workerPath, vipsPath: VIPS_PATH }, log: line => logged.push(line) })
			: new WasmConverter({ workerPath, vipsPath: VIPS_PATH });
		plainSvg = (await prepareImage(svg(''), converter)).bytes;

		files = [
			{ name: 'empty.png', bytes: new Uint8Array(0) },
			{ name: 'cut-in-header.jpg', bytes: fixtureBytes('broken.jpg') },
			{ name: 'cut-in-data.jpg', bytes: fixtureBytes('faces.jpg').subarray(0, 24_000) },
			{ name: 'cut-in-data-rotated.jpg', bytes: withOrientation(fixtureBytes('faces.jpg'), 6).subarray(0, 24_000) },
			{ name: 'bomb-header.png', bytes: pngWithSize(100_000, 100_000) },
			{ name: 'bomb-zeros.png', bytes: await zeroPng(17_000) },
			{ name: 'one-pixel.png', bytes: tinyPng(1, 1) },
			{ name: 'one-by-100000.png', bytes: tinyPng(1, 100_000) },
			{ name: 'text.png', bytes: Buffer.from('hello, this is a text file\n') },
			{ name: 'page.png', bytes: Buffer.from('<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>') },
			{ name: 'not-an-image.png', bytes: fixtureBytes('not-an-image.png') },
			{ name: 'huge-screen.gif', bytes: gif({ screen: [65_535, 65_535], frame: [1, 1] }) },
			{ name: 'huge-frame.gif', bytes: gif({ screen: [1, 1], frame: [60_000, 60_000] }) },
			{ name: 'small-screen-big-frame.gif', bytes: gif({ screen: [16, 16], frame: [4_000, 4_000] }) },
			{ name: 'huge-canvas.webp', bytes: webpWithCanvas(16_384, 16_384) },
			{ name: 'http-image.svg', bytes: svg(`<image width="400" height="300" href="${origin}/leak.png"/><image width="400" height="300" xlink:href="${origin}/leak2.png"/><use href="${origin}/defs.svg#a"/><style>@import url(${origin}/style.css);</style>`) },
			{ name: 'local-image.svg', bytes: svg(`<image width="400" height="300" href="${localPicture}"/><image width="400" height="300" xlink:href="file://${localPicture}"/>`) },
			{ name: 'billion-laughs.svg', bytes: svg('<text>&lol9;</text>', BILLION_LAUGHS) },
			{ name: 'external-entity.svg', bytes: svg('<text>&secret;</text>', '<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/hostname">]>') },
			{ name: 'good-photo.jpg', bytes: fixtureBytes('faces.jpg') },
			{ name: 'good-drawing.bmp', bytes: encodeBmp({ width: 300, height: 200, bpp: 24, pixel: x => x < 150 ? [200, 30, 30, 255] : [30, 30, 200, 255] }) },
		];

		baselineRssMb = process.memoryUsage().rss / 1_048_576;
		peakRssMb = baselineRssMb;
		const sampler = setInterval(() => {
			peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 1_048_576);
		}, 25);
		try {
			// All at once, as a folder's images reach the converter: it takes them one at a time.
			const settled = await Promise.allSettled(files.map(file => prepareImage(file.bytes, converter)));
			settled.forEach((result, i) => outcomes.set(files[i]!.name, result.status === 'fulfilled' ? { prepared: result.value } : { error: result.reason }));
		} finally {
			clearInterval(sampler);
		}
	});

	after(async () => {
		await converter?.dispose();
		if (kind === 'native') assert.deepEqual(logged.filter(line => /WebAssembly/.test(line)), [], 'no image fell back to WebAssembly');
		if (server) {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		}
		fs.rmSync(dir, { recursive: true, force: true });
	});

	/** What the sentence adds after the predicate, saying what to do; the other codes' predicates say it. */
	const HINTS: Partial<Record<ImageError['code'], string>> = {
		empty: 'If it is still being saved or downloaded, try again when it is complete.',
		truncated: 'It was cut short: copy or download it again.',
		decode: 'Open it in an image editor and save it again as JPEG or PNG.',
	};

	/** The ImageError of `name`: its predicate matches `pattern`; its sentence names the file, then says what to do. */
	function refused(name: string, code: ImageError['code'], pattern: RegExp): string {
		const outcome = outcomes.get(name);
		assert.ok(outcome && 'error' in outcome, `${name} was prepared`);
		const err = outcome.error;
		assert.ok(err instanceof ImageError, `${name}: an ImageError, got ${String(err)}`);
		const sentence = err.sentence(name);
		assert.equal(err.code, code, sentence);
		assert.match(err.message, pattern);
		assert.equal(sentence, HINTS[code] ? `${name} ${err.message}. ${HINTS[code]}` : `${name} ${err.message}`);
		return sentence;
	}

	function prepared(name: string): PreparedImage {
		const outcome = outcomes.get(name);
		assert.ok(outcome && 'prepared' in outcome, `${name} failed: ${outcome && 'error' in outcome ? String(outcome.error) : 'not run'}`);
		const { bytes, mimeType } = outcome.prepared;
		const header = readHeader(bytes);
		assert.equal(header.format, mimeType === 'image/jpeg' ? 'jpeg' : 'png');
		assert.ok(bytes.length <= SERVICE_LIMITS.fileBytes, 'within 1 MB');
		assert.ok(header.width! * header.height! <= SERVICE_LIMITS.pixels, 'within 20 MP');
		return outcome.prepared;
	}

	describe('each fails alone, saying what is wrong', () => {
		it('an empty file', () => {
			refused('empty.png', 'empty', /^is empty \(0 bytes\)$/);
		});

		it('a JPEG cut off before its frame header', () => {
			refused('cut-in-header.jpg', 'truncated', /^is a truncated JPEG: it ends after 637 bytes, before the frame header that gives the image size$/);
		});

		it('a JPEG cut off in its image data that must be turned upright: the decoder says it ends early', () => {
			refused('cut-in-data-rotated.jpg', 'decode', /^could not be decoded: .*(premature|truncated|end of)/i);
		});

		it('a PNG whose header claims 100,000×100,000 pixels: refused from the header, never decoded', () => {
			refused('bomb-header.png', 'limit', /^is 100,000×100,000 = 10,000 MP, too large to convert safely \(at most 300 MP\); scale it down first$/);
		});

		it('text, an HTML page and another text file named .png', () => {
			refused('text.png', 'unsupported', /^is not an image this extension reads \(it starts with the bytes 68 65 6C 6C 6F 2C 20 74\); it reads JPEG, PNG, PDF, WEBP, GIF, BMP, TIFF and SVG$/);
			refused('page.png', 'unsupported', /^is an HTML page, not an image$/);
			refused('not-an-image.png', 'unsupported', /^is not an image this extension reads/);
		});

		it('a GIF whose screen claims 65,535×65,535: refused from the header', () => {
			refused('huge-screen.gif', 'limit', /^is 65,535×65,535 = 4,295 MP, too large to convert safely/);
		});

		it('a GIF whose 1×1 screen holds a 60,000×60,000 frame: refused by the converter before decoding', () => {
			refused('huge-frame.gif', 'limit', /^is 60,000×60,000 pixels, too large to convert safely \(at most 300 MP\); scale it down first$/);
		});

		it('a GIF whose frame is larger than its screen, with no pixel data', () => {
			refused('small-screen-big-frame.gif', 'decode', /^could not be decoded: /);
		});

		it('a WEBP whose canvas claims 16,384×16,384 around a 1×1 image', () => {
			refused('huge-canvas.webp', 'decode', /^could not be decoded: webp: /);
		});

		it('an SVG whose entities expand a billion times, and one with an external entity', () => {
			// libxml2's refusal as librsvg reports it; wasm-vips' build says less.
			const parse = kind === 'native' ? /^could not be decoded: glib: XML parse error: .*(amplification|entity)/i : /^could not be decoded: svgload_buffer: failed to parse SVG data$/;
			refused('billion-laughs.svg', 'decode', parse);
			refused('external-entity.svg', 'decode', parse);
		});
	});

	describe('what the service takes goes as it is', () => {
		it('a 1×1 PNG: within every documented limit (the contract sets no minimum size), so sent untouched', () => {
			const image = prepared('one-pixel.png');
			assert.equal(image.fitted, undefined);
			assert.deepEqual([image.header.width, image.header.height], [1, 1]);
		});

		it('a 1×100,000 PNG: 0.1 MP and a few kB, sent untouched', () => {
			const image = prepared('one-by-100000.png');
			assert.equal(image.fitted, undefined);
			assert.deepEqual([image.header.width, image.header.height], [1, 100_000]);
		});

		it('a JPEG cut off in its image data but with an intact header: not decoded here, so sent (the service answers "Can\'t decode Image" for it alone)', () => {
			const image = prepared('cut-in-data.jpg');
			assert.equal(image.fitted, undefined);
			assert.equal(image.bytes.length, 24_000);
		});

		it('a real decompression bomb within the decoding limit, 17,000×17,000 from a few hundred kB: fitted to 4096×4096 in bounded memory', () => {
			const image = prepared('bomb-zeros.png');
			assert.ok(image.header.bytes < 400_000, `${image.header.bytes} bytes`);
			assert.deepEqual([image.fitted?.sent.width, image.fitted?.sent.height], [4096, 4096]);
		});
	});

	describe('SVG references outside the file', () => {
		it('fetches nothing an SVG links to over the network', () => {
			assert.deepEqual(fetched, []);
			assert.ok(Buffer.from(prepared('http-image.svg').bytes).equals(plainSvg), 'drawn as if the references were not there');
		});

		it('reads no local file an SVG names, by path or file: URL', () => {
			assert.ok(Buffer.from(prepared('local-image.svg').bytes).equals(plainSvg), 'the local picture is not drawn into what is sent');
		});
	});

	describe('the batch as a whole', () => {
		it('prepares the good images among the bad ones', () => {
			const photo = prepared('good-photo.jpg');
			assert.equal(photo.fitted, undefined, 'a JPEG within the limits goes as it is');
			assert.ok(fixtureBytes('faces.jpg').equals(photo.bytes), 'the file\'s own bytes');
			const drawing = prepared('good-drawing.bmp');
			assert.equal(drawing.mimeType, 'image/png');
			assert.deepEqual([drawing.fitted?.sent.width, drawing.fitted?.sent.height], [300, 200]);
		});

		it('answers every file, with a prepared image or an ImageError', () => {
			for (const file of files) {
				const outcome = outcomes.get(file.name);
				assert.ok(outcome, file.name);
				if ('error' in outcome) assert.ok(outcome.error instanceof ImageError, `${file.name}: ${String(outcome.error)}`);
			}
		});

		it(`adds less than ${RSS_GROWTH_LIMIT_MB} MB to the process's memory at any moment`, () => {
			const growth = peakRssMb - baselineRssMb;
			assert.ok(growth < RSS_GROWTH_LIMIT_MB, `RSS went from ${baselineRssMb.toFixed(0)} MB to ${peakRssMb.toFixed(0)} MB`);
		});
	});
});

// --- Files made for the occasion ---------------------------------------------------------------

/** A 400×300 SVG, black with a red square, plus `inside`; `doctype` before the root. */
function svg(inside: string, doctype = ''): Buffer {
	return Buffer.from(`<?xml version="1.0"?>${doctype}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="300"><rect width="400" height="300" fill="#000"/><rect x="10" y="10" width="50" height="50" fill="#f00"/>${inside}</svg>`);
}

/** Ten levels of ten: 10⁹ copies of "lol" if expanded. */
const BILLION_LAUGHS = (() => {
	let entities = '<!ENTITY lol0 "lol">';
	for (let i = 1; i <= 9; i++) entities += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
	return `<!DOCTYPE svg [${entities}]>`;
})();

/** The JPEG with an EXIF APP1 segment holding only an Orientation tag, right after SOI. */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
	const tiff = Buffer.alloc(26);
	tiff.write('II*\0', 0, 'latin1');
	tiff.writeUInt32LE(8, 4);
	tiff.writeUInt16LE(1, 8);
	tiff.writeUInt16LE(0x0112, 10);
	tiff.writeUInt16LE(3, 12);
	tiff.writeUInt32LE(1, 14);
	tiff.writeUInt16LE(orientation, 18);
	tiff.writeUInt32LE(0, 22);
	const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
	const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
	return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

/**
 * A GIF whose logical screen and first frame have the given sizes, with a two-colour palette and
 * an image that ends at once (a clear code, then end-of-information).
 */
function gif(o: { screen: [number, number]; frame: [number, number] }): Buffer {
	const u16 = (n: number) => [n & 0xff, n >> 8];
	return Buffer.from([
		...Buffer.from('GIF89a', 'latin1'),
		...u16(o.screen[0]), ...u16(o.screen[1]), 0x80, 0, 0,
		0, 0, 0, 255, 255, 255,
		0x2c, 0, 0, 0, 0, ...u16(o.frame[0]), ...u16(o.frame[1]), 0,
		2, 1, 0x2c, 0,
		0x3b,
	]);
}

/** A lossless 1×1 WEBP inside an extended (VP8X) header whose canvas claims `width`×`height`. */
function webpWithCanvas(width: number, height: number): Buffer {
	const onePixel = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
	const vp8x = Buffer.alloc(18);
	vp8x.write('VP8X', 0, 'latin1');
	vp8x.writeUInt32LE(10, 4);
	vp8x[8] = 0x10;
	vp8x.writeUIntLE(width - 1, 12, 3);
	vp8x.writeUIntLE(height - 1, 15, 3);
	const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, onePixel.subarray(12)]);
	const riff = Buffer.alloc(8);
	riff.write('RIFF', 0, 'latin1');
	riff.writeUInt32LE(body.length, 4);
	return Buffer.concat([riff, body]);
}

/** A greyscale PNG of side×side zero pixels: its data compresses about 1,000 to 1. Built row by row, so making it costs no memory. */
async function zeroPng(side: number): Promise<Buffer> {
	const deflate = createDeflate({ level: 9 });
	const compressed: Buffer[] = [];
	deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
	const row = Buffer.alloc(side + 1);
	for (let y = 0; y < side; y++) {
		if (!deflate.write(row)) await once(deflate, 'drain');
	}
	deflate.end();
	await once(deflate, 'end');
	const header = Buffer.alloc(13);
	header.writeUInt32BE(side, 0);
	header.writeUInt32BE(side, 4);
	header[8] = 8;
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', Buffer.concat(compressed)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, crc]);
}
