/**
 * The HTTP front: routing, the gateway's order of checks, fault injection and the request log.
 * Checks run in the order an API gateway in front of the gRPC service runs them:
 * route → auth → body size → proto3 JSON → validation → folder → quota → faults → answer.
 * Two methods: Vision's batchAnalyze and the OCR API's recognizeText (its own quota, the folder
 * in a header, a streamed answer); they share the fault plan. The IAM token endpoint (iam.ts)
 * shares the server and the log, not the quotas or the faults.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { Accounts, authenticate, accountsFrom, checkFolder, readCredential } from './accounts';
import { analyzeBatch } from './analyze';
import { Emulator, EmulatorOptions, FaultKind, RequestLogEntry } from './api';
import { FaultInjector } from './faults';
import { IAM_TOKENS_PATH, IamTokenIssuer, issuerSettings } from './iam';
import { recognizeText } from './ocr';
import { checkOcrRequest, modelOf, parseOcrRequest, validateOcrRequest } from './ocrRequest';
import { ocrStreamBody, streamErrorBody } from './ocrStream';
import { parseRequest } from './parseRequest';
import { SlidingWindowLimiter } from './rateLimit';
import { RecordingIndex, defaultFixturesDir, loadRecordings } from './recordings';
import { Code, Rejection } from './status';
import { validateRequest } from './validate';

export const METHOD_PATH = '/vision/v1/batchAnalyze';
/** The OCR API's synchronous method (ai/ocr/v1/ocr_service.proto). */
export const OCR_METHOD_PATH = '/ocr/v1/recognizeText';
const DEFAULT_STALL_MS = 30_000;
const DEFAULT_OCR_CHUNK_BYTES = 16 * 1024;
const OCR_FOLDER_REQUIRED = 'The x-folder-id header is required when calling as a user account (the OCR API takes the folder from it, not from the body)';
const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
/** A token request is a JWT of about 1 KB. */
const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;

export interface ServerHooks {
	/** Called once per request when its connection is done with it (answered, reset or abandoned). */
	onRequestDone?(entry: Readonly<RequestLogEntry>): void;
}

/** One request on its way through the pipeline. */
interface Exchange {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	entry: RequestLogEntry;
	/** Aborts when the client goes away or the emulator closes: nothing more is written then. */
	gone: AbortSignal;
}

export class EmulatorServer implements Emulator {
	private options: EmulatorOptions;
	private accounts: Accounts;
	private recordings: RecordingIndex;
	private faults: FaultInjector;
	private readonly issuer: IamTokenIssuer;
	private limiter = new SlidingWindowLimiter();
	private ocrLimiter = new SlidingWindowLimiter();
	private entries: RequestLogEntry[] = [];
	private seq = 0;
	private readonly sockets = new Set<Socket>();
	private readonly inFlight = new Set<AbortController>();
	private readonly server: http.Server;
	private closing: Promise<void> | undefined;
	private address = '';

