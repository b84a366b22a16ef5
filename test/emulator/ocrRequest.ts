/**
 * The OCR API's RecognizeTextRequest (ai/ocr/v1/ocr_service.proto): read as proto3 JSON, then
 * checked in two places, as the service does it. The gateway checks the proto's own rules (the
 * content oneof, `model` ≤ 50) before the folder and the quota; the recognizer checks the file,
 * the model and the languages once the request is admitted.
 */

import { LANGUAGE_CODES } from './analyze';
import { ImageFormat, readImageHeader, sniffFormat } from './imageHeader';
import { parseJsonObject, readBytes, readFields, readRepeated, readRequiredString, readString } from './jsonFields';
import { OCR_MODELS, OcrModel, isOcrModel } from './ocrContract';
import { countPdfPages } from './pdfPages';
import { invalidArgument, validationError } from './status';
import { checkLength } from './validate';

/**
 * Models the docs say need the languages named: `handwritten` and `table` read only the listed
 * ones (table gained Turkish in 2024), `license-plates` has no automatic detection.
 */
const NAMED_LANGUAGES: Partial<Record<OcrModel, readonly string[] | 'any'>> = {
	handwritten: ['en', 'ru'],
	table: ['en', 'ru', 'tr'],
	'license-plates': 'any',
};

export const OCR_LIMITS = {
	fileBytes: 10_485_760,
	pixels: 20_000_000,
	pdfPages: 1,
	/** recognizeTextAsync's: the docs' "no more than 200 pages". */
	asyncPdfPages: 200,
	modelLength: 50,
	languageCodes: 8,
} as const;

/** The mimeType spellings the docs use, and the formats each admits; `image` (the default) is either image format. */
const MIME_FORMATS: Readonly<Record<string, readonly ImageFormat[]>> = {
	'': ['jpeg', 'png'],
	image: ['jpeg', 'png'],
	jpeg: ['jpeg'],
	'image/jpeg': ['jpeg'],
	png: ['png'],
	'image/png': ['png'],
	pdf: ['pdf'],
	'application/pdf': ['pdf'],
};

const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = { jpeg: 'a JPEG image', png: 'a PNG image', pdf: 'a PDF document' };

export interface OcrRequest {
	/** Base64 text as sent; undefined when the oneof is not set. */
	content?: string;
	mimeType: string;
	languageCodes: string[];
	/** As sent; '' means `page`. */
	model: string;
}

/** What the recognizer works on once every check passed. */
export interface CheckedOcrRequest {
	bytes: Buffer;
	format: ImageFormat;
	model: OcrModel;
	languageCodes: string[];
	/** 1 for an image; a PDF's counted pages (1 when they cannot be counted). */
	pages: number;
}

export function parseOcrRequest(body: Buffer): OcrRequest {
	const fields = readFields(parseJsonObject(body), '', 'yandex.cloud.ai.ocr.v1.RecognizeTextRequest', ['content', 'mime_type', 'language_codes', 'model'],
		key => /^folder_?id$/i.test(key) ? 'the OCR API takes the folder from the x-folder-id header' : undefined);
	const request: OcrRequest = {
		mimeType: readString(fields.get('mime_type'), 'mime_type') ?? '',
		languageCodes: readRepeated(fields.get('language_codes'), 'language_codes', readRequiredString),
		model: readString(fields.get('model'), 'model') ?? '',
	};
	const content = readBytes(fields.get('content'), 'content');
	if (content !== undefined) request.content = content;
	return request;
}

/** The model a request asks for, `page` when it names none. */
export function modelOf(request: OcrRequest): string {
	return request.model === '' ? 'page' : request.model;
}

/** The gateway's part: the proto's annotations. */
export function validateOcrRequest(request: OcrRequest): void {
	if (request.content === undefined || request.content === '') {
		throw validationError('content', 'the file is required (its bytes, base64-encoded)');
	}
	checkLength(request.model, OCR_LIMITS.modelLength, 'model');
}

/** The recognizer's part: model, languages, then the file itself; `pdfPages` is the method's page limit. */
export function checkOcrRequest(request: OcrRequest, pdfPages: number = OCR_LIMITS.pdfPages): CheckedOcrRequest {
	const model = modelOf(request);
	if (!isOcrModel(model)) throw invalidArgument(`Unknown model "${model}": use one of ${OCR_MODELS.join(', ')}`);
	checkLanguages(request.languageCodes, model);
	const bytes = Buffer.from(request.content ?? '', 'base64');
	const { format, pages } = checkFile(bytes, request.mimeType, pdfPages);
	return { bytes, format, model, languageCodes: request.languageCodes, pages };
}

function checkLanguages(codes: readonly string[], model: OcrModel): void {
	if (codes.length < 1 || codes.length > OCR_LIMITS.languageCodes) {
		throw invalidArgument(`language_codes: give 1 to ${OCR_LIMITS.languageCodes} language codes (ISO 639-1, or "*" to detect), got ${codes.length}`);
	}
	const unknown = codes.find(code => !LANGUAGE_CODES.has(code));
	if (unknown !== undefined) throw invalidArgument(`Unsupported language code: ${JSON.stringify(unknown)}`);
	const named = NAMED_LANGUAGES[model];
	if (named === undefined) return;
	const list = named === 'any' ? '' : ` (${named.join(', ')})`;
	if (codes.includes('*')) {
		throw invalidArgument(`Model ${model} does not detect the language automatically: name the languages in language_codes${list} instead of "*"`);
	}
	if (named !== 'any') {
		const other = codes.find(code => !named.includes(code));
		if (other !== undefined) throw invalidArgument(`Model ${model} reads only ${named.join(', ')}; language_codes has ${other}`);
	}
}

function checkFile(bytes: Buffer, mimeType: string, pdfPages: number): { format: ImageFormat; pages: number } {
	if (bytes.length > OCR_LIMITS.fileBytes) {
		throw invalidArgument(`File too big: ${bytes.length} bytes, the limit is ${OCR_LIMITS.fileBytes} bytes (10 MB)`);
	}
	const admitted = MIME_FORMATS[mimeType.toLowerCase()];
	if (admitted === undefined) {
		throw invalidArgument(`Unsupported mime_type ${JSON.stringify(mimeType)}: use JPEG, PNG or PDF (or image/jpeg, image/png, application/pdf; "image" for either image format)`);
	}
	const format = sniffFormat(bytes);
	if (format === undefined) throw invalidArgument('Unsupported file format: the service reads JPEG, PNG and PDF files');
	if (!admitted.includes(format)) {
		const named = mimeType === '' ? '"" (the default, "image")' : JSON.stringify(mimeType);
		throw invalidArgument(`mime_type ${named} does not match the file, which is ${FORMAT_NAMES[format]}`);
	}
	const header = readImageHeader(bytes);
	if (!header) throw invalidArgument(`Can't decode the file: ${FORMAT_NAMES[format]} that is damaged or cut short`);
	if (header.width !== undefined && header.height !== undefined && header.width * header.height > OCR_LIMITS.pixels) {
		throw invalidArgument(`Image resolution too high: ${header.width}x${header.height} is ${header.width * header.height} pixels, the limit is ${OCR_LIMITS.pixels} (20 MP)`);
	}
	if (format !== 'pdf') return { format, pages: 1 };
	// A PDF whose pages cannot be counted goes on: the recognizer, not a guess, decides.
	const pages = countPdfPages(bytes);
	if (pages !== undefined && pages > pdfPages) {
		throw invalidArgument(`Request pages ${pages}, service page limit is ${pdfPages}`);
	}
	return { format, pages: Math.max(1, pages ?? 1) };
}
