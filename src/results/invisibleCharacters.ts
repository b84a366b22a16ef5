/**
 * Characters that change how text reads without being seen: bidirectional controls (U+202E
 * RIGHT-TO-LEFT OVERRIDE makes `invoice` U+202E `fdp.exe` display as `invoiceexe.pdf`), zero-width
 * characters, other invisible format characters and control characters. Recognized text is data
 * from elsewhere, so the panel shows them and asks before they reach an editor or the clipboard,
 * as VS Code marks them in the editor (`editor.unicodeHighlight.invisibleCharacters`).
 * No DOM, no vscode: the panel and the extension's search results share it.
 */

export type InvisibleKind = 'bidi' | 'zero-width' | 'format' | 'control';

export interface InvisibleCharacter {
	codePoint: number;
	/** `U+202E`. */
	code: string;
	/** `RIGHT-TO-LEFT OVERRIDE`: the Unicode name, or a short description where it has none. */
	name: string;
	kind: InvisibleKind;
}

export type TextRun =
	| { kind: 'text'; text: string }
	| { kind: 'invisible'; text: string; character: InvisibleCharacter };

const BIDI: Readonly<Record<number, string>> = {
	0x061C: 'ARABIC LETTER MARK',
	0x200E: 'LEFT-TO-RIGHT MARK',
	0x200F: 'RIGHT-TO-LEFT MARK',
	0x202A: 'LEFT-TO-RIGHT EMBEDDING',
	0x202B: 'RIGHT-TO-LEFT EMBEDDING',
	0x202C: 'POP DIRECTIONAL FORMATTING',
	0x202D: 'LEFT-TO-RIGHT OVERRIDE',
	0x202E: 'RIGHT-TO-LEFT OVERRIDE',
	0x2066: 'LEFT-TO-RIGHT ISOLATE',
	0x2067: 'RIGHT-TO-LEFT ISOLATE',
	0x2068: 'FIRST STRONG ISOLATE',
	0x2069: 'POP DIRECTIONAL ISOLATE',
};

const ZERO_WIDTH: Readonly<Record<number, string>> = {
	0x200B: 'ZERO WIDTH SPACE',
	0x200C: 'ZERO WIDTH NON-JOINER',
	0x200D: 'ZERO WIDTH JOINER',
	0x2060: 'WORD JOINER',
	0xFEFF: 'ZERO WIDTH NO-BREAK SPACE',
};

const FORMAT: Readonly<Record<number, string>> = {
	0x00AD: 'SOFT HYPHEN',
	0x034F: 'COMBINING GRAPHEME JOINER',
	0x115F: 'HANGUL CHOSEONG FILLER',
	0x1160: 'HANGUL JUNGSEONG FILLER',
	0x17B4: 'KHMER VOWEL INHERENT AQ',
	0x17B5: 'KHMER VOWEL INHERENT AA',
	0x180E: 'MONGOLIAN VOWEL SEPARATOR',
	0x2028: 'LINE SEPARATOR',
	0x2029: 'PARAGRAPH SEPARATOR',
	0x2061: 'FUNCTION APPLICATION',
	0x2062: 'INVISIBLE TIMES',
	0x2063: 'INVISIBLE SEPARATOR',
	0x2064: 'INVISIBLE PLUS',
	0x206A: 'INHIBIT SYMMETRIC SWAPPING',
	0x206B: 'ACTIVATE SYMMETRIC SWAPPING',
	0x206C: 'INHIBIT ARABIC FORM SHAPING',
	0x206D: 'ACTIVATE ARABIC FORM SHAPING',
	0x206E: 'NATIONAL DIGIT SHAPES',
	0x206F: 'NOMINAL DIGIT SHAPES',
	0x3164: 'HANGUL FILLER',
	0xFFA0: 'HALFWIDTH HANGUL FILLER',
	0xFFF9: 'INTERLINEAR ANNOTATION ANCHOR',
	0xFFFA: 'INTERLINEAR ANNOTATION SEPARATOR',
	0xFFFB: 'INTERLINEAR ANNOTATION TERMINATOR',
	0xE0001: 'LANGUAGE TAG',
	0xE007F: 'CANCEL TAG',
};

