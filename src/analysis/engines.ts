/**
 * The two services an image can be analyzed by, as the pipeline sees them: how many images go in
 * one request, what a file must fit, how one is checked and how a request is sent, and what the
 * cache key holds besides the bytes. Both answer in the same results model.
 *
 * - batchAnalyze: up to 8 images per request, each with every feature asked for (text,
 *   classification, faces, copies), files of 1 MB.
 * - The OCR API's recognizeText: one image per request, text only, in one of its models, files of
 *   10 MB. A PDF of 2–8 pages goes to batchAnalyze's text detection instead, with the `page`
 *   models only, until the asynchronous call takes whole PDFs: the OCR API reads one page per
 *   synchronous request.
 */
import type { CallMeta, VisionClient } from '../api/batchAnalyze/client';
import type { AnalyzeSpec, Feature } from '../api/batchAnalyze/types';
import { prepareSpec } from '../api/batchAnalyze/limits';
import { countPdfPages } from '../api/content/pdfPageCount';
import { sniffImage } from '../api/content/imageInfo';
import type { OcrClient } from '../api/ocr/client';
import { cacheKey, ocrApiCacheKey } from '../cache/resultCache';
import { prepareRecognizeText } from '../api/ocr/limits';
import type { AnalyzeResult, FeatureResult, FeatureType, TextEngine } from '../results/types';
import { BATCH_ANALYZE_TARGET, ocrApiTarget, type FitTarget } from '../images/prepareImage';

/** One feature as the results show it. */
export interface FeatureRequest {
	type: FeatureType;
	model?: string;
}

export interface AnalysisEngine {
	readonly name: TextEngine;
	/** The features every result holds, in order. */
	readonly features: readonly FeatureRequest[];
	/** The result cache's key for an image of these bytes (SHA-256, hex) and everything else that decides the answer. */
	cacheKey(imageSha256: string): string;
	readonly imagesPerRequest: number;
	readonly target: FitTarget;
	/** Throws the VisionError the service would answer for this file, so that it fails alone. */
	check(content: Uint8Array, index: number): void;
	/** One result per image, in order. */
	send(contents: readonly Uint8Array[], signal: AbortSignal): Promise<{ results: AnalyzeResult[]; meta: CallMeta }>;
}

export function batchAnalyzeEngine(client: Pick<VisionClient, 'batchAnalyze'>, features: readonly Feature[]): AnalysisEngine {
	const spec = (content: Uint8Array): AnalyzeSpec => ({ content, features: [...features] });
	return {
		name: 'batchAnalyze',
		features: features.map(feature => {
			const model = feature.classificationConfig?.model ?? feature.textDetectionConfig?.model;
			return model === undefined ? { type: feature.type } : { type: feature.type, model };
		}),
		cacheKey: sha => cacheKey(sha, features),
		imagesPerRequest: 8,
		target: BATCH_ANALYZE_TARGET,
		check: (content, index) => {
			prepareSpec(spec(content), `analyzeSpecs[${index}]`);
		},
		send: async (contents, signal) => {
			const response = await client.batchAnalyze({ analyzeSpecs: contents.map(spec) }, { signal });
			return { results: response.results, meta: response.meta };
		},
	};
}

export interface OcrApiRequest {
	model: string;
	/** Codes or `["*"]`. */
	languageCodes: string[];
	/** For a multi-page PDF read by batchAnalyze: it detects no language. */
	batchAnalyzeLanguageCodes: string[];
}

/** Models whose reading batchAnalyze's `page` model can stand in for on a multi-page PDF. */
const PAGE_MODELS: ReadonlySet<string> = new Set(['page', 'page-column-sort']);

export function ocrApiEngine(ocr: Pick<OcrClient, 'recognizeText'>, vision: Pick<VisionClient, 'batchAnalyze'>, request: OcrApiRequest): AnalysisEngine {
	const { model, languageCodes } = request;
	const pdfFallback: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: request.batchAnalyzeLanguageCodes, model: 'page' } };
	const fallsBack = PAGE_MODELS.has(model);
	// Asked by check and again by send: a PDF's pages are counted from the whole file once.
	const longPdfs = new WeakMap<Uint8Array, boolean>();
	const isLongPdf = (content: Uint8Array): boolean => {
		let long = longPdfs.get(content);
		if (long === undefined) {
			long = fallsBack && sniffImage(content)?.format === 'pdf' && (countPdfPages(content) ?? 1) > 1;
			longPdfs.set(content, long);
		}
		return long;
	};
	return {
		name: 'ocr-api',
		features: [{ type: 'TEXT_DETECTION', model }],
		cacheKey: sha => ocrApiCacheKey(sha, { model, languageCodes }),
		imagesPerRequest: 1,
		target: ocrApiTarget(fallsBack ? 8 : 1),
		check: (content, index) => {
			if (isLongPdf(content)) prepareSpec({ content, features: [pdfFallback] }, `analyzeSpecs[${index}]`);
			else prepareRecognizeText({ content, languageCodes, model });
		},
		send: async ([content], signal) => {
			if (isLongPdf(content!)) {
				const response = await vision.batchAnalyze({ analyzeSpecs: [{ content: content!, features: [pdfFallback] }] }, { signal });
				return { results: response.results, meta: response.meta };
			}
			const answer = await ocr.recognizeText({ content: content!, languageCodes, model }, { signal });
			const feature: FeatureResult = { textDetection: answer.annotation };
			// Pages that arrived before a failure are kept beside it; such a result is not cached.
			if (answer.error) feature.error = { code: answer.error.code, message: answer.error.message, details: answer.error.details };
			return { results: [{ results: [feature] }], meta: answer.meta };
		},
	};
}
