/**
 * The HTTP front: routing, the gateway's order of checks, fault injection and the request log.
 * Checks run in the order an API gateway in front of the gRPC service runs them:
 * route → auth → body size → proto3 JSON → validation → folder → quota → faults → answer.
 * Vision's batchAnalyze; the OCR API's recognizeText (the folder in a header, a streamed answer)
 * and its asynchronous recognizeTextAsync, getRecognition and the operation service's
 * `GET /operations/{id}` (its own host in the service, this server here). Each method has its own
 * quota; they share the fault plan, which may aim at some of them. The IAM token endpoint
 * (iam.ts) shares the server and the log, not the quotas or the faults.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { Accounts, Principal, authenticate, accountsFrom, checkFolder, readCredential } from './accounts';
import { analyzeBatch } from './analyze';
import { Emulator, EmulatorOptions, FaultKind, METHOD_NAMES, MethodName, RequestLogEntry } from './api';
import { FaultInjector } from './faults';
import {
	Exchange, NGINX_502_PAGE, allowOnly, headerValue, readBody, resetConnection, sendBytes, sendJson, sendTruncated, sleep, writePiece,
} from './http';
import { IAM_TOKENS_PATH, IamTokenIssuer, issuerSettings } from './iam';
import { documentAnswers, recognizeDocument, recognizeText } from './ocr';
import { OCR_LIMITS, OcrRequest, checkOcrRequest, modelOf, parseOcrRequest, validateOcrRequest } from './ocrRequest';
import { cutInsidePage, ocrStreamBody, protoNames, streamErrorBody } from './ocrStream';
import { DEFAULT_OPERATION_TTL_MS, OperationOutcome, OperationStore, StoredOperation, isDone, operationJson } from './operations';
import { parseRequest } from './parseRequest';
import { SlidingWindowLimiter } from './rateLimit';
import { RecordingIndex, defaultFixturesDir, loadRecordings } from './recordings';
import { Code, Rejection, httpStatusOf, validationError } from './status';
import { checkLength, validateRequest } from './validate';

export const METHOD_PATH = '/vision/v1/batchAnalyze';
/** The OCR API's synchronous method (ai/ocr/v1/ocr_service.proto). */
export const OCR_METHOD_PATH = '/ocr/v1/recognizeText';
/** TextRecognitionAsync.Recognize: answers an Operation. */
export const OCR_ASYNC_METHOD_PATH = '/ocr/v1/recognizeTextAsync';
/** TextRecognitionAsync.GetRecognition: `?operationId=…`, answers the pages as a stream. */
export const GET_RECOGNITION_PATH = '/ocr/v1/getRecognition';
/** OperationService.Get is `GET /operations/{operation_id}` (operation.api.cloud.yandex.net). */
export const OPERATIONS_PATH = '/operations';
const DEFAULT_STALL_MS = 30_000;
const DEFAULT_OCR_CHUNK_BYTES = 16 * 1024;
const OCR_FOLDER_REQUIRED = 'The x-folder-id header is required when calling as a user account (the OCR API takes the folder from it, not from the body)';
const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
/** A token request is a JWT of about 1 KB. */
const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;
/** GetRecognitionRequest.operation_id's `(length) = "<=50"`. */
const MAX_OPERATION_ID_LENGTH = 50;
/** getRecognition before the operation is done, in the service's words. */
const NOT_READY = 'operation data is not ready';
/** The methods whose answer is a stream of pages. */
const STREAMING_METHODS: ReadonlySet<MethodName> = new Set(['recognizeText', 'getRecognition']);

/** Each method's quota knob; each quota has its own sliding 1 s window. */
const QUOTA_KNOBS = {
	batchAnalyze: 'requestsPerSecond',
	recognizeText: 'ocrRequestsPerSecond',
	recognizeTextAsync: 'ocrAsyncRequestsPerSecond',
	operation: 'operationRequestsPerSecond',
	getRecognition: 'getRecognitionRequestsPerSecond',
} as const satisfies Record<MethodName, keyof EmulatorOptions>;

export interface ServerHooks {
	/** Called once per request when its connection is done with it (answered, reset or abandoned). */
	onRequestDone?(entry: Readonly<RequestLogEntry>): void;
}

