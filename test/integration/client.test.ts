import * as assert from 'node:assert/strict';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator, type FaultKind } from '../emulator';
import { createVisionClient, VisionError, type AnalyzeSpec, type Feature, type VisionClient, type VisionClientOptions } from '../../src/api/index';
import { fixtureBytes, recordingOf } from '../support/fixtures';

const OCR: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en', 'ru'] } };
const FACES: Feature = { type: 'FACE_DETECTION' };
const user = { iamToken: DEFAULT_CREDENTIALS.userIamToken };

describe('client against the emulator', function () {
	let emulator: Emulator;
	const clients: VisionClient[] = [];

	before(async () => {
		emulator = await startEmulator({ stallMs: 5_000 });
	});
	after(async () => {
		await emulator.close();
	});
	beforeEach(() => {
		emulator.configure({ faults: {}, latencyMs: 0, requestsPerSecond: undefined });
		emulator.clearLog();
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(c => c.close()));
	});

	function client(options: Partial<VisionClientOptions> = {}): VisionClient {
		const c = createVisionClient({
			endpoint: emulator.url,
			credentials: user,
			folderId: DEFAULT_CREDENTIALS.folderId,
			retry: { baseDelayMs: 20, maxDelayMs: 100 },
			requestsPerSecond: 1000,
			...options,
		});
		clients.push(c);
		return c;
	}

	function spec(image: string, features: Feature[] = [OCR]): AnalyzeSpec {
		return { content: fixtureBytes(image), features };
	}

	it('returns the recorded annotations of a fixture, with numbers', async () => {
		const recording = recordingOf('latin-note.png');
		const response = await client().batchAnalyze({ analyzeSpecs: [spec('latin-note.png', [OCR, FACES])] });
		const text = response.results[0]!.results[0]!.textDetection!;
		assert.deepEqual(text, recording.textDetection, 'OCR result equals the recording after normalization');
		assert.equal(typeof text.pages[0]!.width, 'number');
		assert.deepEqual(response.results[0]!.results[1]!.faceDetection, recording.faceDetection);
		assert.match(response.meta.requestId ?? '', /^[0-9a-f-]{36}$/);
		assert.equal(response.meta.attempts, 1);
	});

	it('rejects an invalid request before sending a byte', async () => {
		const nine = Array.from({ length: 9 }, () => spec('latin-note.png'));
		await assert.rejects(client().batchAnalyze({ analyzeSpecs: nine }), (err: VisionError) => {
			assert.equal(err.kind, 'validation');
			assert.equal(err.code, 3);
			assert.match(err.message, /^analyzeSpecs: 9 .*at most 8/);
			return true;
		});
		await assert.rejects(client().batchAnalyze({ analyzeSpecs: [spec('not-an-image.png')] }), /analyzeSpecs\[0\]\.content/);
		assert.equal(emulator.log.length, 0, 'the emulator saw no request');
	});

	it('sends a UUID x-client-request-id, the right auth scheme, and x-data-logging-enabled only when asked', async () => {
		await client().batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] });
		await client({ credentials: { apiKey: DEFAULT_CREDENTIALS.apiKey }, folderId: undefined, dataLogging: true })
			.batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] });
		const [first, second] = emulator.log;
		assert.match(first!.clientRequestId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		assert.notEqual(first!.clientRequestId, second!.clientRequestId);
		assert.equal(first!.authScheme, 'Bearer');
		assert.equal(first!.dataLogging, undefined);
		assert.equal(second!.authScheme, 'Api-Key');
		assert.equal(second!.dataLogging, 'true');
		assert.equal(second!.folderId, undefined, 'no folderId for a service account key');
	});

	it('keeps a per-feature error in place next to the other results', async () => {
		const badModel: Feature = { type: 'CLASSIFICATION', classificationConfig: { model: 'no-such-model' } };
		const response = await client().batchAnalyze({
			analyzeSpecs: [spec('latin-note.png', [badModel, OCR]), spec('cyrillic-sign.jpg', [OCR])],
		});
		const [first, second] = response.results;
		assert.equal(first!.results[0]!.error?.code, 3);
		assert.ok(first!.results[1]!.textDetection!.pages[0]!.blocks.length > 0);
		assert.deepEqual(second!.results[0]!.textDetection, recordingOf('cyrillic-sign.jpg').textDetection);
	});

	for (const [status, code, token] of [[401, 16, 't1.not-a-valid-token'], [403, 7, undefined], [400, 3, undefined]] as const) {
		it(`does not retry HTTP ${status}`, async () => {
			const c = token
				? client({ credentials: { iamToken: token } })
				: status === 403 ? client({ folderId: 'b1gsomeoneelsesfolder' }) : client({ folderId: undefined });
			await assert.rejects(c.batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] }), (err: VisionError) => {
				assert.equal(err.kind, 'service');
				assert.equal(err.httpStatus, status);
				assert.equal(err.code, code);
				assert.ok(err.requestId, 'the request id is reported');
				assert.equal(err.attempts, 1);
				return true;
			});
			assert.equal(emulator.log.length, 1);
		});
	}

	const faults: FaultKind[] = ['http429', 'http500', 'http503', 'http504', 'html502', 'truncated', 'reset', 'stall'];
	for (const fault of faults) {
		it(`recovers from one ${fault} by retrying with the same client request id`, async () => {
			emulator.configure({ faults: { script: [fault, 'ok'] } });
			const response = await client({ timeoutMs: 500, retry: { baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 2_000 } })
				.batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] });
			assert.equal(response.meta.attempts, 2);
			assert.ok(response.results[0]!.results[0]!.textDetection);
			const ids = new Set(emulator.log.map(e => e.clientRequestId));
			assert.equal(emulator.log.length, 2);
			assert.equal(ids.size, 1, 'retries carry the same x-client-request-id');
		});

		it(`gives a typed error within the retry bound when ${fault} persists`, async () => {
			emulator.configure({ faults: { rate: 1, kinds: [fault] } });
			const started = Date.now();
			await assert.rejects(
				client({ timeoutMs: 400, retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50, maxRetryAfterMs: 1_500 } })
					.batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] }),
				(err: VisionError) => {
					assert.ok(err instanceof VisionError);
					assert.equal(err.attempts, 3);
					assert.ok(err.clientRequestId);
					if (fault !== 'reset' && fault !== 'stall') {
						assert.equal(err.requestId, emulator.log.at(-1)!.requestId, 'the last answer\'s x-request-id');
					}
					assert.match(err.message, /3 attempts/);
					return true;
				},
			);
			assert.equal(emulator.log.length, 3);
			assert.ok(Date.now() - started < 6_000);
		});
	}

	it('waits as long as Retry-After asks', async () => {
		emulator.configure({ faults: { script: ['http429', 'ok'] } });
		const response = await client({ retry: { baseDelayMs: 1, maxDelayMs: 2 } }).batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] });
		const [first, second] = emulator.log;
		assert.equal(response.meta.attempts, 2);
		assert.ok(second!.receivedAt - first!.receivedAt >= 950, `retried after ${second!.receivedAt - first!.receivedAt} ms`);
	});

	it('reports a timeout as such', async () => {
		emulator.configure({ faults: { rate: 1, kinds: ['stall'] } });
		await assert.rejects(
			client({ timeoutMs: 200, retry: { maxAttempts: 1 } }).batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] }),
			(err: VisionError) => err.kind === 'timeout' && /within 0\.2 s/.test(err.message),
		);
	});

	it('aborts the HTTP request on cancel', async () => {
		emulator.configure({ faults: { rate: 1, kinds: ['stall'] } });
		const controller = new AbortController();
		const pending = client({ timeoutMs: 10_000 }).batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] }, { signal: controller.signal });
		await waitFor(() => emulator.log.length === 1 || undefined);
		const started = Date.now();
		controller.abort();
		await assert.rejects(pending, (err: VisionError) => err.kind === 'cancelled');
		assert.ok(Date.now() - started < 500);
		assert.equal(emulator.log.length, 1, 'no retry after cancel');
	});

	it('stays under the quota when both sides enforce it', async () => {
		emulator.configure({ requestsPerSecond: 5 });
		const c = client({ requestsPerSecond: 5 });
		const started = Date.now();
		await Promise.all(Array.from({ length: 11 }, () => c.batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] })));
		assert.equal(emulator.log.filter(e => e.status === 429).length, 0);
		assert.ok(Date.now() - started >= 2_000, '11 requests at 5/s take two windows');
	});

	it('rides out the quota by honouring 429 when the client limit is too high', async () => {
		emulator.configure({ requestsPerSecond: 4 });
		const c = client({ requestsPerSecond: 100, retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 200 } });
		const results = await Promise.all(Array.from({ length: 8 }, () => c.batchAnalyze({ analyzeSpecs: [spec('latin-note.png')] })));
		assert.equal(results.length, 8);
		assert.ok(emulator.log.some(e => e.status === 429), 'the emulator did push back');
	});
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 2_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}
