/**
 * Checks shared by both contracts' request validation: the file (base64 or bytes, its size, its
 * format sniffed from the bytes) and untyped JSON fields. Every violation is a VisionError (code 3,
 * kind 'validation') whose message names the field by its JSON path and says what to change.
 */

import { Buffer } from 'node:buffer';
import { base64Problem, base64Source, decodedLength, encodedLength, formatCount, withPadding } from './base64';
import { invalidArgument } from '../transport/errors';
import { bytesSource, FORMAT_NAMES, otherFormatName, sniffSource, type ByteSource, type ImageInfo } from './imageInfo';

/** What a contract accepts as a file. */
export interface ContentLimits {
	/** Characters of base64 in the request. */
	contentChars: number;
	/** Bytes of the decoded file. */
	fileBytes: number;
}

export interface CheckedContent {
	source: ByteSource;
	/** The base64 text for the wire, made only once everything else has passed. */
	encode(): string;
}

export function checkContent(value: unknown, path: string, limits: ContentLimits): CheckedContent {
	const limit = limits.contentChars;
	if (typeof value === 'string') {
		if (value.length > limit) {
			const about = Math.floor(value.length * 3 / 4);
			throw invalidArgument(path, `is ${formatCount(value.length)} characters of base64, at most ${formatCount(limit)} allowed; that is a file of about ${megabytes(about)}, and the service accepts at most ${megabytes(limits.fileBytes)} (${formatCount(limits.fileBytes)} bytes)`);
		}
		const problem = base64Problem(value);
		if (problem) throw invalidArgument(path, problem);
		checkFileSize(decodedLength(value), path, limits.fileBytes);
		return { source: base64Source(value), encode: () => withPadding(value) };
	}
	if (value instanceof Uint8Array) {
		const chars = encodedLength(value.length);
		if (chars > limit) {
			throw invalidArgument(path, `the file is ${megabytes(value.length)}, which as base64 is ${formatCount(chars)} characters, more than the ${formatCount(limit)} allowed; the service accepts at most ${megabytes(limits.fileBytes)} (${formatCount(limits.fileBytes)} bytes)`);
		}
		checkFileSize(value.length, path, limits.fileBytes);
		// A view on the caller's memory, not a copy.
		return { source: bytesSource(value), encode: () => Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
	}
	throw invalidArgument(path, `must be the file's bytes (a Uint8Array or Buffer) or base64 text, got ${describe(value)}`);
}

function checkFileSize(bytes: number, path: string, max: number): void {
	if (bytes === 0) throw invalidArgument(path, 'the file is empty (0 bytes); give a JPEG, PNG or PDF file');
	if (bytes > max) {
		throw invalidArgument(path, `the file is ${decimal(bytes / 1_048_576, max / 1_048_576)} MB, the service accepts at most ${megabytes(max)} (${formatCount(max)} bytes); this one has ${formatCount(bytes)} bytes — compress it or scale it down`);
	}
}

/** The sniffed format of the content, or the reason it cannot be sent. */
export function identify(source: ByteSource, path: string): ImageInfo {
	const image = sniffSource(source);
	if (image?.corrupt) {
		throw invalidArgument(path, `the file is a truncated or corrupt ${FORMAT_NAMES[image.format]}: ${image.corrupt}; open and save it again, or export it again`);
	}
	if (image) return image;
	const head = source.read(0, 1024);
	const accepted = 'the service accepts only JPEG, PNG and PDF';
	if (/^(iVBORw0KGgo|\/9j\/|JVBERi0)/.test(String.fromCharCode(...head.subarray(0, 12)))) {
		throw invalidArgument(path, 'the file is itself base64 text: the image was base64-encoded twice; encode the file\'s bytes only once');
	}
	const name = otherFormatName(head);
	if (name) throw invalidArgument(path, `the file is ${name}; ${accepted} — convert it first`);
	const start = Array.from(head.subarray(0, 8), b => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
	throw invalidArgument(path, `the file is not a JPEG, PNG or PDF (it starts with the bytes ${start}); ${accepted}`);
}

/** `Image/PNG; q=1` → `image/png`. */
export function essence(mimeType: string): string {
	return mimeType.split(';')[0]!.trim().toLowerCase();
}

export interface ArrayWords {
	/** `9 specs given`. */
	plural: string;
	/** `give 1 to 8 …`. */
	what: string;
	/** What to do when there are too many. */
	tooMany?: string;
}

export function arrayOf(value: unknown, path: string, max: number, words: ArrayWords): unknown[] {
	if (!isGiven(value)) throw invalidArgument(path, `is required: give 1 to ${max} ${words.what}`);
	if (!Array.isArray(value)) throw invalidArgument(path, `must be an array of 1 to ${max} ${words.what}, got ${describe(value)}`);
	if (value.length === 0) throw invalidArgument(path, `0 ${words.plural} given, at least 1 required: give 1 to ${max} ${words.what}`);
	if (value.length > max) {
		throw invalidArgument(path, `${formatCount(value.length)} ${words.plural} given, at most ${max} allowed${words.tooMany ? `; ${words.tooMany}` : ''}`);
	}
	// A copy without holes: `map` would skip a hole and leave it in the wire body as null.
	return Array.from(value as unknown[]);
}

export function optionalString(value: unknown, path: string, max: number, hint?: string): string | undefined {
	return isGiven(value) ? checkString(value, path, max, hint) : undefined;
}

export function requiredString(value: unknown, path: string, max: number, hint?: string): string {
	if (!isGiven(value)) throw invalidArgument(path, `is required${hint ? `; ${hint}` : ''}`);
	const text = checkString(value, path, max, hint);
	if (text === '') throw invalidArgument(path, `is empty${hint ? `; ${hint}` : ''}`);
	return text;
}

/** Lengths count UTF-16 code units: never more lenient than the service, whichever way it counts. */
export function checkString(value: unknown, path: string, max: number, hint?: string): string {
	if (typeof value !== 'string') throw invalidArgument(path, `must be a string, got ${describe(value)}`);
	if (value.length > max) {
		const shown = value.length <= 20 ? `${JSON.stringify(value)} is` : 'is';
		throw invalidArgument(path, `${shown} ${formatCount(value.length)} characters long, at most ${formatCount(max)} allowed${hint ? `; ${hint}` : ''}`);
	}
	return value;
}

/**
 * Unknown fields would be rejected by the service (or, dropped here, silently ignored); a field
 * set to `undefined` is not sent at all, so it is let through.
 */
export function checkKnownFields(fields: Record<string, unknown>, path: string, known: readonly string[], what: string, unlisted: readonly string[] = []): void {
	for (const key of Object.keys(fields)) {
		if (fields[key] === undefined || known.includes(key) || unlisted.includes(key)) continue;
		const folded = key.replace(/[_\s-]/g, '').toLowerCase();
		const near = [...known, ...unlisted].find(name => name.toLowerCase() === folded);
		throw invalidArgument(fieldPath(path, key), `is not a field of ${what}, and the service would reject it; ${near ? `did you mean ${near}? ` : ''}the fields are ${known.join(', ')}`);
	}
}

export function fieldPath(path: string, key: string): string {
	if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
	return path ? `${path}.${key}` : key;
}

export function asObject(value: unknown, path: string, expected: string): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
		throw invalidArgument(path, `must be ${expected}, got ${describe(value)}`);
	}
	return value as Record<string, unknown>;
}

