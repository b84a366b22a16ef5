/**
 * One of the WebAssembly converter's worker threads: loads wasm-vips once, warms it up, and fits
 * one image at a time. libvips calls are synchronous and take hundreds of milliseconds, which is why they run
 * here and not on the extension host's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { phrase } from '../../shared/phrase';
import { ImageError } from '../errors';
import { fitImage } from './fitImage';
import { vipsLibrary, vipsMessage, type VipsModule } from './vipsLibrary';
import type { FromWorker, ToWorker, WorkerData } from './converterProtocol';

const port = parentPort;
if (!port) throw new Error('worker.js runs as a worker thread only');
const data = workerData as WorkerData;

const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

/** Above this, an image is fitted with one libvips thread whatever the pool allows (see below). */
const TWO_THREADS_MAX_PIXELS = 24_000_000;

const vips: Promise<VipsModule> = loadVips(data);
vips.then(() => send({ type: 'ready' }), (err: unknown) => send({ type: 'broken', message: vipsMessage(err) }));

port.on('message', (message: ToWorker) => {
	switch (message.type) {
		case 'fit':
			void vips.then(async module => {
				const started = performance.now();
				// A second thread resizes while the first decodes (25–30 % faster on a 12 MP photo) when a core
				// is free for it. Large photos decode at a fraction of their size (shrink-on-load), so it gains
				// nothing there and would cost its buffers.
				module.concurrency((message.request.pixels ?? 0) > TWO_THREADS_MAX_PIXELS ? 1 : Math.max(1, Math.min(2, message.threads)));
				try {
					const result = await fitImage(vipsLibrary(module), message.request);
					send({ type: 'fitted', id: message.id, result, ms: performance.now() - started }, [result.bytes.buffer as ArrayBuffer]);
				} catch (err) {
					const error = err instanceof ImageError ? err : new ImageError('decode', phrase('could not be converted: {0}', vipsMessage(err)));
					// What a failed decode left behind is unknown: a fresh worker for the next image.
					send({ type: 'failed', id: message.id, code: error.code, message: error.predicate, recycle: error.code === 'decode' || error.code === 'converter' });
				}
			}, (err: unknown) => send({ type: 'failed', id: message.id, code: 'converter', message: phrase('could not be converted: the image library did not load ({0})', vipsMessage(err)), recycle: true }));
			break;
	}
});

async function loadVips(options: WorkerData): Promise<VipsModule> {
	// A plain require of the file shipped beside the bundle: bundling wasm-vips breaks its own threads.
	const factory = require(options.vipsPath) as (options: object) => Promise<VipsModule>;
	const module = await factory({
		// HEIF and JPEG XL (6 MB) are never loaded: those formats are not converted.
		dynamicLibraries: options.svg ? ['vips-resvg.wasm'] : [],
		// libvips' warnings (a damaged EXIF block, …) would go to the extension host's stderr; failures arrive as exceptions.
		print: () => undefined,
		printErr: () => undefined,
		// The threads print libvips' warnings themselves; this turns them off at the source.
		preRun: (runtime: { ENV: Record<string, string> }) => {
			runtime.ENV.VIPS_WARNING = '0';
		},
	});
	// Without this, libvips keeps every decoded image in its operation cache until memory runs out.
	module.Cache.max(0);
	closeFileSystem();
	// Each libvips thread is a worker with its own JavaScript heap (≈ 28 MB) and buffers: the default,
	// one per core, would cost hundreds of MB on a 16-core machine. Warmed with one; a job may ask for two.
	module.concurrency(1);
	warmUp(module);
	return module;
}

/** One small image through each path, so threads exist and the hot code is compiled before a real job. */
function warmUp(module: VipsModule): void {
	const made = module.Image.gaussnoise(256, 256);
	const image = made.cast('uchar');
	const jpeg = image.jpegsaveBuffer({ Q: 80 });
	const thumbnail = module.Image.thumbnailBuffer(jpeg, 128);
	// A thumbnail can be read once (sequentially): saving twice needs it in memory.
	const pixels = thumbnail.copyMemory();
	pixels.jpegsaveBuffer({ Q: 80 });
	pixels.pngsaveBuffer();
	for (const handle of [made, image, thumbnail, pixels]) handle.delete();
}

/**
 * wasm-vips reaches the host's files directly (Emscripten's NODERAWFS), and its SVG renderer
 * draws whatever an <image href="/home/…/private.png"> names into the picture that is sent.
 * Once libvips and its plug-ins are loaded, this thread needs no file: every read is refused, so
 * a file can only ever be converted from its own bytes.
 */
function closeFileSystem(): void {
	const fs = require('node:fs') as Record<string, unknown>;
	const refuse = (): never => {
		throw Object.assign(new Error('file access is closed in the image converter'), { code: 'EACCES' });
	};
	for (const name of ['openSync', 'readFileSync', 'statSync', 'lstatSync', 'fstatSync', 'readdirSync', 'readlinkSync', 'realpathSync', 'accessSync', 'existsSync', 'open', 'readFile', 'stat', 'lstat']) {
		if (typeof fs[name] === 'function') fs[name] = refuse;
	}
}
