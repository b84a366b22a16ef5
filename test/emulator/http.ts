/** The HTTP side of answering: reading bodies, writing answers and breaking them on purpose. */

import * as http from 'node:http';
import type { Socket } from 'node:net';
import { RequestLogEntry } from './api';
import { Code, Rejection } from './status';

/** One request on its way through the pipeline. */
export interface Exchange {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	entry: RequestLogEntry;
	/** Aborts when the client goes away or the emulator closes: nothing more is written then. */
	gone: AbortSignal;
}

/** 405 code 12 with Allow, for a path that takes one HTTP method. */
export function allowOnly(req: http.IncomingMessage, method: 'GET' | 'POST', path: string): void {
	if (req.method !== method) {
		throw new Rejection(405, Code.UNIMPLEMENTED, `Method ${req.method ?? ''} is not allowed on ${path}; use ${method}`, { allow: method });
	}
}

export const NGINX_502_PAGE = [
	'<html>',
	'<head><title>502 Bad Gateway</title></head>',
	'<body>',
	'<center><h1>502 Bad Gateway</h1></center>',
	'<hr><center>nginx</center>',
	'</body>',
	'</html>',
	'',
].join('\r\n');

export function headerValue(req: http.IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/** The whole body, or only its size once it passes the limit; undefined when the client went away. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<{ bytes: Buffer; size: number; tooLarge: boolean } | undefined> {
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
export function sleep(ms: number, gone: AbortSignal): Promise<boolean> {
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

export function sendJson(exchange: Exchange, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
	sendBytes(exchange, status, 'application/json', Buffer.from(JSON.stringify(body)), headers);
}

export function sendBytes(exchange: Exchange, status: number, contentType: string, body: Buffer, headers: Readonly<Record<string, string>> = {}): void {
	if (exchange.gone.aborted) return;
	exchange.entry.status = status;
	exchange.res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': body.length });
	exchange.res.end(body);
}

/** Writes one piece and waits until it is handed to the socket; false when the client went away. */
export function writePiece(res: http.ServerResponse, piece: Buffer, gone: AbortSignal): Promise<boolean> {
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

/** Promises the whole answer, sends half of it, then drops the connection. */
export function sendTruncated(exchange: Exchange, body: Buffer): void {
	if (exchange.gone.aborted) return;
	const { res, entry } = exchange;
	entry.status = 200;
	res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
	res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

/** A TCP reset when the platform can send one, else a plain close: either way, no answer. */
export function resetConnection(socket: Socket): void {
	try {
		socket.resetAndDestroy();
	} catch {
		socket.destroy();
	}
}
