import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import type Vips from 'wasm-vips';
import { fingerprintImage, loadVips, VipsModule } from '../emulator/decode';
import { MATCH_THRESHOLD, allOrientations, fingerprintDistance } from '../emulator/fingerprint';
import { DEFAULT_CREDENTIALS, Emulator, startEmulator } from '../emulator/index';
import { RecordedPolygon, RecordedVertex, Recording } from '../emulator/recording';
import { defaultFixturesDir } from '../emulator/recordings';
import { minimalPdf } from '../emulator/testImages';

// ---- What is sent and read ----------------------------------------------------------------

type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
interface Size { width: number; height: number }

interface VertexJson { x?: string; y?: string }
interface PolygonJson { vertices?: VertexJson[] }
interface PageJson {
	width?: string;
	height?: string;
	blocks?: { boundingBox?: PolygonJson; lines?: { boundingBox?: PolygonJson; words?: { boundingBox?: PolygonJson; text?: string }[] }[] }[];
}
interface FeatureJson {
	error?: { code: number; message: string };
	textDetection?: { pages?: PageJson[] };
	faceDetection?: { faces?: { boundingBox?: PolygonJson }[] };
}
interface AnswerJson { results: { error?: { code: number; message: string }; results?: FeatureJson[] }[] }

const FEATURES = [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['*'] } }, { type: 'FACE_DETECTION' }];

let emulator: Emulator;

