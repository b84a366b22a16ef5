/**
 * A hostile or broken network between the client and the service: nothing listening, a name
 * that does not resolve, a certificate that is not trusted, a connection cut mid-answer, an
 * answer that never comes. Each ends promptly in a typed VisionError whose message (what
 * describeError shows, followed by the request ids) says what to check — and credentials never
 * go out before the connection is known to be the right one.
 */
import * as assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createVisionClient, VisionError, type BatchAnalyzeRequest, type VisionClientOptions } from '../../src/api/index';
import { fixtureBytes } from '../support/fixtures';

const TOKEN = 't1.network-faults-secret-0123456789';
const REQUEST: BatchAnalyzeRequest = {
	analyzeSpecs: [{ content: fixtureBytes('latin-note.png'), features: [{ type: 'FACE_DETECTION' }] }],
};
const OK_BODY = '{"results":[{"results":[{"faceDetection":{}}]}]}';

function client(endpoint: string, options: Partial<VisionClientOptions> = {}) {
	return createVisionClient({
		endpoint,
		credentials: { iamToken: TOKEN },
		timeoutMs: 5_000,
		retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
		...options,
	});
}

/** Runs the call and returns its VisionError, failing if it succeeds or throws anything else. */
async function failure(call: Promise<unknown>): Promise<VisionError> {
	try {
		await call;
	} catch (err) {
		assert.ok(err instanceof VisionError, `a VisionError, got ${String(err)}`);
		assert.ok(!err.message.includes(TOKEN), 'the token is not in the message');
		assert.ok(err.clientRequestId, 'the client request id is there for support');
		return err;
	}
	assert.fail('the call succeeded');
}

async function listen<T extends Server | HttpsServer>(server: T): Promise<{ server: T; port: number }> {
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return { server, port: (server.address() as AddressInfo).port };
}

async function close(server: Server | HttpsServer): Promise<void> {
	server.closeAllConnections();
	await new Promise(resolve => server.close(resolve));
}

