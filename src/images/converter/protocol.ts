/** Messages between the converter's worker threads and the extension host. */
import type { Wording } from '../../shared/phrase';
import type { ImageErrorCode } from '../errors';
import type { FitRequest, FitResult } from './fitWithVips';

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
