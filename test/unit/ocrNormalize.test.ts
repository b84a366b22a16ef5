/**
 * One message of the OCR API's stream read into the results model: both wrappings, both spellings
 * of field names, proto3's omitted zeros and int64 strings, tables, layout, Markdown, and no
 * confidence made up where the service gives none.
 */
import * as assert from 'node:assert/strict';
import { readStreamMessage, upright } from '../../src/api/ocr/normalize';
import { VisionError } from '../../src/api/transport/errors';
import type { Page } from '../../src/results/types';

const box = (x: number, y: number, w: number, h: number) => ({ vertices: [{ x: String(x), y: String(y) }, { x: String(x), y: String(y + h) }, { x: String(x + w), y: String(y + h) }, { x: String(x + w), y: String(y) }] });

const ANNOTATION = {
	width: '400',
	height: '300',
	blocks: [{
		boundingBox: box(10, 10, 200, 30),
		lines: [{
			boundingBox: box(10, 10, 200, 30),
			text: 'Итого 120',
			words: [
				{ boundingBox: box(10, 10, 90, 30), text: 'Итого', entityIndex: '-1', textSegments: [{ length: '5' }] },
				{ boundingBox: box(110, 10, 100, 30), text: '120', entityIndex: '0', textSegments: [{ startIndex: '6', length: '3' }] },
			],
			textSegments: [{ length: '9' }],
			orientation: 'ANGLE_0',
		}],
		languages: [{ languageCode: 'ru' }],
		textSegments: [{ length: '9' }],
		layoutType: 'LAYOUT_TYPE_TITLE',
	}],
	entities: [{ name: 'total', text: '120' }],
	tables: [{
		boundingBox: box(0, 100, 400, 100),
		rowCount: '2',
		columnCount: '2',
		cells: [
			{ boundingBox: box(0, 100, 400, 50), columnSpan: '2', rowSpan: '1', text: 'Заголовок' },
			{ boundingBox: box(0, 150, 200, 50), rowIndex: '1', text: 'a' },
			{ boundingBox: box(200, 150, 200, 50), rowIndex: '1', columnIndex: '1', columnSpan: '1', rowSpan: '1', text: 'b' },
		],
	}],
	fullText: 'Итого 120\n',
	markdown: '# Итого 120\n',
	pictures: [{ boundingBox: box(300, 200, 50, 50), score: 0.93 }],
};

