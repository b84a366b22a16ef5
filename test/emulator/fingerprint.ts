/**
 * A perceptual fingerprint that survives what fitting does to an image (resizing, JPEG at any
 * usual quality, PNG↔JPEG) but tells different pictures apart: the upright image squeezed to a
 * 16×16 grey grid, with its mean and contrast taken out, plus the image's aspect ratio.
 *
 * Distance is 1 − the Pearson correlation of two grids (0 = the same picture, 1 = unrelated,
 * 2 = a negative). Measured on the sample fixtures: fitted versions (0.3–2× size, JPEG q50–q85,
 * PNG↔JPEG, turned) stay ≤ 0.01; two different fixtures in any orientation stay ≥ 0.23.
 */

import { ORIENTATIONS, Orientation, Size, orientPoint, orientedSize } from './transform';

export const GRID = 16;

/** Nearest recording farther than this is not a match. */
export const MATCH_THRESHOLD = 0.08;

/**
 * How far apart two aspect ratios may be, as |ln(a / b)|, beyond the rounding of a one-pixel
 * side: fitting keeps the aspect, cropping does not.
 */
const ASPECT_TOLERANCE = 0.02;

export interface Fingerprint {
	/** Upright pixel size of the image it was taken from. */
	size: Size;
	/** GRID × GRID values, row by row, zero mean and unit variance (all zero for a flat image). */
	cells: Float64Array;
}

/** From a GRID × GRID grey thumbnail of the upright image. */
export function fingerprintOf(grey: ArrayLike<number>, size: Size): Fingerprint {
	if (grey.length !== GRID * GRID) throw new RangeError(`a fingerprint needs ${GRID * GRID} grey values, got ${grey.length}`);
	const count = grey.length;
	let sum = 0;
	for (let i = 0; i < count; i++) sum += grey[i];
	const mean = sum / count;
	const cells = new Float64Array(count);
	let squares = 0;
	for (let i = 0; i < count; i++) {
		cells[i] = grey[i] - mean;
		squares += cells[i] * cells[i];
	}
	const deviation = Math.sqrt(squares / count);
	if (deviation > 0) for (let i = 0; i < count; i++) cells[i] /= deviation;
	return { size: { ...size }, cells };
}

/** The fingerprint of the same image stored with `orientation` (see transform.ts). */
export function orientFingerprint(print: Fingerprint, orientation: Orientation): Fingerprint {
	const cells = new Float64Array(print.cells.length);
	// Cell indices move like the points of a (GRID − 1)-sized square image: the grid stays GRID × GRID.
	const last = { width: GRID - 1, height: GRID - 1 };
	for (let y = 0; y < GRID; y++) {
		for (let x = 0; x < GRID; x++) {
			const to = orientPoint({ x, y }, last, orientation);
			cells[to.y * GRID + to.x] = print.cells[y * GRID + x];
		}
	}
	return { size: orientedSize(print.size, orientation), cells };
}

/** 1 − correlation; a flat image (no contrast) is 0.5 from everything, itself included. */
export function fingerprintDistance(a: Fingerprint, b: Fingerprint): number {
	let squares = 0;
	for (let i = 0; i < a.cells.length; i++) {
		const d = a.cells[i] - b.cells[i];
		squares += d * d;
	}
	return squares / a.cells.length / 2;
}

export function aspectsMatch(a: Size, b: Size): boolean {
	const rounding = 1 / Math.min(a.width, a.height, b.width, b.height);
	return Math.abs(Math.log((a.width / a.height) / (b.width / b.height))) <= ASPECT_TOLERANCE + rounding;
}

/** A recording's fingerprint in all eight orientations, computed once. */
export type OrientedPrints = ReadonlyMap<Orientation, Fingerprint>;

export function allOrientations(upright: Fingerprint): OrientedPrints {
	return new Map(ORIENTATIONS.map(orientation => [orientation, orientFingerprint(upright, orientation)]));
}

export interface Candidate<T> {
	key: T;
	prints: OrientedPrints;
}

export interface Nearest<T> {
	key: T;
	orientation: Orientation;
	distance: number;
}

/**
 * The closest candidate orientation whose aspect ratio fits, matched or not (so a miss can say
 * how close it came); the identity wins a tie, so a symmetric picture is not turned needlessly.
 */
export function nearest<T>(received: Fingerprint, candidates: Iterable<Candidate<T>>): Nearest<T> | undefined {
	let best: Nearest<T> | undefined;
	for (const candidate of candidates) {
		for (const [orientation, print] of candidate.prints) {
			if (!aspectsMatch(received.size, print.size)) continue;
			const distance = fingerprintDistance(received, print);
			if (best === undefined || distance < best.distance) best = { key: candidate.key, orientation, distance };
		}
	}
	return best;
}
