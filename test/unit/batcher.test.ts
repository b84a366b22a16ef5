import * as assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { analyzeAll } from '../../src/vision/batcher';
import type { BatchAnalyzeResult, VisionClient } from '../../src/vision/client';
import { VisionError } from '../../src/vision/errors';
import type { AnalyzeSpec, BatchAnalyzeRequest } from '../../src/vision/types';

/** A valid w×1 grayscale PNG; the width tells images apart. */
function png(width: number): Uint8Array {
	const chunk = (type: string, data: Buffer) => {
		const out = Buffer.alloc(12 + data.length);
		out.writeUInt32BE(data.length, 0);
		out.write(type, 4, 'latin1');
		data.copy(out, 8);
		return out;
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(1, 4);
	ihdr[8] = 8;
	const raw = Buffer.alloc(width + 1);
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const spec = (width: number): AnalyzeSpec => ({ content: png(width), features: [{ type: 'FACE_DETECTION' }] });
const widthOf = (s: AnalyzeSpec) => Buffer.from(s.content as Uint8Array).readUInt32BE(16);

/** Answers each spec with as many faces as its image is wide, so results can be traced to inputs; width 100 is an image the service cannot decode. */
function fakeClient(behaviour: (widths: number[]) => Error | undefined = () => undefined) {
	const requests: number[][] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const client: Pick<VisionClient, 'batchAnalyze'> = {
		async batchAnalyze(request: BatchAnalyzeRequest): Promise<BatchAnalyzeResult> {
			const widths = request.analyzeSpecs.map(widthOf);
			requests.push(widths);
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			await new Promise(resolve => setTimeout(resolve, 5));
			inFlight--;
			const failure = behaviour(widths);
			if (failure) throw failure;
			return {
				results: widths.map(w => w === 100
					? { results: [], error: { code: 3, message: "Can't decode Image", details: [] } }
					: { results: [{ faceDetection: { faces: Array.from({ length: w }, () => ({ boundingBox: { vertices: [] } })) } }] }),
				meta: { requestId: `req-${requests.length}`, clientRequestId: 'c', attempts: 1, elapsedMs: 5 },
			};
		},
	};
	return { client, requests, maxInFlight: () => maxInFlight };
}

const facesOf = (outcome: Awaited<ReturnType<typeof analyzeAll>>[number]) =>
	outcome.status === 'done' ? outcome.result.results[0]!.faceDetection!.faces.length : -1;

describe('analyzeAll', () => {
	it('packs 8 per request and returns results in input order', async () => {
		const fake = fakeClient();
		const specs = Array.from({ length: 21 }, (_, i) => spec(i + 1));
		const outcomes = await analyzeAll(fake.client, specs, { concurrency: 3 });
		assert.deepEqual(fake.requests.map(r => r.length), [8, 8, 5]);
		assert.deepEqual(outcomes.map(facesOf), specs.map(widthOf));
		assert.ok(fake.maxInFlight() <= 3);
	});

	it('keeps concurrency within the bound', async () => {
		const fake = fakeClient();
		await analyzeAll(fake.client, Array.from({ length: 64 }, (_, i) => spec(i + 1)), { concurrency: 2 });
		assert.equal(fake.maxInFlight(), 2);
	});

	it('fails an invalid image alone, without sending it', async () => {
		const fake = fakeClient();
		const specs = [spec(1), { content: new Uint8Array([1, 2, 3]), features: [{ type: 'FACE_DETECTION' as const }] }, spec(3)];
		const outcomes = await analyzeAll(fake.client, specs);
		assert.deepEqual(fake.requests, [[1, 3]]);
		assert.equal(outcomes[1]!.status, 'failed');
		assert.equal(outcomes[1]!.status === 'failed' && outcomes[1]!.error.kind, 'validation');
		assert.deepEqual([facesOf(outcomes[0]!), facesOf(outcomes[2]!)], [1, 3]);
	});

	it('turns a per-image error into that image\'s failure, with the request id', async () => {
		const outcomes = await analyzeAll(fakeClient().client, [spec(12), spec(100), spec(14)]);
		const failed = outcomes[1]!;
		assert.ok(failed.status === 'failed');
		assert.equal(failed.error.message, "Can't decode Image");
		assert.equal(failed.error.requestId, 'req-1');
		assert.deepEqual([facesOf(outcomes[0]!), facesOf(outcomes[2]!)], [12, 14]);
	});

	it('isolates the image a whole request was rejected for', async () => {
		const fake = fakeClient(widths => widths.includes(5)
			? new VisionError({ kind: 'service', code: 3, httpStatus: 400, message: 'bad spec' })
			: undefined);
		const outcomes = await analyzeAll(fake.client, Array.from({ length: 8 }, (_, i) => spec(i + 1)), { concurrency: 1 });
		assert.deepEqual(outcomes.map(facesOf), [1, 2, 3, 4, -1, 6, 7, 8]);
		assert.ok(fake.requests.length <= 1 + 2 + 2 + 2, `${fake.requests.length} requests`);
	});

	it('fails every image of a request that failed after its retries, and only those', async () => {
		const fake = fakeClient(widths => widths.includes(9)
			? new VisionError({ kind: 'service', code: 14, httpStatus: 503, message: 'unavailable', requestId: 'r-503' })
			: undefined);
		const outcomes = await analyzeAll(fake.client, Array.from({ length: 16 }, (_, i) => spec(i + 1)));
		assert.deepEqual(outcomes.map(o => o.status), [...Array(8).fill('done'), ...Array(8).fill('failed')]);
		const last = outcomes[15]!;
		assert.ok(last.status === 'failed' && last.error.requestId === 'r-503');
	});

	it('reports each outcome once, as it happens', async () => {
		const seen: number[] = [];
		const specs = [spec(1), { content: '', features: [] }, spec(3)];
		await analyzeAll(fakeClient().client, specs as AnalyzeSpec[], { onOutcome: index => seen.push(index) });
		assert.deepEqual([...seen].sort(), [0, 1, 2]);
	});

	it('starts nothing after cancel and marks the rest cancelled', async () => {
		const controller = new AbortController();
		const fake = fakeClient();
		const outcomes = await analyzeAll(fake.client, Array.from({ length: 40 }, (_, i) => spec(i + 1)), {
			concurrency: 1,
			signal: controller.signal,
			onOutcome: () => controller.abort(),
		});
		assert.equal(fake.requests.length, 1);
		assert.equal(outcomes.filter(o => o.status === 'done').length, 8);
		assert.ok(outcomes.slice(8).every(o => o.status === 'failed' && o.error.kind === 'cancelled'));
	});
});