function snake(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(snake);
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`), snake(v)]));
	}
	return value;
}

function page(message: unknown): Page {
	const read = readStreamMessage(message);
	assert.equal(read.kind, 'page');
	return (read as { annotation: Page }).annotation;
}

describe('OCR API answer, one message', () => {
	it('reads the REST wrapping, the bare response, and snake_case names alike', () => {
		const wrapped = page({ result: { textAnnotation: ANNOTATION, page: '0' } });
		assert.deepEqual(page({ textAnnotation: ANNOTATION }), wrapped);
		assert.deepEqual(page(snake({ result: { textAnnotation: ANNOTATION, page: '0' } })), wrapped);
		const read = readStreamMessage({ result: { textAnnotation: ANNOTATION, page: '3' } });
		assert.equal(read.kind === 'page' && read.page, 3);
	});

	it('turns int64 strings into numbers and fills omitted zeros', () => {
		const p = page({ result: { textAnnotation: ANNOTATION } });
		assert.equal(p.width, 400);
		assert.deepEqual(p.blocks[0]!.boundingBox.vertices[0], { x: 10, y: 10 });
		const cell = p.tables![0]!.cells[1]!;
		assert.deepEqual([cell.rowIndex, cell.columnIndex, cell.rowSpan, cell.columnSpan], [1, 0, 1, 1], 'omitted spans are one cell, omitted indexes 0');
		assert.deepEqual(p.tables![0]!.cells[0]!.columnSpan, 2);
		assert.deepEqual([p.tables![0]!.rowCount, p.tables![0]!.columnCount], [2, 2]);
	});

	it('gives words no confidence and no languages, and keeps the block\'s languages and layout', () => {
		const p = page({ result: { textAnnotation: ANNOTATION } });
		const [first, second] = p.blocks[0]!.lines[0]!.words;
		assert.equal('confidence' in first!, false);
		assert.equal('languages' in first!, false);
		assert.equal('confidence' in p.blocks[0]!.lines[0]!, false);
		assert.deepEqual([first!.entityIndex, second!.entityIndex], [-1, 0]);
		assert.deepEqual(p.blocks[0]!.languages, [{ languageCode: 'ru' }]);
		assert.equal(p.blocks[0]!.layoutType, 'title');
		assert.equal(p.blocks[0]!.lines[0]!.orientation, undefined, 'ANGLE_0 is upright');
	});

	it('keeps entities, full text, Markdown and pictures', () => {
		const p = page({ result: { textAnnotation: ANNOTATION } });
		assert.deepEqual(p.entities, [{ name: 'total', text: '120' }]);
		assert.equal(p.fullText, 'Итого 120\n');
		assert.equal(p.markdown, '# Итого 120\n');
		assert.deepEqual(p.pictures, [{ boundingBox: { vertices: [{ x: 300, y: 200 }, { x: 300, y: 250 }, { x: 350, y: 250 }, { x: 350, y: 200 }] }, score: 0.93 }]);
	});

	it('leaves out what a model did not return rather than keeping empty values', () => {
		const p = page({ result: { textAnnotation: { width: '10', height: '10' } } });
		assert.deepEqual(p, { width: 10, height: 10, blocks: [], entities: [] });
	});

	it('reads layout types and angles given as enum numbers, and a layout it does not know as unknown', () => {
		const p = page({ textAnnotation: { blocks: [{ layoutType: 3 }, { layoutType: 'LAYOUT_TYPE_MARGINALIA' }, { layoutType: 'LAYOUT_TYPE_LIST' }], rotate: 3 } });
		assert.deepEqual(p.blocks.map(b => b.layoutType), ['header', 'unknown', 'list']);
		assert.equal(p.rotate, 180);
	});

	it('reads an error message of the stream as its status', () => {
		assert.deepEqual(readStreamMessage({ error: { code: 13, message: 'boom', details: [] } }), { kind: 'error', status: { code: 13, message: 'boom', details: [] } });
		assert.deepEqual(readStreamMessage({ error: { message: 'no code' } }), { kind: 'error', status: { code: 2, message: 'no code', details: [] } }, 'an error slot never reads as success');
	});

	it('names the path of what is wrong', () => {
		const cases: [unknown, RegExp][] = [
			[{ result: { textAnnotation: { width: 'wide' } } }, /^result\.textAnnotation\.width: expected an int64/],
			[{ result: { textAnnotation: { tables: [{ cells: [{ rowIndex: 1.5 }] }] } } }, /^result\.textAnnotation\.tables\[0\]\.cells\[0\]\.rowIndex: expected an int64/],
			[{ result: {} }, /^result: has no textAnnotation/],
			[[1, 2], /expected an object/],
			[{ result: { textAnnotation: { blocks: [{ layoutType: {} }] } } }, /layoutType: expected a LayoutType/],
		];
		for (const [message, pattern] of cases) {
			assert.throws(() => readStreamMessage(message), (err: unknown) => err instanceof VisionError && err.kind === 'protocol' && pattern.test(err.message), String(pattern));
		}
	});

	describe('a page the service turned to read it', () => {
		// A 400×300 image read turned 90° clockwise: the service's page is 300×400.
		const turned = (angle: string, width: number, height: number): Page => page({ textAnnotation: { width: String(width), height: String(height), rotate: angle, blocks: [{ boundingBox: { vertices: [{ x: '10', y: '20' }] }, lines: [] }], tables: [{ boundingBox: { vertices: [{ x: '10', y: '20' }] }, cells: [] }] } });

		it('maps boxes back onto the image as sent, for each quarter turn', () => {
			const sent = { width: 400, height: 300 };
			const at90 = upright(turned('ANGLE_90', 300, 400), sent);
			assert.deepEqual([at90.width, at90.height], [400, 300]);
			assert.deepEqual(at90.blocks[0]!.boundingBox.vertices[0], { x: 20, y: 290 });
			assert.deepEqual(at90.tables![0]!.boundingBox.vertices[0], { x: 20, y: 290 });
			const at270 = upright(turned('ANGLE_270', 300, 400), sent);
			assert.deepEqual(at270.blocks[0]!.boundingBox.vertices[0], { x: 380, y: 10 });
			const at180 = upright(turned('ANGLE_180', 400, 300), sent);
			assert.deepEqual(at180.blocks[0]!.boundingBox.vertices[0], { x: 390, y: 280 });
		});

		it('leaves a page alone that already has the sent image\'s size, or was not turned', () => {
			const sent = { width: 400, height: 300 };
			const same = turned('ANGLE_90', 400, 300);
			assert.equal(upright(same, sent), same);
			const straight = turned('ANGLE_0', 400, 300);
			assert.equal(upright(straight, sent), straight);
		});
	});
});
