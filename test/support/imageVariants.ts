/**
 * Other bytes, the same picture: a recorded fixture with a comment added, so that each copy is a
 * new file to the result cache and to the emulator's exact match, while the emulator still
 * recognizes the picture by its fingerprint and answers with its recording.
 */
import { crc32 } from 'node:zlib';
import { fixtureBytes } from './fixtures';

/** `name` (a PNG or JPEG fixture) with the comment `variant <tag>`. */
export function fixtureVariant(name: string, tag: string | number): Buffer {
	const bytes = fixtureBytes(name);
	const text = Buffer.from(`variant ${tag}`, 'latin1');
	if (name.endsWith('.png')) {
		// A tEXt chunk right after IHDR (8-byte signature + 25-byte IHDR).
		const body = Buffer.concat([Buffer.from('tEXt', 'latin1'), Buffer.from('Comment\0', 'latin1'), text]);
		const chunk = Buffer.alloc(body.length + 8);
		chunk.writeUInt32BE(body.length - 4, 0);
		body.copy(chunk, 4);
		chunk.writeUInt32BE(crc32(body), body.length + 4);
		return Buffer.concat([bytes.subarray(0, 33), chunk, bytes.subarray(33)]);
	}
	if (!/\.jpe?g$/.test(name)) throw new Error(`${name}: only PNG and JPEG fixtures have variants`);
	// A COM segment right after SOI.
	const segment = Buffer.alloc(4 + text.length);
	segment.writeUInt16BE(0xfffe, 0);
	segment.writeUInt16BE(text.length + 2, 2);
	text.copy(segment, 4);
	return Buffer.concat([bytes.subarray(0, 2), segment, bytes.subarray(2)]);
}
