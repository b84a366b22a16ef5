/** Messages between the converter's worker thread and the extension host. */
import type { ImageErrorCode } from '../errors';
import type { FitRequest, FitResult } from './fitWithVips';

export interface WorkerData {
	/** Absolute path of wasm-vips' `vips-node.js`; `vips.wasm` and `vips-resvg.wasm` lie beside it. */
	vipsPath: string;
	/** Load the SVG renderer too (a few MB per thread, so only when an SVG comes). */
	svg: boolean;
}

export type ToWorker = { type: 'fit'; id: number; request: FitRequest };

export type FromWorker =
	/** libvips is loaded and warmed up. */
	| { type: 'ready' }
	/** `recycle`: the worker has decoded enough to be replaced (see worker.ts), after this job. */
	| { type: 'fitted'; id: number; result: FitResult; ms: number; recycle: boolean }
	| { type: 'failed'; id: number; code: ImageErrorCode; message: string; recycle: boolean }
	/** libvips itself could not load: every job will fail the same way. */
	| { type: 'broken'; message: string };
