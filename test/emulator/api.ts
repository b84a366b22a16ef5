/** The emulator's public types; `index.ts` re-exports them with `startEmulator`. */

/** An authorized key as the token endpoint knows it: the public half only. */
export interface ServiceAccountKeyConfig {
	/** The key ID, the JWT's `kid`. */
	id: string;
	/** The JWT's `iss`. */
	serviceAccountId: string;
	/** The folder the service account's calls are billed to. */
	folderId: string;
	/** SPKI or PKCS#1 PEM. */
	publicKeyPem: string;
}

/**
 * `streamError`: the OCR answer fails after its headers, as grpc-gateway reports it — HTTP 200
 * whose stream holds `{"error": {code: 13, …}}`. The methods that answer one JSON object
 * (batchAnalyze, recognizeTextAsync, the operation) have no stream: there it is a 500.
 * `truncated`: half the answer, then the connection drops; getRecognition's stream is cut inside
 * a page; recognizeTextAsync makes its operation all the same, as when an answer is lost.
 * `operationError`: recognizeTextAsync only — the operation is admitted as usual and ends
 * `done: true` with `error` {code 13 INTERNAL}.
 */
export type FaultKind = 'http429' | 'http500' | 'http503' | 'http504' | 'stall' | 'truncated' | 'html502' | 'reset' | 'streamError' | 'operationError';

export const FAULT_KINDS: readonly FaultKind[] = ['http429', 'http500', 'http503', 'http504', 'stall', 'truncated', 'html502', 'reset', 'streamError', 'operationError'];

/** The emulated methods, by the names fault plans and quotas use. `operation` is `GET /operations/{id}`. */
export type MethodName = 'batchAnalyze' | 'recognizeText' | 'recognizeTextAsync' | 'operation' | 'getRecognition';

export const METHOD_NAMES: readonly MethodName[] = ['batchAnalyze', 'recognizeText', 'recognizeTextAsync', 'operation', 'getRecognition'];

export interface FaultPlan {
	/** Probability 0..1 that a request gets a fault drawn uniformly from `kinds` (seeded PRNG). */
	rate?: number;
	/**
	 * Default: every kind except `stall`, which needs a client timeout to end quickly,
	 * `streamError`, which only the OCR streams can show, and `operationError`. A kind a method
	 * cannot show (`operationError` outside recognizeTextAsync) is never drawn for it, and means
	 * no fault there when a script names it: the other methods draw as if it were not listed.
	 */
	kinds?: FaultKind[];
	/** Default 1, so a run with the same plan always draws the same faults. */
	seed?: number;
	/** Applied to the next requests in order, before `rate` is consulted; 'ok' means no fault. Consumed as used. */
	script?: (FaultKind | 'ok')[];
	/**
	 * The methods the plan aims at; default all. Requests to the others get no fault and use up
	 * neither the script nor the draw, so aimed faults repeat however the calls interleave.
	 */
	methods?: MethodName[];
}

