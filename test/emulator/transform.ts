/**
 * Moves a recorded answer onto the pixels a request actually sent: the recording's image turned
 * by one of the eight EXIF orientations, then scaled per axis. Coordinates are integers (the
 * service sends int64), and every polygon still starts at its top-left corner and runs
 * counter-clockwise, as the service writes them.
 */

import { RecordedOcrAnnotation, RecordedPage, RecordedPolygon, RecordedVertex } from './recording';

/**
 * An EXIF orientation: how the received pixels relate to the recording's upright image. The
 * received pixels are the recording stored as a camera with this tag stores it (1: as is,
 * 6: needs a quarter turn clockwise to stand upright, …).
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const ORIENTATIONS: readonly Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

export interface Size { width: number; height: number }

/** Where a recording lands: the orientation it matched in and the size it arrived at. */
export interface Placement {
	orientation: Orientation;
	/** The received image's upright pixel size. */
	received: Size;
}

/** 5–8 swap width and height. */
export function isTransposed(orientation: Orientation): boolean {
	return orientation >= 5;
}

/** Mirrored orientations turn a counter-clockwise polygon clockwise. */
export function isMirrored(orientation: Orientation): boolean {
	return orientation === 2 || orientation === 4 || orientation === 5 || orientation === 7;
}

export function orientedSize(size: Size, orientation: Orientation): Size {
	return isTransposed(orientation) ? { width: size.height, height: size.width } : { ...size };
}

/** A point of the upright `size` image, in the pixels stored with `orientation`. */
export function orientPoint(point: RecordedVertex, size: Size, orientation: Orientation): RecordedVertex {
	const { x, y } = point;
	const { width: w, height: h } = size;
	switch (orientation) {
		case 1: return { x, y };
		case 2: return { x: w - x, y };
		case 3: return { x: w - x, y: h - y };
		case 4: return { x, y: h - y };
		case 5: return { x: y, y: x };
		case 6: return { x: y, y: w - x };
		case 7: return { x: h - y, y: w - x };
		case 8: return { x: h - y, y: x };
	}
}

/**
 * How many places a four-vertex polygon's list turns so that it starts at the top-left again:
 * found by moving the unit square (TL, BL, BR, TR) and seeing where its top-left corner went.
 */
function quadShift(orientation: Orientation): number {
	const unit = { width: 1, height: 1 };
	const square = [{ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }, { x: 1, y: 0 }].map(v => orientPoint(v, unit, orientation));
	const ordered = isMirrored(orientation) ? square.reverse() : square;
	return ordered.findIndex(v => v.x === 0 && v.y === 0);
}

const QUAD_SHIFTS = new Map(ORIENTATIONS.map(orientation => [orientation, quadShift(orientation)]));

/** `polygon` of a `from`-sized upright page, on the received pixels. */
export function placePolygon(polygon: RecordedPolygon, from: Size, placement: Placement): RecordedPolygon {
	const { orientation, received } = placement;
	const turned = orientedSize(from, orientation);
	const scaleX = received.width / turned.width;
	const scaleY = received.height / turned.height;
	const moved = polygon.vertices.map(vertex => {
		const point = orientPoint(vertex, from, orientation);
		return { x: Math.round(point.x * scaleX), y: Math.round(point.y * scaleY) };
	});
	if (isMirrored(orientation)) moved.reverse();
	// A quad's start follows its corner; other polygons (none recorded so far) keep their start.
	const shift = moved.length === 4 ? QUAD_SHIFTS.get(orientation) ?? 0 : 0;
	return { vertices: [...moved.slice(shift), ...moved.slice(0, shift)] };
}

/** Every polygon of the pages moved, and each page's size set to the received one. */
export function placePages(pages: readonly RecordedPage[], placement: Placement): RecordedPage[] {
	return pages.map(page => {
		const from = { width: page.width, height: page.height };
		const place = (polygon: RecordedPolygon): RecordedPolygon => placePolygon(polygon, from, placement);
		return {
			...page,
			width: placement.received.width,
			height: placement.received.height,
			blocks: page.blocks.map(block => ({
				boundingBox: place(block.boundingBox),
				lines: block.lines.map(line => ({
					...line,
					boundingBox: place(line.boundingBox),
					words: line.words.map(word => ({ ...word, boundingBox: place(word.boundingBox) })),
				})),
			})),
		};
	});
}

export function placeFaces(faces: readonly { boundingBox: RecordedPolygon }[], from: Size, placement: Placement): { boundingBox: RecordedPolygon }[] {
	return faces.map(face => ({ boundingBox: placePolygon(face.boundingBox, from, placement) }));
}

/** Every polygon of an OCR annotation moved (blocks, lines, words, tables, cells, pictures), its size set to the received one. */
export function placeOcrAnnotation(annotation: RecordedOcrAnnotation, placement: Placement): RecordedOcrAnnotation {
	const from = { width: annotation.width, height: annotation.height };
	const place = (polygon: RecordedPolygon): RecordedPolygon => placePolygon(polygon, from, placement);
	const placed: RecordedOcrAnnotation = {
		...annotation,
		width: placement.received.width,
		height: placement.received.height,
		blocks: annotation.blocks.map(block => ({
			...block,
			boundingBox: place(block.boundingBox),
			lines: block.lines.map(line => ({
				...line,
				boundingBox: place(line.boundingBox),
				words: line.words.map(word => ({ ...word, boundingBox: place(word.boundingBox) })),
			})),
		})),
		tables: annotation.tables.map(table => ({
			...table,
			boundingBox: place(table.boundingBox),
			cells: table.cells.map(cell => ({ ...cell, boundingBox: place(cell.boundingBox) })),
		})),
	};
	if (annotation.pictures) placed.pictures = annotation.pictures.map(picture => ({ ...picture, boundingBox: place(picture.boundingBox) }));
	return placed;
}