describe('network faults', function () {
	this.timeout(15_000);

	it('connection refused: names the address and says to check the endpoint and that the server runs', async () => {
		const { server, port } = await listen(createServer());
		await close(server);
		const c = client(`http://127.0.0.1:${port}/vision/v1/batchAnalyze`);
		const err = await failure(c.batchAnalyze(REQUEST));
		await c.close();
		assert.equal(err.kind, 'network');
		assert.equal(err.attempts, 2, 'retried once: a server may be starting');
		assert.equal(err.message, `Connection to 127.0.0.1:${port} refused. Check the endpoint setting and that the server is running. Gave up after 2 attempts.`);
	});

	it('DNS failure: a name under .invalid fails fast, naming the host and what to check', async function () {
		// .invalid never resolves (RFC 6761). Without a resolver the lookup may hang instead: the client's timeout bounds it.
		this.timeout(10_000);
		const c = client('https://vision.invalid/vision/v1/batchAnalyze', { timeoutMs: 3_000, retry: { maxAttempts: 1 } });
		const err = await failure(c.batchAnalyze(REQUEST));
		await c.close();
		if (err.kind === 'timeout') {
			assert.match(err.message, /^No complete answer from vision\.invalid within 3 s\. Check your network or proxy/);
		} else {
			assert.equal(err.kind, 'network');
			assert.equal(err.message, 'Cannot resolve vision.invalid (DNS). Check the endpoint setting and your network or proxy.');
		}
	});

	describe('TLS', () => {
		const authority = makeKey();
		const selfSigned = certificate({ key: authority, subject: '127.0.0.1', ip: '127.0.0.1' });
		let server: HttpsServer;
		let port: number;
		/** Authorization headers of the requests that got through. */
		const received: (string | undefined)[] = [];
		let handshakesRefused = 0;
		/** The server's certificate from now on (a client connecting to an IP address sends no SNI to choose by). */
		const serve = (cert: string): string => {
			server.setSecureContext({ key: authority.pem, cert });
			return cert;
		};

		before(async () => {
			({ server, port } = await listen(createHttpsServer({ key: authority.pem, cert: selfSigned }, (req, res) => {
				received.push(req.headers.authorization);
				req.resume();
				res.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
			})));
			server.on('tlsClientError', () => handshakesRefused++);
		});
		after(() => close(server));
		beforeEach(() => {
			received.length = 0;
			handshakesRefused = 0;
			serve(selfSigned);
		});

		it('a self-signed certificate: says so, names the host, and the token is never sent', async () => {
			const c = client(`https://127.0.0.1:${port}/vision/v1/batchAnalyze`);
			const err = await failure(c.batchAnalyze(REQUEST));
			await c.close();
			assert.equal(err.kind, 'network');
			assert.equal(err.attempts, 1, 'not retried: the same certificate would be refused again');
			assert.match(err.message, new RegExp(`^The TLS certificate of 127\\.0\\.0\\.1:${port} is self-signed and not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)\\. Check the endpoint setting, and any proxy or security software that intercepts HTTPS`));
			// The server learns of the refusal a moment after the client does.
			for (let waited = 0; handshakesRefused === 0 && waited < 2_000; waited += 20) await new Promise(resolve => setTimeout(resolve, 20));
			assert.ok(handshakesRefused >= 1, 'the client reached the server and refused its certificate');
			assert.deepEqual(received, [], 'no request, so no Authorization header, ever reached the server');
		});

		it('the same server, its certificate trusted: the call succeeds, so the certificate alone was refused', async () => {
			const trusting = new Agent({ connect: { ca: selfSigned } });
			const c = client(`https://127.0.0.1:${port}/vision/v1/batchAnalyze`, { dispatcher: trusting });
			const response = await c.batchAnalyze(REQUEST);
			await trusting.close();
			assert.deepEqual(response.results[0]!.results[0]!.faceDetection, { faces: [] });
			assert.deepEqual(received, [`Bearer ${TOKEN}`]);
		});

		it('a trusted certificate for another host name: says so, sends nothing', async () => {
			const other = serve(certificate({ key: authority, subject: 'vision.example', dns: 'vision.example' }));
			const trusting = new Agent({ connect: { ca: other } });
			const c = client(`https://127.0.0.1:${port}/vision/v1/batchAnalyze`, { dispatcher: trusting, retry: { maxAttempts: 1 } });
			const err = await failure(c.batchAnalyze(REQUEST));
			await trusting.close();
			assert.match(err.message, new RegExp(`^The TLS certificate of 127\\.0\\.0\\.1:${port} is for another host name \\(ERR_TLS_CERT_ALTNAME_INVALID\\)\\. Check the endpoint setting`));
			assert.deepEqual(received, []);
		});

		it('an expired certificate: says so, sends nothing', async () => {
			const expired = serve(certificate({ key: authority, subject: '127.0.0.1', ip: '127.0.0.1', notBefore: new Date(Date.UTC(2020, 0, 1)), notAfter: new Date(Date.UTC(2021, 0, 1)) }));
			const trusting = new Agent({ connect: { ca: expired } });
			const c = client(`https://127.0.0.1:${port}/vision/v1/batchAnalyze`, { dispatcher: trusting, retry: { maxAttempts: 1 } });
			const err = await failure(c.batchAnalyze(REQUEST));
			await trusting.close();
			assert.match(err.message, new RegExp(`^The TLS certificate of 127\\.0\\.0\\.1:${port} has expired \\(CERT_HAS_EXPIRED\\)\\. Check the endpoint setting`));
			assert.deepEqual(received, []);
		});
	});

	describe('a server that misbehaves mid-exchange', () => {
		let server: Server;
		let url: string;
		let handler: (req: IncomingMessage, res: ServerResponse) => void;
		let requests = 0;

		before(async () => {
			let port: number;
			({ server, port } = await listen(createServer((req, res) => {
				requests++;
				handler(req, res);
			})));
			url = `http://127.0.0.1:${port}/vision/v1/batchAnalyze`;
		});
		after(() => close(server));
		beforeEach(() => {
			requests = 0;
		});

		it('closing the connection mid-body: says the answer was cut off, with the request id, after retrying', async () => {
			handler = (req, res) => {
				req.resume();
				res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000', 'x-request-id': 'cut-1' });
				res.write(OK_BODY.slice(0, 20), () => setTimeout(() => res.socket?.destroy(), 20));
			};
			const c = client(url);
			const err = await failure(c.batchAnalyze(REQUEST));
			await c.close();
			assert.equal(err.kind, 'network');
			assert.equal(err.httpStatus, 200);
			assert.equal(err.requestId, 'cut-1', 'the request id of the cut answer, for support');
			assert.equal(requests, 2);
			assert.match(err.message, /^The connection to 127\.0\.0\.1:\d+ closed while the answer was being received \(HTTP 200, body incomplete\)\. Check your network or proxy; trying again may succeed\. Gave up after 2 attempts\.$/);
		});

		it('closing the connection before answering: says so and what to check', async () => {
			handler = req => {
				req.resume();
				req.socket.destroy();
			};
			const c = client(url, { retry: { maxAttempts: 1 } });
			const err = await failure(c.batchAnalyze(REQUEST));
			await c.close();
			assert.equal(err.kind, 'network');
			assert.match(err.message, /^The connection to 127\.0\.0\.1:\d+ was closed before an answer arrived\. Check the endpoint setting and your network or proxy\.$/);
		});

		it('a 30 s stall cancelled by the user after 300 ms: ends at once as cancelled, and the connection is dropped', async function () {
			this.timeout(3_000);
			let dropped: Promise<unknown> = Promise.resolve();
			handler = (req, res) => {
				req.resume();
				dropped = once(res, 'close');
				// Headers only, then nothing for 30 s: the client is left waiting mid-answer.
				res.writeHead(200, { 'content-type': 'application/json' });
				res.write('{"results":');
				setTimeout(() => res.end('[]}'), 30_000).unref();
			};
			const c = client(url, { timeoutMs: 60_000 });
			const controller = new AbortController();
			setTimeout(() => controller.abort(), 300);
			const err = await failure(c.batchAnalyze(REQUEST, { signal: controller.signal }));
			await dropped;
			await c.close();
			assert.equal(err.kind, 'cancelled');
			assert.equal(err.message, 'The request was cancelled.');
			assert.equal(err.retryable, false);
			assert.equal(requests, 1, 'not retried');
		});

		it('a stall past the timeout: names the host and the time, and says what to check', async () => {
			handler = req => {
				req.resume();
			};
			const c = client(url, { timeoutMs: 300, retry: { maxAttempts: 1 } });
			const err = await failure(c.batchAnalyze(REQUEST));
			await c.close();
			assert.equal(err.kind, 'timeout');
			assert.match(err.message, /^No complete answer from 127\.0\.0\.1:\d+ within 0\.3 s\. Check your network or proxy; if the service is only slow, raise the timeout setting\.$/);
		});
	});
});

