/**
 * Base64 as proto3 JSON carries `bytes` fields: the standard alphabet (RFC 4648 §4), padding optional.
 * Checked and measured without decoding; decoded only where a header is read.
 */

import { Buffer } from 'node:buffer';
import type { ByteSource } from './imageInfo';

/** 1 where the character code is in the standard alphabet. Indexed by any UTF-16 code unit. */
const ALPHABET = new Uint8Array(65536);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

const EQUALS = 0x3d;

/** What is wrong with `text` as base64, in words a person can act on; undefined when it is fine. */
export function base64Problem(text: string): string | undefined {
	if (text.startsWith('data:')) {
		const comma = text.indexOf(',');
		const header = comma >= 0 && comma < 200 ? text.slice(0, comma + 1) : 'data:…,';
		return `starts with a data URL header "${header}"; send only the base64 text after the comma`;
	}
	const bad = firstNonAlphabet(text);
	if (bad < text.length) {
		const problem = badCharacter(text, bad);
		if (problem) return problem;
		// What is left is all "=".
		const padding = text.length - bad;
		if (padding > 2) return `ends with ${padding} "=" padding characters, at most 2 are allowed`;
		if (text.length % 4 !== 0) {
			return `is ${formatCount(text.length)} characters long with "=" padding, but padded base64 is a multiple of 4 characters; the text looks cut off`;
		}
	} else if (text.length % 4 === 1) {
		return `is ${formatCount(text.length)} characters long, which no base64 text can be (one character too many, or the text is cut off)`;
	}
	return undefined;
}

/** Index of the first character outside the alphabet, or `text.length`. A plain loop: a regex is several times slower on megabytes. */
function firstNonAlphabet(text: string): number {
	for (let i = 0; i < text.length; i++) {
		if (ALPHABET[text.charCodeAt(i)] === 0) return i;
	}
	return text.length;
}

/** Explains the character at `index` unless it starts valid trailing padding. */
function badCharacter(text: string, index: number): string | undefined {
	const at = `at index ${formatCount(index)}`;
	const code = text.charCodeAt(index);
	if (code === EQUALS) {
		for (let i = index + 1; i < text.length; i++) {
			if (text.charCodeAt(i) !== EQUALS) return `has "=" ${at} before the end; "=" padding may only end the text`;
		}
		return undefined;
	}
	const char = text[index]!;
	if (char === '-' || char === '_') {
		return `has "${char}" ${at}: that is URL-safe base64; use the standard alphabet, with "+" and "/" in place of "-" and "_"`;
	}
	if (char === '\n' || char === '\r') return `has a line break ${at}; remove line breaks and spaces from the base64 text`;
	if (char === ' ' || char === '\t') return `has a space ${at}; remove spaces and line breaks from the base64 text`;
	const hex = code.toString(16).toUpperCase().padStart(4, '0');
	const shown = code < 0x20 || code === 0x7f ? '' : `"${char}" `;
	return `has ${shown}(U+${hex}) ${at}, which is not base64; allowed are A–Z, a–z, 0–9, "+", "/" and "=" padding at the end`;
}

/** Bytes that valid base64 `text` decodes to, from its length alone. */
export function decodedLength(text: string): number {
	let end = text.length;
	while (end > 0 && text.charCodeAt(end - 1) === EQUALS) end--;
	return Math.floor(end * 3 / 4);
}

/** Characters of padded base64 for `bytes` bytes. */
export function encodedLength(bytes: number): number {
	return Math.ceil(bytes / 3) * 4;
}

/** Valid base64 `text` with its padding restored: every decoder accepts that form. */
export function withPadding(text: string): string {
	const missing = (4 - text.length % 4) % 4;
	return missing === 0 ? text : text + '='.repeat(missing);
}

/**
 * Random access to the bytes of valid base64 `text`, decoding only the 4-character groups that
 * cover each read: a header far into the file (after a large EXIF block) costs no full decode.
 */
export function base64Source(text: string): ByteSource {
	const length = decodedLength(text);
	return {
		length,
		read(offset: number, count: number): Uint8Array {
			const end = Math.min(length, offset + count);
			if (offset >= end) return new Uint8Array(0);
			const first = offset - offset % 3;
			const decoded = Buffer.from(text.slice(first / 3 * 4, Math.ceil(end / 3) * 4), 'base64');
			return decoded.subarray(offset - first, end - first);
		},
	};
}

/** `1234567` → `1,234,567`, the same in every locale. */
export function formatCount(n: number): string {
	return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
