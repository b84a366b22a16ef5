import * as assert from 'node:assert/strict';
import {
	codeOf,
	describeInvisible,
	findInvisible,
	hasInvisible,
	isInvisible,
	showInvisible,
	splitInvisible,
	stripInvisible,
} from '../../src/results/invisibleCharacters';
import { PAGE_SEPARATOR } from '../../src/results/text';

const SPOOF = 'invoice\u202Efdp.exe';

describe('invisible and bidi control characters', () => {
	it('counts the bidi controls, zero-width characters, invisible format and control characters', () => {
		const expected = [
			0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
			0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF,
			0x00AD, 0x180E, 0x2061, 0x2062, 0x2063, 0x2064,
			0x00, 0x07, 0x08, 0x0B, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F,
			0xE0001, 0xE0041, 0xE007F,
		];
		const missed = expected.filter(cp => !isInvisible(cp) || !hasInvisible(String.fromCodePoint(cp))).map(codeOf);
		assert.deepEqual(missed, []);
	});

	it('leaves letters, spaces, tab, line breaks and the page break alone', () => {
		for (const text of ['plain text', 'Привет, мир', 'שלום', 'مرحبا', '中文', 'a\tb\nc\r\nd', PAGE_SEPARATOR, '\u00A0', 'emoji 👍🏽 ❤️']) {
			assert.equal(hasInvisible(text), false, JSON.stringify(text));
			assert.equal(stripInvisible(text), text);
			assert.deepEqual(findInvisible(text), { count: 0, characters: [] });
		}
	});

	it('agrees with itself on every code point: the fast test and the description', () => {
		const disagree: string[] = [];
		for (let cp = 0; cp <= 0x10FFFF; cp++) {
			if (cp >= 0xD800 && cp <= 0xDFFF) continue;
			if (hasInvisible(String.fromCodePoint(cp)) !== (describeInvisible(cp) !== undefined)) disagree.push(codeOf(cp));
		}
		assert.deepEqual(disagree, []);
	});

	it('names each character by its code and a short name', () => {
		assert.deepEqual(describeInvisible(0x202E), { codePoint: 0x202E, code: 'U+202E', name: 'RIGHT-TO-LEFT OVERRIDE', kind: 'bidi' });
		assert.deepEqual(describeInvisible(0x200B), { codePoint: 0x200B, code: 'U+200B', name: 'ZERO WIDTH SPACE', kind: 'zero-width' });
		assert.deepEqual(describeInvisible(0xAD), { codePoint: 0xAD, code: 'U+00AD', name: 'SOFT HYPHEN', kind: 'format' });
		assert.deepEqual(describeInvisible(0x1B), { codePoint: 0x1B, code: 'U+001B', name: 'ESCAPE', kind: 'control' });
		assert.equal(describeInvisible(0xE0041)?.code, 'U+E0041');
		assert.equal(describeInvisible(0xE0041)?.name, 'TAG "A"');
		assert.equal(describeInvisible(0x41), undefined);
	});

	it('splits a text into plain runs and one run per invisible character, which join back into the text', () => {
		const runs = splitInvisible(SPOOF);
		assert.deepEqual(runs.map(r => r.kind === 'text' ? r.text : r.character.code), ['invoice', 'U+202E', 'fdp.exe']);
		const mixed = '\u200B\u200Ba\u{E0041}b\u2066';
		const split = splitInvisible(mixed);
		assert.deepEqual(split.map(r => r.kind === 'text' ? r.text : r.character.code), ['U+200B', 'U+200B', 'a', 'U+E0041', 'b', 'U+2066']);
		assert.equal(split.map(r => r.text).join(''), mixed);
		assert.deepEqual(splitInvisible('plain'), [{ kind: 'text', text: 'plain' }]);
		assert.deepEqual(splitInvisible(''), []);
	});

	it('counts them, lists each once in order, and strips them all', () => {
		const text = `${SPOOF} \u200Bx\u202E\u00AD`;
		const found = findInvisible(text);
		assert.equal(found.count, 4);
		assert.deepEqual(found.characters.map(c => c.code), ['U+202E', 'U+200B', 'U+00AD']);
		assert.equal(stripInvisible(text), 'invoicefdp.exe x');
		assert.equal(hasInvisible(stripInvisible(text)), false);
	});

	it('writes them visibly for places that show only a string', () => {
		assert.equal(showInvisible(SPOOF), 'invoice\u27E6U+202E\u27E7fdp.exe');
		assert.equal(showInvisible('a\u{E0041}'), 'a\u27E6U+E0041\u27E7');
		assert.equal(showInvisible('plain\ttext'), 'plain\ttext');
	});

	it('is not fooled by markup or long texts', () => {
		const markup = '<img src=x onerror=alert(1)>\u202E';
		assert.equal(stripInvisible(markup), '<img src=x onerror=alert(1)>');
		const long = `${'W'.repeat(100_000)}\u200B`;
		assert.equal(findInvisible(long).count, 1);
		assert.equal(splitInvisible(long).length, 2);
	});
});