	private constructor(options: EmulatorOptions, private readonly hooks: ServerHooks) {
		checkChunkBytes(options.ocrChunkBytes);
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

	configure(changes: Partial<EmulatorOptions>): void {
		const options = { ...this.options, ...changes, host: this.options.host, port: this.options.port };
		// Build everything first so that a bad setting changes nothing.
		checkChunkBytes(options.ocrChunkBytes);
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
		if ('requestsPerSecond' in changes) this.limiter = new SlidingWindowLimiter();
		if ('ocrRequestsPerSecond' in changes) this.ocrLimiter = new SlidingWindowLimiter();
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
		this.entries.push(entry);
		return entry;
	}

	private async serve(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		if (entry.path === IAM_TOKENS_PATH) return this.serveToken(exchange);
		if (entry.path === OCR_METHOD_PATH) return this.serveOcr(exchange);
		if (entry.path !== METHOD_PATH) {
			throw new Rejection(404, Code.NOT_FOUND, `Not found: ${entry.path}; the emulator has POST ${METHOD_PATH} and POST ${OCR_METHOD_PATH}`);
		}
		if (req.method !== 'POST') {
			throw new Rejection(405, Code.UNIMPLEMENTED, `Method ${req.method ?? ''} is not allowed on ${METHOD_PATH}; use POST`, { allow: 'POST' });
		}
		const maxBodyBytes = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
		const body = await readBody(req, maxBodyBytes);
		if (body === undefined) return;

		const principal = authenticate(req.headers.authorization, this.accounts, token => this.issuer.lookup(token, Date.now()));
		if (body.tooLarge) {
			throw new Rejection(413, Code.INVALID_ARGUMENT, `Request body is too large: ${body.size} bytes, at most ${maxBodyBytes} allowed`);
		}
		const request = parseRequest(body.bytes);
		entry.specCount = request.analyzeSpecs.length;
		if (request.folderId !== '') entry.folderId = request.folderId;
		validateRequest(request);
		checkFolder(principal, request.folderId);

		const quota = this.limiter.admit(this.options.requestsPerSecond, Date.now());
		if (!quota.ok) {
			entry.fault = 'rate-limit';
			throw new Rejection(429, Code.RESOURCE_EXHAUSTED, `Quota exceeded: at most ${this.options.requestsPerSecond} requests per second`, {
				'retry-after': String(quota.retryAfterSeconds),
			});
		}

		const fault = this.faults.next();
		if (fault !== undefined) {
			entry.fault = fault;
			if (!await this.injectFault(exchange, fault)) return;
		}
		if (!await sleep(this.options.latencyMs ?? 0, exchange.gone)) return;
		const analyzed = await analyzeBatch(request.analyzeSpecs, this.recordings);
		entry.matches = analyzed.matches;
		const answer = Buffer.from(JSON.stringify(analyzed.answer));
		if (fault === 'truncated') sendTruncated(exchange, answer);
		else sendBytes(exchange, 200, 'application/json', answer);
	}

	/** OCR recognizeText: the same order of checks; the folder comes from x-folder-id, the answer is a stream. */
	private async serveOcr(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		if (req.method !== 'POST') {
			throw new Rejection(405, Code.UNIMPLEMENTED, `Method ${req.method ?? ''} is not allowed on ${OCR_METHOD_PATH}; use POST`, { allow: 'POST' });
		}
		const maxBodyBytes = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
		const body = await readBody(req, maxBodyBytes);
		if (body === undefined) return;

		const principal = authenticate(req.headers.authorization, this.accounts, token => this.issuer.lookup(token, Date.now()));
		if (body.tooLarge) {
			throw new Rejection(413, Code.INVALID_ARGUMENT, `Request body is too large: ${body.size} bytes, at most ${maxBodyBytes} allowed`);
		}
		const folderId = headerValue(req, 'x-folder-id')?.trim() ?? '';
		if (folderId !== '') entry.folderId = folderId;
		const request = parseOcrRequest(body.bytes);
		entry.model = modelOf(request);
		validateOcrRequest(request);
		checkFolder(principal, folderId, OCR_FOLDER_REQUIRED);

		const limit = this.options.ocrRequestsPerSecond;
		const quota = this.ocrLimiter.admit(limit, Date.now());
		if (!quota.ok) {
			entry.fault = 'rate-limit';
			throw new Rejection(429, Code.RESOURCE_EXHAUSTED, `Quota exceeded: at most ${limit} requests per second to ${OCR_METHOD_PATH}`, {
				'retry-after': String(quota.retryAfterSeconds),
			});
		}

		const fault = this.faults.next();
		if (fault !== undefined) {
			entry.fault = fault;
			if (fault === 'streamError') {
				await this.sendStream(exchange, streamErrorBody(Code.INTERNAL, 'Internal error: the recognition stream broke (injected by the emulator)'));
				return;
			}
			if (!await this.injectFault(exchange, fault)) return;
		}
		if (!await sleep(this.options.latencyMs ?? 0, exchange.gone)) return;
		// The recognizer's own checks (model, languages, the file): past the gateway, so after quota and faults.
		const checked = checkOcrRequest(request);
		const recognized = await recognizeText(checked, this.recordings);
		entry.matches = [recognized.match];
		if (recognized.result instanceof Rejection) throw recognized.result;
		const answer = ocrStreamBody([recognized.result], this.options.ocrAnswerStyle);
		await this.sendStream(exchange, answer, fault === 'truncated');
	}

	/**
	 * A 200 whose body goes out in `ocrChunkBytes` pieces, each its own HTTP chunk; `truncated`
	 * sends half of it and drops the connection, as a stream cut by the network.
	 */
	private async sendStream(exchange: Exchange, body: Buffer, truncated = false): Promise<void> {
		const { res, entry, gone } = exchange;
		if (gone.aborted) return;
		entry.status = 200;
		res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
		const size = this.options.ocrChunkBytes ?? DEFAULT_OCR_CHUNK_BYTES;
		const end = truncated ? Math.floor(body.length / 2) : body.length;
		for (let at = 0; at < end; at += size) {
			if (!await writePiece(res, body.subarray(at, Math.min(at + size, end)), gone)) return;
		}
		if (truncated) res.socket?.destroy();
		else res.end();
	}

	/** The token endpoint: no quota and no faults, which are the Vision methods'. */
	private async serveToken(exchange: Exchange): Promise<void> {
		const { req, entry } = exchange;
		if (req.method !== 'POST') {
			throw new Rejection(405, Code.UNIMPLEMENTED, `Method ${req.method ?? ''} is not allowed on ${IAM_TOKENS_PATH}; use POST`, { allow: 'POST' });
		}
		const body = await readBody(req, MAX_TOKEN_REQUEST_BYTES);
		if (body === undefined) return;
		if (body.tooLarge) throw new Rejection(413, Code.INVALID_ARGUMENT, `Request body is too large: ${body.size} bytes, at most ${MAX_TOKEN_REQUEST_BYTES} allowed`);
		const answer = this.issuer.issue(body.bytes, Date.now(), kid => {
			entry.keyId = kid;
		});
		sendJson(exchange, 200, answer);
	}

	/** Answers or breaks the request as the fault says; true when the normal answer should still follow. */
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
				return true;
		}
	}
}

