/**
 * What to do with a file before it goes to the service: send it as it is, fit it (decode,
 * orient, scale, re-encode), or refuse it with a message that says what to do.
 */
import { phrase } from '../shared/phrase';
import { count, ImageError, megabytes, size } from './errors';
import { FORMAT_NAMES, type ImageHeader } from './header';

export interface ServiceLimits {
	/** Bytes per file. */
	fileBytes: number;
	/** Pixels per image. */
	pixels: number;
	/** Pages per PDF. */
	pdfPages: number;
}

/** What batchAnalyze accepts. */
export const SERVICE_LIMITS: Readonly<ServiceLimits> = { fileBytes: 1_048_576, pixels: 20_000_000, pdfPages: 8 };

/** How far fitting scales an image that breaks the limits. */
export interface FitLimits {
	fileBytes: number;
	pixels: number;
	/**
	 * Long side for photos over the size limit: at 2560 px a 12 MP phone photo fits in 1 MB at
	 * JPEG quality ≈ 80, and a line of text 1/100 of the picture's height is still 25 px tall —
	 * enough for OCR. Larger sides only buy pixels the lower quality would take back. A photo
	 * already within the size limit (re-encoded only to turn it upright, say) keeps its size.
	 */
	photoLongSide: number;
	/**
	 * Long side for screenshots, scans and line art: they compress far better, and their small
	 * text needs the pixels (a 300 dpi A4 scan, 2480×3508, and a 4K screenshot keep every one).
	 */
	graphicLongSide: number;
}

export const FIT_LIMITS: FitLimits = {
	fileBytes: SERVICE_LIMITS.fileBytes,
	pixels: SERVICE_LIMITS.pixels,
	photoLongSide: 2560,
	graphicLongSide: 4096,
};

/**
 * Larger images are not decoded at all: their header alone is a reason to refuse, so a
 * "decompression bomb" (a small file that claims 100,000×100,000 pixels) costs nothing.
 */
export const MAX_DECODE_PIXELS = 300_000_000;

export type SendableMimeType = 'image/jpeg' | 'image/png' | 'application/pdf';

export type Plan =
	| { action: 'send'; mimeType: SendableMimeType }
	/** `reasons`, for the log: why it cannot go as it is. */
	| { action: 'fit'; reasons: string[] }
	| { action: 'refuse'; error: ImageError };

export function planImage(header: ImageHeader, limits: ServiceLimits = SERVICE_LIMITS): Plan {
	switch (header.format) {
		case 'pdf':
			return planPdf(header, limits);
		case 'heic':
		case 'avif':
			return {
				action: 'refuse',
				error: new ImageError('unsupported', header.format === 'avif'
					? phrase('is an AVIF image, which is not converted here; export it as JPEG (on a Mac or iPhone: Photos → Export, or set the camera to "Most Compatible")')
					: phrase('is a HEIC image, which is not converted here; export it as JPEG (on a Mac or iPhone: Photos → Export, or set the camera to "Most Compatible")')),
			};
		default:
			break;
	}
	const pixels = header.width !== undefined && header.height !== undefined ? header.width * header.height : undefined;
	if (pixels !== undefined && pixels > MAX_DECODE_PIXELS) {
		return {
			action: 'refuse',
			error: new ImageError('limit', phrase('is {0}×{1} = {2} MP, too large to convert safely (at most {3} MP); scale it down first', count(header.width!), count(header.height!), count(Math.round(pixels / 1e6)), MAX_DECODE_PIXELS / 1e6)),
		};
	}
	const reasons: string[] = [];
	if (header.format !== 'jpeg' && header.format !== 'png') reasons.push(`${FORMAT_NAMES[header.format]} is not a format the service reads`);
	if (header.bytes > limits.fileBytes) reasons.push(`${megabytes(header.bytes, limits.fileBytes)} is over ${megabytes(limits.fileBytes)}`);
	if (pixels !== undefined && pixels > limits.pixels) reasons.push(`${decimalMp(pixels, limits.pixels)} MP is over ${limits.pixels / 1e6} MP`);
	// The service would apply the orientation itself, but a file that is re-encoded anyway is sent upright.
	if (header.orientation !== 1) reasons.push(`EXIF orientation ${header.orientation}`);
	if (reasons.length > 0) return { action: 'fit', reasons };
	return { action: 'send', mimeType: header.format === 'jpeg' ? 'image/jpeg' : 'image/png' };
}

/** A PDF is never rewritten: one that is too big or too long is refused, saying how. */
function planPdf(header: ImageHeader, limits: ServiceLimits): Plan {
	const tooBig = header.bytes > limits.fileBytes;
	const tooLong = header.pages !== undefined && header.pages > limits.pdfPages;
	if (tooBig && tooLong) {
		return { action: 'refuse', error: new ImageError('limit', phrase('is {0} with {1} pages; the service reads PDFs of at most {2} and {3} pages — split it', size(header.bytes, limits.fileBytes), header.pages!, size(limits.fileBytes), limits.pdfPages)) };
	}
	if (tooLong) {
		return { action: 'refuse', error: new ImageError('limit', phrase('has {0} pages; the service reads at most {1} — split it', header.pages!, limits.pdfPages)) };
	}
	if (tooBig) {
		return { action: 'refuse', error: new ImageError('limit', phrase('is {0}; the service reads PDFs of at most {1} — split it or save it with smaller images', size(header.bytes, limits.fileBytes), size(limits.fileBytes))) };
	}
	return { action: 'send', mimeType: 'application/pdf' };
}

/** `20.000001` rather than `20.0` when the rounding would hide the excess. */
function decimalMp(pixels: number, limit: number): string {
	for (let digits = 1; digits < 6; digits++) {
		const text = (pixels / 1e6).toFixed(digits);
		if (Number(text) * 1e6 > limit) return text.replace(/\.?0+$/, '');
	}
	return String(pixels / 1e6);
}