/** C0 controls by their short names; tab, line feed, form feed and carriage return are not here (see isInvisible). */
const C0 = [
	'NULL', 'START OF HEADING', 'START OF TEXT', 'END OF TEXT', 'END OF TRANSMISSION', 'ENQUIRY', 'ACKNOWLEDGE', 'BELL',
	'BACKSPACE', 'CHARACTER TABULATION', 'LINE FEED', 'LINE TABULATION', 'FORM FEED', 'CARRIAGE RETURN', 'SHIFT OUT', 'SHIFT IN',
	'DATA LINK ESCAPE', 'DEVICE CONTROL ONE', 'DEVICE CONTROL TWO', 'DEVICE CONTROL THREE', 'DEVICE CONTROL FOUR', 'NEGATIVE ACKNOWLEDGE', 'SYNCHRONOUS IDLE', 'END OF TRANSMISSION BLOCK',
	'CANCEL', 'END OF MEDIUM', 'SUBSTITUTE', 'ESCAPE', 'INFORMATION SEPARATOR FOUR', 'INFORMATION SEPARATOR THREE', 'INFORMATION SEPARATOR TWO', 'INFORMATION SEPARATOR ONE',
];

/**
 * Every character counted, for a fast test of whole strings. Tab, line feed and carriage return
 * are how text is laid out; form feed is the page break the extension writes between pages
 * (PAGE_SEPARATOR in text.ts), so none of them is reported.
 */
const INVISIBLE = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\u{E0001}\u{E0020}-\u{E007F}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

/** `U+202E`, `U+E0041`: at least four upper-case hex digits, as Unicode writes them. */
export function codeOf(codePoint: number): string {
	return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function isInvisible(codePoint: number): boolean {
	return describeInvisible(codePoint) !== undefined;
}

/** What the character is, or undefined when it is not one of those counted here. */
export function describeInvisible(codePoint: number): InvisibleCharacter | undefined {
	const found = classify(codePoint);
	return found && { codePoint, code: codeOf(codePoint), name: found.name, kind: found.kind };
}

function classify(cp: number): { name: string; kind: InvisibleKind } | undefined {
	if (BIDI[cp] !== undefined) return { name: BIDI[cp], kind: 'bidi' };
	if (ZERO_WIDTH[cp] !== undefined) return { name: ZERO_WIDTH[cp], kind: 'zero-width' };
	if (FORMAT[cp] !== undefined) return { name: FORMAT[cp], kind: 'format' };
	if (cp >= 0xE0020 && cp <= 0xE007E) {
		// Tag characters mirror ASCII and can spell out text no one sees; the name says which letter.
		return { name: `TAG ${JSON.stringify(String.fromCharCode(cp - 0xE0000))}`, kind: 'format' };
	}
	if (cp < 0x20 && cp !== 0x09 && cp !== 0x0A && cp !== 0x0C && cp !== 0x0D) return { name: C0[cp] ?? 'CONTROL', kind: 'control' };
	if (cp === 0x7F) return { name: 'DELETE', kind: 'control' };
	if (cp === 0x85) return { name: 'NEXT LINE', kind: 'control' };
	if (cp >= 0x80 && cp <= 0x9F) return { name: 'C1 CONTROL', kind: 'control' };
	return undefined;
}

export function hasInvisible(text: string): boolean {
	return INVISIBLE.test(text);
}

/** How many of the characters the text holds, and which ones (each once, in order of first appearance). */
export function findInvisible(text: string): { count: number; characters: InvisibleCharacter[] } {
	let count = 0;
	const seen = new Map<number, InvisibleCharacter>();
	for (const match of text.matchAll(INVISIBLE_ALL)) {
		const codePoint = match[0].codePointAt(0) ?? 0;
		count++;
		if (!seen.has(codePoint)) {
			const character = describeInvisible(codePoint);
			if (character) seen.set(codePoint, character);
		}
	}
	return { count, characters: [...seen.values()] };
}

export function stripInvisible(text: string): string {
	return text.replace(INVISIBLE_ALL, '');
}

/**
 * Runs of plain text and single invisible characters, in the text's order, which joined give the
 * text back. Each invisible character is its own run, so each can be shown as its own mark.
 */
export function splitInvisible(text: string): TextRun[] {
	const runs: TextRun[] = [];
	let start = 0;
	for (const match of text.matchAll(INVISIBLE_ALL)) {
		const index = match.index ?? 0;
		if (index > start) runs.push({ kind: 'text', text: text.slice(start, index) });
		const codePoint = match[0].codePointAt(0) ?? 0;
		const character = describeInvisible(codePoint);
		if (character) runs.push({ kind: 'invisible', text: match[0], character });
		start = index + match[0].length;
	}
	if (start < text.length) runs.push({ kind: 'text', text: text.slice(start) });
	return runs;
}

/**
 * The text with each invisible character written as its code between brackets,
 * `invoice⟦U+202E⟧fdp.exe`, for places that can show only a string (a quick pick, a hover).
 */
export function showInvisible(text: string): string {
	return text.replace(INVISIBLE_ALL, ch => `\u27E6${codeOf(ch.codePointAt(0) ?? 0)}\u27E7`);
}
