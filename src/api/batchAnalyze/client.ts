import { Agent, type Dispatcher } from 'undici';
import type { CredentialsProvider, FolderIdRule } from '../auth/authorization';
import { callWithRetries, checkEndpoint, redactStrings, withIds, type CallMeta, type RequestEvent } from '../transport/call';
import { invalidArgument } from '../transport/errors';
import { exchange } from '../transport/http';
import { normalizeResponse } from './normalize';
import { RateLimiter } from '../transport/rateLimiter';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retry';
import type { Status } from '../../results/types';
import type { BatchAnalyzeRequest, BatchAnalyzeResponse } from './types';
import { prepareRequest } from './validate';

export const DEFAULT_ENDPOINT = 'https://vision.api.cloud.yandex.net/vision/v1/batchAnalyze';

export interface VisionClientOptions {
	/** The batchAnalyze URL. https, or http only to a loopback address (a local emulator). */
	endpoint?: string;
	credentials: CredentialsProvider;
	/**
	 * Sent as `folderId` when the request has none. Required with a user account's IAM token;
	 * never sent with an API key or a service account's token.
	 */
	folderId?: string;
	/** Per attempt, from sending to the last byte of the answer. */
	timeoutMs?: number;
	retry?: Partial<RetryPolicy>;
	/** Every attempt, retries included, counts against this quota. Default 10 (the service's per-cloud quota). */
	requestsPerSecond?: number;
	/** Sends `x-data-logging-enabled: true`, letting Yandex keep the images. Off unless the user opts in. */
	dataLogging?: boolean;
	/** Defaults to a keep-alive agent owned by the client. */
	dispatcher?: Dispatcher;
	maxResponseBytes?: number;
	/** Observes every attempt; receives ids, timings and statuses, never credentials. */
	onEvent?: (event: RequestEvent) => void;
	/** Injected for tests. */
	random?: () => number;
}

export { checkEndpoint } from '../transport/call';
export type { CallMeta, RequestEvent } from '../transport/call';

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

