import { Agent } from 'undici';
import type { FolderIdRule } from '../auth/authorization';
import { callWithRetries, checkEndpoint, redactStrings, withIds, type CallMeta, type ClientOptions } from '../transport/callWithRetries';
import { invalidArgument } from '../transport/errors';
import { exchange } from '../transport/http';
import { normalizeResponse } from './normalize';
import { RateLimiter } from '../transport/rateLimiter';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retryPolicy';
import type { Status } from '../../results/types';
import type { BatchAnalyzeRequest, BatchAnalyzeResponse } from './types';
import { prepareRequest } from './limits';

export const DEFAULT_ENDPOINT = 'https://vision.api.cloud.yandex.net/vision/v1/batchAnalyze';

/**
 * `folderId` is sent in the body when the request has none; `requestsPerSecond` defaults to 10,
 * the service's per-cloud quota.
 */
export type VisionClientOptions = ClientOptions;

export { checkEndpoint } from '../transport/callWithRetries';
export type { CallMeta, RequestEvent } from '../transport/callWithRetries';

export interface BatchAnalyzeResult extends BatchAnalyzeResponse {
	meta: CallMeta;
}

export interface VisionClient {
	batchAnalyze(request: BatchAnalyzeRequest, options?: { signal?: AbortSignal }): Promise<BatchAnalyzeResult>;
	/** Closes idle keep-alive connections of the client's own agent. */
	close(): Promise<void>;
}

export function createVisionClient(options: VisionClientOptions): VisionClient {
	const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	if (!(policy.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
	const ownAgent = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 16 });
	const dispatcher = options.dispatcher ?? ownAgent!;
	const limiter = new RateLimiter({ requestsPerSecond: options.requestsPerSecond ?? 10 });
	const timeoutMs = options.timeoutMs ?? 60_000;
	const random = options.random ?? Math.random;
	const emit = options.onEvent ?? (() => undefined);

	async function batchAnalyze(request: BatchAnalyzeRequest, callOptions: { signal?: AbortSignal } = {}): Promise<BatchAnalyzeResult> {
		const { signal } = callOptions;
		const withFolder = request.folderId === undefined && options.folderId !== undefined
			? { ...request, folderId: options.folderId }
			: request;
		// Throws before anything is sent.
		const { wire } = prepareRequest(withFolder);
		// The folder depends on whose credentials go out, known only once they are resolved.
		const bodies = new Map<string, string>();
		const bodyFor = (rule: FolderIdRule): string => {
			if (rule === 'required' && !wire.folderId) {
				throw invalidArgument('folderId', 'is required with a user account\'s IAM token: give the ID of the folder to bill, like b1g… (API keys and service accounts need none)');
			}
			const key = rule === 'omit' ? 'omit' : 'keep';
			let body = bodies.get(key);
			if (body === undefined) {
				body = JSON.stringify(rule === 'omit' ? { analyzeSpecs: wire.analyzeSpecs } : wire);
				bodies.set(key, body);
			}
			return body;
		};
		const featuresPerSpec = wire.analyzeSpecs.map(spec => spec.features.length);
		const featureTypes = wire.analyzeSpecs.map(spec => spec.features.map(feature => feature.type));

		const { value, meta } = await callWithRetries({ method: 'batchAnalyze', limiter, policy, credentials: options.credentials, random, emit, specs: featuresPerSpec.length, signal }, async attempt => {
			const headers: Record<string, string> = {
				'content-type': 'application/json',
				'authorization': attempt.authorization,
				'x-client-request-id': attempt.clientRequestId,
			};
			if (options.dataLogging) headers['x-data-logging-enabled'] = 'true';
			const answer = await exchange({
				url: endpoint,
				dispatcher,
				headers,
				userAgent: options.userAgent,
				body: bodyFor(attempt.folderRule),
				timeoutMs,
				maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
				signal,
				clientRequestId: attempt.clientRequestId,
				redact: attempt.hide,
			});
			try {
				return { response: redactErrors(normalizeResponse(answer.body, { featuresPerSpec, featureTypes }), attempt.hide), requestId: answer.requestId };
			} catch (err) {
				throw withIds(err, answer.requestId, attempt.clientRequestId, 200);
			}
		});
		return { ...value.response, meta };
	}

	return {
		batchAnalyze,
		close: async () => {
			await ownAgent?.close();
		},
	};
}

/**
 * The per-image and per-feature errors of a 200 answer with `hide` applied to their messages and
 * details: they are the server's words, shown, logged and kept with the results, and a server
 * or proxy may echo the credentials it received in them.
 */
function redactErrors(response: BatchAnalyzeResponse, hide: (text: string) => string): BatchAnalyzeResponse {
	const status = (error: Status): Status => ({ ...error, message: hide(error.message), details: error.details.map(detail => redactStrings(detail, hide)) });
	return {
		results: response.results.map(result => ({
			...result,
			...result.error ? { error: status(result.error) } : {},
			results: result.results.map(feature => feature.error ? { ...feature, error: status(feature.error) } : feature),
		})),
	};
}