async function analyze(images: Buffer[], mimeType?: string): Promise<{ answer: AnswerJson; matches: string[] }> {
	const before = emulator.log.length;
	const response = await request(emulator.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_CREDENTIALS.userIamToken}` },
		body: JSON.stringify({
			folderId: DEFAULT_CREDENTIALS.folderId,
			analyzeSpecs: images.map(image => ({ content: image.toString('base64'), features: FEATURES, ...(mimeType ? { mimeType } : {}) })),
		}),
	});
	const text = await response.body.text();
	assert.equal(response.statusCode, 200, text);
	const entry = emulator.log[before];
	assert.ok(entry?.matches, 'the request log says how each image matched');
	return { answer: JSON.parse(text) as AnswerJson, matches: entry.matches };
}

const vertexOf = (v: VertexJson): RecordedVertex => ({ x: Number(v.x ?? 0), y: Number(v.y ?? 0) });
const polygonOf = (p: PolygonJson | undefined): RecordedVertex[] => (p?.vertices ?? []).map(vertexOf);

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

// ---- Where a recorded polygon should land -------------------------------------------------

/** A point of the upright W×H image in the pixels stored with `orientation` (the EXIF table, written out). */
function stored(p: RecordedVertex, size: Size, orientation: Orientation): RecordedVertex {
	const { width: w, height: h } = size;
	switch (orientation) {
		case 1: return { x: p.x, y: p.y };
		case 2: return { x: w - p.x, y: p.y };
		case 3: return { x: w - p.x, y: h - p.y };
		case 4: return { x: p.x, y: h - p.y };
		case 5: return { x: p.y, y: p.x };
		case 6: return { x: p.y, y: w - p.x };
		case 7: return { x: h - p.y, y: w - p.x };
		case 8: return { x: h - p.y, y: p.x };
	}
}

const MIRRORED = new Set<Orientation>([2, 4, 5, 7]);

/**
 * The recording's polygon on the received pixels: turned, scaled per axis, and listed again
 * from its top-left corner (the one nearest the image's top-left: boxes here tilt by 12° at most)
 * counter-clockwise, which a mirror would otherwise have reversed.
 */
function expectedPolygon(polygon: RecordedPolygon, recorded: Size, orientation: Orientation, received: Size): RecordedVertex[] {
	const turned = orientation >= 5 ? { width: recorded.height, height: recorded.width } : recorded;
	const moved = polygon.vertices.map(v => {
		const p = stored(v, recorded, orientation);
		return { x: p.x * received.width / turned.width, y: p.y * received.height / turned.height };
	});
	if (MIRRORED.has(orientation)) moved.reverse();
	let start = 0;
	moved.forEach((v, i) => {
		if (v.x + v.y < moved[start].x + moved[start].y) start = i;
	});
	return [...moved.slice(start), ...moved.slice(0, start)];
}

function assertNear(actual: RecordedVertex[], expected: RecordedVertex[], what: string): void {
	assert.equal(actual.length, expected.length, what);
	actual.forEach((v, i) => {
		const e = expected[i];
		assert.ok(Math.abs(v.x - e.x) <= 2 && Math.abs(v.y - e.y) <= 2,
			`${what}: vertex ${i} is (${v.x}, ${v.y}), expected (${e.x.toFixed(1)}, ${e.y.toFixed(1)}); got ${JSON.stringify(actual)}`);
	});
}

/** The answer for one image holds the recording moved onto `received`: page size, every word, every face. */
function assertPlaced(feature: FeatureJson[] | undefined, recording: Recording, orientation: Orientation, received: Size, what: string): void {
	const [text, faces] = feature ?? [];
	assert.equal(text?.error, undefined, `${what}: ${text?.error?.message}`);
	const page = text.textDetection?.pages?.[0];
	assert.equal(Number(page?.width), received.width, `${what}: page width`);
	assert.equal(Number(page?.height), received.height, `${what}: page height`);
	const recordedPage = recording.textDetection!.pages[0];
	const recordedWords = recordedPage.blocks.flatMap(block => block.lines.flatMap(line => line.words));
	const words = (page?.blocks ?? []).flatMap(block => (block.lines ?? []).flatMap(line => line.words ?? []));
	assert.deepEqual(words.map(word => word.text), recordedWords.map(word => word.text), `${what}: the recorded words`);
	const recordedSize = { width: recordedPage.width, height: recordedPage.height };
	recordedWords.forEach((word, i) => {
		assertNear(polygonOf(words[i].boundingBox), expectedPolygon(word.boundingBox, recordedSize, orientation, received), `${what}: word ${i} "${word.text}"`);
	});
	const recordedFaces = recording.faceDetection?.faces ?? [];
	const answeredFaces = faces?.faceDetection?.faces ?? [];
	assert.equal(answeredFaces.length, recordedFaces.length, `${what}: faces`);
	recordedFaces.forEach((face, i) => {
		assertNear(polygonOf(answeredFaces[i].boundingBox), expectedPolygon(face.boundingBox, recording, orientation, received), `${what}: face ${i}`);
	});
}

/** `fingerprint d=0.012 orientation=8 …` → its distance and orientation. */
function parseMatch(match: string): { distance: number; orientation: number } | undefined {
	const found = /^fingerprint d=([\d.]+) orientation=(\d)/.exec(match);
	return found ? { distance: Number(found[1]), orientation: Number(found[2]) } : undefined;
}

// ---- Images made at test time -------------------------------------------------------------

interface Fixture { name: string; bytes: Buffer; recording: Recording }

function loadFixtures(): Fixture[] {
	const dir = defaultFixturesDir();
	return fs.readdirSync(dir)
		.filter(name => name.endsWith('.recording.json'))
		.sort()
		.map(name => {
			const recording = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Recording;
			return { name: recording.image, bytes: fs.readFileSync(path.join(dir, recording.image)), recording };
		})
		.filter(fixture => fixture.recording.mimeType !== 'application/pdf');
}

/** Registers an image handle for deletion and hands it back. */
type Keep = (made: Vips.Image) => Vips.Image;

/** Runs `make` on the decoded image, deletes every image handle it made, returns the encoded bytes and the stored size. */
function derive(vips: VipsModule, bytes: Buffer, make: (image: Vips.Image, keep: Keep) => Vips.Image, save: (image: Vips.Image) => Uint8Array): { bytes: Buffer; stored: Size } {
	const handles: Vips.Image[] = [];
	const keep = (made: Vips.Image): Vips.Image => {
		handles.push(made);
		return made;
	};
	try {
		const result = make(keep(vips.Image.newFromBuffer(bytes)), keep);
		return { bytes: Buffer.from(save(result)), stored: { width: result.width, height: result.height } };
	} finally {
		for (const handle of handles) handle.delete();
	}
}

const jpeg = (quality: number) => (image: Vips.Image): Uint8Array => image.jpegsaveBuffer({ Q: quality, keep: 'none' });
const png = (image: Vips.Image): Uint8Array => image.pngsaveBuffer({ keep: 'none' });

/** The stored pixels that, shown with EXIF `orientation`, are the given upright image. */
function storedAs(image: Vips.Image, orientation: Orientation, keep: Keep): Vips.Image {
	switch (orientation) {
		case 1: return image;
		case 2: return keep(image.flip('horizontal'));
		case 3: return keep(image.rot180());
		case 4: return keep(image.flip('vertical'));
		case 5: return keep(keep(image.rot90()).flip('horizontal'));
		case 6: return keep(image.rot270());
		case 7: return keep(keep(image.rot270()).flip('horizontal'));
		case 8: return keep(image.rot90());
	}
}

interface Version { what: string; bytes: Buffer; orientation: Orientation; received: Size }

/** (a) smaller at JPEG q70, (b) twice the size, (c) turned and tagged orientation 6, (d) turned without a tag. */
function fittedVersions(vips: VipsModule, fixture: Fixture): Version[] {
	const smaller = derive(vips, fixture.bytes, (image, keep) => keep(image.resize(0.6)), jpeg(70));
	const larger = derive(vips, fixture.bytes, (image, keep) => keep(image.resize(2)), jpeg(85));
	const tagged = derive(vips, fixture.bytes, (image, keep) => {
		const turned = keep(keep(keep(image.resize(0.75)).rot270()).copy());
		turned.setInt('orientation', 6);
		return turned;
	}, image => image.jpegsaveBuffer({ Q: 85 }));
	const raw = derive(vips, fixture.bytes, (image, keep) => storedAs(image, 8, keep), png);
	return [
		{ what: 'downscaled to 60 %, JPEG q70', bytes: smaller.bytes, orientation: 1, received: smaller.stored },
		{ what: 'upscaled 2×, JPEG q85', bytes: larger.bytes, orientation: 1, received: larger.stored },
		{ what: 'stored a quarter turn left with EXIF orientation 6, at 75 %', bytes: tagged.bytes, orientation: 1, received: { width: tagged.stored.height, height: tagged.stored.width } },
		{ what: 'turned a quarter right without EXIF, PNG', bytes: raw.bytes, orientation: 8, received: raw.stored },
	];
}

// ---- Tests --------------------------------------------------------------------------------

describe('emulator: fitted versions of recorded images', () => {
	let vips: VipsModule;
	let fixtures: Fixture[];

	before(async () => {
		emulator = await startEmulator();
		vips = await loadVips();
		fixtures = loadFixtures();
	});

	after(() => emulator.close());

	it('has the thirteen recorded sample images to work with (seven for batchAnalyze, six for the OCR API\'s models)', () => {
		assert.equal(fixtures.length, 13);
	});

	it('still answers the recorded bytes themselves by sha256', async () => {
		const recorded = fixtures.filter(fixture => fixture.recording.textDetection).slice(0, 2);
		const { answer, matches } = await analyze(recorded.map(fixture => fixture.bytes));
		assert.deepEqual(matches, recorded.map(fixture => `exact ${fixture.name.replace(/\.\w+$/, '.recording.json')}`));
		const page = answer.results[0].results?.[0].textDetection?.pages?.[0];
		assert.equal(Number(page?.width), recorded[0].recording.width);
	});

	it('tells the thirteen sample images apart with a margin: any two, in any orientation, are ≥ 2 × the threshold apart', () => {
		const prints = fixtures.map(fixture => ({ name: fixture.name, print: fingerprintImage(vips, fixture.bytes) }));
		let closest = { distance: Infinity, pair: '' };
		for (const a of prints) {
			for (const b of prints) {
				if (a === b) continue;
				for (const [orientation, turned] of allOrientations(b.print)) {
					const distance = fingerprintDistance(a.print, turned);
					if (distance < closest.distance) closest = { distance, pair: `${a.name} / ${b.name} orientation ${orientation}` };
				}
			}
		}
		assert.ok(closest.distance >= 2 * MATCH_THRESHOLD, `closest pair ${closest.pair} at ${closest.distance.toFixed(3)}, threshold ${MATCH_THRESHOLD}`);
	});

	for (const name of ['cyrillic-sign.jpg', 'faces.jpg', 'hostile-text.png', 'latin-note.png', 'mixed-page.png', 'receipt.png', 'rotated-line.png']) {
		it(`${name}: matches downscaled, upscaled, EXIF-turned and raw-turned versions, boxes moved onto their pixels`, async () => {
			const fixture = fixtures.find(f => f.name === name);
			assert.ok(fixture, `${name} is among the fixtures`);
			const versions = fittedVersions(vips, fixture);
			for (const version of versions) assert.ok(version.bytes.length <= 1_048_576, `${version.what}: ${version.bytes.length} bytes`);
			const { answer, matches } = await analyze(versions.map(version => version.bytes));
			versions.forEach((version, i) => {
				const what = `${name}, ${version.what}`;
				const match = parseMatch(matches[i]);
				assert.ok(match, `${what}: matched by fingerprint (log: ${matches[i]})`);
				assert.equal(match.orientation, version.orientation, `${what}: ${matches[i]}`);
				assert.ok(match.distance <= MATCH_THRESHOLD / 4, `${what}: distance ${match.distance} is well below ${MATCH_THRESHOLD}`);
				assert.ok(matches[i].endsWith(fixture.name.replace(/\.\w+$/, '.recording.json')), `${what}: ${matches[i]}`);
				assertPlaced(answer.results[i].results, fixture.recording, version.orientation, version.received, what);
			});
		});
	}

	it('matches every orientation of raw turned or mirrored pixels in that orientation', async () => {
		const fixture = fixtures.find(f => f.name === 'rotated-line.png');
		assert.ok(fixture);
		const orientations: Orientation[] = [1, 2, 3, 4, 5, 6, 7, 8];
		const versions = orientations.map(orientation => ({
			orientation,
			...derive(vips, fixture.bytes, (image, keep) => storedAs(keep(image.resize(0.5)), orientation, keep), jpeg(80)),
		}));
		const { answer, matches } = await analyze(versions.map(version => version.bytes));
		versions.forEach((version, i) => {
			const what = `stored with orientation ${version.orientation}, no EXIF`;
			assert.equal(parseMatch(matches[i])?.orientation, version.orientation, `${what}: ${matches[i]}`);
			assertPlaced(answer.results[i].results, fixture.recording, version.orientation, version.stored, what);
		});
	});

	it('does not match a different image: gradients of a fixture\'s shape, a half and a centre crop of a fixture', async () => {
		const receipt = fixtures.find(f => f.name === 'receipt.png');
		const sign = fixtures.find(f => f.name === 'cyrillic-sign.jpg');
		assert.ok(receipt && sign);
		/** A grey ramp the size of `image`: band 0 of xyz runs across, band 1 down. */
		const ramp = (band: number) => (image: Vips.Image, keep: Keep): Vips.Image => {
			const length = band === 0 ? image.width : image.height;
			const coordinates = keep(keep(vips.Image.xyz(image.width, image.height)).extractBand(band));
			return keep(keep(coordinates.linear(255 / length, 0)).cast('uchar'));
		};
		const across = derive(vips, sign.bytes, ramp(0), png);
		const down = derive(vips, sign.bytes, ramp(1), png);
		const half = derive(vips, receipt.bytes, (image, keep) => keep(image.crop(0, 0, Math.floor(image.width / 2), image.height)), jpeg(85));
		const centre = derive(vips, receipt.bytes, (image, keep) => {
			const crop = keep(image.crop(Math.floor(image.width / 4), Math.floor(image.height / 4), Math.floor(image.width / 2), Math.floor(image.height / 2)));
			return keep(crop.resize(2));
		}, jpeg(85));
		const others = [across.bytes, down.bytes, half.bytes, centre.bytes];
		const { answer, matches } = await analyze(others);
		others.forEach((bytes, i) => {
			assert.match(matches[i], /^none: /, `image ${i}: ${matches[i]}`);
			for (const feature of answer.results[i].results ?? []) {
				assert.equal(feature.error?.code, 5);
				assert.match(feature.error?.message ?? '', new RegExp(`No recording for the image with sha256 ${sha256(bytes)}`));
			}
		});
	});

	describe('PDF', () => {
		let dir: string;
		let own: Emulator;
		const pdf = minimalPdf();
		const pages = [1, 2].map(n => ({
			width: 595, height: 842, entities: [],
			blocks: [{
				boundingBox: { vertices: [{ x: 10, y: 10 }, { x: 10, y: 30 }, { x: 90, y: 30 }, { x: 90, y: 10 }] },
				lines: [{
					boundingBox: { vertices: [{ x: 10, y: 10 }, { x: 10, y: 30 }, { x: 90, y: 30 }, { x: 90, y: 10 }] },
					confidence: 0.9,
					words: [{ boundingBox: { vertices: [{ x: 10, y: 10 }, { x: 10, y: 30 }, { x: 90, y: 30 }, { x: 90, y: 10 }] }, text: `Page${n}`, confidence: 0.9, languages: [], entityIndex: -1 }],
				}],
			}],
		}));

		before(async () => {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vision-emulator-pdf-'));
			fs.writeFileSync(path.join(dir, 'two-pages.pdf'), pdf);
			const recording: Recording = {
				image: 'two-pages.pdf', sha256: sha256(pdf), mimeType: 'application/pdf', width: 595, height: 842,
				description: 'Two pages, one word each', textDetection: { pages },
			};
			fs.writeFileSync(path.join(dir, 'two-pages.recording.json'), JSON.stringify(recording));
			own = emulator;
			emulator = await startEmulator({ fixturesDir: dir });
		});

		after(async () => {
			await emulator.close();
			emulator = own;
			fs.rmSync(dir, { recursive: true, force: true });
		});

		it('answers every page of a recorded PDF by sha256, and does not match a changed PDF', async () => {
			const changed = Buffer.concat([Buffer.from('%PDF-1.4\n% changed\n', 'latin1'), pdf.subarray('%PDF-1.4\n'.length)]);
			const { answer, matches } = await analyze([pdf, changed], 'application/pdf');
			assert.equal(matches[0], 'exact two-pages.recording.json');
			const answered = answer.results[0].results?.[0].textDetection?.pages ?? [];
			assert.deepEqual(answered.map(page => page.blocks?.[0].lines?.[0].words?.[0].text), ['Page1', 'Page2']);
			assert.match(matches[1], /^none: .*sha256 only/);
			assert.equal(answer.results[1].results?.[0].error?.code, 5);
		});
	});
});