export interface EmulatorOptions {
	/** Default '127.0.0.1'. Applies at start only. */
	host?: string;
	/** Default 0 (an ephemeral port). Applies at start only. */
	port?: number;
	/** Where `*.recording.json` live; default `<repo>/test/fixtures`. */
	fixturesDir?: string;
	/** User-account IAM tokens: folderId is required and must be one of `folders`. */
	users?: { iamToken: string; folders: string[] }[];
	/** Service accounts: IAM tokens or API keys; folderId must be omitted or equal to the account's folder. */
	serviceAccounts?: { folderId: string; iamTokens?: string[]; apiKeys?: string[] }[];
	/**
	 * Authorized keys the token endpoint (`POST /iam/v1/tokens`) accepts JWTs from; the tokens it
	 * issues call batchAnalyze as that service account. Default: DEFAULT_SERVICE_ACCOUNT_KEY.
	 */
	serviceAccountKeys?: ServiceAccountKeyConfig[];
	/** How long issued IAM tokens live; default 12 hours, as the real ones. */
	iamTokenLifetimeMs?: number;
	/** Added before answering a valid request. */
	latencyMs?: number;
	/** batchAnalyze: above it, 429 code 8 with Retry-After (seconds), over a sliding 1 s window. */
	requestsPerSecond?: number;
	/**
	 * OCR recognizeText has its own quota (the real one is 1 request/s): above it, 429 code 8 with
	 * Retry-After, over its own sliding 1 s window. Default: unlimited.
	 */
	ocrRequestsPerSecond?: number;
	/** recognizeTextAsync's own quota (the real one is 10 requests/s), as ocrRequestsPerSecond. Default: unlimited. */
	ocrAsyncRequestsPerSecond?: number;
	/** `GET /operations/{id}`'s own quota (the real one is 50 requests/s). Default: unlimited. */
	operationRequestsPerSecond?: number;
	/** getRecognition's own quota (the real one is 50 requests/s). Default: unlimited. */
	getRecognitionRequestsPerSecond?: number;
	/**
	 * An asynchronous recognition is done `ocrProcessingMs + pages × ocrProcessingMsPerPage`
	 * after it was submitted, as set at submission. Both default to 0: done at once, though never
	 * within the submission's own answer (at the earliest 1 ms later).
	 */
	ocrProcessingMs?: number;
	ocrProcessingMsPerPage?: number;
	/**
	 * How long an operation and its results are kept once it is done; then the operation and
	 * getRecognition answer NOT_FOUND. Default: 3 days, as the service. See Emulator.advanceClock.
	 */
	operationTtlMs?: number;
	/**
	 * The OCR answer is written in pieces of this many bytes, each its own HTTP chunk (default
	 * 16384); 1–7 cuts inside strings and multi-byte characters, for client tolerance tests.
	 */
	ocrChunkBytes?: number;
	/** How the OCR stream is written; the default is what the service sends over REST. */
	ocrAnswerStyle?: OcrAnswerStyle;
	faults?: FaultPlan;
	/** How long a 'stall' holds the request before answering normally (default 30000); ends early when the client goes away. */
	stallMs?: number;
	/** Default 100 MiB; above it → 413 with a google.rpc.Status body code 3. */
	maxBodyBytes?: number;
}

export interface OcrAnswerStyle {
	/** Default true: each message as `{"result": …}`; false: the bare RecognizeTextResponse. */
	wrap?: boolean;
	/** Default 'json' (lowerCamelCase); 'proto': the proto field names (`text_annotation`, …). */
	names?: 'json' | 'proto';
}

export interface RequestLogEntry {
	/** 1, 2, 3… since the emulator started (clearLog does not restart it). */
	seq: number;
	/** Date.now() when the request arrived. */
	receivedAt: number;
	method: string;
	path: string;
	/** The x-client-request-id header. */
	clientRequestId?: string;
	/** The x-data-logging-enabled header. */
	dataLogging?: string;
	/** 'Bearer' | 'Api-Key' | 'other' — never the secret itself. */
	authScheme?: string;
	/** The User-Agent header. */
	userAgent?: string;
	/** The folder the request named, if any: batchAnalyze's body folderId, OCR's x-folder-id header (getRecognition's too). */
	folderId?: string;
	/** recognizeText and recognizeTextAsync: the model asked for (`page` when the request named none). */
	model?: string;
	/**
	 * recognizeTextAsync: the operation it created (none when refused); `GET /operations/{id}`
	 * and getRecognition: the operation asked about, known or not.
	 */
	operationId?: string;
	/** Token endpoint only: the `kid` of the JWT, when it could be read. */
	keyId?: string;
	specCount?: number;
	/** HTTP status answered; 0 while in flight and for a reset or a stall the client abandoned. */
	status: number;
	/** The x-request-id sent back. */
	requestId: string;
	fault?: FaultKind | 'rate-limit';
	/**
	 * One per analyzeSpec (batchAnalyze) or one for the file (recognizeText; recognizeTextAsync
	 * at submission) once answered: how the image matched a recording — `exact <recording>`,
	 * `fingerprint d=… orientation=… scale=…x… <recording>`, or `none: <why>`.
	 */
	matches?: string[];
}

