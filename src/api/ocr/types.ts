/**
 * The OCR API's recognizeText contract (`ocr/v1/recognizeText`): the request as the service takes
 * it and the models it knows. Its answer is read into the results model (../../results/types.ts).
 */
import type { TextAnnotation } from '../../results/types';
import type { CallMeta } from '../transport/callWithRetries';
import type { VisionError } from '../transport/errors';

/** The models the OCR API documents; a model not listed here is still sent as given (≤ 50 characters). */
export const OCR_MODELS = [
	'page',
	'page-column-sort',
	'handwritten',
	'table',
	'markdown',
	'math-markdown',
	'passport',
	'driver-license-front',
	'driver-license-back',
	'vehicle-registration-front',
	'vehicle-registration-back',
	'license-plates',
] as const;
export type OcrModel = typeof OCR_MODELS[number];

export const DEFAULT_OCR_MODEL: OcrModel = 'page';

/** Languages of a model's text: any the service knows (detected with `*`), or only some, given explicitly. */
export interface OcrModelLanguages {
	/** Whether `["*"]` (detect the language) is accepted. */
	detects: boolean;
	/** The only languages the model reads, when it is limited. */
	only?: readonly string[];
}

/** What Yandex's documentation says of each model's languages. */
export const OCR_MODEL_LANGUAGES: Readonly<Record<OcrModel, OcrModelLanguages>> = {
	'page': { detects: true },
	'page-column-sort': { detects: true },
	'handwritten': { detects: false, only: ['ru', 'en'] },
	'table': { detects: false, only: ['ru', 'en', 'tr'] },
	'markdown': { detects: true },
	'math-markdown': { detects: true },
	'passport': { detects: true },
	'driver-license-front': { detects: true },
	'driver-license-back': { detects: true },
	'vehicle-registration-front': { detects: true },
	'vehicle-registration-back': { detects: true },
	'license-plates': { detects: false },
};

export interface RecognizeTextRequest {
	/** The file: raw bytes that the client encodes, or base64 text as on the wire. JPEG, PNG, or a one-page PDF. */
	content: Uint8Array | string;
	/** Checked against the bytes; the bytes decide what is sent. */
	mimeType?: string;
	/** 1–8 ISO 639-1 codes, or `["*"]` to let the service detect them where the model can. */
	languageCodes: string[];
	/** Default `page`. */
	model?: string;
}

export interface RecognizeTextResult {
	/** Every page that arrived, in page order; `engine` is `ocr-api`. */
	annotation: TextAnnotation;
	/**
	 * A failure the service reported after some pages had arrived: those pages are kept in
	 * `annotation`. A failure before any page is thrown instead.
	 */
	error?: VisionError;
	meta: CallMeta;
}
