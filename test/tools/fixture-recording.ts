/**
 * Turns a drawn scene and the browser's measurements into the recording the emulator answers
 * with, checking on the way that the measurements match what the scene meant to draw.
 */

import { createHash } from 'node:crypto';
import type { RecordedBlock, RecordedLine, RecordedPage, RecordedPolygon, RecordedWord, Recording } from '../emulator/recording';
import { boundsOfQuads, parseCssMatrix, quadOfRect, toPolygon, transformQuad, unionRects, type Rect } from './fixture-geometry';
import type { PdfScene } from './fixture-pdf';
import { isJpeg, splitWords, type BlockSpec, type Measurement, type Scene } from './fixture-scene';

/** How far (CSS px) our own transform may land from the browser's: its matrix is printed to 6 digits. */
const TRANSFORM_TOLERANCE = 0.05;

export function buildRecording(scene: Scene, measurement: Measurement, bytes: Uint8Array): Recording {
	const recording: Recording = {
		image: scene.file,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		mimeType: isJpeg(scene.file) ? 'image/jpeg' : 'image/png',
		width: scene.width,
		height: scene.height,
		description: scene.description,
		textDetection: { pages: [textPage(scene, measurement)] },
		classification: classificationOf(scene),
		faceDetection: { faces: measurement.faces.map(face => ({ boundingBox: toPolygon(quadOfRect(inside(scene, face))) })) },
	};
	if (scene.copies) {
		recording.imageCopySearch = {
			copyCount: scene.copies.copyCount,
			topResults: scene.copies.topResults.map(r => ({ imageUrl: r.imageUrl, pageUrl: r.pageUrl, title: r.title, description: r.description })),
		};
	}
	return recording;
}

/** What one text page is drawn from: a whole image, or one page of a PDF. */
interface PageSpec {
	/** For messages. */
	file: string;
	width: number;
	height: number;
	blocks: readonly BlockSpec[];
	entities?: readonly { name: string; text: string }[];
	faces?: readonly unknown[];
}

/**
 * A PDF's recording: one text page per PDF page, each in that page's own pixels, with the page
 * measured at 96 dpi (a CSS pixel is 1/96 inch, a PDF point 1/72). Its width and height are the
 * first page's. No faces, and no copies: a document is not a photo.
 */
export function buildPdfRecording(scene: PdfScene, measurements: readonly Measurement[], bytes: Uint8Array): Recording {
	if (measurements.length !== scene.pages.length) throw new Error(`${scene.file}: measured ${measurements.length} pages, meant ${scene.pages.length}`);
	const [first] = scene.pages;
	if (!first) throw new Error(`${scene.file}: no pages`);
	return {
		image: scene.file,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		mimeType: 'application/pdf',
		width: first.width,
		height: first.height,
		description: scene.description,
		textDetection: { pages: scene.pages.map((page, p) => textPage({ ...page, file: `${scene.file} page ${p + 1}` }, measurements[p])) },
		classification: classificationOf(scene),
		faceDetection: { faces: [] },
	};
}

function classificationOf(scene: Pick<Scene, 'quality' | 'moderation'>): Record<string, { name: string; probability: number }[]> {
	return {
		quality: [
			{ name: 'low', probability: scene.quality[0] },
			{ name: 'medium', probability: scene.quality[1] },
			{ name: 'high', probability: scene.quality[2] },
		],
		moderation: [
			{ name: 'adult', probability: scene.moderation.adult },
			{ name: 'gruesome', probability: scene.moderation.gruesome },
			{ name: 'text', probability: scene.moderation.text },
			{ name: 'watermarks', probability: scene.moderation.watermarks },
		],
	};
}

