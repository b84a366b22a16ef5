/**
 * Splits a streamed REST answer into its JSON objects as the bytes arrive: grpc-gateway writes one
 * object per message, one after another (newline-separated in practice; commas and an enclosing
 * array are tolerated). Only the object being received is held as text, and it is handed on as
 * soon as it closes, so a long answer is never held whole. Chunks may split anywhere: inside a
 * string, an escape or a multi-byte character.
 */
import { RpcCode, VisionError } from '../transport/errors';

export interface JsonStreamLimits {
	/** Bytes of the whole answer. */
	maxBytes: number;
}

export class JsonObjectStream {
	private readonly decoder = new TextDecoder('utf-8');
	/** Text of the object being received. */
	private current = '';
	private depth = 0;
	private inString = false;
	private escaped = false;
	private bytes = 0;
	private objects = 0;
	private first = true;

	constructor(private readonly limits: JsonStreamLimits) {}

	/** The objects that closed in this chunk, parsed, in order. */
	push(chunk: Uint8Array): unknown[] {
		this.bytes += chunk.length;
		if (this.bytes > this.limits.maxBytes) {
			throw new VisionError({ kind: 'protocol', code: RpcCode.RESOURCE_EXHAUSTED, message: `The answer is larger than ${Math.round(this.limits.maxBytes / 1048576)} MB; refusing to read it.` });
		}
		let text = this.decoder.decode(chunk, { stream: true });
		// A byte order mark before the first object, as some proxies add.
		if (this.first && text.length > 0) {
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			this.first = false;
		}
		return this.scan(text);
	}

	/** Call at the end of the body, for any object its last bytes closed; throws when it stopped inside an object. */
	end(): unknown[] {
		const rest = this.scan(this.decoder.decode());
		if (this.depth > 0 || this.inString) {
			throw new VisionError({
				kind: 'protocol',
				code: RpcCode.INTERNAL,
				message: `The service's answer ends inside a JSON object (${this.bytes} bytes received, ${this.objects} complete object${this.objects === 1 ? '' : 's'}); the body looks cut off.`,
			});
		}
		return rest;
	}

	/** How many complete objects have been read. */
	get count(): number {
		return this.objects;
	}

	private scan(text: string): unknown[] {
		const out: unknown[] = [];
		let start = this.depth > 0 ? 0 : -1;
		for (let i = 0; i < text.length; i++) {
			const c = text.charCodeAt(i);
			if (this.depth === 0) {
				// Between objects: whitespace, commas and the brackets of an enclosing array.
				if (c === 0x7b /* { */) {
					this.depth = 1;
					start = i;
					continue;
				}
				if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === 0x5b || c === 0x5d) continue;
				throw new VisionError({
					kind: 'protocol',
					code: RpcCode.INTERNAL,
					message: `The service's answer is not a stream of JSON objects: ${JSON.stringify(text.slice(i, i + 20))} after ${this.objects} object${this.objects === 1 ? '' : 's'}.`,
				});
			}
			if (this.inString) {
				if (this.escaped) this.escaped = false;
				else if (c === 0x5c /* \ */) this.escaped = true;
				else if (c === 0x22 /* " */) this.inString = false;
				continue;
			}
			if (c === 0x22) this.inString = true;
			else if (c === 0x7b || c === 0x5b) this.depth++;
			else if (c === 0x7d || c === 0x5d) {
				this.depth--;
				if (this.depth === 0) {
					const objectText = this.current + text.slice(start, i + 1);
					this.current = '';
					start = -1;
					out.push(parseObject(objectText, this.objects));
					this.objects++;
				}
			}
		}
		if (this.depth > 0) this.current += text.slice(Math.max(start, 0));
		return out;
	}
}

function parseObject(text: string, index: number): unknown {
	try {
		return JSON.parse(text);
	} catch (err) {
		throw new VisionError({
			kind: 'protocol',
			code: RpcCode.INTERNAL,
			message: `Object ${index + 1} of the service's answer is not valid JSON (${err instanceof Error ? err.message : String(err)}).`,
		});
	}
}
