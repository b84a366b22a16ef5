/**
 * Reads a zip archive (a .vsix) from its central directory: the entries and, for one entry, its
 * bytes. Stored and deflated entries only, no zip64: what vsce writes.
 */
import * as zlib from 'node:zlib';

export interface ZipEntry {
	/** Path inside the archive, e.g. `extension/dist/extension.js`. */
	name: string;
	/** Uncompressed size in bytes. */
	size: number;
	compressedSize: number;
	method: number;
	localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export function zipEntries(zip: Buffer): ZipEntry[] {
	// The end record is the last 22 bytes, unless an archive comment (up to 64 KiB) follows it.
	let end = -1;
	for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
		if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
			end = i;
			break;
		}
	}
	if (end < 0) throw new Error('Not a zip archive: no end of central directory record');
	const count = zip.readUInt16LE(end + 10);
	let offset = zip.readUInt32LE(end + 16);
	const entries: ZipEntry[] = [];
	for (let i = 0; i < count; i++) {
		if (zip.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) throw new Error(`Not a central directory header at ${offset}`);
		const nameLength = zip.readUInt16LE(offset + 28);
		entries.push({
			method: zip.readUInt16LE(offset + 10),
			compressedSize: zip.readUInt32LE(offset + 20),
			size: zip.readUInt32LE(offset + 24),
			localHeaderOffset: zip.readUInt32LE(offset + 42),
			name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
		});
		offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
	}
	return entries;
}

/** The uncompressed bytes of `entry`. */
export function zipEntryData(zip: Buffer, entry: ZipEntry): Buffer {
	const local = entry.localHeaderOffset;
	if (zip.readUInt32LE(local) !== LOCAL_FILE_HEADER) throw new Error(`Not a local file header at ${local} (${entry.name})`);
	const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
	const data = zip.subarray(start, start + entry.compressedSize);
	switch (entry.method) {
		case 0: return Buffer.from(data);
		case 8: return zlib.inflateRawSync(data);
		default: throw new Error(`${entry.name}: compression method ${entry.method} is not read here`);
	}
}
