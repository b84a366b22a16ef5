import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RecordedPolygon, RecordedVertex, Recording } from '../emulator/recording';
import { FIXTURES_DIR } from '../support/fixtures';

const SAMPLES = ['cyrillic-sign.jpg', 'faces.jpg', 'hostile-text.png', 'latin-note.png', 'mixed-page.png', 'receipt.png', 'rotated-line.png'];
/** Samples for the OCR API's models; fixturesOcr.test.ts checks their recordings. */
const OCR_SAMPLES = ['car-plate.jpg', 'formula-page.png', 'handwritten-note.png', 'passport-form.png', 'table-merged.png', 'two-column-article.png'];
const BROKEN = ['broken.jpg', 'not-an-image.png'];
/** How far a word may stick out of its line (and a line out of its block) once corners are rounded. */
const NESTING_TOLERANCE = 2;

interface ImageHeader { mimeType: 'image/png' | 'image/jpeg'; width: number; height: number }

/** Pixel size from a PNG's IHDR or a JPEG's frame header; undefined when neither can be read. */
function readImageHeader(bytes: Buffer): ImageHeader | undefined {
	const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	if (bytes.length >= 24 && bytes.subarray(0, 8).equals(png) && bytes.toString('latin1', 12, 16) === 'IHDR') {
		return { mimeType: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	}
	if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
	let offset = 2;
	while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
		const marker = bytes[offset + 1];
		const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isFrame) {
			if (offset + 9 > bytes.length) return undefined;
			return { mimeType: 'image/jpeg', height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
		}
		if (marker === 0xda) return undefined;
		offset += 2 + bytes.readUInt16BE(offset + 2);
	}
	return undefined;
}

function fixture(name: string): Buffer {
	return readFileSync(path.join(FIXTURES_DIR, name));
}

function recordingFile(image: string): string {
	return image.replace(/\.[a-z]+$/, '.recording.json');
}

function loadRecording(image: string): Recording {
	return JSON.parse(fixture(recordingFile(image)).toString('utf8')) as Recording;
}

function textPage(recording: Recording) {
	const pages = recording.textDetection?.pages ?? [];
	assert.equal(pages.length, 1, `${recording.image} has one text page`);
	return pages[0];
}

function allLines(recording: Recording) {
	return textPage(recording).blocks.flatMap(block => block.lines);
}

function allWords(recording: Recording) {
	return allLines(recording).flatMap(line => line.words);
}

/** Every polygon in the recording, named for messages. */
function allPolygons(recording: Recording): [string, RecordedPolygon][] {
	const found: [string, RecordedPolygon][] = [];
	textPage(recording).blocks.forEach((block, b) => {
		found.push([`block ${b}`, block.boundingBox]);
		block.lines.forEach((line, l) => {
			found.push([`block ${b} line ${l}`, line.boundingBox]);
			for (const word of line.words) found.push([`word "${word.text}"`, word.boundingBox]);
		});
	});
	(recording.faceDetection?.faces ?? []).forEach((face, f) => found.push([`face ${f}`, face.boundingBox]));
	return found;
}

/** Shoelace sum in image coordinates (y down): negative when the vertices run counter-clockwise on screen. */
function signedArea(v: readonly RecordedVertex[]): number {
	let sum = 0;
	for (let i = 0; i < v.length; i++) {
		const a = v[i];
		const b = v[(i + 1) % v.length];
		sum += a.x * b.y - b.x * a.y;
	}
	return sum / 2;
}

function isAxisAligned(v: readonly RecordedVertex[]): boolean {
	return v.every((a, i) => {
		const b = v[(i + 1) % v.length];
		return a.x === b.x || a.y === b.y;
	});
}

/** How far (px) a point lies outside a counter-clockwise convex quad; 0 or less when inside. */
function distanceOutside(p: RecordedVertex, quad: readonly RecordedVertex[]): number {
	let worst = -Infinity;
	for (let i = 0; i < quad.length; i++) {
		const a = quad[i];
		const b = quad[(i + 1) % quad.length];
		const length = Math.hypot(b.x - a.x, b.y - a.y);
		const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
		worst = Math.max(worst, cross / length);
	}
	return worst;
}

function assertInside(inner: RecordedPolygon, outer: RecordedPolygon, what: string): void {
	for (const vertex of inner.vertices) {
		const outside = distanceOutside(vertex, outer.vertices);
		assert.ok(outside <= NESTING_TOLERANCE, `${what}: vertex (${vertex.x}, ${vertex.y}) is ${outside.toFixed(1)} px outside`);
	}
}

/** Angle of the top edge (first to fourth vertex) above the horizontal, in degrees. */
function tiltDegrees(p: RecordedPolygon): number {
	const [topLeft, , , topRight] = p.vertices;
	return Math.atan2(topLeft.y - topRight.y, topRight.x - topLeft.x) * 180 / Math.PI;
}

