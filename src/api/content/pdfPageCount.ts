/**
 * Counts a PDF's pages without a PDF library: the page tree's root `/Count`, found through the
 * catalog, with the page objects themselves as a cross-check. Objects inside compressed object
 * streams (PDF 1.5+) are read too. When the answer is not certain, it is undefined: the caller
 * then lets the service decide rather than refuse a file on a guess.
 */
import { inflateSync } from 'node:zlib';

/** Larger files are not scanned: the answer would only add to a "too large" message anyway. */
const MAX_SCAN_BYTES = 16 * 1024 * 1024;
/** Bounds the work on object streams, whatever their declared sizes. */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

interface PdfObject {
	/** The object's text up to `stream` or `endobj`. */
	dictionary: string;
	/** Raw stream bytes, when the object has a stream. */
	stream?: Uint8Array;
}

export function countPdfPages(bytes: Uint8Array): number | undefined {
	if (bytes.length > MAX_SCAN_BYTES) return undefined;
	const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
	const objects = readObjects(text, bytes);
	readObjectStreams(objects);

	const fromTree = treeCount(objects);
	const leaves = [...objects.values()].filter(o => isType(o.dictionary, 'Page')).length;
	if (fromTree !== undefined) {
		// Extra page objects are pages deleted by a later edit; fewer than the tree claims is not explained.
		return leaves === 0 || leaves >= fromTree ? fromTree : undefined;
	}
	return leaves > 0 ? leaves : undefined;
}

/** `N G obj … endobj`, the last definition of each number winning, as incremental updates intend. */
function readObjects(text: string, bytes: Uint8Array): Map<number, PdfObject> {
	const objects = new Map<number, PdfObject>();
	const header = /(\d+)\s+\d+\s+obj\b/g;
	for (let match = header.exec(text); match; match = header.exec(text)) {
		const start = match.index + match[0].length;
		const streamAt = text.indexOf('stream', start);
		const endAt = text.indexOf('endobj', start);
		const end = endAt < 0 ? text.length : endAt;
		if (streamAt >= 0 && streamAt < end && text.startsWith('stream', streamAt) && !text.startsWith('endstream', streamAt - 3)) {
			const dictionary = text.slice(start, streamAt);
			let dataStart = streamAt + 'stream'.length;
			if (text[dataStart] === '\r') dataStart++;
			if (text[dataStart] === '\n') dataStart++;
			const declared = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dictionary);
			const endStream = text.indexOf('endstream', dataStart);
			const dataEnd = declared && dataStart + Number(declared[1]) <= text.length ? dataStart + Number(declared[1]) : endStream < 0 ? dataStart : endStream;
			objects.set(Number(match[1]), { dictionary, stream: bytes.subarray(dataStart, dataEnd) });
			// The stream's bytes may contain anything, "obj" included: resume after it.
			header.lastIndex = Math.max(dataEnd, header.lastIndex);
		} else {
			objects.set(Number(match[1]), { dictionary: text.slice(start, end) });
		}
	}
	return objects;
}

/** Adds the objects stored inside Flate-compressed object streams (`/Type /ObjStm`). */
function readObjectStreams(objects: Map<number, PdfObject>): void {
	let budget = MAX_INFLATED_BYTES;
	for (const object of [...objects.values()]) {
		if (!object.stream || !isType(object.dictionary, 'ObjStm')) continue;
		if (!/\/Filter\s*\/FlateDecode|\/Filter\s*\[\s*\/FlateDecode\s*\]/.test(object.dictionary)) continue;
		const count = Number(/\/N\s+(\d+)/.exec(object.dictionary)?.[1] ?? NaN);
		const first = Number(/\/First\s+(\d+)/.exec(object.dictionary)?.[1] ?? NaN);
		if (!Number.isInteger(count) || !Number.isInteger(first) || budget <= 0) continue;
		let inflated: Buffer;
		try {
			inflated = inflateSync(object.stream, { maxOutputLength: budget });
		} catch {
			continue;
		}
		budget -= inflated.length;
		const content = inflated.toString('latin1');
		const pairs = content.slice(0, first).trim().split(/\s+/).map(Number);
		for (let i = 0; i < count && 2 * i + 1 < pairs.length; i++) {
			const number = pairs[2 * i]!;
			const offset = first + pairs[2 * i + 1]!;
			const next = 2 * i + 3 < pairs.length ? first + pairs[2 * i + 3]! : content.length;
			// An object defined directly in the file after the stream was written overrides it.
			if (!objects.has(number) || objects.get(number)!.dictionary.length === 0) objects.set(number, { dictionary: content.slice(offset, next) });
		}
	}
}

/** The root page tree's `/Count`: the catalog's `/Pages` reference, followed. */
function treeCount(objects: Map<number, PdfObject>): number | undefined {
	const counts: number[] = [];
	for (const object of objects.values()) {
		if (!isType(object.dictionary, 'Catalog')) continue;
		const ref = /\/Pages\s+(\d+)\s+\d+\s+R/.exec(object.dictionary);
		const root = ref ? objects.get(Number(ref[1])) : undefined;
		const value = root ? /\/Count\s+(\d+)/.exec(root.dictionary) : null;
		if (value) counts.push(Number(value[1]));
	}
	// Several catalogs (a damaged or oddly updated file) must agree.
	return counts.length > 0 && counts.every(c => c === counts[0]) ? counts[0] : undefined;
}

/** `/Type /Page` but not `/Type /Pages`. */
function isType(dictionary: string, type: string): boolean {
	return new RegExp(`/Type\\s*/${type}(?![A-Za-z0-9])`).test(dictionary);
}
