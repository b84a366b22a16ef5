import * as assert from 'node:assert/strict';
import { GRID, aspectsMatch, fingerprintDistance, fingerprintOf, orientFingerprint } from '../emulator/fingerprint';
import { RecordedPage, RecordedPolygon, RecordedVertex } from '../emulator/recording';
import { ORIENTATIONS, Orientation, placeFaces, placePages, placePolygon } from '../emulator/transform';

/** The recorded image: 200×100, upright. */
const RECORDED = { width: 200, height: 100 };

/** A slightly tilted word box, so every corner can be told apart after a turn. */
const CORNERS = { TL: { x: 20, y: 10 }, BL: { x: 24, y: 30 }, BR: { x: 64, y: 26 }, TR: { x: 60, y: 6 } };
type Corner = keyof typeof CORNERS;
const WORD: RecordedPolygon = { vertices: [CORNERS.TL, CORNERS.BL, CORNERS.BR, CORNERS.TR] };

/**
 * Where a point of the upright 200×100 image is in the stored pixels of each orientation
 * (written out per case, independently of the code under test).
 */
const STORED: Record<Orientation, (p: RecordedVertex) => RecordedVertex> = {
	1: p => ({ x: p.x, y: p.y }),
	2: p => ({ x: 200 - p.x, y: p.y }),
	3: p => ({ x: 200 - p.x, y: 100 - p.y }),
	4: p => ({ x: p.x, y: 100 - p.y }),
	5: p => ({ x: p.y, y: p.x }),
	6: p => ({ x: p.y, y: 200 - p.x }),
	7: p => ({ x: 100 - p.y, y: 200 - p.x }),
	8: p => ({ x: 100 - p.y, y: p.x }),
};

/** Which recorded corner is the top-left, bottom-left, bottom-right, top-right one after the turn. */
const ORDER: Record<Orientation, Corner[]> = {
	1: ['TL', 'BL', 'BR', 'TR'],
	2: ['TR', 'BR', 'BL', 'TL'],
	3: ['BR', 'TR', 'TL', 'BL'],
	4: ['BL', 'TL', 'TR', 'BR'],
	5: ['TL', 'TR', 'BR', 'BL'],
	6: ['TR', 'TL', 'BL', 'BR'],
	7: ['BR', 'BL', 'TL', 'TR'],
	8: ['BL', 'BR', 'TR', 'TL'],
};

const transposed = (o: Orientation): boolean => o >= 5;

/** Signed area in screen coordinates (y down): negative when the polygon runs counter-clockwise on screen. */
function signedArea(polygon: RecordedPolygon): number {
	const v = polygon.vertices;
	let sum = 0;
	for (let i = 0; i < v.length; i++) {
		const next = v[(i + 1) % v.length];
		sum += v[i].x * next.y - next.x * v[i].y;
	}
	return sum / 2;
}

function page(): RecordedPage {
	return {
		...RECORDED,
		entities: [{ name: 'total', text: '42' }],
		blocks: [{
			boundingBox: WORD,
			lines: [{ boundingBox: WORD, confidence: 0.9, words: [{ boundingBox: WORD, text: 'Total', confidence: 0.9, languages: [{ languageCode: 'en', confidence: 0.8 }], entityIndex: 0 }] }],
		}],
	};
}

