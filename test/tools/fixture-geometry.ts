/**
 * Plane geometry for the sample images' recordings: boxes measured in the browser become the
 * service's polygons — four integer vertices from the top-left corner, counter-clockwise on screen
 * (top-left, bottom-left, bottom-right, top-right).
 */

import type { RecordedPolygon, RecordedVertex } from '../emulator/recording';

export interface Point { x: number; y: number }

/** An axis-aligned box in CSS pixels, as `getBoundingClientRect` gives it. */
export interface Rect { left: number; top: number; right: number; bottom: number }

/** Corners in the service's order: top-left, bottom-left, bottom-right, top-right. */
export type Quad = [Point, Point, Point, Point];

/** A 2D affine transform as CSS writes it: `matrix(a, b, c, d, e, f)`. */
export interface Affine { a: number; b: number; c: number; d: number; e: number; f: number }

export function unionRects(rects: readonly Rect[]): Rect {
	if (rects.length === 0) throw new Error('union of no boxes');
	return {
		left: Math.min(...rects.map(r => r.left)),
		top: Math.min(...rects.map(r => r.top)),
		right: Math.max(...rects.map(r => r.right)),
		bottom: Math.max(...rects.map(r => r.bottom)),
	};
}

export function quadOfRect(r: Rect): Quad {
	return [
		{ x: r.left, y: r.top },
		{ x: r.left, y: r.bottom },
		{ x: r.right, y: r.bottom },
		{ x: r.right, y: r.top },
	];
}

/** Parses a computed `transform` value; `none` is the identity. */
export function parseCssMatrix(value: string): Affine {
	if (value === 'none') return { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
	const match = /^matrix\(([^)]*)\)$/.exec(value.trim());
	if (!match) throw new Error(`unsupported transform: ${value}`);
	const n = match[1].split(',').map(Number);
	if (n.length !== 6 || n.some(v => !Number.isFinite(v))) throw new Error(`unsupported transform: ${value}`);
	return { a: n[0], b: n[1], c: n[2], d: n[3], e: n[4], f: n[5] };
}

/**
 * Where a point of an element's untransformed layout ends up on screen, given the element's
 * transform and its transform origin (both in page coordinates), as CSS applies them.
 */
export function applyTransform(p: Point, m: Affine, origin: Point): Point {
	const x = p.x - origin.x;
	const y = p.y - origin.y;
	return {
		x: origin.x + m.a * x + m.c * y + m.e,
		y: origin.y + m.b * x + m.d * y + m.f,
	};
}

export function transformQuad(q: Quad, m: Affine, origin: Point): Quad {
	return [applyTransform(q[0], m, origin), applyTransform(q[1], m, origin), applyTransform(q[2], m, origin), applyTransform(q[3], m, origin)];
}

export function boundsOfQuads(quads: readonly Quad[]): Rect {
	const points = quads.flat();
	return {
		left: Math.min(...points.map(p => p.x)),
		top: Math.min(...points.map(p => p.y)),
		right: Math.max(...points.map(p => p.x)),
		bottom: Math.max(...points.map(p => p.y)),
	};
}

/** Integer vertices, as the service sends them. */
export function toPolygon(q: Quad): RecordedPolygon {
	const vertices: RecordedVertex[] = q.map(p => ({ x: Math.round(p.x), y: Math.round(p.y) }));
	return { vertices };
}
