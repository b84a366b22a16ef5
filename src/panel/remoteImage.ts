/**
 * Downloads an image from the web that the user asked for: the image of a copy found, for a
 * preview, returned as a `data:` URI (the webview's CSP allows `data:` images and nothing remote,
 * so this is the only way such an image reaches it), or the image of a Markdown link, to recognize
 * its text. Only after these checks:
 * - http and https only, at every redirect too;
 * - a bounded time and size (the size before reading, when announced, and while reading);
 * - the bytes must be a raster image (PNG, JPEG, GIF, WebP, BMP, AVIF) by their signature, whatever
 *   the server calls them; the data URI gets the type found in the bytes. SVG is refused: it is
 *   markup, not a picture;
 * - when the caller says which hosts it may contact, every host, the redirects' too, is asked about.
 */
import { request, type Dispatcher } from 'undici';
import { webUrl } from '../shared/protocol';

export const PREVIEW_MAX_BYTES = 5 * 1024 * 1024;
export const PREVIEW_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 5;

export type PreviewFailure = 'address' | 'redirects' | 'status' | 'notImage' | 'tooLarge' | 'timeout' | 'network' | 'cancelled';

export class PreviewError extends Error {
	override readonly name = 'PreviewError';
	constructor(readonly reason: PreviewFailure, message: string, options?: { cause?: unknown }) {
		super(message, options);
	}
}

export interface PreviewOptions {
	timeoutMs?: number;
	maxBytes?: number;
	signal?: AbortSignal;
	/** E.g. a proxy agent; undici's global dispatcher by default. */
	dispatcher?: Dispatcher;
	/** Sent as the User-Agent header, to every host, redirects included. */
	userAgent?: string;
	/** Asked before each host is contacted, redirects included; a refusal fails with reason `address`. */
	allowHost?: (url: URL) => boolean | Promise<boolean>;
}

export interface WebImage {
	bytes: Buffer;
	/** The type found in the bytes, e.g. `image/png`. */
	type: string;
}

/** GET `url` and return `data:image/…;base64,…`, or throw a PreviewError that says why not. */
export async function fetchImageAsDataUri(url: string, options: PreviewOptions = {}): Promise<string> {
	const { bytes, type } = await fetchImage(url, options);
	return `data:${type};base64,${bytes.toString('base64')}`;
}

/** GET `url` and return the image's bytes, or throw a PreviewError that says why not. */
export async function fetchImage(url: string, options: PreviewOptions = {}): Promise<WebImage> {
	const maxBytes = options.maxBytes ?? PREVIEW_MAX_BYTES;
	const timeoutMs = options.timeoutMs ?? PREVIEW_TIMEOUT_MS;
	const timeout = new AbortController();
	// The time a person takes to answer allowHost does not count.
	let timeLeft = timeoutMs;
	let timerStarted = Date.now();
	let timer = setTimeout(() => timeout.abort(), timeLeft);
	const askHost = async (address: URL): Promise<boolean> => {
		clearTimeout(timer);
		timeLeft -= Date.now() - timerStarted;
		try {
			return await options.allowHost!(address);
		} finally {
			timerStarted = Date.now();
			timer = setTimeout(() => timeout.abort(), timeLeft);
		}
	};
	const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
	try {
		let current = webUrl(url);
		if (!current) throw new PreviewError('address', 'Only http and https addresses are downloaded.');
		for (let hop = 0; ; hop++) {
			if (options.allowHost && !(await askHost(current))) throw new PreviewError('address', `Not allowed to download from ${current.host}.`);
			const response = await request(current, {
				method: 'GET',
				signal,
				headers: {
					accept: 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/bmp;q=0.9',
					...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
				},
				...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
			});
			const { statusCode, headers, body } = response;
			if (statusCode >= 300 && statusCode < 400 && statusCode !== 304) {
				await body.dump();
				const location = header(headers.location);
				if (location === undefined) throw new PreviewError('status', `HTTP ${statusCode} without a Location.`);
				if (hop >= MAX_REDIRECTS) throw new PreviewError('redirects', `More than ${MAX_REDIRECTS} redirects.`);
				let next: URL | undefined;
				try {
					next = webUrl(new URL(location, current).href);
				} catch {
					next = undefined;
				}
				if (!next) throw new PreviewError('address', 'Redirected to an address that is not http or https.');
				current = next;
				continue;
			}
			if (statusCode !== 200) {
				await body.dump();
				throw new PreviewError('status', `HTTP ${statusCode}.`);
			}
			const declaredType = (header(headers['content-type']) ?? '').split(';')[0].trim().toLowerCase();
			// A server that says what it sends and says it is not an image is believed.
			if (declaredType !== '' && !declaredType.startsWith('image/') && declaredType !== 'application/octet-stream') {
				await body.dump();
				throw new PreviewError('notImage', `Not an image (${declaredType}).`);
			}
			const declaredLength = Number(header(headers['content-length']));
			if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
				await body.dump();
				throw new PreviewError('tooLarge', `The image is larger than ${formatMegabytes(maxBytes)}.`);
			}
			const bytes = await readAtMost(body, maxBytes);
			const type = sniffImageType(bytes);
			if (!type) throw new PreviewError('notImage', 'The content is not a PNG, JPEG, GIF, WebP, BMP or AVIF image.');
			return { bytes, type };
		}
	} catch (err) {
		if (err instanceof PreviewError) throw err;
		if (options.signal?.aborted) throw new PreviewError('cancelled', 'Cancelled.', { cause: err });
		if (timeout.signal.aborted) throw new PreviewError('timeout', `No answer within ${Math.round(timeoutMs / 1000)} s.`, { cause: err });
		throw new PreviewError('network', err instanceof Error ? err.message : String(err), { cause: err });
	} finally {
		clearTimeout(timer);
	}
}

/** The MIME type of a raster image from its first bytes, or undefined. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
	const starts = (...signature: number[]): boolean => signature.every((b, i) => bytes[i] === b);
	const ascii = (offset: number, text: string): boolean => [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));
	if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
	if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
	if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
	if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
	if (ascii(0, 'BM') && bytes.length > 26) return 'image/bmp';
	if (ascii(4, 'ftyp') && (ascii(8, 'avif') || ascii(8, 'avis'))) return 'image/avif';
	return undefined;
}

async function readAtMost(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
		length += buffer.length;
		if (length > maxBytes) {
			body.destroy();
			throw new PreviewError('tooLarge', `The image is larger than ${formatMegabytes(maxBytes)}.`);
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks, length);
}

function header(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function formatMegabytes(bytes: number): string {
	return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
}
