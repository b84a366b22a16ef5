/**
 * Numbered images made at test time, each with the recording the emulator answers it from:
 * a grey PNG showing its number in a 3×5 pixel font, recorded as one word whose text is that
 * number. Every number gives different pixels, so different bytes and a different cache key.
 * An optional filler chunk brings a file to a given size, for tests that measure memory.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { RecordedPolygon, Recording } from '../emulator/recording';

/** Each digit's five rows of three pixels, `#` for ink. */
const FONT: Readonly<Record<string, readonly string[]>> = {
	0: ['###', '#.#', '#.#', '#.#', '###'],
	1: ['.#.', '##.', '.#.', '.#.', '###'],
	2: ['###', '..#', '###', '#..', '###'],
	3: ['###', '..#', '.##', '..#', '###'],
	4: ['#.#', '#.#', '###', '..#', '..#'],
	5: ['###', '#..', '###', '..#', '###'],
	6: ['###', '#..', '###', '#.#', '###'],
	7: ['###', '..#', '.#.', '.#.', '.#.'],
	8: ['###', '#.#', '###', '#.#', '###'],
	9: ['###', '#.#', '###', '..#', '###'],
};

const SCALE = 3;
const MARGIN = 4;
const DIGIT_WIDTH = 3 * SCALE;
const DIGIT_GAP = SCALE;
const TEXT_HEIGHT = 5 * SCALE;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Private, ancillary, safe to copy: decoders skip it. */
const FILLER_CHUNK = 'fiLl';
const CHUNK_OVERHEAD = 12;

export interface NumberImage {
	number: number;
	bytes: Buffer;
	width: number;
	height: number;
	/** Where the digits are, in pixels. */
	box: { left: number; top: number; right: number; bottom: number };
}

/** The PNG showing `number`; `sizeBytes` pads the file to exactly that size with a filler chunk. */
export function numberImage(number: number, sizeBytes?: number): NumberImage {
	if (!Number.isSafeInteger(number) || number < 0) throw new RangeError(`a number image shows a non-negative integer, got ${number}`);
	const digits = String(number);
	const textWidth = digits.length * DIGIT_WIDTH + (digits.length - 1) * DIGIT_GAP;
	const width = textWidth + 2 * MARGIN;
	const height = TEXT_HEIGHT + 2 * MARGIN;
	// One filter byte (0: none) before each row of 8-bit grey pixels, white by default.
	const stride = width + 1;
	const pixels = Buffer.alloc(stride * height, 0xff);
	for (let y = 0; y < height; y++) pixels[y * stride] = 0;
	[...digits].forEach((digit, d) => {
		const left = MARGIN + d * (DIGIT_WIDTH + DIGIT_GAP);
		FONT[digit]!.forEach((row, fontY) => {
			[...row].forEach((cell, fontX) => {
				if (cell !== '#') return;
				for (let dy = 0; dy < SCALE; dy++) {
					for (let dx = 0; dx < SCALE; dx++) {
						const x = left + fontX * SCALE + dx;
						const y = MARGIN + fontY * SCALE + dy;
						pixels[y * stride + 1 + x] = 0x20;
					}
				}
			});
		});
	});
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 0; // colour type: grey
	const parts = [PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(pixels))];
	const end = chunk('IEND', Buffer.alloc(0));
	if (sizeBytes !== undefined) {
		const used = parts.reduce((sum, part) => sum + part.length, 0) + end.length;
		const filler = sizeBytes - used - CHUNK_OVERHEAD;
		if (filler < 0) throw new RangeError(`the image of ${number} needs at least ${used + CHUNK_OVERHEAD} bytes, ${sizeBytes} asked`);
		parts.push(chunk(FILLER_CHUNK, Buffer.alloc(filler, 0x2e)));
	}
	const box = { left: MARGIN, top: MARGIN, right: MARGIN + textWidth, bottom: MARGIN + TEXT_HEIGHT };
	return { number, bytes: Buffer.concat([...parts, end]), width, height, box };
}

/** What the service would answer for the image: one block, one line, one word — the number. */
export function numberRecording(image: NumberImage, fileName: string): Recording {
	const { left, top, right, bottom } = image.box;
	// From the top-left corner, counter-clockwise, as the service gives boxes.
	const box: RecordedPolygon = { vertices: [{ x: left, y: top }, { x: left, y: bottom }, { x: right, y: bottom }, { x: right, y: top }] };
	return {
		image: fileName,
		sha256: createHash('sha256').update(image.bytes).digest('hex'),
		mimeType: 'image/png',
		width: image.width,
		height: image.height,
		description: `The number ${image.number} in dark grey pixel digits on white.`,
		textDetection: {
			pages: [{
				width: image.width,
				height: image.height,
				blocks: [{
					boundingBox: box,
					lines: [{
						boundingBox: box,
						confidence: 0.99,
						words: [{ boundingBox: box, text: String(image.number), confidence: 0.99, languages: [{ languageCode: 'en', confidence: 0.9 }], entityIndex: -1 }],
					}],
				}],
				entities: [],
			}],
		},
	};
}

export interface NumberFile {
	number: number;
	/** Full path of the PNG. */
	file: string;
	bytes: number;
}

/**
 * Writes the images of 0…count−1 (plus `first`) and their recordings into `dir`, as an emulator's
 * fixtures folder: `number-<n>.png` beside `number-<n>.recording.json`.
 */
export function writeNumberFixtures(dir: string, count: number, options: { first?: number; sizeBytes?: number } = {}): NumberFile[] {
	fs.mkdirSync(dir, { recursive: true });
	const first = options.first ?? 0;
	return Array.from({ length: count }, (_, i) => {
		const image = numberImage(first + i, options.sizeBytes);
		const name = `number-${String(image.number).padStart(6, '0')}`;
		const file = path.join(dir, `${name}.png`);
		fs.writeFileSync(file, image.bytes);
		fs.writeFileSync(path.join(dir, `${name}.recording.json`), JSON.stringify(numberRecording(image, `${name}.png`)));
		return { number: image.number, file, bytes: image.bytes.length };
	});
}

function chunk(type: string, data: Buffer): Buffer {
	const out = Buffer.alloc(data.length + CHUNK_OVERHEAD);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'latin1');
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}
