/**
 * The two services an image can be analyzed by, as the pipeline sees them: how many images go in
 * one request, what a file must fit, how one is checked and how a request is sent, and what the
 * cache key holds besides the bytes. Both answer in the same results model.
 *
 * - batchAnalyze: up to 8 images per request, each with every feature asked for (text,
 *   classification, faces, copies), files of 1 MB.
 * - The OCR API: one image per request, text only, in one of its models, files of 10 MB. A single
 *   image goes to recognizeText (1 request/s, answers at once); a folder's images and PDFs of up
 *   to 200 pages go to recognizeTextAsync (10 requests/s): the request's slot is free as soon as
 *   the service has the file, and the pages are collected when the operation is done. Operations
 *   are recorded in a journal, so that after a reload the same file is read from its operation,
 *   not started again.
 */
import type { CallMeta, VisionClient } from '../api/batchAnalyze/client';
import type { AnalyzeSpec, Feature } from '../api/batchAnalyze/types';
import { prepareSpec } from '../api/batchAnalyze/limits';
import { countPdfPages } from '../api/content/pdfPageCount';
import { sniffImage } from '../api/content/imageInfo';
import type { OcrClient } from '../api/ocr/client';
import { OCR_LIMITS, prepareRecognizeText } from '../api/ocr/limits';
import { recognizeDocument, type StartedOperation } from '../api/ocr/recognizeDocument';
import type { RecognizeTextResult } from '../api/ocr/types';
import { VisionError } from '../api/transport/errors';
import { cacheKey, ocrApiCacheKey } from '../cache/resultCache';
import type { AnalyzeResult, FeatureResult, FeatureType, Page, TextEngine } from '../results/types';
import { BATCH_ANALYZE_TARGET, ocrApiTarget, type FitTarget } from '../images/prepareImage';

/** One feature as the results show it. */
export interface FeatureRequest {
	type: FeatureType;
	model?: string;
}

/** What a request is told beside its images: their cache keys, and where to report as it goes. */
export interface SendContext {
	/** The cache key of each image, in order. */
	keys: readonly string[];
	/**
	 * The service has the images and is working on them: the next request may go out, and the
	 * bytes are no longer needed. Called at most once that counts; an engine that answers at once need not call it.
	 */
	submitted(): void;
	/** A document's pages so far (`pages` empty while the service works), and how many it has. */
	progress?(progress: DocumentProgress): void;
}

export interface DocumentProgress {
	pages: readonly Page[];
	total: number;
	/** The OCR model reading it. */
	model: string;
	/** How long the recognition has been running at the service. */
	waitedMs?: number;
}

export interface AnalysisEngine {
	readonly name: TextEngine;
	/** The features every result holds, in order. */
	readonly features: readonly FeatureRequest[];
	/** The result cache's key for an image of these bytes (SHA-256, hex) and everything else that decides the answer. */
	cacheKey(imageSha256: string): string;
	readonly imagesPerRequest: number;
	/** Requests the service has accepted and is still working on, at most (see SendContext.submitted). */
	readonly maxWaiting?: number;
	readonly target: FitTarget;
	/** Throws the VisionError the service would answer for this file, so that it fails alone. */
	check(content: Uint8Array, index: number): void;
	/** One result per image, in order. */
	send(contents: readonly Uint8Array[], signal: AbortSignal, context?: SendContext): Promise<{ results: AnalyzeResult[]; meta: CallMeta }>;
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
	/**
	 * Images go through the asynchronous call (10 requests/s instead of 1, results collected as
	 * they finish): for a folder. A single image goes the synchronous way, which answers soonest.
	 * A PDF of several pages always goes asynchronously.
	 */
	manyImages: boolean;
}

/** Recognitions started and not yet read, kept across reloads so that none is started (and billed) twice. */
export interface OperationJournal {
	find(cacheKey: string): StartedOperation | undefined;
	record(cacheKey: string, operation: StartedOperation, pages: number | undefined): Promise<void>;
	forget(cacheKey: string): Promise<void>;
}

/** Asynchronous recognitions waiting at the service at once, at most: each holds only its operation id. */
const MAX_OPERATIONS_WAITING = 500;

export function ocrApiEngine(ocr: Pick<OcrClient, 'recognizeText' | 'recognizeTextAsync' | 'getOperation' | 'getRecognition'>, request: OcrApiRequest, journal?: OperationJournal): AnalysisEngine {
	const { model, languageCodes } = request;
	// Counted by check (as the service's limits are checked) and used again by send.
	const pageCounts = new WeakMap<Uint8Array, number>();
	const pagesOf = (content: Uint8Array): number => {
		let pages = pageCounts.get(content);
		if (pages === undefined) {
			pages = sniffImage(content)?.format === 'pdf' ? countPdfPages(content) ?? 1 : 1;
			pageCounts.set(content, pages);
		}
		return pages;
	};
	const isAsync = (content: Uint8Array): boolean => request.manyImages || pagesOf(content) > 1;
	return {
		name: 'ocr-api',
		features: [{ type: 'TEXT_DETECTION', model }],
		cacheKey: sha => ocrApiCacheKey(sha, { model, languageCodes }),
		imagesPerRequest: 1,
		maxWaiting: MAX_OPERATIONS_WAITING,
		target: ocrApiTarget(OCR_LIMITS.asyncPdfPages),
		check: content => {
			// Checked against the asynchronous call's limits: a PDF of several pages goes there, and
			// everything else passes the synchronous call's limits alike.
			const prepared = prepareRecognizeText({ content, languageCodes, model }, 'async');
			pageCounts.set(content, prepared.pages ?? 1);
		},
		send: async ([content], signal, context) => {
			if (!isAsync(content!)) {
				const answer = await ocr.recognizeText({ content: content!, languageCodes, model }, { signal });
				return { results: [resultOf(answer)], meta: answer.meta };
			}
			const key = context?.keys[0];
			const total = pagesOf(content!);
			const pages: Page[] = [];
			const taken = key === undefined ? undefined : journal?.find(key);
			if (taken) context?.submitted();
			try {
				const answer = await recognizeDocument(ocr, { content: content!, languageCodes, model }, {
					signal,
					...taken ? { operation: taken } : {},
					onStarted: async (operation, counted) => {
						if (key !== undefined) await journal?.record(key, operation, counted);
						context?.submitted();
					},
					onFinished: async () => {
						if (key !== undefined) await journal?.forget(key);
					},
					onStatus: status => context?.progress?.({ pages: [], total, model, waitedMs: status.ageMs }),
					onPage: page => {
						pages.push(page);
						context?.progress?.({ pages, total, model });
					},
				});
				return { results: [resultOf(answer)], meta: answer.meta };
			} catch (err) {
				// What can never succeed (expired, unknown, refused) is forgotten; a cancelled or broken wait is taken up next time.
				if (key !== undefined && err instanceof VisionError && err.kind !== 'cancelled' && !err.retryable) await journal?.forget(key);
				throw err;
			} finally {
				// Freed whatever happened, so that the pipeline's next request is never held up by this one.
				context?.submitted();
			}
		},
	};
}

function resultOf(answer: RecognizeTextResult): AnalyzeResult {
	const feature: FeatureResult = { textDetection: answer.annotation };
	// Pages that arrived before a failure are kept beside it; such a result is not cached.
	if (answer.error) feature.error = { code: answer.error.code, message: answer.error.message, details: answer.error.details };
	return { results: [feature] };
}