export interface Emulator {
	/** Full URL of the method: http://127.0.0.1:PORT/vision/v1/batchAnalyze */
	readonly url: string;
	/** Full URL of the OCR API's synchronous method: http://127.0.0.1:PORT/ocr/v1/recognizeText */
	readonly ocrUrl: string;
	/** http://127.0.0.1:PORT */
	readonly origin: string;
	/** The token endpoint: http://127.0.0.1:PORT/iam/v1/tokens */
	readonly iamUrl: string;
	/** The OCR API's asynchronous method: http://127.0.0.1:PORT/ocr/v1/recognizeTextAsync */
	readonly ocrAsyncUrl: string;
	/**
	 * The operation service, http://127.0.0.1:PORT/operations: a client appends `/{id}` (the
	 * service's own is https://operation.api.cloud.yandex.net/operations). An operation and its
	 * results are the submitting account's: any other gets 403 PERMISSION_DENIED; an unknown or
	 * expired one is 404 NOT_FOUND.
	 */
	readonly operationsUrl: string;
	/** http://127.0.0.1:PORT/ocr/v1/getRecognition; the operation goes in `?operationId=`. */
	readonly getRecognitionUrl: string;
	readonly log: readonly RequestLogEntry[];
	/** Changes knobs while running; a key given as `undefined` goes back to its default. */
	configure(options: Partial<EmulatorOptions>): void;
	/**
	 * Moves the operations' clock forward by `ms` (at least 0): they get done and expire as if
	 * that time had passed, and their timestamps show it. Quotas and IAM tokens keep real time.
	 */
	advanceClock(ms: number): void;
	clearLog(): void;
	/** Closes the server and destroys open sockets (including stalled ones). */
	close(): Promise<void>;
}

export interface DefaultCredentials {
	userIamToken: 't1.emulator-user-token';
	folderId: 'b1gemulatorfolder0001';
	serviceAccountIamToken: 't1.emulator-sa-token';
	apiKey: 'AQVNemulator-api-key';
}

/** Credentials the CLI and sample workspace use by default: test values that only the emulator accepts. */
export const DEFAULT_CREDENTIALS: DefaultCredentials = Object.freeze({
	userIamToken: 't1.emulator-user-token',
	folderId: 'b1gemulatorfolder0001',
	serviceAccountIamToken: 't1.emulator-sa-token',
	apiKey: 'AQVNemulator-api-key',
});

/**
 * The public half of `test/fixtures/keys/emulator-service-account-key.json`, a test-only key pair
 * that only the emulator accepts; the demo workspace signs in with that file.
 */
export const DEFAULT_SERVICE_ACCOUNT_KEY: Readonly<ServiceAccountKeyConfig> = Object.freeze({
	id: 'ajeemulatortestkey01',
	serviceAccountId: 'ajeemulatortestsa001',
	folderId: DEFAULT_CREDENTIALS.folderId,
	publicKeyPem: [
		'-----BEGIN PUBLIC KEY-----',
		'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwSSIA2b4F64hK64MK37M',
		'SJRyoYHuQmyHApQAzLG+w6LziqDAxsmCvOme61o7mQYZyJjCvesxCtVaZ5Ru8k82',
		'U12kZQneN0fZ8fjCnONXpVXWkTxfb33kbsGQKJqKBmO3b64IdbGIYPHgVmsFlGJ5',
		'PcVc8fVoV2N94TkNXW7FaEletuzYI4PQd4unRTtjsl90/zkBcyACNSkt3z/3e7pE',
		'8UaY3y5tosQS09rZhVZVHMj8tKOZTnKzDfLgkaDoNu/wRDc48vvKIZ3GxzpMQyWz',
		'T81llAi0sF2PVH6j7uJCuvbWF92inwtfIoabUXRhMfhn50rosRNiQ2g1aZScSbkw',
		'QQIDAQAB',
		'-----END PUBLIC KEY-----',
		'',
	].join('\n'),
});

/** Where the test-only key file of DEFAULT_SERVICE_ACCOUNT_KEY lives, relative to the repository. */
export const DEFAULT_SERVICE_ACCOUNT_KEY_FILE = 'test/fixtures/keys/emulator-service-account-key.json';
