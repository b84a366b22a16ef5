/** PNG files made byte by byte, for tests of what is read from a header: any size, any chunk. */
import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';

export function pngChunk(type: string, data: Uint8Array): Buffer {
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const framed = Buffer.alloc(typeAndData.length + 8);
	framed.writeUInt32BE(data.length, 0);
	typeAndData.copy(framed, 4);
	framed.writeUInt32BE(crc32(typeAndData), framed.length - 4);
	return framed;
}

/** Signature and IHDR: all a reader of the size needs, for sizes too large to build for real. */
export function pngHeader(width: number, height: number): Buffer {
	const data = Buffer.alloc(13);
	data.writeUInt32BE(width, 0);
	data.writeUInt32BE(height, 4);
	data[8] = 8;
	data[9] = 2;
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', data)]);
}
