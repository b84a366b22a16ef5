/**
 * A made-up but realistic OCR answer for benchmarks: two columns of blocks on a 2000×2600 page,
 * 5 lines of 10 words per block, Latin and Cyrillic words of natural lengths, each block slightly
 * rotated as scanned pages are. Seeded, so every run draws exactly the same words in the same
 * places; a smaller result uses the first blocks of the same layout.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Block, Line, TextAnnotation, Vertex, Word } from '../../src/results/types';
import { mulberry32 } from '../support/random';

export const PAGE_WIDTH = 2000;
export const PAGE_HEIGHT = 2600;
export const LINES_PER_BLOCK = 5;
export const WORDS_PER_LINE = 10;
/** Two columns of 20 blocks: 40 blocks hold 2,000 words. */
export const MAX_BLOCKS = 40;

const MARGIN = 100;
const COLUMN_GAP = 80;
const COLUMN_WIDTH = (PAGE_WIDTH - 2 * MARGIN - COLUMN_GAP) / 2;
const BLOCK_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / (MAX_BLOCKS / 2);
const LINE_PITCH = 20;
const WORD_HEIGHT = 15;
const CHAR_WIDTH = 8;
const SPACE_WIDTH = 7;

// Common words, so lengths follow real text: many short ones, a tail of long ones.
const LATIN = ('the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were '
	+ 'her she there would their we him been has when who will more no if out so said what up its about into than them can only other '
	+ 'new some could time these two may then first any like now my such make over our even most me state after also made many before '
	+ 'must through back years where much your way well down should because each just those people how too little good very world '
	+ 'recognition document invoice shipment quarterly department international responsibility approximately 2025 No. 14:30 e-mail').split(' ');
const CYRILLIC = ('и в не на я быть он с что а по это она этот к но они мы как из у который то за свой весь год от так о для ты же '
	+ 'все тот мочь вы человек такой его сказать только или еще бы себя один когда уже до время если сам другой говорить наш мой знать '
	+ 'стать при чтобы дело жизнь кто первый очень два день её новый рука даже во со раз где там под можно ну какой после их работа '
	+ 'распознавание документ счёт-фактура поставка ежеквартальный департамент международный ответственность приблизительно 2025 г. №14').split(' ');

export interface SyntheticOcr {
	annotation: TextAnnotation;
	wordCount: number;
}

/** `blocks` blocks (at most MAX_BLOCKS) of LINES_PER_BLOCK × WORDS_PER_LINE words. */
export function syntheticOcr(blocks: number, seed = 20251124): SyntheticOcr {
	if (!Number.isInteger(blocks) || blocks < 1 || blocks > MAX_BLOCKS) throw new RangeError(`blocks must be 1..${MAX_BLOCKS}, got ${blocks}`);
	const random = mulberry32(seed);
	const result: Block[] = [];
	for (let slot = 0; slot < blocks; slot++) result.push(block(slot, random));
	return {
		annotation: { pages: [{ width: PAGE_WIDTH, height: PAGE_HEIGHT, blocks: result, entities: [] }] },
		wordCount: blocks * LINES_PER_BLOCK * WORDS_PER_LINE,
	};
}

function block(slot: number, random: () => number): Block {
	const column = Math.floor(slot / (MAX_BLOCKS / 2));
	const row = slot % (MAX_BLOCKS / 2);
	const left = MARGIN + column * (COLUMN_WIDTH + COLUMN_GAP);
	const top = MARGIN + row * BLOCK_HEIGHT + 10;
	// Up to ±0.6°, about a common pivot, so the block's lines and words stay parallel.
	const angle = (random() - 0.5) * 1.2 * Math.PI / 180;
	const place = rotateAbout({ x: left, y: top }, angle);
	const cyrillic = random() < 0.5;
	const lines: Line[] = [];
	let width = 0;
	for (let i = 0; i < LINES_PER_BLOCK; i++) {
		const next = line(left, top + i * LINE_PITCH, cyrillic, random, place);
		lines.push(next.line);
		width = Math.max(width, next.width);
	}
	return { boundingBox: { vertices: quad(left - 4, top - 4, width + 8, LINES_PER_BLOCK * LINE_PITCH + 4, place) }, lines };
}

function line(left: number, top: number, cyrillic: boolean, random: () => number, place: (v: Vertex) => Vertex): { line: Line; width: number } {
	const texts: string[] = [];
	for (let i = 0; i < WORDS_PER_LINE; i++) {
		// A tenth of the words in the other script, as in real mixed documents.
		const inCyrillic = random() < 0.9 ? cyrillic : !cyrillic;
		const vocabulary = inCyrillic ? CYRILLIC : LATIN;
		let text = vocabulary[Math.floor(random() * vocabulary.length)];
		if (i === 0) text = text.charAt(0).toUpperCase() + text.slice(1);
		if (i === WORDS_PER_LINE - 1 && random() < 0.3) text += '.';
		else if (random() < 0.08) text += ',';
		texts.push(text);
	}
	// Narrower glyphs when a line of long words would not fit its column.
	const natural = texts.reduce((sum, t) => sum + [...t].length * CHAR_WIDTH, 0) + (texts.length - 1) * SPACE_WIDTH;
	const scale = Math.min(1, COLUMN_WIDTH / natural);
	const words: Word[] = [];
	let x = left;
	for (const text of texts) {
		const wordWidth = Math.max(4, Math.round([...text].length * CHAR_WIDTH * scale));
		const confidence = round3(0.82 + random() * 0.179);
		const languageCode = /[а-яё]/i.test(text) ? 'ru' : 'en';
		words.push({
			boundingBox: { vertices: quad(x, top, wordWidth, WORD_HEIGHT, place) },
			text,
			confidence,
			languages: [{ languageCode, confidence: round3(0.9 + random() * 0.099) }],
			entityIndex: -1,
		});
		x += wordWidth + SPACE_WIDTH * scale;
	}
	const confidence = round3(words.reduce((sum, w) => sum + (w.confidence ?? 0), 0) / words.length);
	const width = x - SPACE_WIDTH * scale - left;
	return { line: { boundingBox: { vertices: quad(left - 2, top - 2, width + 4, WORD_HEIGHT + 4, place) }, words, confidence }, width };
}

/** Corners in the service's order: top-left, bottom-left, bottom-right, top-right; whole pixels. */
function quad(x: number, y: number, width: number, height: number, place: (v: Vertex) => Vertex): Vertex[] {
	return [{ x, y }, { x, y: y + height }, { x: x + width, y: y + height }, { x: x + width, y }]
		.map(place)
		.map(v => ({ x: Math.round(v.x), y: Math.round(v.y) }));
}

function rotateAbout(pivot: Vertex, angle: number): (v: Vertex) => Vertex {
	const cos = Math.cos(angle);
	const sin = Math.sin(angle);
	return v => ({
		x: pivot.x + (v.x - pivot.x) * cos - (v.y - pivot.y) * sin,
		y: pivot.y + (v.x - pivot.x) * sin + (v.y - pivot.y) * cos,
	});
}

function round3(n: number): number {
	return Math.round(n * 1000) / 1000;
}

/** A blank page as an 8-bit greyscale PNG, the size of the OCR page. */
export function blankPagePng(width = PAGE_WIDTH, height = PAGE_HEIGHT, grey = 0xf4): Buffer {
	const row = Buffer.alloc(1 + width, grey);
	row[0] = 0; // filter: none
	const raw = Buffer.concat(Array.from({ length: height }, () => row));
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 0; // colour type: greyscale
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, crc]);
}