describe('sample images in test/fixtures', () => {
	it('holds the seven recorded samples, the six OCR API samples, the two-page and 120-page PDFs, the two broken files and the test keys, nothing else', () => {
		const expected = [...SAMPLES, ...SAMPLES.map(recordingFile), ...OCR_SAMPLES, ...OCR_SAMPLES.map(recordingFile), 'two-pages.pdf', 'two-pages.recording.json', 'long-contract.pdf', 'long-contract.recording.json', ...BROKEN, 'keys'].sort();
		assert.deepEqual(readdirSync(FIXTURES_DIR).sort(), expected);
	});

	it('keeps every file under the service\'s 1 MB limit', () => {
		for (const name of readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter(e => e.isFile()).map(e => e.name)) {
			assert.ok(fixture(name).length < 1024 * 1024, `${name} is under 1 MB`);
		}
	});

	for (const image of SAMPLES) {
		describe(image, () => {
			const recording = loadRecording(image);

			it('names its image, whose bytes match the recorded sha256, type and pixel size', () => {
				assert.equal(recording.image, image);
				const bytes = fixture(image);
				assert.equal(recording.sha256, createHash('sha256').update(bytes).digest('hex'));
				assert.deepEqual(readImageHeader(bytes), { mimeType: recording.mimeType, width: recording.width, height: recording.height });
				assert.ok(recording.description.length > 0, 'has a description');
			});

			it('is stored as JSON with 2-space indentation and a trailing newline', () => {
				const text = fixture(recordingFile(image)).toString('utf8');
				assert.equal(text, JSON.stringify(JSON.parse(text), null, 2) + '\n');
			});

			it('has a text page the size of the image and polygons of 4 integer vertices inside it', () => {
				const page = textPage(recording);
				assert.deepEqual([page.width, page.height], [recording.width, recording.height]);
				assert.ok(page.blocks.length > 0, 'has text');
				for (const [what, polygon] of allPolygons(recording)) {
					assert.equal(polygon.vertices.length, 4, `${what} has 4 vertices`);
					for (const { x, y } of polygon.vertices) {
						assert.ok(Number.isInteger(x) && Number.isInteger(y), `${what}: integer vertex (${x}, ${y})`);
						assert.ok(x >= 0 && x <= recording.width && y >= 0 && y <= recording.height, `${what}: (${x}, ${y}) is inside the image`);
					}
				}
			});

			it('starts every polygon at its top-left corner and runs counter-clockwise', () => {
				for (const [what, { vertices: v }] of allPolygons(recording)) {
					assert.ok(signedArea(v) < 0, `${what} runs counter-clockwise on screen`);
					assert.ok(v[3].x > v[0].x, `${what}: the fourth vertex is right of the first (top edge)`);
					assert.ok(v[1].y > v[0].y, `${what}: the second vertex is below the first (left edge)`);
					if (isAxisAligned(v)) {
						assert.deepEqual(v, [
							{ x: v[0].x, y: v[0].y },
							{ x: v[0].x, y: v[2].y },
							{ x: v[2].x, y: v[2].y },
							{ x: v[2].x, y: v[0].y },
						], `${what} goes top-left, bottom-left, bottom-right, top-right`);
					}
				}
			});

			it('puts every word inside its line and every line inside its block', () => {
				for (const block of textPage(recording).blocks) {
					for (const line of block.lines) {
						assertInside(line.boundingBox, block.boundingBox, 'line in block');
						for (const word of line.words) assertInside(word.boundingBox, line.boundingBox, `"${word.text}" in its line`);
					}
				}
			});

			it('gives each word its line\'s confidence and the one language of its line', () => {
				for (const line of allLines(recording)) {
					assert.ok(line.words.length > 0, 'a line has words');
					assert.ok(line.confidence > 0 && line.confidence <= 1, `line confidence ${line.confidence}`);
					const [first] = line.words;
					assert.equal(first.languages.length, 1, `"${first.text}" has one language`);
					for (const word of line.words) {
						assert.equal(word.confidence, line.confidence, `"${word.text}" has its line's confidence`);
						assert.deepEqual(word.languages, first.languages, `"${word.text}" has its line's language`);
						assert.ok(!/\s/.test(word.text) && word.text.length > 0, `"${word.text}" is one word`);
					}
				}
			});

			it('points words at an entity by index, or at none with -1', () => {
				const { entities } = textPage(recording);
				for (const word of allWords(recording)) {
					assert.ok(word.entityIndex === -1 || (word.entityIndex >= 0 && word.entityIndex < entities.length), `"${word.text}" entityIndex ${word.entityIndex}`);
				}
				entities.forEach((entity, index) => {
					const spelled = allWords(recording).filter(w => w.entityIndex === index).map(w => w.text).join(' ');
					assert.equal(spelled, entity.text, `the words of entity ${entity.name} spell it`);
				});
			});

			it('classifies quality as exclusive levels summing to 1 and moderation as independent labels', () => {
				const quality = recording.classification?.quality ?? [];
				assert.deepEqual(quality.map(p => p.name), ['low', 'medium', 'high']);
				const sum = quality.reduce((total, p) => total + p.probability, 0);
				assert.ok(Math.abs(sum - 1) <= 0.001, `quality probabilities sum to ${sum}`);
				const moderation = recording.classification?.moderation ?? [];
				assert.deepEqual(moderation.map(p => p.name), ['adult', 'gruesome', 'text', 'watermarks']);
				for (const p of [...quality, ...moderation]) assert.ok(p.probability >= 0 && p.probability <= 1, `${p.name} ${p.probability}`);
			});

			it('answers face detection with axis-aligned boxes', () => {
				const faces = recording.faceDetection?.faces;
				assert.ok(faces, 'has a face detection answer');
				for (const face of faces) assert.ok(isAxisAligned(face.boundingBox.vertices), 'face box is axis-aligned');
			});
		});
	}

	it('tilts every word of the rotated line by about 12 degrees, as real quadrilaterals', () => {
		const [rotated, caption] = textPage(loadRecording('rotated-line.png')).blocks;
		const quads = [rotated.boundingBox, ...rotated.lines.flatMap(line => [line.boundingBox, ...line.words.map(w => w.boundingBox)])];
		for (const quad of quads) {
			for (let i = 0; i < 4; i++) {
				const a = quad.vertices[i];
				const b = quad.vertices[(i + 1) % 4];
				assert.ok(a.x !== b.x && a.y !== b.y, `edge ${i} of ${JSON.stringify(quad.vertices)} is slanted`);
			}
			const tilt = tiltDegrees(quad);
			assert.ok(tilt > 9 && tilt < 15, `tilt ${tilt.toFixed(1)}° is about 12°`);
		}
		assert.ok(caption.lines.every(line => line.words.every(w => isAxisAligned(w.boundingBox.vertices))), 'the caption stays upright');
	});

	it('records the markup-like words of hostile-text.png exactly as drawn, each as one word', () => {
		const words = allWords(loadRecording('hostile-text.png')).map(w => w.text);
		for (const hostile of ['<img/src=x/onerror=alert(1)>', '<script>alert(1)</script>', 'javascript:alert(1)', '**bold**', '[click](javascript:alert(1))', '&amp;', '#', 'heading']) {
			assert.ok(words.includes(hostile), `has the word ${hostile}`);
		}
	});

	it('finds three faces in faces.jpg and none in the text-only samples', () => {
		for (const image of SAMPLES) {
			assert.equal(loadRecording(image).faceDetection?.faces.length, image === 'faces.jpg' ? 3 : 0, image);
		}
	});

	it('records the phone number of mixed-page.png as its one entity', () => {
		assert.deepEqual(textPage(loadRecording('mixed-page.png')).entities, [{ name: 'phone', text: '+7 (495) 000-00-00' }]);
	});

	it('has copy-search results for two samples, pointing at example domains', () => {
		const withCopies = SAMPLES.filter(image => loadRecording(image).imageCopySearch !== undefined);
		assert.deepEqual(withCopies, ['cyrillic-sign.jpg', 'faces.jpg']);
		for (const image of withCopies) {
			const search = loadRecording(image).imageCopySearch;
			assert.ok(search && search.topResults.length >= 2 && search.topResults.length <= 3, `${image} has 2–3 top results`);
			assert.ok(search.copyCount >= search.topResults.length, `${image} counts at least the copies it lists`);
			for (const result of search.topResults) {
				for (const url of [result.imageUrl, result.pageUrl]) {
					assert.match(new URL(url).hostname, /(^|\.)example\.(com|org)$/, url);
				}
				assert.ok(result.title.length > 0 && !/[<>]/.test(result.title + result.description), 'plain-text title and description');
			}
		}
	});

	it('keeps broken.jpg a JPEG cut before its frame size and not-an-image.png a text file, neither recorded', () => {
		const broken = fixture('broken.jpg');
		assert.deepEqual([...broken.subarray(0, 2)], [0xff, 0xd8], 'broken.jpg starts like a JPEG');
		assert.equal(readImageHeader(broken), undefined, 'broken.jpg has no readable frame size');
		const text = fixture('not-an-image.png');
		assert.equal(readImageHeader(text), undefined, 'not-an-image.png has no image header');
		assert.notEqual(text[0], 0x89, 'not-an-image.png lacks the PNG signature');
		const names = readdirSync(FIXTURES_DIR);
		for (const name of BROKEN) assert.ok(!names.includes(recordingFile(name)), `${name} has no recording`);
		const recorded = names.filter(n => n.endsWith('.recording.json')).map(n => (JSON.parse(fixture(n).toString('utf8')) as Recording).image);
		for (const name of BROKEN) assert.ok(!recorded.includes(name), `no recording names ${name}`);
	});
});