/** proto3 JSON reads `null` as "not set", so it counts as absent like `undefined`. */
export function isGiven(value: unknown): boolean {
	return value !== undefined && value !== null;
}

export function describe(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return `an array of ${value.length}`;
	switch (typeof value) {
		case 'string':
			return value.length <= 40 ? `the string ${JSON.stringify(value)}` : `a string of ${formatCount(value.length)} characters`;
		case 'number':
		case 'bigint':
		case 'boolean':
			return `the ${typeof value} ${String(value)}`;
		case 'object':
			if (value instanceof ArrayBuffer) return 'an ArrayBuffer (wrap it in a Uint8Array)';
			if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
			return 'an object';
		default:
			return `a ${typeof value}`;
	}
}

export function megabytes(bytes: number): string {
	return `${decimal(bytes / 1_048_576, 1)} MB`;
}

/**
 * One decimal, trimmed (`24`, `1.4`); more when one would hide that `value` exceeds `limit`
 * (1,048,577 bytes is `1.000001 MB`, not `1.0 MB`).
 */
export function decimal(value: number, limit: number): string {
	let digits = 1;
	while (digits < 6 && value > limit && Number(value.toFixed(digits)) <= limit) digits++;
	return value.toFixed(digits).replace(/\.?0+$/, '');
}