export class EmulatorServer implements Emulator {
	private options: EmulatorOptions;
	private accounts: Accounts;
	private recordings: RecordingIndex;
	private faults: FaultInjector;
	private readonly issuer: IamTokenIssuer;
	private readonly limiters = new Map<MethodName, SlidingWindowLimiter>(METHOD_NAMES.map(method => [method, new SlidingWindowLimiter()]));
	private readonly operations = new OperationStore();
	private entries: RequestLogEntry[] = [];
	private seq = 0;
	private readonly sockets = new Set<Socket>();
	private readonly inFlight = new Set<AbortController>();
	private readonly server: http.Server;
	private closing: Promise<void> | undefined;
	private address = '';

	private constructor(options: EmulatorOptions, private readonly hooks: ServerHooks) {
		checkKnobs(options);
		this.options = { ...options };
		this.accounts = accountsFrom(options);
		this.faults = new FaultInjector(options.faults);
		this.issuer = new IamTokenIssuer(issuerSettings(options.serviceAccountKeys, options.iamTokenLifetimeMs));
		this.recordings = loadRecordings(options.fixturesDir ?? defaultFixturesDir());
		this.server = http.createServer((req, res) => void this.handle(req, res));
		this.server.on('connection', socket => {
			if (this.closing) {
				socket.destroy();
				return;
			}
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
		});
	}

	static async start(options: EmulatorOptions = {}, hooks: ServerHooks = {}): Promise<EmulatorServer> {
		const emulator = new EmulatorServer(options, hooks);
		await emulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
		return emulator;
	}

	get origin(): string {
		return this.address;
	}

	get url(): string {
		return this.address + METHOD_PATH;
	}

	get ocrUrl(): string {
		return this.address + OCR_METHOD_PATH;
	}

	get ocrAsyncUrl(): string {
		return this.address + OCR_ASYNC_METHOD_PATH;
	}

	get operationsUrl(): string {
		return this.address + OPERATIONS_PATH;
	}

	get getRecognitionUrl(): string {
		return this.address + GET_RECOGNITION_PATH;
	}

	get iamUrl(): string {
		return this.address + IAM_TOKENS_PATH;
	}

	get log(): readonly RequestLogEntry[] {
		return this.entries;
	}

	get fixturesDir(): string {
		return this.recordings.dir;
	}

	get recordingCount(): number {
		return this.recordings.size;
	}

	/** Operations kept (not yet expired, or not yet swept). */
	get operationCount(): number {
		return this.operations.size;
	}

	configure(changes: Partial<EmulatorOptions>): void {
		const options = { ...this.options, ...changes, host: this.options.host, port: this.options.port };
		// Build everything first so that a bad setting changes nothing.
		checkKnobs(options);
		const faults = 'faults' in changes ? new FaultInjector(options.faults) : this.faults;
		const accounts = 'users' in changes || 'serviceAccounts' in changes ? accountsFrom(options) : this.accounts;
		const recordings = 'fixturesDir' in changes ? loadRecordings(options.fixturesDir ?? defaultFixturesDir()) : this.recordings;
		const issuer = 'serviceAccountKeys' in changes || 'iamTokenLifetimeMs' in changes
			? issuerSettings(options.serviceAccountKeys, options.iamTokenLifetimeMs)
			: undefined;
		this.options = options;
		this.faults = faults;
		this.accounts = accounts;
		this.recordings = recordings;
		if (issuer) this.issuer.configure(issuer);
		// A new quota starts with an empty window.
		for (const method of METHOD_NAMES) if (QUOTA_KNOBS[method] in changes) this.limiters.set(method, new SlidingWindowLimiter());
	}

	advanceClock(ms: number): void {
		this.operations.advance(ms);
	}

	clearLog(): void {
		this.entries = [];
	}

	close(): Promise<void> {
		this.closing ??= new Promise(resolve => {
			for (const controller of this.inFlight) controller.abort();
			this.server.close(() => resolve());
			for (const socket of this.sockets) socket.destroy();
		});
		return this.closing;
	}

