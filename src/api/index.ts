/** The clients of Yandex Vision batchAnalyze and the OCR API over one transport: validation, calls, normalization. No VS Code here (images to results: src/analysis/). */
export { createVisionClient, DEFAULT_ENDPOINT } from './batchAnalyze/client';
export type { BatchAnalyzeResult, CallMeta, RequestEvent, VisionClient, VisionClientOptions } from './batchAnalyze/client';
export type { Credentials, CredentialsProvider } from './auth/authorization';
export { redact } from './auth/authorization';
export { RpcCode, VisionError } from './transport/errors';
export type { VisionErrorKind } from './transport/errors';
export { DEFAULT_RETRY_POLICY } from './transport/retryPolicy';
export type { RetryPolicy } from './transport/retryPolicy';
export { RateLimiter } from './transport/rateLimiter';
export { annotationToMarkdown, annotationToText, selectionText, wordsInReadingOrder } from '../results/text';
export type { WordRef } from '../results/text';
export { LIMITS, prepareRequest, prepareSpec } from './batchAnalyze/limits';
export * from '../results/types';
export * from './batchAnalyze/types';
export { createOcrClient, DEFAULT_OCR_ENDPOINT, DEFAULT_OCR_REQUESTS_PER_SECOND } from './ocr/client';
export type { OcrClient, OcrClientOptions, RecognizeTextOptions } from './ocr/client';
export { OCR_LIMITS, prepareRecognizeText } from './ocr/limits';
export * from './ocr/types';
