/**
 * The native converter's process: loads sharp (native libvips) and fits the images the extension
 * host sends, at most argv[3] at once; the host sends one more ahead, which waits here, so that a
 * place freed starts the next image without waiting for its bytes to arrive. A crash here — a native library
 * meeting a file it cannot handle, or a clash with the libraries of the process that started it —
 * ends this process only; the host fits the images again with WebAssembly.
 *
 * Usage: forked with an IPC channel (advanced serialization); argv[2] is libvips' threads per image,
 * argv[3] the images fitted at once.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { phrase } from '../../shared/phrase';
import { conversionCancelled, ImageError } from '../errors';
import { fitImage, type ImageLibrary, type Raster } from './fitImage';
import type { FromProcess, ToProcess } from './converterProtocol';
import { sharpLibrary, sharpMessage, type SharpModule } from './sharpLibrary';

const send = (message: FromProcess): void => {
	if (process.connected) process.send!(message);
};

/** The host went away: nothing is left to do. */
process.on('disconnect', () => process.exit(0));

const library = load();

const places = Math.max(1, Number(process.argv[3]) || 1);
const waiting: Extract<ToProcess, { type: 'fit' }>[] = [];
let fitting = 0;

process.on('message', (message: ToProcess) => {
	if (!library) return;
	if (message.type === 'drop') {
		const at = waiting.findIndex(fit => fit.id === message.id);
		if (at < 0) return;
		// Answered, so that its place in the host is free again.
		waiting.splice(at, 1);
		send({ type: 'failed', id: message.id, code: 'cancelled', message: conversionCancelled().predicate });
		return;
	}
	waiting.push(message);
	next();
});

function next(): void {
	while (library && fitting < places && waiting.length > 0) {
		const message = waiting.shift()!;
		fitting++;
		const started = performance.now();
		// Advanced serialization hands over a Uint8Array view, which sharp takes as it is.
		fitImage(library, message.request).then(
			result => send({ type: 'fitted', id: message.id, result, ms: performance.now() - started }),
			(err: unknown) => {
				const error = err instanceof ImageError ? err : new ImageError('decode', phrase('could not be converted: {0}', sharpMessage(err)));
				send({ type: 'failed', id: message.id, code: error.code, message: error.predicate });
			}).finally(() => {
			fitting--;
			collect();
			next();
		});
	}
}

/**
 * Each image leaves tens of MB of buffers behind (the file as received, its pixels between steps),
 * which V8 frees only when its small heap next fills: collected after each image instead (a few
 * milliseconds), the process peaks 20–30 MB lower with 48 MP photos. The collector is reached
 * without a command-line flag, which VS Code's own executable might not pass on.
 */
const collect: () => void = (() => {
	try {
		v8.setFlagsFromString('--expose-gc');
		const gc = vm.runInNewContext('gc') as unknown;
		if (typeof gc === 'function') return gc as () => void;
	} catch {
		// Flags frozen, say: buffers then go when V8 gets to them.
	}
	return () => undefined;
})();

function load(): ImageLibrary<Raster> | undefined {
	try {
		// Bundled with the process; its native part (@img/sharp-<platform>) lies in node_modules beside it.
		const sharp = require('sharp') as SharpModule & { cache(on: boolean): void; concurrency(threads: number): number; versions: Record<string, string> };
		// Each image decoded is used once: a cache would only hold memory.
		sharp.cache(false);
		sharp.concurrency(Math.max(1, Number(process.argv[2]) || 1));
		send({ type: 'ready', versions: `libvips ${sharp.versions.vips}, sharp ${sharp.versions.sharp}` });
		return sharpLibrary(sharp);
	} catch (err) {
		// sharp's message goes on with advice for developers installing it: its first line says why.
		const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
		send({ type: 'broken', message });
		process.disconnect?.();
		return undefined;
	}
}
