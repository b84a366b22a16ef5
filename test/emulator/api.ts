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
 * whose stream holds `{"error": {code: 13, …}}`. batchAnalyze is not a stream: there it is a 500.
 */
export type FaultKind = 'http429' | 'http500' | 'http503' | 'http504' | 'stall' | 'truncated' | 'html502' | 'reset' | 'streamError';

export const FAULT_KINDS: readonly FaultKind[] = ['http429', 'http500', 'http503', 'http504', 'stall', 'truncated', 'html502', 'reset', 'streamError'];

export interface FaultPlan {
	/** Probability 0..1 that a request gets a fault drawn uniformly from `kinds` (seeded PRNG). */
	rate?: number;
	/**
	 * Default: every kind except `stall`, which needs a client timeout to end quickly, and
	 * `streamError`, which only the OCR method's stream can show.
	 */
	kinds?: FaultKind[];
	/** Default 1, so a run with the same plan always draws the same faults. */
	seed?: number;
	/** Applied to the next requests in order, before `rate` is consulted; 'ok' means no fault. Consumed as used. */
	script?: (FaultKind | 'ok')[];
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
	/** The folder the request named, if any: batchAnalyze's body folderId, OCR's x-folder-id header. */
	folderId?: string;
	/** OCR only: the model asked for (`page` when the request named none). */
	model?: string;
	/** Token endpoint only: the `kid` of the JWT, when it could be read. */
	keyId?: string;
	specCount?: number;
	/** HTTP status answered; 0 while in flight and for a reset or a stall the client abandoned. */
	status: number;
	/** The x-request-id sent back. */
	requestId: string;
	fault?: FaultKind | 'rate-limit';
	/**
	 * One per analyzeSpec (batchAnalyze) or one for the image (OCR) once answered: how the image
	 * matched a recording — `exact <recording>`, `fingerprint d=… orientation=… scale=…x… <recording>`,
	 * or `none: <why>`.
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
	readonly log: readonly RequestLogEntry[];
	/** Changes knobs while running; a key given as `undefined` goes back to its default. */
	configure(options: Partial<EmulatorOptions>): void;
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
