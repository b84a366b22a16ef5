/**
 * Coordinates between the image that was sent and the one in the workspace.
 *
 * The service answers in the sent image's pixels, upright (it applies EXIF orientation, and a
 * fitted image is stored upright anyway). The workspace file is shown upright too (browsers apply
 * EXIF to <img>), so results are mapped to the ORIGINAL UPRIGHT image by a scale per axis. For
 * code that works on the stored pixels, the upright ↔ raw mappings of the 8 EXIF orientations are
 * here as well.
 */
import type { FeatureResult, Page, Polygon, Vertex } from '../results/types';
import type { Orientation } from './header';

export interface Size {
	width: number;
	height: number;
}

/** What was sent, and the original it stands for, both upright. */
export interface SentGeometry {
	sent: Size;
	upright: Size;
}

/**
 * A copy of `result` with every vertex (OCR blocks, lines, words, table cells, pictures; faces) in the original upright
 * image's pixels, and OCR pages sized as that image. Coordinates are not rounded: the mapping is
 * exact, and drawing takes fractions.
 */
export function mapResultToOriginal(result: FeatureResult, geometry: SentGeometry): FeatureResult {
	return mapResult(result, geometry.upright, page => {
		// A page's own size is the space its boxes are in: the sent size, unless the answer says otherwise.
		const from = page && page.width > 0 && page.height > 0 ? { width: page.width, height: page.height } : geometry.sent;
		return scaler(from, geometry.upright);
	});
}

/** Applies a point map to every vertex; `pageSize` becomes the OCR pages' width and height. */
function mapResult(result: FeatureResult, pageSize: Size, mapFor: (page: Page | undefined) => PointMap): FeatureResult {
	const mapped: FeatureResult = { ...result };
	if (result.textDetection) {
		mapped.textDetection = {
			...result.textDetection,
			pages: result.textDetection.pages.map(page => {
				const map = mapFor(page);
				const moved: Page = {
					...page,
					width: pageSize.width,
					height: pageSize.height,
					blocks: page.blocks.map(block => ({
						...block,
						boundingBox: mapPolygon(block.boundingBox, map),
						lines: block.lines.map(line => ({
							...line,
							boundingBox: mapPolygon(line.boundingBox, map),
							words: line.words.map(word => ({ ...word, boundingBox: mapPolygon(word.boundingBox, map) })),
						})),
					})),
				};
				// The OCR API's tables and pictures are boxes on the same page.
				if (page.tables) {
					moved.tables = page.tables.map(table => ({
						...table,
						boundingBox: mapPolygon(table.boundingBox, map),
						cells: table.cells.map(cell => ({ ...cell, boundingBox: mapPolygon(cell.boundingBox, map) })),
					}));
				}
				if (page.pictures) moved.pictures = page.pictures.map(picture => ({ ...picture, boundingBox: mapPolygon(picture.boundingBox, map) }));
				return moved;
			}),
		};
	}
	if (result.faceDetection) {
		const map = mapFor(undefined);
		mapped.faceDetection = { ...result.faceDetection, faces: result.faceDetection.faces.map(face => ({ ...face, boundingBox: mapPolygon(face.boundingBox, map) })) };
	}
	return mapped;
}

type PointMap = (vertex: Vertex) => Vertex;

function scaler(from: Size, to: Size): PointMap {
	const sx = to.width / from.width;
	const sy = to.height / from.height;
	return vertex => ({ x: vertex.x * sx, y: vertex.y * sy });
}

export function mapPolygon(polygon: Polygon, map: PointMap): Polygon {
	return { ...polygon, vertices: polygon.vertices.map(map) };
}

/** The scale from sent pixels to original upright pixels, as a point map. */
export function sentToUpright(geometry: SentGeometry): PointMap {
	return scaler(geometry.sent, geometry.upright);
}

// --- EXIF orientation --------------------------------------------------------------------------

/** The upright size of a `raw` (stored) image: orientations 5–8 swap the sides. */
export function uprightSize(raw: Size, orientation: Orientation): Size {
	return orientation >= 5 ? { width: raw.height, height: raw.width } : { width: raw.width, height: raw.height };
}

/**
 * A point of the upright image in the stored pixels of a `raw.width × raw.height` image with
 * EXIF `orientation`. Coordinates are continuous (0 … width), so a pixel's centre maps to a
 * pixel's centre. Mirroring orientations (2, 4, 5, 7) reverse a polygon's winding.
 */
export function uprightToRaw(point: Vertex, raw: Size, orientation: Orientation): Vertex {
	const { x: X, y: Y } = point;
	const { width: w, height: h } = raw;
	switch (orientation) {
		case 1: return { x: X, y: Y };
		case 2: return { x: w - X, y: Y };
		case 3: return { x: w - X, y: h - Y };
		case 4: return { x: X, y: h - Y };
		case 5: return { x: Y, y: X };
		case 6: return { x: Y, y: h - X };
		case 7: return { x: w - Y, y: h - X };
		case 8: return { x: w - Y, y: X };
	}
}

/** The inverse of {@link uprightToRaw}: a stored pixel's place in the upright image. */
export function rawToUpright(point: Vertex, raw: Size, orientation: Orientation): Vertex {
	const { x, y } = point;
	const { width: w, height: h } = raw;
	switch (orientation) {
		case 1: return { x, y };
		case 2: return { x: w - x, y };
		case 3: return { x: w - x, y: h - y };
		case 4: return { x, y: h - y };
		case 5: return { x: y, y: x };
		case 6: return { x: h - y, y: x };
		case 7: return { x: h - y, y: w - x };
		case 8: return { x: y, y: w - x };
	}
}

/** Every vertex of `result` from original upright pixels to the stored pixels of the file. */
export function mapResultToRaw(result: FeatureResult, raw: Size, orientation: Orientation): FeatureResult {
	return mapResult(result, raw, () => vertex => uprightToRaw(vertex, raw, orientation));
}