describe('emulator: recordings moved onto the received pixels', () => {
	for (const orientation of ORIENTATIONS) {
		it(`orientation ${orientation}: each corner lands where the turned image has it, listed from the top-left counter-clockwise`, () => {
			const size = transposed(orientation) ? { width: 100, height: 200 } : { width: 200, height: 100 };
			const placed = placePolygon(WORD, RECORDED, { orientation, received: size });
			assert.deepEqual(placed.vertices, ORDER[orientation].map(corner => STORED[orientation](CORNERS[corner])));
			assert.ok(signedArea(placed) < 0, 'still counter-clockwise on screen');
		});

		it(`orientation ${orientation}, scaled: coordinates scale per axis and round to whole pixels`, () => {
			// 200×100 → 333×167 (or its transpose): ×1.665 across, ×1.67 down.
			const size = transposed(orientation) ? { width: 167, height: 333 } : { width: 333, height: 167 };
			const placed = placePolygon(WORD, RECORDED, { orientation, received: size });
			const turned = transposed(orientation) ? { width: 100, height: 200 } : RECORDED;
			const expected = ORDER[orientation].map(corner => {
				const p = STORED[orientation](CORNERS[corner]);
				return { x: Math.round(p.x * size.width / turned.width), y: Math.round(p.y * size.height / turned.height) };
			});
			assert.deepEqual(placed.vertices, expected);
			for (const v of placed.vertices) assert.ok(Number.isInteger(v.x) && Number.isInteger(v.y));
		});
	}

	it('scales a plain resize (orientation 1) without turning anything: 200×100 → 100×50 halves every coordinate', () => {
		const placed = placePolygon(WORD, RECORDED, { orientation: 1, received: { width: 100, height: 50 } });
		assert.deepEqual(placed.vertices, [{ x: 10, y: 5 }, { x: 12, y: 15 }, { x: 32, y: 13 }, { x: 30, y: 3 }]);
	});

	it('keeps an upright box upright and its corners in service order after every orientation', () => {
		const box = { vertices: [{ x: 20, y: 10 }, { x: 20, y: 30 }, { x: 60, y: 30 }, { x: 60, y: 10 }] };
		for (const orientation of ORIENTATIONS) {
			const size = transposed(orientation) ? { width: 100, height: 200 } : RECORDED;
			const [tl, bl, br, tr] = placePolygon(box, RECORDED, { orientation, received: size }).vertices;
			assert.ok(tl.x === bl.x && tl.y < bl.y, `orientation ${orientation}: left edge goes down`);
			assert.ok(bl.y === br.y && bl.x < br.x, `orientation ${orientation}: bottom edge goes right`);
			assert.ok(br.x === tr.x && br.y > tr.y, `orientation ${orientation}: right edge goes up`);
		}
	});

	it('sets each page to the received size and keeps text, confidences and entities', () => {
		const [placed] = placePages([page()], { orientation: 6, received: { width: 50, height: 100 } });
		assert.equal(placed.width, 50);
		assert.equal(placed.height, 100);
		assert.deepEqual(placed.entities, [{ name: 'total', text: '42' }]);
		const line = placed.blocks[0].lines[0];
		const word = line.words[0];
		assert.equal(word.text, 'Total');
		assert.equal(word.confidence, 0.9);
		assert.equal(word.entityIndex, 0);
		assert.deepEqual(word.languages, [{ languageCode: 'en', confidence: 0.8 }]);
		assert.equal(line.confidence, 0.9);
		// Orientation 6 at half size: TR (60, 6) → stored (6, 140) → (3, 70).
		const expected = placePolygon(WORD, RECORDED, { orientation: 6, received: { width: 50, height: 100 } });
		assert.deepEqual(expected.vertices[0], { x: 3, y: 70 });
		for (const polygon of [placed.blocks[0].boundingBox, line.boundingBox, word.boundingBox]) assert.deepEqual(polygon, expected);
	});

	it('moves faces the same way', () => {
		const [face] = placeFaces([{ boundingBox: WORD }], RECORDED, { orientation: 3, received: { width: 400, height: 200 } });
		// Orientation 3 at double size: BR (64, 26) → stored (136, 74) → (272, 148) comes first.
		assert.deepEqual(face.boundingBox.vertices[0], { x: 272, y: 148 });
		assert.deepEqual(face.boundingBox.vertices.length, 4);
	});
});

describe('emulator: fingerprint grids', () => {
	/** An asymmetric GRID × GRID pattern: a bright block in the top-left quarter, a ramp along the bottom row. */
	const grid = (x: number, y: number): number => (x < 5 && y < 4 ? 250 : 0) + (y === GRID - 1 ? x * 10 : 0) + 3 * x + y;
	const cells = Array.from({ length: GRID * GRID }, (_, i) => grid(i % GRID, Math.floor(i / GRID)));

	it('turns a grid the way the stored pixels are turned: orientation 8 is the picture turned a quarter clockwise', () => {
		const upright = fingerprintOf(cells, { width: 200, height: 100 });
		const last = GRID - 1;
		// A quarter turn clockwise: the stored pixel (x, y) shows the upright pixel (y, last − x).
		const clockwise = Array.from({ length: GRID * GRID }, (_, i) => grid(Math.floor(i / GRID), last - (i % GRID)));
		const turned = orientFingerprint(upright, 8);
		assert.equal(fingerprintDistance(turned, fingerprintOf(clockwise, { width: 100, height: 200 })), 0);
		assert.deepEqual(turned.size, { width: 100, height: 200 });
		assert.ok(fingerprintDistance(turned, upright) > 0.5);
	});

	it('comes back to the same grid after a mirror twice, and is 0 from itself', () => {
		const upright = fingerprintOf(cells, { width: 200, height: 100 });
		for (const orientation of [2, 4, 5, 7] as const) {
			assert.equal(fingerprintDistance(orientFingerprint(orientFingerprint(upright, orientation), orientation), upright), 0);
		}
	});

	it('ignores brightness and contrast, and puts a flat image at 0.5 from everything', () => {
		const upright = fingerprintOf(cells, { width: 200, height: 100 });
		const dimmer = fingerprintOf(cells.map(v => v / 2 + 20), { width: 200, height: 100 });
		assert.ok(fingerprintDistance(upright, dimmer) < 1e-12);
		const flat = fingerprintOf(new Array<number>(GRID * GRID).fill(128), { width: 200, height: 100 });
		assert.ok(Math.abs(fingerprintDistance(flat, upright) - 0.5) < 1e-12);
	});

	it('accepts the aspect ratio of a resized image and refuses a cropped one', () => {
		assert.ok(aspectsMatch({ width: 800, height: 450 }, { width: 2560, height: 1440 }));
		assert.ok(aspectsMatch({ width: 800, height: 450 }, { width: 97, height: 55 }), 'rounding of a small thumbnail');
		assert.ok(!aspectsMatch({ width: 800, height: 450 }, { width: 400, height: 450 }));
		assert.ok(!aspectsMatch({ width: 900, height: 300 }, { width: 720, height: 250 }), '3 : 1 is not 2.88 : 1');
	});
});
