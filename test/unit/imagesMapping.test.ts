import * as assert from 'node:assert/strict';
import { fitImage, FIT_LIMITS } from '../../src/images/converter/fitImage';
import type { Orientation } from '../../src/images/header';
import { mapResultToOriginal, mapResultToRaw, rawToUpright, uprightSize, uprightToRaw, type SentGeometry } from '../../src/images/mapping';
import type { FeatureResult, Polygon } from '../../src/results/types';
import { drawSquare, fitLibraries, loadVips, markerCentre, oriented, withImages, type VipsModule } from './imagesHarness';

const ORIENTATIONS: Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];
/** A raw (stored) image of 60×40 with a 4×4 white marker at x 10–14, y 6–10: centre (12, 8). */
const RAW = { width: 60, height: 40 };
const MARKER = { left: 10, top: 6, side: 4 };
const MARKER_CENTRE = { x: 12, y: 8 };

function box(x: number, y: number, w: number, h: number): Polygon {
	return { vertices: [{ x, y }, { x, y: y + h }, { x: x + w, y: y + h }, { x: x + w, y }] };
}

/** An OCR answer with one block, line and word, and one face. */
function answer(page: { width: number; height: number }, word: Polygon): FeatureResult {
	return {
		textDetection: {
			pages: [{
				...page,
				entities: [],
				blocks: [{ boundingBox: word, lines: [{ boundingBox: word, confidence: 0.9, words: [{ boundingBox: word, text: 'Total', confidence: 0.9, languages: [], entityIndex: -1 }] }] }],
			}],
		},
		faceDetection: { faces: [{ boundingBox: word }] },
	};
}

function allPolygons(result: FeatureResult): Polygon[] {
	const page = result.textDetection!.pages[0]!;
	const block = page.blocks[0]!;
	const line = block.lines[0]!;
	return [block.boundingBox, line.boundingBox, line.words[0]!.boundingBox, result.faceDetection!.faces[0]!.boundingBox];
}