const NGINX_502_PAGE = [
	'<html>',
	'<head><title>502 Bad Gateway</title></head>',
	'<body>',
	'<center><h1>502 Bad Gateway</h1></center>',
	'<hr><center>nginx</center>',
	'</body>',
	'</html>',
	'',
].join('\r\n');

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/** The whole body, or only its size once it passes the limit; undefined when the client went away. */
async function readBody(req: http.IncomingMessage, limit: number): Promise<{ bytes: Buffer; size: number; tooLarge: boolean } | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of req as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size <= limit) chunks.push(chunk);
		}
	} catch {
		return undefined;
	}
	return size > limit ? { bytes: Buffer.alloc(0), size, tooLarge: true } : { bytes: Buffer.concat(chunks), size, tooLarge: false };
}

/** Waits, unless the client goes first; true when the full time passed. */
function sleep(ms: number, gone: AbortSignal): Promise<boolean> {
	if (gone.aborted) return Promise.resolve(false);
	if (ms <= 0) return Promise.resolve(true);
	return new Promise(resolve => {
		const timer = setTimeout(() => {
			gone.removeEventListener('abort', onAbort);
			resolve(true);
		}, ms);
		const onAbort = (): void => {
			clearTimeout(timer);
			resolve(false);
		};
		gone.addEventListener('abort', onAbort, { once: true });
	});
}

function sendJson(exchange: Exchange, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
	sendBytes(exchange, status, 'application/json', Buffer.from(JSON.stringify(body)), headers);
}

function sendBytes(exchange: Exchange, status: number, contentType: string, body: Buffer, headers: Readonly<Record<string, string>> = {}): void {
	if (exchange.gone.aborted) return;
	exchange.entry.status = status;
	exchange.res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': body.length });
	exchange.res.end(body);
}

/** Writes one piece and waits until it is handed to the socket; false when the client went away. */
function writePiece(res: http.ServerResponse, piece: Buffer, gone: AbortSignal): Promise<boolean> {
	if (gone.aborted) return Promise.resolve(false);
	return new Promise(resolve => {
		const onAbort = (): void => resolve(false);
		gone.addEventListener('abort', onAbort, { once: true });
		res.write(piece, err => {
			gone.removeEventListener('abort', onAbort);
			resolve(!err && !gone.aborted);
		});
	});
}

function checkChunkBytes(value: number | undefined): void {
	if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
		throw new RangeError(`ocrChunkBytes must be a whole number of bytes, at least 1; got ${value}`);
	}
}

/** Promises the whole answer, sends half of it, then drops the connection. */
function sendTruncated(exchange: Exchange, body: Buffer): void {
	if (exchange.gone.aborted) return;
	const { res, entry } = exchange;
	entry.status = 200;
	res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
	res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

/** A TCP reset when the platform can send one, else a plain close: either way, no answer. */
function resetConnection(socket: Socket): void {
	try {
		socket.resetAndDestroy();
	} catch {
		socket.destroy();
	}
}
