/**
 * The OCR API's answer is a stream of JSON objects that may be cut anywhere by the network: inside
 * a string, an escape, a multi-byte character, between objects. Whatever the cuts, the objects
 * that come out are the ones that went in.
 */
import * as assert from 'node:assert/strict';
import { JsonObjectStream } from '../../src/api/ocr/stream';
import { VisionError } from '../../src/api/transport/errors';
import { mulberry32 } from '../support/random';

const OBJECTS = [
	{ result: { textAnnotation: { width: '640', fullText: 'Молоко 3,2% — «Простоквашино» 😀\n', blocks: [{ lines: [{ text: 'a "quoted" \\ back}slash {brace' }] }] }, page: '0' } },
	{ result: { textAnnotation: { width: '10', markdown: '$$x^{2}$$ [link](x) ] } { ' }, page: '1' } },
	{ error: { code: 13, message: 'Internal error: 内部错误', details: [] } },
];

function feed(stream: JsonObjectStream, bytes: Buffer, cuts: number[]): unknown[] {
	const out: unknown[] = [];
	let from = 0;
	for (const cut of [...cuts, bytes.length]) {
		out.push(...stream.push(bytes.subarray(from, cut)));
		from = cut;
	}
	out.push(...stream.end());
	return out;
}

describe('OCR answer stream', () => {
	const newline = Buffer.from(OBJECTS.map(o => JSON.stringify(o)).join('\n') + '\n');

	it('gives every object of a newline-separated answer read at once', () => {
		assert.deepEqual(feed(new JsonObjectStream({ maxBytes: 1 << 20 }), newline, []), OBJECTS);
	});

	it('gives the same objects whatever byte the chunks are cut at, one byte at a time included', () => {
		const oneByOne = Array.from({ length: newline.length - 1 }, (_, i) => i + 1);
		assert.deepEqual(feed(new JsonObjectStream({ maxBytes: 1 << 20 }), newline, oneByOne), OBJECTS);
		const random = mulberry32(7);
		for (let run = 0; run < 200; run++) {
			const cuts = [...new Set(Array.from({ length: 1 + Math.floor(random() * 12) }, () => 1 + Math.floor(random() * (newline.length - 1))))].sort((a, b) => a - b);
			assert.deepEqual(feed(new JsonObjectStream({ maxBytes: 1 << 20 }), newline, cuts), OBJECTS, `cuts ${cuts.join(',')}`);
		}
	});

	it('cuts inside a multi-byte character decode it whole', () => {
		const bytes = Buffer.from(JSON.stringify({ t: '😀й' }));
		const emoji = bytes.indexOf(0xf0);
		for (let k = 1; k < 4; k++) {
			assert.deepEqual(feed(new JsonObjectStream({ maxBytes: 1 << 20 }), bytes, [emoji + k]), [{ t: '😀й' }]);
		}
	});

	it('takes objects written back to back, with commas, in an array, and after a byte order mark', () => {
		const variants = [
			OBJECTS.map(o => JSON.stringify(o)).join(''),
			`[${OBJECTS.map(o => JSON.stringify(o)).join(',\r\n')}]`,
			`\ufeff${OBJECTS.map(o => JSON.stringify(o, null, 2)).join('\n\n')}`,
		];
		for (const text of variants) assert.deepEqual(feed(new JsonObjectStream({ maxBytes: 1 << 20 }), Buffer.from(text), [3, 50]), OBJECTS);
	});

	it('says the body was cut off when it ends inside an object, counting the complete ones', () => {
		const cut = newline.subarray(0, newline.length - 20);
		assert.throws(() => feed(new JsonObjectStream({ maxBytes: 1 << 20 }), cut, []), (err: unknown) =>
			err instanceof VisionError && err.kind === 'protocol' && /ends inside a JSON object .*2 complete objects.*cut off/.test(err.message));
	});

	it('refuses what is not a stream of objects, and an object that is not JSON', () => {
		assert.throws(() => feed(new JsonObjectStream({ maxBytes: 1 << 20 }), Buffer.from('<html>502</html>'), []), /not a stream of JSON objects: "<html>502<\/html>"/);
		assert.throws(() => feed(new JsonObjectStream({ maxBytes: 1 << 20 }), Buffer.from('{"a": tru}'), []), /Object 1 of the service's answer is not valid JSON/);
	});

	it('stops reading past the size limit', () => {
		const stream = new JsonObjectStream({ maxBytes: 100 });
		assert.throws(() => stream.push(Buffer.alloc(101, 0x20)), (err: unknown) => err instanceof VisionError && /larger than/.test(err.message));
	});

	it('holds only the object being received: a finished object leaves no text behind', () => {
		const stream = new JsonObjectStream({ maxBytes: 1 << 30 });
		const big = JSON.stringify({ result: { textAnnotation: { fullText: 'x'.repeat(1 << 20) } } });
		for (let i = 0; i < 20; i++) assert.equal(stream.push(Buffer.from(big + '\n')).length, 1);
		assert.equal((stream as unknown as { current: string }).current, '');
		assert.equal(stream.count, 20);
	});
});
