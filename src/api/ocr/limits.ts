/**
 * Checks a recognizeText request against the OCR API's limits before anything is sent, and builds
 * the body that goes on the wire: a file of at most 10 MB and 20 MP, JPEG, PNG or a one-page PDF
 * (sniffed from the bytes), a model name of at most 50 characters, and 1–8 languages or `*` where
 * the model detects languages. Each violation is a VisionError (code 3, kind 'validation') that
 * names the field and says what to change.
 */

import { formatCount, encodedLength } from '../content/base64';
import { arrayOf, asObject, checkContent, checkKnownFields, decimal, essence, identify, isGiven, optionalString, requiredString } from '../content/limitChecks';
import { FORMAT_NAMES, type ImageFormat, type ImageInfo } from '../content/imageInfo';
import { countPdfPages } from '../content/pdfPageCount';
import { invalidArgument } from '../transport/errors';
import { DEFAULT_OCR_MODEL, OCR_MODEL_LANGUAGES, OCR_MODELS, type OcrModel, type RecognizeTextRequest } from './types';

export const OCR_LIMITS = {
	fileBytes: 10_485_760,
	contentChars: encodedLength(10_485_760),
	pixels: 20_000_000,
	/** Pages of a PDF in the synchronous call. */
	pdfPages: 1,
	/** Pages of a PDF in the asynchronous call. */
	asyncPdfPages: 200,
	modelChars: 50,
	languageCodes: 8,
	languageCodeChars: 3,
	mimeTypeChars: 255,
} as const;

/** What the body names each format, as Yandex's own examples spell it. */
const WIRE_MIME_TYPES: Readonly<Record<ImageFormat, string>> = { jpeg: 'JPEG', png: 'PNG', pdf: 'application/pdf' };

/** Spellings a caller may give for each format. */
const MIME_SPELLINGS: Readonly<Record<ImageFormat, readonly string[]>> = {
	jpeg: ['image/jpeg', 'image/jpg', 'jpeg', 'jpg', 'image'],
	png: ['image/png', 'png', 'image'],
	pdf: ['application/pdf', 'pdf'],
};

export interface WireRecognizeText {
	mimeType: string;
	languageCodes: string[];
	model: string;
	content: string;
}

export interface PreparedRecognizeText {
	/** The body without `content`'s base64, which `encode` makes once everything has passed. */
	wire: Omit<WireRecognizeText, 'content'>;
	encode(): string;
	image: ImageInfo;
	model: string;
	/** A PDF's pages, when they could be counted. */
	pages?: number;
}

/** `call`: the synchronous recognizeText (one page) or recognizeTextAsync (PDFs of up to 200 pages). */
export function prepareRecognizeText(request: RecognizeTextRequest, call: 'sync' | 'async' = 'sync'): PreparedRecognizeText {
	const fields = asObject(request, 'request', 'a request object with content');
	checkKnownFields(fields, '', ['content', 'mimeType', 'languageCodes', 'model'], 'a recognizeText request');
	const model = optionalString(fields.model, 'model', OCR_LIMITS.modelChars, `the models are ${OCR_MODELS.join(', ')}`) || DEFAULT_OCR_MODEL;
	const languageCodes = checkLanguages(fields.languageCodes, model);
	const mimeType = optionalString(fields.mimeType, 'mimeType', OCR_LIMITS.mimeTypeChars);

	if (!isGiven(fields.content)) throw invalidArgument('content', 'is required: give the JPEG, PNG or one-page PDF file to recognize, as bytes or base64 text');
	const content = checkContent(fields.content, 'content', OCR_LIMITS);
	const image = identify(content.source, 'content');
	if (mimeType && !MIME_SPELLINGS[image.format].includes(essence(mimeType))) {
		throw invalidArgument('mimeType', `is ${JSON.stringify(mimeType)} but the file is a ${FORMAT_NAMES[image.format]} ${image.format === 'pdf' ? 'document' : 'image'}; leave it out, the file's format is sent`);
	}
	if (image.width !== undefined && image.height !== undefined) {
		const pixels = image.width * image.height;
		if (pixels > OCR_LIMITS.pixels) {
			throw invalidArgument('content', `the image is ${image.width}×${image.height} = ${decimal(pixels / 1e6, OCR_LIMITS.pixels / 1e6)} MP, the OCR API accepts at most 20 MP (${formatCount(OCR_LIMITS.pixels)} pixels); scale it down`);
		}
	}
	let pages: number | undefined;
	if (image.format === 'pdf') {
		// An uncertain count lets the service decide rather than refuse a file on a guess.
		pages = countPdfPages(content.source.read(0, content.source.length));
		if (pages !== undefined && call === 'sync' && pages > OCR_LIMITS.pdfPages) {
			throw invalidArgument('content', `the PDF has ${formatCount(pages)} pages; the OCR API's recognizeText reads ${OCR_LIMITS.pdfPages} page per request — send the pages one at a time, or a PDF of up to ${OCR_LIMITS.asyncPdfPages} pages to recognizeTextAsync`);
		}
		if (pages !== undefined && call === 'async' && pages > OCR_LIMITS.asyncPdfPages) {
			throw invalidArgument('content', `the PDF has ${formatCount(pages)} pages; the OCR API reads at most ${OCR_LIMITS.asyncPdfPages} pages of a document — split it into parts of up to ${OCR_LIMITS.asyncPdfPages} pages`);
		}
	}
	const wire: Omit<WireRecognizeText, 'content'> = { mimeType: WIRE_MIME_TYPES[image.format], languageCodes, model };
	return { wire, encode: content.encode, image, model, ...pages !== undefined ? { pages } : {} };
}

function checkLanguages(value: unknown, model: string): string[] {
	const codes = arrayOf(value, 'languageCodes', OCR_LIMITS.languageCodes, {
		plural: 'codes',
		what: 'ISO 639-1 language codes, e.g. ["ru", "en"], or ["*"] to detect them',
		tooMany: 'keep only the languages in the image, or give ["*"]',
	}).map((code, i) => requiredString(code, `languageCodes[${i}]`, OCR_LIMITS.languageCodeChars, 'use an ISO 639-1 code such as "en", or "*"'));
	const known = knownModel(model);
	if (codes.includes('*')) {
		if (codes.length > 1) throw invalidArgument('languageCodes', `mixes "*" with ${codes.filter(c => c !== '*').map(c => JSON.stringify(c)).join(', ')}; give either "*" alone, to detect the languages, or the codes`);
		if (known && !OCR_MODEL_LANGUAGES[known].detects) {
			const only = OCR_MODEL_LANGUAGES[known].only;
			throw invalidArgument('languageCodes', `"*" (detect the language) does not work with the ${known} model; give the languages${only ? `, among ${only.join(', ')}` : ''}`);
		}
		return codes;
	}
	const only = known ? OCR_MODEL_LANGUAGES[known].only : undefined;
	const others = only ? codes.filter(code => !only.includes(code.toLowerCase())) : [];
	if (only && others.length > 0) {
		throw invalidArgument('languageCodes', `has ${others.map(c => JSON.stringify(c)).join(', ')}, but the ${known} model reads only ${only.join(', ')}; keep those`);
	}
	return codes;
}

function knownModel(model: string): OcrModel | undefined {
	return OCR_MODELS.find(name => name === model);
}
