/**
 * libvips compiled to WebAssembly (wasm-vips) under the fit: synchronous calls in the converter's
 * worker thread. It runs wherever VS Code's extension host does; fonts are not available to it.
 */
import type Vips from 'wasm-vips';
import type { Size } from '../mapping';
import type { FitRequest, ImageLibrary, ImageSession, Raster, StoredImage } from './fitImage';

export type VipsModule = typeof Vips;
type VipsImage = Vips.Image;

/** Anything wasm-vips allocates: it lives until `delete()`, whatever JavaScript's GC does. */
interface Handle {
	delete(): void;
}

/**
 * Files up to this size are copied into WebAssembly memory whole; larger ones are streamed to
 * libvips from JavaScript instead, which is slower (libvips' thread asks for 4 KiB at a time,
 * through this thread) but spares WebAssembly memory — which never shrinks — two copies of a
 * 20+ MB file.
 */
const STREAM_FROM_BYTES = 12 * 1024 * 1024;

export function vipsLibrary(vips: VipsModule): ImageLibrary<VipsImage> {
	return {
		drawsSvgText: false,
		open: request => new VipsSession(vips, request),
		reason: vipsMessage,
	};
}

class VipsSession implements ImageSession<VipsImage> {
	private readonly handles: Handle[] = [];
	/** One source for both reads (SVG is only read from a buffer). */
	private source: Vips.Source | undefined;

	constructor(private readonly vips: VipsModule, private readonly request: FitRequest) {}

	private keep<T extends Handle>(handle: T): T {
		this.handles.push(handle);
		return handle;
	}

	header(): Promise<StoredImage> {
		const { request, vips } = this;
		this.source = request.format === 'svg' ? undefined : this.keep(sourceOf(vips, request.bytes));
		// What the thumbnail below will see, orientation included.
		const probe = this.keep(this.source ? vips.Image.newFromSource(this.source, '', { access: 'sequential' }) : vips.Image.newFromBuffer(request.bytes, '', { access: 'sequential' }));
		return Promise.resolve({
			width: probe.width,
			height: probe.height,
			orientation: probe.getTypeof('orientation') !== 0 ? probe.getInt('orientation') : 1,
			pages: probe.getTypeof('n-pages') !== 0 ? probe.getInt('n-pages') : 1,
		});
	}

	thumbnail(box: Size, enlarge: boolean): Promise<VipsImage> {
		const options = {
			height: box.height,
			size: enlarge ? 'both' : 'down',
			// A cut-off file fails rather than arrive half grey (thumbnail's own fail_on is not passed to the loader).
			option_string: 'fail_on=truncated',
		};
		// thumbnailSource returns the image; its declared type says void.
		const image = this.keep(this.source ? this.vips.Image.thumbnailSource(this.source, box.width, options) as unknown as VipsImage : this.vips.Image.thumbnailBuffer(this.request.bytes, box.width, options));
		return Promise.resolve(this.keep(this.normalize(image).copyMemory()));
	}

	fromPixels(raster: Raster): Promise<VipsImage> {
		const raw = this.keep(this.vips.Image.newFromMemory(raster.data, raster.width, raster.height, raster.channels, this.vips.BandFormat.uchar));
		return Promise.resolve(this.keep(this.keep(raw.copy({ interpretation: this.vips.Interpretation.srgb })).copyMemory()));
	}

	size(image: VipsImage): Size {
		return { width: image.width, height: image.height };
	}

	hasAlpha(image: VipsImage): boolean {
		return image.hasAlpha();
	}

	sample(image: VipsImage, step: number): Promise<Raster> {
		const sample = step > 1 ? this.keep(image.subsample(step, step, { point: true })) : image;
		return Promise.resolve({ data: sample.writeToMemory() as Uint8Array, width: sample.width, height: sample.height, channels: sample.bands });
	}

	resize(image: VipsImage, scale: number): Promise<VipsImage> {
		return Promise.resolve(this.keep(this.keep(image.resize(scale)).copyMemory()));
	}

	flatten(image: VipsImage): Promise<VipsImage> {
		return Promise.resolve(this.keep(this.keep(image.flatten({ background: [255, 255, 255] })).copyMemory()));
	}

	strips(image: VipsImage, tops: readonly number[], rows: number): Promise<VipsImage> {
		const bands = tops.map(top => this.keep(image.extractArea(0, top, image.width, rows)));
		return Promise.resolve(this.keep(this.vips.Image.arrayjoin(bands, { across: 1 })));
	}

	jpeg(image: VipsImage, quality: number): Promise<Uint8Array> {
		return Promise.resolve(image.jpegsaveBuffer({ Q: quality, keep: 'none' }));
	}

	png(image: VipsImage, palette: boolean): Promise<Uint8Array> {
		return Promise.resolve(palette
			? image.pngsaveBuffer({ palette: true, Q: 90, dither: 0, effort: 4, keep: 'none' })
			: image.pngsaveBuffer({ compression: 6, keep: 'none' }));
	}

	close(): void {
		for (const handle of this.handles.splice(0)) handle.delete();
	}

	/** 8-bit sRGB or greyscale, alpha kept: what the encoders take as is. */
	private normalize(image: VipsImage): VipsImage {
		const grey = image.bands <= 2 && image.interpretation !== 'cmyk';
		const space = grey ? 'b-w' : 'srgb';
		if (image.interpretation === space && image.format === 'uchar') return image;
		return this.keep(image.colourspace(space));
	}
}

function sourceOf(vips: VipsModule, bytes: Uint8Array): Vips.Source {
	if (bytes.length <= STREAM_FROM_BYTES) return vips.Source.newFromMemory(bytes);
	const source = new vips.SourceCustom();
	let position = 0;
	source.onRead = length => {
		if (position >= bytes.length) return undefined;
		const chunk = bytes.subarray(position, Math.min(bytes.length, position + length));
		position += chunk.length;
		return chunk;
	};
	// whence as lseek's: 0 from the start, 1 from here, 2 from the end.
	source.onSeek = (offset, whence) => {
		position = Math.max(0, Math.min(bytes.length, whence === 0 ? offset : whence === 1 ? position + offset : bytes.length + offset));
		return position;
	};
	return source;
}

/**
 * libvips errors arrive as WebAssembly exceptions whose `message` is `['vips::Error', 'unable to
 * …\nVipsJpeg: …\n']`; the last line says why.
 */
export function vipsMessage(err: unknown): string {
	const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
	const text = Array.isArray(message) ? message.map(String).join('\n') : typeof message === 'string' ? message : String(err);
	const lines = text.split('\n').map(line => line.trim()).filter(line => line && line !== 'vips::Error' && !line.startsWith('unable to'));
	return (lines[lines.length - 1] ?? text).replace(/^Vips\w*: /, '').replace(/\.$/, '');
}
