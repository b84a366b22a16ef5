import * as assert from 'node:assert/strict';
import { annotationToMarkdown, annotationToText, PAGE_SEPARATOR, selectionText, wordsInReadingOrder } from '../../src/results/text';
import { textAnnotation } from '../support/textAnnotation';

/** Two blocks holding three lines: the order the service gave, deliberately not top-to-bottom by text. */
const TWO_BLOCKS = textAnnotation([[
	[['Счёт', '№', '42'], ['от', '1', 'мая']],
	[['Итого:', '1 200', 'руб.']],
]]);

describe('annotationToText', () => {
	it('keeps the service’s reading order across blocks and lines', () => {
		assert.equal(annotationToText(TWO_BLOCKS), 'Счёт № 42\nот 1 мая\n\nИтого: 1 200 руб.');
	});

	it('skips words with empty text and lines or blocks left with nothing', () => {
		const text = annotationToText(textAnnotation([[
			[['', 'one', ' ', 'two', '']],
			[[''], ['']],
			[['three']],
		]]));
		assert.equal(text, 'one two\n\nthree');
	});

	it('keeps hyphenation as recognized', () => {
		assert.equal(annotationToText(textAnnotation([[[['recog-'], ['nition']]]])), 'recog-\nnition');
	});

	it('separates pages with a form feed on its own line', () => {
		const text = annotationToText(textAnnotation([[[['first']]], [[['second']]]]));
		assert.equal(PAGE_SEPARATOR, '\n\f\n');
		assert.equal(text, 'first\n\f\nsecond');
		assert.deepEqual(text.split('\f').map(page => page.trim()), ['first', 'second']);
	});

	it('keeps an empty page so page breaks still count pages', () => {
		assert.equal(annotationToText(textAnnotation([[[['a']]], [], [[['c']]]])).split('\f').length, 3);
	});

	it('answers an empty string when nothing was recognized', () => {
		assert.equal(annotationToText({ pages: [] }), '');
		assert.equal(annotationToText(textAnnotation([[]])), '');
	});
});

