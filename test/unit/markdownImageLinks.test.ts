import * as assert from 'node:assert/strict';
import { altTextOf, imageLinkAt, imageLinkPath, imageLinksInLine, imageLinkWebUrl } from '../../src/editor/markdownImageLinks';

/** Each link as the parts a reader sees: the whole link, its alt text, its destination. */
function parts(line: string): { link: string; alt: string; destination: string }[] {
	return imageLinksInLine(line).map(link => ({
		link: line.slice(link.start, link.end),
		alt: line.slice(link.altStart, link.altEnd),
		destination: link.destination,
	}));
}

describe('Markdown image links in a line', () => {
	it('finds a plain image link', () => {
		assert.deepEqual(parts('See ![receipt](images/receipt.png) here.'), [
			{ link: '![receipt](images/receipt.png)', alt: 'receipt', destination: 'images/receipt.png' },
		]);
	});

	it('reads titles in double quotes, single quotes and parentheses', () => {
		assert.deepEqual(parts('![a](a.png "A title") ![b](b.png \'b\') ![c](c.png (c))').map(p => [p.link, p.destination]), [
			['![a](a.png "A title")', 'a.png'],
			['![b](b.png \'b\')', 'b.png'],
			['![c](c.png (c))', 'c.png'],
		]);
	});

	it('reads angle-bracket destinations, which may hold spaces and parentheses', () => {
		assert.deepEqual(parts('![scan](<my scans/page (1).png> "first")'), [
			{ link: '![scan](<my scans/page (1).png> "first")', alt: 'scan', destination: 'my scans/page (1).png' },
		]);
	});

	it('keeps escaped brackets in the alt text and resolves escapes in the destination', () => {
		assert.deepEqual(parts('![a \\] b \\[c](dir/x\\(1\\).png)'), [
			{ link: '![a \\] b \\[c](dir/x\\(1\\).png)', alt: 'a \\] b \\[c', destination: 'dir/x(1).png' },
		]);
		assert.deepEqual(parts('![nested [brackets]](n.png)').map(p => p.alt), ['nested [brackets]']);
		assert.deepEqual(parts('bare (parens) ![x](a(b).png)').map(p => p.destination), ['a(b).png']);
	});

	it('ignores an escaped "!" or "[" and reference-style images', () => {
		assert.deepEqual(parts('\\![not](a.png) !\\[not](b.png)'), []);
		assert.deepEqual(parts('![ref][logo] and ![logo] and ![collapsed][]'), []);
		assert.deepEqual(parts('[link](page.md) is no image'), []);
	});

	it('finds several links on a line, each with its own offsets', () => {
		const line = '![one](1.png)![two](2.jpg) and ![three](sub/3.gif)';
		assert.deepEqual(parts(line).map(p => p.destination), ['1.png', '2.jpg', 'sub/3.gif']);
		assert.equal(imageLinkAt(line, 0)?.destination, '1.png');
		assert.equal(imageLinkAt(line, 13)?.destination, '1.png', 'the edge between two links belongs to the first');
		assert.equal(imageLinkAt(line, 15)?.destination, '2.jpg');
		assert.equal(imageLinkAt(line, 28), undefined, 'between links');
		assert.equal(imageLinkAt(line, line.length)?.destination, 'sub/3.gif');
	});

	it('ignores links inside code spans, of any backtick run', () => {
		assert.deepEqual(parts('`![code](a.png)` ``![x](b.png) ` still code`` ![real](c.png)').map(p => p.destination), ['c.png']);
		assert.deepEqual(parts('an unclosed ` backtick ![real](d.png)').map(p => p.destination), ['d.png']);
	});

	it('rejects incomplete links', () => {
		assert.deepEqual(parts('![open](a.png'), []);
		assert.deepEqual(parts('![open](a.png "title)'), []);
		assert.deepEqual(parts('![open](<a.png)'), []);
		assert.deepEqual(parts('![alt] (a.png)'), []);
	});
});

describe('Markdown image link destinations', () => {
	it('gives relative and workspace-absolute paths, decoded, without query or fragment', () => {
		assert.deepEqual(imageLinkPath('images/receipt.png'), { path: 'images/receipt.png', absolute: false });
		assert.deepEqual(imageLinkPath('/images/my%20scan.png?v=2#top'), { path: '/images/my scan.png', absolute: true });
		assert.deepEqual(imageLinkPath('../x.png'), { path: '../x.png', absolute: false });
	});

	it('gives nothing for web links, other schemes and empty destinations', () => {
		for (const destination of ['https://example.com/a.png', 'http://x/a.png', 'data:image/png;base64,AAAA', 'file:///a.png', '//cdn/a.png', '', '#top']) {
			assert.equal(imageLinkPath(destination), undefined, destination);
		}
	});

	it('gives the address of an http or https image, and nothing for other schemes or a link with credentials', () => {
		assert.equal(imageLinkWebUrl('https://example.com/scans/a%20b.png?v=2')?.href, 'https://example.com/scans/a%20b.png?v=2');
		assert.equal(imageLinkWebUrl('HTTP://Example.COM:8080/a.png')?.host, 'example.com:8080');
		for (const destination of ['images/a.png', '/a.png', '//cdn/a.png', 'data:image/png;base64,AAAA', 'file:///a.png', 'ftp://example.com/a.png', 'https://user:pass@example.com/a.png', 'javascript:alert(1)']) {
			assert.equal(imageLinkWebUrl(destination), undefined, destination);
		}
	});
});

describe('Alt text from recognized text', () => {
	it('is the first non-blank line, whitespace collapsed', () => {
		assert.equal(altTextOf('\n  ООО  Ромашка \nИНН 123\n\nИтого'), 'ООО Ромашка');
	});

	it('is cut at a word before the limit, with an ellipsis', () => {
		const alt = altTextOf('word '.repeat(40));
		assert.ok([...alt].length <= 80, alt);
		assert.match(alt, /^word( word)*…$/);
	});

	it('escapes what Markdown would interpret', () => {
		assert.equal(altTextOf('Total [*5*] <b> `x` _y_ !'), 'Total \\[\\*5\\*\\] \\<b\\> \\`x\\` \\_y\\_ \\!');
	});
});