function textPage(scene: PageSpec, measurement: Measurement): RecordedPage {
	if (measurement.blocks.length !== scene.blocks.length) throw new Error(`${scene.file}: drew ${measurement.blocks.length} blocks, meant ${scene.blocks.length}`);
	if ((scene.faces?.length ?? 0) !== measurement.faces.length) throw new Error(`${scene.file}: found ${measurement.faces.length} faces`);
	const blocks = scene.blocks.map((spec, b): RecordedBlock => {
		const measured = measurement.blocks[b];
		const matrix = parseCssMatrix(measured.transform);
		const place = (r: Rect): RecordedPolygon => toPolygon(transformQuad(quadOfRect(r), matrix, measured.origin));
		if (measured.lines.length !== spec.lines.length) throw new Error(`${scene.file}: block ${b} drew ${measured.lines.length} lines`);
		const lineRects: Rect[] = [];
		const lines = spec.lines.map(([confidence, text, right], l): RecordedLine => {
			const expected = [...splitWords(text), ...splitWords(right ?? '')];
			const words = measured.lines[l].words;
			if (words.map(w => w.text).join(' ') !== expected.join(' ')) throw new Error(`${scene.file}: line "${text}" drew "${words.map(w => w.text).join(' ')}"`);
			const top = words[0].layout.top;
			if (words.some(w => Math.abs(w.layout.top - top) > 0.5)) throw new Error(`${scene.file}: line "${text}" wrapped`);
			for (const w of words) {
				const onScreen = boundsOfQuads([transformQuad(quadOfRect(w.layout), matrix, measured.origin)]);
				if (!sameRect(onScreen, w.screen, TRANSFORM_TOLERANCE)) throw new Error(`${scene.file}: "${w.text}" is not where the transform puts it`);
				if (w.screen.left < 0 || w.screen.top < 0 || w.screen.right > scene.width || w.screen.bottom > scene.height) throw new Error(`${scene.file}: "${w.text}" is outside the image`);
			}
			const lineRect = unionRects(words.map(w => w.layout));
			lineRects.push(lineRect);
			const [languageCode, languageConfidence] = spec.language;
			return {
				boundingBox: place(lineRect),
				words: words.map((w): RecordedWord => ({
					boundingBox: place(w.layout),
					text: w.text,
					confidence,
					languages: [{ languageCode, confidence: languageConfidence }],
					entityIndex: -1,
				})),
				confidence,
			};
		});
		return { boundingBox: place(unionRects(lineRects)), lines };
	});
	const entities = (scene.entities ?? []).map(e => ({ name: e.name, text: e.text }));
	entities.forEach((entity, index) => markEntity(scene.file, blocks, entity.text, index));
	return { width: scene.width, height: scene.height, blocks, entities };
}

/** Points the words that spell an entity (a run within one line) at it. */
function markEntity(file: string, blocks: RecordedBlock[], text: string, index: number): void {
	const wanted = splitWords(text);
	for (const line of blocks.flatMap(b => b.lines)) {
		for (let start = 0; start + wanted.length <= line.words.length; start++) {
			const run = line.words.slice(start, start + wanted.length);
			if (run.every((w, i) => w.text === wanted[i])) {
				for (const w of run) w.entityIndex = index;
				return;
			}
		}
	}
	throw new Error(`${file}: entity "${text}" is not drawn`);
}

function sameRect(a: Rect, b: Rect, tolerance: number): boolean {
	return Math.abs(a.left - b.left) <= tolerance && Math.abs(a.top - b.top) <= tolerance
		&& Math.abs(a.right - b.right) <= tolerance && Math.abs(a.bottom - b.bottom) <= tolerance;
}

/** Faces near an edge are cut by the frame, as a detector would report them. */
function inside(scene: Scene, r: Rect): Rect {
	return {
		left: Math.max(0, r.left),
		top: Math.max(0, r.top),
		right: Math.min(scene.width, r.right),
		bottom: Math.min(scene.height, r.bottom),
	};
}

/**
 * A JPEG cut inside its header: kept up to the start of the first frame header (SOFn) plus its
 * length and precision, so a reader finds the marker but not the frame's size.
 */
export function truncateBeforeFrameSize(jpeg: Uint8Array): Uint8Array {
	let offset = 2;
	while (offset + 4 <= jpeg.length) {
		if (jpeg[offset] !== 0xff) throw new Error('not a JPEG marker');
		const marker = jpeg[offset + 1];
		const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isFrame) return jpeg.slice(0, offset + 5);
		if (marker === 0xda) break;
		offset += 2 + ((jpeg[offset + 2] << 8) | jpeg[offset + 3]);
	}
	throw new Error('no frame header before the scan');
}
