/**
 * Counts a PDF's pages for the OCR API's page limits, without a PDF library: the `/Count` of
 * the root page tree (the `/Type /Pages` object without a `/Parent`), else the number of
 * `/Type /Page` objects. Objects packed in Flate object streams (PDF 1.5+) are read too.
 */

import { inflateSync } from 'node:zlib';

/** Bounds the work on object streams, whatever their declared sizes. */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

/** The page count, or undefined when the file shows no page tree and no page objects. */
export function countPdfPages(bytes: Buffer): number | undefined {
	const objects = [...plainObjects(bytes), ...packedObjects(bytes)];
	// An incremental update appends a newer root: the last one wins.
	const roots = objects.filter(body => isType(body, 'Pages') && !/\/Parent\s+\d+\s+\d+\s+R/.test(body));
	const count = roots.length > 0 ? /\/Count\s+(\d+)/.exec(roots[roots.length - 1])?.[1] : undefined;
	if (count !== undefined) return Number(count);
	const leaves = objects.filter(body => isType(body, 'Page')).length;
	return leaves > 0 ? leaves : undefined;
}

/** The text of each `N G obj … endobj`, streams cut off (their bytes are not dictionaries). */
function plainObjects(bytes: Buffer): string[] {
	const text = bytes.toString('latin1');
	const found: string[] = [];
	const object = /\d+\s+\d+\s+obj\b([\s\S]*?)\bendobj\b/g;
	for (let match = object.exec(text); match; match = object.exec(text)) {
		const body = match[1];
		const stream = body.search(/\bstream\r?\n/);
		found.push(stream < 0 ? body : body.slice(0, stream));
	}
	return found;
}

/** The objects stored inside `/Type /ObjStm` streams with `/Filter /FlateDecode`. */
function packedObjects(bytes: Buffer): string[] {
	const text = bytes.toString('latin1');
	const found: string[] = [];
	let budget = MAX_INFLATED_BYTES;
	const header = /\d+\s+\d+\s+obj\b([\s\S]*?)\bstream(\r?\n)/g;
	for (let match = header.exec(text); match; match = header.exec(text)) {
		const dictionary = match[1];
		if (!isType(dictionary, 'ObjStm') || !/\/Filter\s*\[?\s*\/FlateDecode/.test(dictionary)) continue;
		const length = Number(/\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dictionary)?.[1] ?? NaN);
		const first = Number(/\/First\s+(\d+)/.exec(dictionary)?.[1] ?? NaN);
		const start = match.index + match[0].length;
		if (!Number.isInteger(length) || !Number.isInteger(first) || budget <= 0) continue;
		let content: string;
		try {
			const inflated = inflateSync(bytes.subarray(start, start + length), { maxOutputLength: budget });
			budget -= inflated.length;
			content = inflated.toString('latin1');
		} catch {
			continue;
		}
		const offsets = content.slice(0, first).trim().split(/\s+/).map(Number).filter((_, i) => i % 2 === 1);
		offsets.forEach((offset, i) => found.push(content.slice(first + offset, i + 1 < offsets.length ? first + offsets[i + 1] : content.length)));
		header.lastIndex = start + length;
	}
	return found;
}

/** `/Type /Page` is not `/Type /Pages`. */
function isType(dictionary: string, type: string): boolean {
	return new RegExp(`/Type\\s*/${type}(?![A-Za-z0-9])`).test(dictionary);
}
