/**
 * Messages between the extension host and what converts images for it: the WebAssembly
 * converter's worker threads, and the native converter's process.
 */
import type { Wording } from '../../shared/phrase';
import type { ImageErrorCode } from '../errors';
import type { FitRequest, FitResult } from './fitImage';

export interface WorkerData {
	/** Absolute path of wasm-vips' `vips-node.js`; `vips.wasm` and `vips-resvg.wasm` lie beside it. */
	vipsPath: string;
	/** Load the SVG renderer too (a few MB per thread, so only when an SVG comes). */
	svg: boolean;
}

/** `threads`: libvips threads for this image, so that the pool as a whole matches the cores. */
export type ToWorker = { type: 'fit'; id: number; request: FitRequest; threads: number };

export type FromWorker =
	/** libvips is loaded and warmed up. */
	| { type: 'ready' }
	| { type: 'fitted'; id: number; result: FitResult; ms: number }
	/**
	 * `recycle`: what the failure left behind is unknown; the worker should be replaced.
	 * `message`: the ImageError's predicate, as data (see src/shared/phrase.ts).
	 */
	| { type: 'failed'; id: number; code: ImageErrorCode; message: Wording; recycle: boolean }
	/** libvips itself could not load: every job will fail the same way. */
	| { type: 'broken'; message: string };

/**
 * To the native converter's process: fit this image (when one of its places is free); drop one
 * sent ahead that no one waits for any more, unless it has started.
 */
export type ToProcess = { type: 'fit'; id: number; request: FitRequest } | { type: 'drop'; id: number };

export type FromProcess =
	/** sharp loaded: what it runs, for the log. */
	| { type: 'ready'; versions: string }
	| { type: 'fitted'; id: number; result: FitResult; ms: number }
	| { type: 'failed'; id: number; code: ImageErrorCode; message: Wording }
	/** Native libvips could not load here: the process ends. */
	| { type: 'broken'; message: string };