describe('annotationToMarkdown', () => {
	it('writes one paragraph per block with hard line breaks between its lines', () => {
		assert.equal(annotationToMarkdown(TWO_BLOCKS), 'Счёт № 42\\\nот 1 мая\n\nИтого: 1 200 руб.\n');
	});

	it('puts an escaped title first', () => {
		assert.equal(annotationToMarkdown(textAnnotation([[[['hi']]]]), { title: 'scan_01 *final* #' }), '# scan\\_01 \\*final\\* \\#\n\nhi\n');
	});

	it('separates pages with a thematic break that cannot become a setext heading', () => {
		const markdown = annotationToMarkdown(textAnnotation([[[['page', 'one']]], [[['page', 'two']]]]));
		assert.equal(markdown, 'page one\n\n---\n\npage two\n');
	});

	it('escapes HTML so it is shown, not run', () => {
		const markdown = annotationToMarkdown(textAnnotation([[[['<img', 'src=x', 'onerror=alert(1)>']]]]));
		assert.equal(markdown, '\\<img src=x onerror=alert(1)\\>\n');
		assert.doesNotMatch(markdown, /(^|[^\\])</);
	});

	it('escapes a heading marker at the start of a line, also inside a paragraph', () => {
		const markdown = annotationToMarkdown(textAnnotation([[[['#', 'not', 'a', 'heading'], ['##', 'nor', 'this']]]]));
		assert.equal(markdown, '\\# not a heading\\\n\\## nor this\n');
	});

	it('leaves a # inside a line alone, where Markdown shows it as is', () => {
		assert.equal(annotationToMarkdown(textAnnotation([[[['C#', 'and', 'F#']]]])), 'C# and F#\n');
	});

	it('escapes inline syntax: emphasis, code, links, tables, strikethrough, entities, math', () => {
		const words = ['*bold*', '_it_', '`code`', '[link](http://x)', '![img](y)', 'a|b', '~~del~~', '&amp;', '$x$', 'back\\slash'];
		assert.equal(
			annotationToMarkdown(textAnnotation([[[words]]])),
			'\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](http://x) !\\[img\\](y) a\\|b \\~\\~del\\~\\~ \\&amp; \\$x\\$ back\\\\slash\n',
		);
	});

	for (const [label, line, expected] of [
		['a bullet list', ['-', 'item'], '\\- item'],
		['a plus list', ['+', 'item'], '\\+ item'],
		['a star list', ['*', 'item'], '\\* item'],
		['an ordered list', ['1.', 'first'], '1\\. first'],
		['an ordered list with a parenthesis', ['2)', 'second'], '2\\) second'],
		['a block quote', ['>', 'quoted'], '\\> quoted'],
		['a thematic break', ['---'], '\\---'],
		['a setext underline', ['==='], '\\==='],
		['a code fence', ['```js'], '\\`\\`\\`js'],
		['a tilde fence', ['~~~'], '\\~\\~\\~'],
	] as const) {
		it(`escapes a line that would start ${label}`, () => {
			const markdown = annotationToMarkdown(textAnnotation([[[['before'], [...line]]]]));
			assert.equal(markdown, `before\\\n${expected}\n`);
		});
	}

	it('leaves numbers that are not list markers alone', () => {
		assert.equal(annotationToMarkdown(textAnnotation([[[['3.14', 'is', 'pi']]]])), '3.14 is pi\n');
	});

	it('keeps a recognized trailing backslash from swallowing the line break', () => {
		assert.equal(annotationToMarkdown(textAnnotation([[[['C:\\'], ['next']]]])), 'C:\\\\\\\nnext\n');
	});

	it('cannot be broken out of by whitespace inside recognized words', () => {
		const markdown = annotationToMarkdown(textAnnotation([[[['safe', 'text\n#', 'heading\n\n<script>x</script>', '\t   indented']]]]));
		assert.equal(markdown, 'safe text # heading \\<script\\>x\\</script\\> indented\n');
		assert.equal(markdown.split('\n').length, 2);
	});

	it('answers an empty string when there is nothing to show', () => {
		assert.equal(annotationToMarkdown({ pages: [] }), '');
		assert.equal(annotationToMarkdown(textAnnotation([[[['', ' ']]]])), '');
	});
});

describe('wordsInReadingOrder', () => {
	it('lists every non-empty word with its location in the annotation', () => {
		const words = wordsInReadingOrder(textAnnotation([
			[[['a', '', 'b'], ['c']], [['d']]],
			[[['e']]],
		]));
		assert.deepEqual(words, [
			{ page: 0, block: 0, line: 0, word: 0, text: 'a' },
			{ page: 0, block: 0, line: 0, word: 2, text: 'b' },
			{ page: 0, block: 0, line: 1, word: 0, text: 'c' },
			{ page: 0, block: 1, line: 0, word: 0, text: 'd' },
			{ page: 1, block: 0, line: 0, word: 0, text: 'e' },
		]);
	});

	it('agrees with the plain text word for word', () => {
		const words = wordsInReadingOrder(TWO_BLOCKS).map(ref => ref.text);
		assert.deepEqual(words, ['Счёт', '№', '42', 'от', '1', 'мая', 'Итого:', '1 200', 'руб.']);
	});
});

describe('selectionText', () => {
	it('joins words of one line with spaces and lines with newlines', () => {
		// 'Счёт № 42' | 'от 1 мая' | 'Итого: 1 200 руб.'
		assert.equal(selectionText(TWO_BLOCKS, [1, 2, 3, 4, 6]), '№ 42\nот 1\nИтого:');
	});

	it('reads the selection in reading order whatever order the words were picked in', () => {
		assert.equal(selectionText(TWO_BLOCKS, [5, 0, 3, 0]), 'Счёт\nот мая');
	});

	it('ignores indexes that name no word', () => {
		assert.equal(selectionText(TWO_BLOCKS, [-1, 2.5, 99, 8]), 'руб.');
	});

	it('counts indexes past skipped empty words', () => {
		assert.equal(selectionText(textAnnotation([[[['', 'x', '', 'y']]]]), [1]), 'y');
	});

	it('answers an empty string for an empty selection', () => {
		assert.equal(selectionText(TWO_BLOCKS, []), '');
	});
});