	private async listen(host: string, port: number): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const address = this.server.address();
		if (address === null || typeof address === 'string') throw new Error('the emulator is not listening on TCP');
		const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
		this.address = `http://${hostPart}:${address.port}`;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const controller = new AbortController();
		this.inFlight.add(controller);
		const exchange: Exchange = { req, res, entry: this.openEntry(req), gone: controller.signal };
		res.once('close', () => {
			controller.abort();
			this.inFlight.delete(controller);
			this.hooks.onRequestDone?.(exchange.entry);
		});
		res.setHeader('x-request-id', exchange.entry.requestId);
		res.setHeader('x-server-trace-id', randomBytes(16).toString('hex'));
		try {
			await this.serve(exchange);
		} catch (err) {
			if (err instanceof Rejection) {
				sendJson(exchange, err.httpStatus, err.body, err.headers);
			} else {
				console.error('emulator: internal error', err);
				const detail = err instanceof Error ? err.message : String(err);
				sendJson(exchange, 500, new Rejection(500, Code.INTERNAL, `Internal error in the emulator: ${detail}`).body);
			}
		}
	}

	private openEntry(req: http.IncomingMessage): RequestLogEntry {
		const entry: RequestLogEntry = {
			seq: ++this.seq,
			receivedAt: Date.now(),
			method: req.method ?? '',
			path: (req.url ?? '').split('?')[0],
			status: 0,
			requestId: randomUUID(),
		};
		const clientRequestId = headerValue(req, 'x-client-request-id');
		if (clientRequestId !== undefined) entry.clientRequestId = clientRequestId;
		const dataLogging = headerValue(req, 'x-data-logging-enabled');
		if (dataLogging !== undefined) entry.dataLogging = dataLogging;
		const authorization = req.headers.authorization;
		if (authorization !== undefined) entry.authScheme = readCredential(authorization)?.scheme ?? 'other';
		const userAgent = headerValue(req, 'user-agent');
		if (userAgent !== undefined) entry.userAgent = userAgent;
		this.entries.push(entry);
		return entry;
	}

	private async serve(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		if (entry.path === IAM_TOKENS_PATH) return this.serveToken(exchange);
		if (entry.path === OCR_METHOD_PATH) return this.serveOcr(exchange);
		if (entry.path === OCR_ASYNC_METHOD_PATH) return this.serveOcrAsync(exchange);
		if (entry.path === GET_RECOGNITION_PATH) return this.serveGetRecognition(exchange);
		if (/^\/operations\/[^/]+$/.test(entry.path)) return this.serveOperation(exchange);
		if (entry.path !== METHOD_PATH) {
			throw new Rejection(404, Code.NOT_FOUND, `Not found: ${entry.path}; the emulator has POST ${METHOD_PATH}, POST ${OCR_METHOD_PATH}, `
				+ `POST ${OCR_ASYNC_METHOD_PATH}, GET ${GET_RECOGNITION_PATH}?operationId=… and GET ${OPERATIONS_PATH}/{id}`);
		}
		allowOnly(req, 'POST', METHOD_PATH);
		const maxBodyBytes = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
		const body = await readBody(req, maxBodyBytes);
		if (body === undefined) return;

		const principal = this.caller(req);
		if (body.tooLarge) {
			throw new Rejection(413, Code.INVALID_ARGUMENT, `Request body is too large: ${body.size} bytes, at most ${maxBodyBytes} allowed`);
		}
		const request = parseRequest(body.bytes);
		entry.specCount = request.analyzeSpecs.length;
		if (request.folderId !== '') entry.folderId = request.folderId;
		validateRequest(request);
		checkFolder(principal, request.folderId);
		this.admit(entry, 'batchAnalyze');

		const drawn = await this.faultThenLatency(exchange, 'batchAnalyze');
		if (!drawn) return;
		const { fault } = drawn;
		const analyzed = await analyzeBatch(request.analyzeSpecs, this.recordings);
		entry.matches = analyzed.matches;
		const answer = Buffer.from(JSON.stringify(analyzed.answer));
		if (fault === 'truncated') sendTruncated(exchange, answer);
		else sendBytes(exchange, 200, 'application/json', answer);
	}

	/** OCR recognizeText: the same order of checks; the folder comes from x-folder-id, the answer is a stream. */
	private async serveOcr(exchange: Exchange): Promise<void> {
		const { entry } = exchange;
		const call = await this.readOcrCall(exchange, OCR_METHOD_PATH);
		if (!call) return;
		this.admit(entry, 'recognizeText', OCR_METHOD_PATH);

		const drawn = await this.faultThenLatency(exchange, 'recognizeText');
		if (!drawn) return;
		const { fault } = drawn;
		// The recognizer's own checks (model, languages, the file): past the gateway, so after quota and faults.
		const checked = checkOcrRequest(call.request);
		const recognized = await recognizeText(checked, this.recordings);
		entry.matches = [recognized.match];
		if (recognized.result instanceof Rejection) throw recognized.result;
		const answer = ocrStreamBody([recognized.result], this.options.ocrAnswerStyle);
		await this.sendStream(exchange, answer, fault === 'truncated' ? Math.floor(answer.length / 2) : undefined);
	}

	/**
	 * recognizeTextAsync: recognizeText's checks, with PDFs of up to 200 pages. A request the
	 * recognizer refuses makes no operation; a file without a recording makes one that fails.
	 */
	private async serveOcrAsync(exchange: Exchange): Promise<void> {
		const { entry } = exchange;
		const call = await this.readOcrCall(exchange, OCR_ASYNC_METHOD_PATH);
		if (!call) return;
		this.admit(entry, 'recognizeTextAsync', OCR_ASYNC_METHOD_PATH);

		const drawn = await this.faultThenLatency(exchange, 'recognizeTextAsync');
		if (!drawn) return;
		const { fault } = drawn;
		const checked = checkOcrRequest(call.request, OCR_LIMITS.asyncPdfPages);
		const recognized = await recognizeDocument(checked, this.recordings);
		entry.matches = [recognized.match];
		const { result } = recognized;
		let outcome: OperationOutcome;
		if (fault === 'operationError') outcome = { kind: 'error', code: Code.INTERNAL, message: 'Internal error: the recognition failed (injected by the emulator)' };
		else if (result instanceof Rejection) outcome = { kind: 'error', code: result.code, message: result.message };
		else outcome = { kind: 'pages', document: result };
		const pages = result instanceof Rejection ? checked.pages : result.pages;
		const createdAt = this.operations.now();
		// Never done within its own answer, which shows it as it was created.
		const processingMs = Math.max(1, (this.options.ocrProcessingMs ?? 0) + pages * (this.options.ocrProcessingMsPerPage ?? 0));
		const operation = this.operations.create({ createdBy: call.principal.accountId, createdAt, doneAt: createdAt + processingMs, outcome }, this.operationTtl());
		entry.operationId = operation.id;
		// A cut answer leaves an operation its client never learned of, as a lost answer does.
		const answer = this.operationAnswer(operation, createdAt);
		if (fault === 'truncated') sendTruncated(exchange, answer);
		else sendBytes(exchange, 200, 'application/json', answer);
	}

	/** The operation service's Get: no folder; only the account that submitted the operation sees it. */
	private async serveOperation(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		allowOnly(req, 'GET', `${OPERATIONS_PATH}/{operation_id}`);
		const principal = this.caller(req);
		const id = entry.path.slice(OPERATIONS_PATH.length + 1);
		entry.operationId = id;
		checkLength(id, MAX_OPERATION_ID_LENGTH, 'operation_id');
		this.admit(entry, 'operation', OPERATIONS_PATH);

		const drawn = await this.faultThenLatency(exchange, 'operation');
		if (!drawn) return;
		const { fault } = drawn;
		const answer = this.operationAnswer(this.findOperation(id, principal), this.operations.now());
		if (fault === 'truncated') sendTruncated(exchange, answer);
		else sendBytes(exchange, 200, 'application/json', answer);
	}

	/**
	 * getRecognition: NOT_FOUND "operation data is not ready" until the operation is done, then
	 * every page as recognizeText streams its one, or the operation's error.
	 */
	private async serveGetRecognition(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		allowOnly(req, 'GET', GET_RECOGNITION_PATH);
		const principal = this.caller(req);
		const folderId = this.folderHeader(exchange);
		const query = new URL(req.url ?? '', 'http://emulator').searchParams;
		// grpc-gateway takes a query parameter by its JSON name or its proto name.
		const id = query.get('operationId') ?? query.get('operation_id') ?? '';
		if (id !== '') entry.operationId = id;
		if (id === '') throw validationError('operation_id', 'operation_id is required (the id of the operation recognizeTextAsync answered)');
		checkLength(id, MAX_OPERATION_ID_LENGTH, 'operation_id');
		checkFolder(principal, folderId, OCR_FOLDER_REQUIRED);
		this.admit(entry, 'getRecognition', GET_RECOGNITION_PATH);

		const drawn = await this.faultThenLatency(exchange, 'getRecognition');
		if (!drawn) return;
		const { fault } = drawn;
		const operation = this.findOperation(id, principal);
		if (!isDone(operation, this.operations.now())) throw new Rejection(404, Code.NOT_FOUND, NOT_READY);
		const { outcome } = operation;
		if (outcome.kind === 'error') throw new Rejection(httpStatusOf(outcome.code), outcome.code, outcome.message);
		const answer = ocrStreamBody(documentAnswers(outcome.document), this.options.ocrAnswerStyle);
		await this.sendStream(exchange, answer, fault === 'truncated' ? cutInsidePage(answer) : undefined);
	}

	/** The OCR methods' gateway up to the quota: route, auth, body size, proto3 JSON, validation, folder. */
	private async readOcrCall(exchange: Exchange, path: string): Promise<{ principal: Principal; request: OcrRequest } | undefined> {
		const { req, entry } = exchange;
		allowOnly(req, 'POST', path);
		const maxBodyBytes = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
		const body = await readBody(req, maxBodyBytes);
		if (body === undefined) return undefined;

		const principal = this.caller(req);
		if (body.tooLarge) {
			throw new Rejection(413, Code.INVALID_ARGUMENT, `Request body is too large: ${body.size} bytes, at most ${maxBodyBytes} allowed`);
		}
		const folderId = this.folderHeader(exchange);
		const request = parseOcrRequest(body.bytes);
		entry.model = modelOf(request);
		validateOcrRequest(request);
		checkFolder(principal, folderId, OCR_FOLDER_REQUIRED);
		return { principal, request };
	}

	private caller(req: http.IncomingMessage): Principal {
		return authenticate(req.headers.authorization, this.accounts, token => this.issuer.lookup(token, Date.now()));
	}

	/** The OCR API's folder, from its header (logged when given). */
	private folderHeader(exchange: Exchange): string {
		const folderId = headerValue(exchange.req, 'x-folder-id')?.trim() ?? '';
		if (folderId !== '') exchange.entry.folderId = folderId;
		return folderId;
	}

	/** The method's own quota: 429 code 8 with Retry-After (seconds) above it. */
	private admit(entry: RequestLogEntry, method: MethodName, path?: string): void {
		const limit = this.options[QUOTA_KNOBS[method]];
		const limiter = this.limiters.get(method) ?? new SlidingWindowLimiter();
		const quota = limiter.admit(limit, Date.now());
		if (quota.ok) return;
		entry.fault = 'rate-limit';
		throw new Rejection(429, Code.RESOURCE_EXHAUSTED, `Quota exceeded: at most ${limit} requests per second${path === undefined ? '' : ` to ${path}`}`, {
			'retry-after': String(quota.retryAfterSeconds),
		});
	}

	/**
	 * The caller's operation, unless it is unknown or expired (404). Another account's is 403, as
	 * the service answers for a resource the caller has no rights to: unlike NOT_FOUND, it tells
	 * a client that polls with other credentials than it submitted with what went wrong.
	 */
	private findOperation(id: string, principal: Principal): StoredOperation {
		const operation = this.operations.get(id, this.operationTtl());
		if (!operation) throw new Rejection(404, Code.NOT_FOUND, `Operation ${id} not found`);
		if (operation.createdBy !== principal.accountId) throw new Rejection(403, Code.PERMISSION_DENIED, 'Permission denied');
		return operation;
	}

	private operationTtl(): number {
		return this.options.operationTtlMs ?? DEFAULT_OPERATION_TTL_MS;
	}

	/** The Operation's JSON as of `now`, in the field names the OCR answers use. */
	private operationAnswer(operation: StoredOperation, now: number): Buffer {
		const json = operationJson(operation, now);
		return Buffer.from(JSON.stringify(this.options.ocrAnswerStyle?.names === 'proto' ? protoNames(json) : json));
	}

	/**
	 * A 200 whose body goes out in `ocrChunkBytes` pieces, each its own HTTP chunk; `cutAt` sends
	 * only that many bytes and drops the connection, as a stream cut by the network.
	 */
	private async sendStream(exchange: Exchange, body: Buffer, cutAt?: number): Promise<void> {
		const { res, entry, gone } = exchange;
		if (gone.aborted) return;
		entry.status = 200;
		res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
		const size = this.options.ocrChunkBytes ?? DEFAULT_OCR_CHUNK_BYTES;
		const end = cutAt ?? body.length;
		for (let at = 0; at < end; at += size) {
			if (!await writePiece(res, body.subarray(at, Math.min(at + size, end)), gone)) return;
		}
		if (cutAt !== undefined) res.socket?.destroy();
		else res.end();
	}

	/** The token endpoint: no quota and no faults, which are the Vision methods'. */
	private async serveToken(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		allowOnly(req, 'POST', IAM_TOKENS_PATH);
		const body = await readBody(req, MAX_TOKEN_REQUEST_BYTES);
		if (body === undefined) return;
		if (body.tooLarge) throw new Rejection(413, Code.INVALID_ARGUMENT, `Request body is too large: ${body.size} bytes, at most ${MAX_TOKEN_REQUEST_BYTES} allowed`);
		const answer = this.issuer.issue(body.bytes, Date.now(), kid => {
			entry.keyId = kid;
		});
		sendJson(exchange, 200, answer);
	}

	/**
	 * Answers or breaks the request as the fault says; true when the normal answer should still
	 * follow (`truncated` and `operationError` are shown by the answer itself).
	 */
	/**
	 * Draws `method`'s fault and acts it out, then waits the latency. Resolves the fault drawn when
	 * the answer should follow (none, `truncated`, `operationError`), or false when the exchange is
	 * over: answered, broken, or the client gone. The OCR streams break a `streamError` inside a
	 * 200; the other methods answer it as a 500.
	 */
	private async faultThenLatency(exchange: Exchange, method: MethodName): Promise<{ fault: FaultKind | undefined } | false> {
		const fault = this.faults.next(method);
		if (fault !== undefined) {
			exchange.entry.fault = fault;
			if (fault === 'streamError' && STREAMING_METHODS.has(method)) {
				await this.sendStream(exchange, streamErrorBody(Code.INTERNAL, 'Internal error: the recognition stream broke (injected by the emulator)'));
				return false;
			}
			if (!await this.injectFault(exchange, fault)) return false;
		}
		if (!await sleep(this.options.latencyMs ?? 0, exchange.gone)) return false;
		return { fault };
	}

	private async injectFault(exchange: Exchange, fault: FaultKind): Promise<boolean> {
		switch (fault) {
			case 'http429':
				throw new Rejection(429, Code.RESOURCE_EXHAUSTED, 'Too many requests (injected by the emulator)', { 'retry-after': '1' });
			case 'http500':
				throw new Rejection(500, Code.INTERNAL, 'Internal error (injected by the emulator)');
			case 'streamError':
				// A unary method has no stream to break: the gateway answers the failure as it is.
				throw new Rejection(500, Code.INTERNAL, 'Internal error: the answer broke off (injected by the emulator)');
			case 'http503':
				throw new Rejection(503, Code.UNAVAILABLE, 'Service unavailable (injected by the emulator)');
			case 'http504':
				throw new Rejection(504, Code.DEADLINE_EXCEEDED, 'Deadline exceeded (injected by the emulator)');
			case 'html502':
				sendBytes(exchange, 502, 'text/html', Buffer.from(NGINX_502_PAGE));
				return false;
			case 'reset':
				resetConnection(exchange.req.socket);
				return false;
			case 'stall':
				return sleep(this.options.stallMs ?? DEFAULT_STALL_MS, exchange.gone);
			case 'truncated':
			case 'operationError':
				return true;
		}
	}
}

function checkKnobs(options: EmulatorOptions): void {
	const chunk = options.ocrChunkBytes;
	if (chunk !== undefined && !(Number.isSafeInteger(chunk) && chunk >= 1)) {
		throw new RangeError(`ocrChunkBytes must be a whole number of bytes, at least 1; got ${chunk}`);
	}
	for (const knob of ['ocrProcessingMs', 'ocrProcessingMsPerPage', 'operationTtlMs'] as const) {
		const value = options[knob];
		if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`${knob} must be a number of milliseconds, at least 0; got ${value}`);
	}
}
