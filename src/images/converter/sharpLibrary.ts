/**
 * Native libvips (sharp) under the fit: each step is one sharp pipeline on libuv's threads, its
 * pixels kept in this process's memory between steps. Runs in the converter's own process (see
 * nativeProcess.ts), never in the extension host: a native crash there would take every
 * extension with it.
 */
import type { Sharp, SharpOptions } from 'sharp';
import { MAX_DECODE_PIXELS } from '../plan';
import type { Size } from '../mapping';
import { pointSample, type FitRequest, type ImageLibrary, type ImageSession, type Raster, type StoredImage } from './fitImage';

export type SharpModule = (input?: Uint8Array, options?: SharpOptions) => Sharp;

/** librsvg's resolution when an SVG declares none: what its width and height are in. */
const SVG_DENSITY = 72;
/** sharp refuses densities above this. */
const MAX_DENSITY = 100_000;

export function sharpLibrary(sharp: SharpModule): ImageLibrary<Raster> {
	return {
		drawsSvgText: true,
		open: request => new SharpSession(sharp, request),
		reason: sharpMessage,
	};
}

class SharpSession implements ImageSession<Raster> {
	private stored: StoredImage | undefined;
	/**
	 * Greyscale without alpha: kept so, as libvips keeps it, rather than made sRGB (sharp's
	 * greyscale output drops alpha, so greyscale with alpha becomes sRGB with alpha).
	 */
	private grey = false;

	constructor(private readonly sharp: SharpModule, private readonly request: FitRequest) {}

	async header(): Promise<StoredImage> {
		// As forgiving as libvips' own header read: a warning (an odd TIFF tag) is no reason to refuse.
		const meta = await this.sharp(this.request.bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
		this.stored = { width: meta.width, height: meta.height, orientation: meta.orientation ?? 1, pages: meta.pages ?? 1 };
		this.grey = meta.channels === 1;
		return this.stored;
	}

	async thumbnail(box: Size, enlarge: boolean): Promise<Raster> {
		const options: SharpOptions = { failOn: 'truncated', limitInputPixels: MAX_DECODE_PIXELS, sequentialRead: true };
		// A vector picture is drawn at the size wanted, not drawn small and enlarged.
		if (enlarge && this.stored && this.stored.width > 0) {
			const upright = Math.max(this.stored.width, this.stored.height);
			options.density = Math.min(MAX_DENSITY, SVG_DENSITY * Math.max(box.width, box.height) / upright);
		}
		const pipeline = this.sharp(this.request.bytes, options)
			.autoOrient()
			.resize(box.width, box.height, { fit: 'inside', withoutEnlargement: !enlarge });
		return raster(this.grey ? pipeline.toColourspace('b-w') : pipeline);
	}

	fromPixels(pixels: Raster): Promise<Raster> {
		return Promise.resolve(pixels);
	}

	size(image: Raster): Size {
		return { width: image.width, height: image.height };
	}

	hasAlpha(image: Raster): boolean {
		return image.channels === 2 || image.channels === 4;
	}

	sample(image: Raster, step: number): Promise<Raster> {
		return Promise.resolve(pointSample(image, step));
	}

	resize(image: Raster, scale: number): Promise<Raster> {
		const width = Math.max(1, Math.round(image.width * scale));
		const height = Math.max(1, Math.round(image.height * scale));
		return raster(this.from(image).resize(width, height, { fit: 'fill' }));
	}

	flatten(image: Raster): Promise<Raster> {
		return raster(this.from(image).flatten({ background: '#ffffff' }));
	}

	strips(image: Raster, tops: readonly number[], rows: number): Promise<Raster> {
		const row = image.width * image.channels;
		const data = new Uint8Array(tops.length * rows * row);
		tops.forEach((top, i) => data.set(image.data.subarray(top * row, (top + rows) * row), i * rows * row));
		return Promise.resolve({ data, width: image.width, height: tops.length * rows, channels: image.channels });
	}

	jpeg(image: Raster, quality: number): Promise<Uint8Array> {
		return this.from(image).jpeg({ quality }).toBuffer();
	}

	png(image: Raster, palette: boolean): Promise<Uint8Array> {
		return this.from(image).png(palette ? { palette: true, quality: 90, dither: 0, effort: 4 } : { compressionLevel: 6 }).toBuffer();
	}

	close(): void {
		// Pixels are JavaScript buffers: nothing to free by hand.
	}

	/** A pipeline from pixels in memory; greyscale stays greyscale in whatever it writes (sharp's default is sRGB). */
	private from(image: Raster): Sharp {
		const pipeline = this.sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } });
		return image.channels === 1 ? pipeline.toColourspace('b-w') : pipeline;
	}
}

/** 8-bit pixels, alpha kept, in the pipeline's output colourspace (sRGB or greyscale). */
async function raster(pipeline: Sharp): Promise<Raster> {
	const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
	return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * sharp's errors, `Input buffer has corrupt header: VipsJpeg: premature end of JPEG image` → the
 * reason, as libvips words it.
 */
export function sharpMessage(err: unknown): string {
	const text = err instanceof Error ? err.message : String(err);
	const lines = text.split('\n').map(line => line.trim()).filter(Boolean);
	const last = lines[lines.length - 1] ?? text;
	return last.replace(/^Input (buffer|file) has corrupt header: /, '').replace(/^Vips\w*: /, '').replace(/\.$/, '');
}