// --- Certificates made here, with node:crypto alone ------------------------------------------
// A minimal DER writer for X.509 v3 certificates: enough for a TLS server on 127.0.0.1 whose
// certificate is self-signed, issued for another name, or expired.

interface Key {
	privateKey: KeyObject;
	pem: string;
	spki: Buffer;
}

function makeKey(): Key {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
	return { privateKey: createPrivateKey(pem), pem, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

function der(tag: number, ...parts: Buffer[]): Buffer {
	const body = Buffer.concat(parts);
	let length: Buffer;
	if (body.length < 0x80) {
		length = Buffer.from([body.length]);
	} else {
		const bytes: number[] = [];
		for (let n = body.length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
		length = Buffer.from([0x80 | bytes.length, ...bytes]);
	}
	return Buffer.concat([Buffer.from([tag]), length, body]);
}

function sequence(...parts: Buffer[]): Buffer {
	return der(0x30, ...parts);
}

function oid(dotted: string): Buffer {
	const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
	const bytes = [first * 40 + second];
	for (const n of rest) {
		const digits = [n & 0x7f];
		for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) digits.unshift(0x80 | (v & 0x7f));
		bytes.push(...digits);
	}
	return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
	const iso = date.toISOString();
	return der(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}

function name(commonName: string): Buffer {
	return sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName)))));
}

/** A certificate signed by `key` itself, as PEM; with a subjectAltName for `ip` or `dns`. */
function certificate(o: { key: Key; subject: string; ip?: string; dns?: string; notBefore?: Date; notAfter?: Date }): string {
	const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
	const altName = o.ip ? der(0x87, Buffer.from(o.ip.split('.').map(Number))) : der(0x82, Buffer.from(o.dns ?? o.subject));
	const extensions = der(0xa3, sequence(sequence(oid('2.5.29.17'), der(0x04, sequence(altName)))));
	const serial = randomBytes(8);
	serial[0]! &= 0x7f;
	const tbs = sequence(
		der(0xa0, der(0x02, Buffer.from([2]))),
		der(0x02, serial),
		ecdsaWithSha256,
		name(o.subject),
		sequence(utcTime(o.notBefore ?? new Date(Date.now() - 3_600_000)), utcTime(o.notAfter ?? new Date(Date.now() + 86_400_000))),
		name(o.subject),
		o.key.spki,
		extensions,
	);
	const signature = sign('sha256', tbs, o.key.privateKey);
	const cert = sequence(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
	const pem = `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
	// Parsed once here, so a malformed certificate fails loudly rather than as a puzzling TLS error.
	new X509Certificate(pem);
	return pem;
}
