/**
 * From a file's bytes to what is sent: read the header, decide, and fit when needed. What was
 * done is described in one line for the log and the command's report, e.g.
 * `resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB`.
 */
import type { FitView, FitWarning } from '../shared/protocol';
import type { Converted, FitOptions } from './converter/converter';
import { phrase } from '../shared/phrase';
import { ImageError, megabytes, size } from './errors';
import type { FitRequest } from './converter/fitImage';
import { FORMAT_NAMES, readHeader, type ImageFormat, type ImageHeader, type Orientation } from './header';
import type { SentGeometry } from './mapping';
import { FIT_LIMITS, planImage, SERVICE_LIMITS, type FitLimits, type SendableMimeType, type ServiceLimits } from './plan';

/** What fits an image; the worker-backed ImageConverter in the extension. */
export interface Fitter {
	fit(request: FitRequest, signal?: AbortSignal, options?: FitOptions): Promise<Converted>;
	/** Images it fits at once, at most, when it can do several. */
	readonly parallelism?: number;
}

export interface PrepareOptions {
	signal?: AbortSignal;
	/**
	 * The bytes are not used by the caller afterwards: a file to fit is moved to the converter's
	 * thread instead of copied (a 48 MP photo is 20 MB or more).
	 */
	handOver?: boolean;
	/** What the file must fit; batchAnalyze's by default. */
	target?: FitTarget;
}

/** A service's limits, and how far to scale an image that breaks them. */
export interface FitTarget {
	service: ServiceLimits;
	fit: FitLimits;
}

/** batchAnalyze: 1 MB, 20 MP, PDFs of up to 8 pages. */
export const BATCH_ANALYZE_TARGET: FitTarget = { service: SERVICE_LIMITS, fit: FIT_LIMITS };

/**
 * The OCR API's recognizeText: 10 MB and 20 MP, so photos keep far more of their pixels; a PDF of
 * one page (`pdfPages` says how many the engine reads).
 */
export function ocrApiTarget(pdfPages: number): FitTarget {
	const service: ServiceLimits = { fileBytes: 10_485_760, pixels: 20_000_000, pdfPages };
	// 5120 × 3840 is within 20 MP; at 10 MB a photo needs no lower quality at that size.
	return { service, fit: { fileBytes: service.fileBytes, pixels: service.pixels, photoLongSide: 5120, graphicLongSide: 5120 } };
}

export interface PreparedImage {
	bytes: Uint8Array;
	mimeType: SendableMimeType;
	header: ImageHeader;
	/** Present when the bytes are not the file's own. */
	fitted?: FittedImage;
}

/** What fitting did, with what mapping the results back needs. */
export interface FittedImage {
	/** `resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB`. */
	note: string;
	/** Why the file could not go as it was. */
	reasons: string[];
	geometry: SentGeometry;
	original: { format: ImageFormat; bytes: number; orientation: Orientation; width: number; height: number };
	sent: { format: 'JPEG' | 'PNG'; bytes: number; width: number; height: number; quality?: number; palette?: boolean };
	/** Each encoding tried. */
	attempts: string[];
	warnings: FitWarning[];
	/** Time in the converter. */
	ms: number;
}

/** Throws ImageError: for a file that cannot be read, is refused, or fails to convert. */
export async function prepareImage(bytes: Uint8Array, fitter: Fitter, options: PrepareOptions = {}): Promise<PreparedImage> {
	const target = options.target ?? BATCH_ANALYZE_TARGET;
	const header = readHeader(bytes);
	const plan = planImage(header, target.service);
	switch (plan.action) {
		case 'refuse':
			throw plan.error;
		case 'send':
			return { bytes, mimeType: plan.mimeType, header };
		case 'fit':
			break;
	}
	const pixels = header.width !== undefined && header.height !== undefined ? header.width * header.height : undefined;
	const request: FitRequest = pixels === undefined ? { bytes, format: header.format, limits: target.fit } : { bytes, format: header.format, pixels, limits: target.fit };
	const result = await fitter.fit(request, options.signal, { handOver: options.handOver ?? false });
	// The converter's promise, checked where it is relied on.
	if (result.bytes.length > target.service.fileBytes || result.width * result.height > target.service.pixels) {
		throw new ImageError('converter', phrase('could not be fitted: the result is {0}×{1}, {2}', result.width, result.height, size(result.bytes.length)));
	}
	const sent = {
		format: result.mimeType === 'image/jpeg' ? 'JPEG' as const : 'PNG' as const,
		bytes: result.bytes.length,
		width: result.width,
		height: result.height,
		...result.quality !== undefined ? { quality: result.quality } : {},
		...result.palette ? { palette: true } : {},
	};
	const original = { format: header.format, bytes: header.bytes, orientation: result.original.orientation, ...result.original.upright };
	return {
		bytes: result.bytes,
		mimeType: result.mimeType,
		header,
		fitted: {
			note: describeFit(original, sent, result.warnings),
			reasons: plan.reasons,
			geometry: { sent: { width: result.width, height: result.height }, upright: result.original.upright },
			original,
			sent,
			attempts: result.attempts,
			warnings: result.warnings,
			ms: result.ms,
		},
	};
}

/**
 * `converted WEBP → JPEG, turned upright (EXIF orientation 6), resized 3000×4000 → 1920×2560,
 * 4.9 MB → 0.93 MB`: sizes are upright, as the image is seen.
 */
export function describeFit(original: FittedImage['original'], sent: FittedImage['sent'], warnings: readonly FitWarning[] = []): string {
	const parts: string[] = [];
	const from = FORMAT_NAMES[original.format];
	if (from !== sent.format) parts.push(`converted ${from} → ${sent.format}`);
	if (original.orientation !== 1) parts.push(`turned upright (EXIF orientation ${original.orientation})`);
	if (original.width !== sent.width || original.height !== sent.height) {
		parts.push(`resized ${original.width}×${original.height} → ${sent.width}×${sent.height}`);
	} else if (from === sent.format && original.orientation === 1) {
		parts.push(`re-encoded ${sent.width}×${sent.height}`);
	}
	parts.push(`${megabytes(original.bytes)} → ${megabytes(sent.bytes)}`);
	return [parts.join(', '), ...warnings.map(describeWarning)].join('; ');
}

/** The English of a warning, for the note and the log; the panel words it in the display language. */
export function describeWarning(warning: FitWarning): string {
	switch (warning.code) {
		case 'firstPage':
			return `only the first of its ${warning.pages} pages is analyzed`;
		case 'firstFrame':
			return `only the first of its ${warning.frames} frames is analyzed`;
		case 'svgText':
			return 'its <text> elements are not drawn (no fonts are available to the converter): convert text to paths, or export it as PNG';
	}
}

/** The part of {@link FittedImage} worth keeping with a result: plain JSON, no pixels. */
export type FitSummary = FitView;

export function summarizeFit(fitted: FittedImage): FitSummary {
	const { format, width, height, bytes, quality } = fitted.sent;
	return {
		note: fitted.note,
		original: { ...fitted.original, format: FORMAT_NAMES[fitted.original.format] },
		sent: quality === undefined ? { format, width, height, bytes } : { format, width, height, bytes, quality },
		...fitted.warnings.length > 0 ? { warnings: fitted.warnings.map(warning => ({ ...warning })) } : {},
	};
}
