import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVisionClient, VisionError, type BatchAnalyzeRequest } from '../../src/api/index';
import { fixtureBytes } from '../support/fixtures';

/**
 * Answers the emulator does not give: a server that misbehaves in ways only a hand-written
 * handler can, to pin down what the client makes of them.
 */
describe('transport edge cases', () => {
	let server: Server;
	let url: string;
	let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
	const seen: { headers: IncomingMessage['headers']; body: string }[] = [];

	before(async () => {
		server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', c => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString();
				seen.push({ headers: req.headers, body });
				handler(req, res, body);
			});
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vision/v1/batchAnalyze`;
	});
	after(async () => {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
	});
	beforeEach(() => {
		seen.length = 0;
	});

	const token = 't1.secret-token-value-123456';
	const request: BatchAnalyzeRequest = {
		analyzeSpecs: [{ content: fixtureBytes('latin-note.png'), features: [{ type: 'FACE_DETECTION' }] }],
	};
	const make = () => createVisionClient({ endpoint: url, credentials: { iamToken: token }, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } });

	it('never lets the token into an error message, even when the server echoes it', async () => {
		handler = (req, res) => {
			res.writeHead(500, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
			res.end(JSON.stringify({ code: 13, message: `boom for ${req.headers.authorization}`, details: [] }));
		};
		await assert.rejects(make().batchAnalyze(request), (err: VisionError) => {
			assert.ok(!err.message.includes(token), err.message);
			assert.match(err.message, /boom for Bearer \*\*\*/);
			assert.equal(err.requestId, 'r-1');
			return true;
		});
	});

	it('sends the token only in the Authorization header', async () => {
		handler = (_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"results":[{"results":[{"faceDetection":{}}]}]}');
		};
		const response = await make().batchAnalyze(request);
		assert.deepEqual(response.results[0]!.results[0]!.faceDetection, { faces: [] });
		const { headers, body } = seen[0]!;
		assert.equal(headers.authorization, `Bearer ${token}`);
		for (const [name, value] of Object.entries(headers)) {
			if (name !== 'authorization') assert.ok(!String(value).includes(token), name);
		}
		assert.ok(!body.includes(token));
		assert.equal(headers['content-type'], 'application/json');
		assert.equal(headers.connection ?? 'keep-alive', 'keep-alive');
	});

	it('reads an HTTP-date Retry-After', async () => {
		let calls = 0;
		handler = (_req, res) => {
			if (calls++ === 0) {
				res.writeHead(429, { 'retry-after': new Date(Date.now() + 2_000).toUTCString(), 'content-type': 'application/json' });
				res.end('{"code":8,"message":"Too many requests","details":[]}');
			} else {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"results":[{"results":[{"faceDetection":{}}]}]}');
			}
		};
		const started = Date.now();
		await make().batchAnalyze(request);
		assert.ok(Date.now() - started >= 900);
	});

	it('reports a 200 with truncated JSON as a protocol error, retried', async () => {
		handler = (_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-2' });
			res.end('{"results":[{"results":[{"faceDet');
		};
		await assert.rejects(make().batchAnalyze(request), (err: VisionError) => {
			assert.equal(err.kind, 'protocol');
			assert.match(err.message, /not valid JSON.*cut off/);
			assert.equal(err.requestId, 'r-2');
			return true;
		});
		assert.equal(seen.length, 1, 'a complete 200 that is not JSON is not retried');
	});

	it('names a proxy HTML page', async () => {
		handler = (_req, res) => {
			res.writeHead(502, { 'content-type': 'text/html' });
			res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
		};
		await assert.rejects(make().batchAnalyze(request), /HTTP 502 from a proxy or gateway.*502 Bad Gateway/);
		assert.equal(seen.length, 2);
	});

	it('refuses an oversized answer without buffering it all', async () => {
		handler = (_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			const chunk = Buffer.alloc(1024 * 1024, 0x20);
			let sent = 0;
			const pump = () => {
				while (sent < 80 && res.write(chunk)) sent++;
				if (sent < 80) res.once('drain', pump);
				else res.end();
			};
			pump();
		};
		const client = createVisionClient({ endpoint: url, credentials: { iamToken: token }, retry: { maxAttempts: 1 }, maxResponseBytes: 8 * 1024 * 1024 });
		await assert.rejects(client.batchAnalyze(request), (err: VisionError) => /larger than 8 MB/.test(err.message) && err.httpStatus === 200 && Boolean(err.clientRequestId));
	});

	it('says what to check when nothing listens', async () => {
		const closed = createServer();
		await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise(resolve => closed.close(resolve));
		const client = createVisionClient({ endpoint: `http://127.0.0.1:${port}/v`, credentials: { iamToken: token }, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 5 } });
		await assert.rejects(client.batchAnalyze(request), (err: VisionError) => {
			assert.equal(err.kind, 'network');
			assert.match(err.message, /refused.*Check the endpoint setting/);
			assert.equal(err.attempts, 2);
			return true;
		});
	});

	it('refuses to send credentials over plain http to another host', () => {
		assert.throws(() => createVisionClient({ endpoint: 'http://vision.example.com/batchAnalyze', credentials: { iamToken: token } }), /must use https/);
		assert.throws(() => createVisionClient({ endpoint: 'https://user:pw@vision.example.com/', credentials: { iamToken: token } }), /user name or password/);
	});

	it('reports a credentials provider failure without sending anything', async () => {
		const client = createVisionClient({ endpoint: url, credentials: () => Promise.reject(new Error('No IAM token is set.')) });
		await assert.rejects(client.batchAnalyze(request), (err: VisionError) => err.kind === 'credentials' && err.message === 'No IAM token is set.');
		await assert.rejects(createVisionClient({ endpoint: url, credentials: { iamToken: 'two words' } }).batchAnalyze(request), (err: VisionError) => err.kind === 'credentials');
		assert.equal(seen.length, 0);
	});
});
