/**
 * A loopback HTTP server between the extension and the emulator, standing for the network: it
 * forwards every request, records what the extension sent (Authorization headers, client request
 * ids, the JWTs of token exchanges) and the tokens the emulator minted, and can answer the next
 * requests itself as a hostile or broken network would — echoing the credentials it received back
 * in error bodies, or resetting the connection. And a decoy: a port that records any connection.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

const VISION_PATH = '/vision/v1/batchAnalyze';
const IAM_PATH = '/iam/v1/tokens';

/** One request as the extension sent it. */
export interface SentRequest {
	path: string;
	authorization: string | undefined;
	clientRequestId: string | undefined;
	dataLogging: string | undefined;
	body: Buffer;
}

/** How the network answers one request instead of the emulator. */
export type HostileAnswer =
	| { reset: true }
	| { status: number; contentType: string; body: string; headers?: Record<string, string> }
	/** Forwards the request, then changes the emulator's 200 answer (parsed JSON) before passing it on. */
	| { edit(answer: unknown): unknown };

export type HostileStep = (request: SentRequest) => HostileAnswer;

export interface HostileNetwork {
	/** The batchAnalyze URL to configure as yandexVision.endpoint. */
	readonly visionUrl: string;
	/** The token endpoint URL to configure as yandexVision.iamEndpoint. */
	readonly iamUrl: string;
	/** Every request the extension sent, in order. */
	readonly sent: readonly SentRequest[];
	/** Every IAM token the emulator minted through this network. */
	readonly minted: readonly string[];
	/** The next requests to `target` are answered by these steps, in order; then forwarding resumes. */
	script(target: 'vision' | 'iam', ...steps: HostileStep[]): void;
	/** Steps not used yet. */
	pending(target: 'vision' | 'iam'): number;
	close(): Promise<void>;
}

/** google.rpc.Status as the service sends errors. */
export function statusBody(code: number, message: string): string {
	return JSON.stringify({ code, message, details: [] });
}

export async function startHostileNetwork(emulatorOrigin: string): Promise<HostileNetwork> {
	const upstream = new URL(emulatorOrigin);
	const agent = new Agent({ keepAlive: false });
	const sent: SentRequest[] = [];
	const minted: string[] = [];
	const scripts: Record<'vision' | 'iam', HostileStep[]> = { vision: [], iam: [] };
	const sockets = new Set<Socket>();

	const server: Server = createServer((req, res) => {
		void handle(req, res).catch(() => res.socket?.destroy());
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
		const path = (req.url ?? '').split('?')[0]!;
		const request: SentRequest = {
			path,
			authorization: header(req, 'authorization'),
			clientRequestId: header(req, 'x-client-request-id'),
			dataLogging: header(req, 'x-data-logging-enabled'),
			body: Buffer.concat(chunks),
		};
		sent.push(request);
		const target = path === IAM_PATH ? 'iam' : path === VISION_PATH ? 'vision' : undefined;
		const step = target ? scripts[target].shift() : undefined;
		const answer = step?.(request);
		if (answer && 'reset' in answer) {
			resetSocket(req.socket);
			return;
		}
		if (answer && 'status' in answer) {
			const body = Buffer.from(answer.body);
			res.writeHead(answer.status, { ...answer.headers, 'content-type': answer.contentType, 'content-length': body.length }).end(body);
			return;
		}
		const forwarded = await forward(req, request.body);
		let body = forwarded.body;
		if (forwarded.status === 200 && target === 'iam') {
			const token = (JSON.parse(body.toString('utf8')) as { iamToken?: unknown }).iamToken;
			if (typeof token === 'string') minted.push(token);
		}
		if (answer && 'edit' in answer && forwarded.status === 200) {
			body = Buffer.from(JSON.stringify(answer.edit(JSON.parse(body.toString('utf8')))));
		}
		res.writeHead(forwarded.status, { ...forwarded.headers, 'content-length': body.length }).end(body);
	}

	function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
		return new Promise((resolve, reject) => {
			const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
			const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, response => {
				const parts: Buffer[] = [];
				response.on('data', (chunk: Buffer) => parts.push(chunk));
				response.on('end', () => {
					const kept: Record<string, string> = {};
					for (const name of ['content-type', 'x-request-id', 'x-server-trace-id', 'retry-after']) {
						const value = response.headers[name];
						if (typeof value === 'string') kept[name] = value;
					}
					resolve({ status: response.statusCode ?? 502, headers: kept, body: Buffer.concat(parts) });
				});
				response.on('error', reject);
			});
			out.on('error', reject);
			out.end(body);
		});
	}

	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		visionUrl: origin + VISION_PATH,
		iamUrl: origin + IAM_PATH,
		sent,
		minted,
		script: (target, ...steps) => {
			scripts[target].push(...steps);
		},
		pending: target => scripts[target].length,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise(resolve => server.close(resolve));
			agent.destroy();
		},
	};
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

function resetSocket(socket: Socket): void {
	try {
		socket.resetAndDestroy();
	} catch {
		socket.destroy();
	}
}

/** A loopback port that records every connection made to it, whatever is sent. */
export interface Decoy {
	url: string;
	/** The first bytes of each connection. */
	connections: string[];
	close(): Promise<void>;
}

export async function startDecoy(): Promise<Decoy> {
	const connections: string[] = [];
	const sockets = new Set<Socket>();
	const server = createTcpServer(socket => {
		sockets.add(socket);
		const index = connections.push('') - 1;
		socket.on('data', (chunk: Buffer) => {
			if (connections[index]!.length < 200) connections[index] += chunk.toString('latin1').slice(0, 200);
		});
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		connections,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise(resolve => server.close(resolve));
		},
	};
}
