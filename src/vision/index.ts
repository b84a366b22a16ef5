/** The Yandex Vision batchAnalyze client: validation, transport, normalization. No VS Code here (batches: src/batch/pipeline.ts). */
export { createVisionClient, DEFAULT_ENDPOINT } from './client';
export type { BatchAnalyzeResult, CallMeta, RequestEvent, VisionClient, VisionClientOptions } from './client';
export type { Credentials, CredentialsProvider } from './credentials';
export { redact } from './credentials';
export { RpcCode, VisionError } from './errors';
export type { VisionErrorKind } from './errors';
export { DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export { RateLimiter } from './rateLimiter';
export { annotationToMarkdown, annotationToText, selectionText, wordsInReadingOrder } from './text';
export type { WordRef } from './text';
export { LIMITS, prepareRequest, prepareSpec } from './validate';
export * from './types';
