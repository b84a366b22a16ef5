/**
 * Inline image links (`![alt](destination "title")`) in one line of Markdown, after CommonMark:
 * backslash escapes, code spans (whose content is no link), `<…>` destinations, balanced
 * parentheses in bare destinations, and the three forms of title. Reference-style images
 * (`![alt][ref]`, `![alt]`) are left out: their destination is elsewhere in the document.
 * A link spanning lines is not seen.
 */
import { webUrl } from '../shared/protocol';

export interface ImageLink {
	/** Offsets in the line: the link from `!` to its closing `)`, end exclusive. */
	start: number;
	end: number;
	/** The alt text between the brackets, as written. */
	altStart: number;
	altEnd: number;
	/** The destination with backslash escapes resolved; percent-encoding is kept. */
	destination: string;
}

export function imageLinksInLine(line: string): ImageLink[] {
	const links: ImageLink[] = [];
	let i = 0;
	while (i < line.length) {
		const char = line[i];
		if (char === '\\') {
			i += 2;
		} else if (char === '`') {
			i = afterCodeSpan(line, i);
		} else if (char === '!' && line[i + 1] === '[') {
			const link = imageLinkFrom(line, i);
			if (link) {
				links.push(link);
				i = link.end;
			} else {
				i += 2;
			}
		} else {
			i++;
		}
	}
	return links;
}

/** The link `character` is in or at either edge of. */
export function imageLinkAt(line: string, character: number): ImageLink | undefined {
	return imageLinksInLine(line).find(link => link.start <= character && character <= link.end);
}

/**
 * Where a destination points, when it is a file path: `absolute` means from the workspace root.
 * Undefined for URLs with a scheme (http(s), data, file…): web images are {@link imageLinkWebUrl}'s.
 * A query or fragment is dropped; percent-encoding is decoded.
 */
export function imageLinkPath(destination: string): { path: string; absolute: boolean } | undefined {
	if (destination === '' || /^[a-z][a-z0-9+.-]*:/i.test(destination) || destination.startsWith('//')) return undefined;
	const bare = destination.replace(/[?#].*$/s, '');
	let decoded: string;
	try {
		decoded = decodeURIComponent(bare);
	} catch {
		decoded = bare;
	}
	if (decoded === '' || decoded.endsWith('/')) return undefined;
	return { path: decoded, absolute: decoded.startsWith('/') };
}

/** The address of a web image: an absolute http or https URL, with no credentials in it. */
export function imageLinkWebUrl(destination: string): URL | undefined {
	return /^https?:\/\//i.test(destination) ? webUrl(destination) : undefined;
}

/**
 * Recognized text made into alt text: its first non-blank line, whitespace collapsed, cut at a
 * word before `max` characters with an ellipsis, and escaped so that Markdown shows it as written.
 */
export function altTextOf(text: string, max = 80): string {
	const first = text.split(/\r?\n|\f/).map(line => line.replace(/\s+/g, ' ').trim()).find(line => line !== '') ?? '';
	let short = first;
	if ([...first].length > max) {
		const cut = [...first].slice(0, max - 1).join('');
		const space = cut.lastIndexOf(' ');
		short = `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
	}
	return short.replace(/[\\`*_[\]<>&|~$!]/g, '\\$&');
}

/** After the code span opened at `start`, or after its backtick run when it is never closed. */
function afterCodeSpan(line: string, start: number): number {
	let runEnd = start;
	while (line[runEnd] === '`') runEnd++;
	const run = line.slice(start, runEnd);
	let search = runEnd;
	while (true) {
		const close = line.indexOf(run, search);
		if (close < 0) return runEnd;
		let closeEnd = close + run.length;
		if (line[closeEnd] !== '`') return closeEnd;
		while (line[closeEnd] === '`') closeEnd++;
		search = closeEnd;
	}
}

function imageLinkFrom(line: string, start: number): ImageLink | undefined {
	const altStart = start + 2;
	const altEnd = closingBracket(line, altStart);
	if (altEnd === undefined || line[altEnd + 1] !== '(') return undefined;
	let i = skipSpaces(line, altEnd + 2);
	let destination = '';
	if (line[i] === '<') {
		i++;
		while (i < line.length && line[i] !== '>') {
			if (line[i] === '<') return undefined;
			if (line[i] === '\\' && i + 1 < line.length && isPunctuation(line[i + 1]!)) i++;
			destination += line[i];
			i++;
		}
		if (line[i] !== '>') return undefined;
		i++;
	} else {
		let depth = 0;
		while (i < line.length && !/\s/.test(line[i]!)) {
			const char = line[i]!;
			if (char === '\\' && i + 1 < line.length && isPunctuation(line[i + 1]!)) {
				destination += line[i + 1];
				i += 2;
				continue;
			}
			if (char === '(') depth++;
			if (char === ')') {
				if (depth === 0) break;
				depth--;
			}
			destination += char;
			i++;
		}
		if (depth !== 0) return undefined;
	}
	const beforeTitle = i;
	i = skipSpaces(line, i);
	if (i > beforeTitle && (line[i] === '"' || line[i] === '\'' || line[i] === '(')) {
		const close = line[i] === '(' ? ')' : line[i]!;
		i++;
		while (i < line.length && line[i] !== close) {
			if (line[i] === '\\') i++;
			i++;
		}
		if (line[i] !== close) return undefined;
		i = skipSpaces(line, i + 1);
	}
	if (line[i] !== ')') return undefined;
	return { start, end: i + 1, altStart, altEnd, destination };
}

/** The `]` that closes the bracket opened just before `from`, nested brackets balanced. */
function closingBracket(line: string, from: number): number | undefined {
	let depth = 0;
	for (let i = from; i < line.length; i++) {
		const char = line[i];
		if (char === '\\') i++;
		else if (char === '`') i = afterCodeSpan(line, i) - 1;
		else if (char === '[') depth++;
		else if (char === ']') {
			if (depth === 0) return i;
			depth--;
		}
	}
	return undefined;
}

function skipSpaces(line: string, i: number): number {
	while (line[i] === ' ' || line[i] === '\t') i++;
	return i;
}

function isPunctuation(char: string): boolean {
	return /[!-/:-@[-`{-~]/.test(char);
}