describe('images: mapping results back', () => {
	let vips: VipsModule;
	before(async () => {
		vips = await loadVips();
	});

	describe('EXIF orientation, checked against libvips turning a marker image upright', () => {
		for (const orientation of ORIENTATIONS) {
			it(`orientation ${orientation}: the marker lands where the formulas say, both ways`, () => {
				withImages(keep => {
					const black = keep(keep(vips.Image.black(RAW.width, RAW.height, { bands: 3 })).cast('uchar'));
					const raw = drawSquare(vips, black, MARKER.left, MARKER.top, MARKER.side, [255, 255, 255], keep);
					assert.deepEqual(markerCentre(raw, 200, keep), MARKER_CENTRE, 'the marker is drawn where intended');
					const upright = keep(oriented(raw, orientation, keep).autorot());
					assert.deepEqual({ width: upright.width, height: upright.height }, uprightSize(RAW, orientation));
					const seen = markerCentre(upright, 200, keep)!;
					assert.deepEqual(rawToUpright(MARKER_CENTRE, RAW, orientation), seen, 'raw → upright');
					assert.deepEqual(uprightToRaw(seen, RAW, orientation), MARKER_CENTRE, 'upright → raw');
				});
			});
		}

		it('maps every vertex of a result to the stored pixels, pages sized as stored', () => {
			const upright = uprightSize(RAW, 6);
			const mapped = mapResultToRaw(answer(upright, box(30, 10, 8, 4)), RAW, 6);
			for (const polygon of allPolygons(mapped)) {
				assert.deepEqual(polygon.vertices, [{ x: 10, y: 10 }, { x: 14, y: 10 }, { x: 14, y: 2 }, { x: 10, y: 2 }]);
			}
			assert.deepEqual([mapped.textDetection!.pages[0]!.width, mapped.textDetection!.pages[0]!.height], [60, 40]);
		});
	});

	describe('scaling from the sent image to the upright original', () => {
		const geometry: SentGeometry = { sent: { width: 1920, height: 2560 }, upright: { width: 3000, height: 4000 } };

		it('scales every vertex of blocks, lines, words and faces per axis, exactly, and sizes the page as the original', () => {
			const mapped = mapResultToOriginal(answer({ width: 1920, height: 2560 }, box(192, 256, 64, 32)), geometry);
			for (const polygon of allPolygons(mapped)) {
				assert.deepEqual(polygon.vertices, [{ x: 300, y: 400 }, { x: 300, y: 450 }, { x: 400, y: 450 }, { x: 400, y: 400 }]);
			}
			const page = mapped.textDetection!.pages[0]!;
			assert.deepEqual([page.width, page.height], [3000, 4000]);
			assert.equal(page.blocks[0]!.lines[0]!.words[0]!.text, 'Total', 'everything else is kept');
		});

		it('keeps fractions rather than rounding, and scales unequal axes separately', () => {
			const mapped = mapResultToOriginal(answer({ width: 300, height: 100 }, box(1, 1, 0, 0)), { sent: { width: 300, height: 100 }, upright: { width: 1000, height: 150 } });
			assert.deepEqual(allPolygons(mapped)[0]!.vertices[0], { x: 1000 / 300, y: 1.5 });
		});

		it('takes the sent size when the answer leaves a page\'s size out (proto3 zero)', () => {
			const mapped = mapResultToOriginal(answer({ width: 0, height: 0 }, box(192, 256, 64, 32)), geometry);
			assert.deepEqual(allPolygons(mapped)[2]!.vertices[0], { x: 300, y: 400 });
		});

		it('does not change the result it was given', () => {
			const result = answer({ width: 1920, height: 2560 }, box(192, 256, 64, 32));
			const before = JSON.stringify(result);
			mapResultToOriginal(result, geometry);
			assert.equal(JSON.stringify(result), before);
		});
	});

	describe('through a real fit: a marker in an oriented JPEG', () => {
		for (const [name, library] of fitLibraries(() => vips)) for (const orientation of [1, 3, 6, 8] as const) {
			// 800×600 stored, marker 40 px square at (100, 60); fitted into a 400 px long side.
			it(`${name}, orientation ${orientation}: the marker found in the sent image maps back onto the original's marker`, async () => {
				const black = withImages(keep => keep(keep(vips.Image.black(800, 600, { bands: 3 })).cast('uchar')).copyMemory());
				const file = withImages(keep => oriented(drawSquare(vips, keep(black), 100, 60, 40, [255, 255, 255], keep), orientation, keep).jpegsaveBuffer({ Q: 95 }));
				const fitted = await fitImage(library(), { bytes: file, format: 'jpeg', limits: { ...FIT_LIMITS, photoLongSide: 400, graphicLongSide: 400 } });
				withImages(keep => {
					assert.equal(Math.max(fitted.width, fitted.height), 400);
					const sent = keep(vips.Image.newFromBuffer(fitted.bytes));
					const found = markerCentre(sent, 128, keep)!;
					const geometry: SentGeometry = { sent: { width: fitted.width, height: fitted.height }, upright: fitted.original.upright };
					const mapped = mapResultToOriginal(answer({ width: fitted.width, height: fitted.height }, box(found.x, found.y, 0, 0)), geometry);
					const inOriginal = allPolygons(mapped)[2]!.vertices[0]!;
					const expected = rawToUpright({ x: 120, y: 80 }, { width: 800, height: 600 }, orientation);
					// One sent pixel is two original ones: the centre is found to within a pixel of the sent image.
					assert.ok(Math.abs(inOriginal.x - expected.x) <= 2 && Math.abs(inOriginal.y - expected.y) <= 2, `${JSON.stringify(inOriginal)} ≈ ${JSON.stringify(expected)}`);
					assert.deepEqual(uprightToRaw(expected, { width: 800, height: 600 }, orientation), { x: 120, y: 80 });
				});
			});
		}
	});
});
