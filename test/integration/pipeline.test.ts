import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { runPipeline, type PipelineOptions, type PipelineOutcome, type PipelineSource } from '../../src/analysis/pipeline';
import { batchAnalyzeEngine } from '../../src/analysis/engines';
import { ResultCache } from '../../src/cache/resultCache';
import { readHeader } from '../../src/images/header';
import type { Fitter } from '../../src/images/prepareImage';
import { createVisionClient, RpcCode, VisionError, type BatchAnalyzeResult, type Feature, type TextAnnotation, type VisionClient } from '../../src/api/index';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { fixtureBytes, recordingOf } from '../support/fixtures';
import { fixtureVariant } from '../support/imageVariants';

const OCR: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en', 'ru'] } };
const RECORDED = ['latin-note.png', 'cyrillic-sign.jpg', 'receipt.png', 'faces.jpg', 'mixed-page.png', 'rotated-line.png'];

/** No image here needs fitting unless a test says so. */
const noFitting: Fitter = {
	fit: async () => {
		throw new Error('nothing should be fitted here');
	},
};

/** Where the first digit of a PNG variant's number is: signature, IHDR, chunk length and type, `Comment\0variant `. */
const VARIANT_DIGIT = 8 + 25 + 8 + 8 + 8;

function source(name: string, bytes: Uint8Array, onRead?: () => void): PipelineSource {
	return {
		name,
		read: async () => {
			onRead?.();
			// A copy, as a file read gives: the pipeline may hand the bytes over to the converter.
			return { bytes: new Uint8Array(bytes), file: { uri: `file:///images/${name}`, size: bytes.length, mtime: 1 } };
		},
	};
}

function words(annotation: TextAnnotation | undefined): string[] {
	return (annotation?.pages ?? []).flatMap(page => page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text))));
}

function textOf(outcome: PipelineOutcome | undefined): string[] {
	assert.ok(outcome && outcome.status !== 'failed', `a result, got ${JSON.stringify(outcome)}`);
	return words(outcome.result.features[0]!.result.textDetection);
}

describe('batch pipeline against the emulator', function () {
	this.timeout(60_000);
	let emulator: Emulator;
	let dir: string;
	const clients: VisionClient[] = [];
	const caches: ResultCache[] = [];

	before(async () => {
		emulator = await startEmulator({ stallMs: 5_000 });
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
	});
	after(async () => {
		await emulator.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});
	beforeEach(() => {
		emulator.configure({ faults: {}, latencyMs: 0, requestsPerSecond: undefined });
		emulator.clearLog();
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(c => c.close()));
		await Promise.all(caches.splice(0).map(c => c.dispose()));
	});

	function client(): VisionClient {
		const c = createVisionClient({
			endpoint: emulator.url,
			credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
			folderId: DEFAULT_CREDENTIALS.folderId,
			retry: { baseDelayMs: 20, maxDelayMs: 100 },
			requestsPerSecond: 1000,
		});
		clients.push(c);
		return c;
	}

	async function cache(name: string): Promise<ResultCache> {
		const opened = await ResultCache.open(path.join(dir, name));
		caches.push(opened);
		return opened;
	}

	function options(extra: Partial<PipelineOptions> = {}, features: Feature[] = [OCR]): PipelineOptions {
		return { engine: batchAnalyzeEngine(client(), features), fitter: noFitting, ...extra };
	}

	it('gives every source exactly one outcome, in order; broken files fail alone, named', async () => {
		const sources: PipelineSource[] = Array.from({ length: 16 }, (_, i) => source(`good-${i}-${RECORDED[i % RECORDED.length]}`, fixtureVariant(RECORDED[i % RECORDED.length]!, i)));
		sources.splice(3, 0, source('broken.jpg', fixtureBytes('broken.jpg')));
		sources.splice(7, 0, source('not-an-image.png', fixtureBytes('not-an-image.png')));
		sources.splice(11, 0, source('empty.png', new Uint8Array(0)));
		sources.splice(15, 0, { name: 'unreadable.png', read: async () => { throw new Error('EACCES: permission denied'); } });
		const told = new Map<number, number>();
		const outcomes = await runPipeline(sources, options({ onOutcome: index => told.set(index, (told.get(index) ?? 0) + 1) }));

		assert.equal(outcomes.length, 20);
		assert.deepEqual([...told.keys()].sort((a, b) => a - b), sources.map((_, i) => i), 'every source was told');
		assert.ok([...told.values()].every(count => count === 1), 'once each');
		const failed = outcomes.flatMap((o, i) => o.status === 'failed' ? [i] : []);
		assert.deepEqual(failed, [3, 7, 11, 15]);
		assert.match(outcomes[3]!.status === 'failed' ? outcomes[3].sentence ?? '' : '', /^broken\.jpg .*(corrupt|truncated)/i);
		assert.match(outcomes[7]!.status === 'failed' ? outcomes[7].sentence ?? '' : '', /^not-an-image\.png /);
		assert.match(outcomes[11]!.status === 'failed' ? outcomes[11].sentence ?? '' : '', /^empty\.png .*empty|0 bytes/i);
		assert.match(outcomes[15]!.status === 'failed' ? outcomes[15].sentence ?? '' : '', /^unreadable\.png: EACCES/);
		sources.forEach((s, i) => {
			if (failed.includes(i)) return;
			const recorded = RECORDED.find(name => s.name.endsWith(name))!;
			assert.equal(outcomes[i]!.status, 'done', s.name);
			assert.deepEqual(textOf(outcomes[i]), words(recordingOf(recorded).textDetection as TextAnnotation | undefined), `${s.name} has the text of ${recorded}`);
		});
		assert.equal(emulator.log.length, 2, '16 good images in 2 requests');
		assert.ok(emulator.log.every(e => e.specCount === 8));
	});

	it('a cached result costs no request, and comes back as it was', async () => {
		const results = await cache('hit');
		const sources = RECORDED.map((name, i) => source(name, fixtureVariant(name, 100 + i)));
		const first = await runPipeline(sources, options({ cache: results }));
		assert.ok(first.every(o => o.status === 'done' && o.stored));
		const requestsBefore = emulator.log.length;

		const second = await runPipeline(sources, options({ cache: results }));
		assert.equal(emulator.log.length, requestsBefore, 'no request the second time');
		second.forEach((outcome, i) => {
			assert.equal(outcome.status, 'cached');
			const earlier = first[i]!;
			assert.ok(outcome.status === 'cached' && earlier.status === 'done');
			assert.equal(outcome.cacheKey, earlier.cacheKey);
			assert.deepEqual(outcome.result, earlier.result);
		});
		assert.deepEqual(results.entries().find(e => e.key === (first[0] as { cacheKey: string }).cacheKey)?.files.map(f => f.uri), [`file:///images/${RECORDED[0]}`]);
	});

	it('changed bytes are analyzed again; the same bytes twice in one run go once', async () => {
		const results = await cache('changed');
		await runPipeline([source('note.png', fixtureVariant('latin-note.png', 200))], options({ cache: results }));
		emulator.clearLog();
		const same = fixtureVariant('receipt.png', 201);
		const outcomes = await runPipeline([
			source('note.png', fixtureVariant('latin-note.png', 202)),
			source('receipt.png', same),
			source('receipt-copy.png', same),
		], options({ cache: results }));
		assert.deepEqual(outcomes.map(o => o.status), ['done', 'done', 'cached']);
		assert.equal(emulator.log.length, 1);
		assert.equal(emulator.log[0]!.specCount, 2, 'the changed note and one receipt');
		assert.deepEqual(textOf(outcomes[2]), textOf(outcomes[1]));
	});

	it('does not keep a result with a failed feature', async () => {
		const results = await cache('feature-error');
		const unknownLanguage: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['zz'] } };
		const sources = [source('note.png', fixtureBytes('latin-note.png'))];
		const [first] = await runPipeline(sources, options({ cache: results }, [unknownLanguage]));
		assert.ok(first!.status === 'done' && !first.stored);
		assert.equal(first.result.features[0]!.result.error?.code, RpcCode.INVALID_ARGUMENT);
		const [second] = await runPipeline(sources, options({ cache: results }, [unknownLanguage]));
		assert.equal(second!.status, 'done', 'asked again');
		assert.equal(emulator.log.length, 2);
		assert.equal(results.stats().entries, 0);
	});

	it('Cancel keeps what finished, starts no request after, and fails the rest as cancelled', async () => {
		emulator.configure({ latencyMs: 300 });
		const controller = new AbortController();
		const sources = Array.from({ length: 32 }, (_, i) => source(`image-${i}.png`, fixtureVariant(RECORDED[i % RECORDED.length]!, 300 + i)));
		const pending = runPipeline(sources, options({ concurrency: 1, signal: controller.signal }));
		await waitFor(() => emulator.log.length === 2, 'the second request to arrive');
		const cancelledAt = Date.now();
		controller.abort();
		const outcomes = await pending;
		assert.ok(Date.now() - cancelledAt < 1_000, `ended ${Date.now() - cancelledAt} ms after Cancel`);
		assert.deepEqual(outcomes.map(o => o.status), [...Array<string>(8).fill('done'), ...Array<string>(24).fill('failed')], 'the first request\'s images are kept');
		assert.ok(outcomes.every(o => o.status === 'done' || (o.status === 'failed' && o.error.kind === 'cancelled')));
		await new Promise(resolve => setTimeout(resolve, 500));
		assert.equal(emulator.log.length, 2, 'no request after Cancel');
		assert.equal(emulator.log[1]!.status, 0, 'the request in flight was abandoned');
	});

	it('after a fatal error (credentials refused) sends nothing more; every image fails with it', async () => {
		const refused = createVisionClient({ endpoint: emulator.url, credentials: { iamToken: 't1.revoked-token' }, folderId: DEFAULT_CREDENTIALS.folderId, requestsPerSecond: 1000 });
		clients.push(refused);
		const sources = Array.from({ length: 24 }, (_, i) => source(`image-${i}.png`, fixtureVariant(RECORDED[i % RECORDED.length]!, 500 + i)));
		const outcomes = await runPipeline(sources, {
			engine: batchAnalyzeEngine(refused, [OCR]), fitter: noFitting, concurrency: 1,
			isFatal: error => error.httpStatus === 401,
		});
		assert.equal(emulator.log.length, 1, 'one request');
		assert.ok(outcomes.every(o => o.status === 'failed' && o.error.httpStatus === 401 && o.error.requestId === emulator.log[0]!.requestId));
	});

	it('sends at most 8 images per request, and holds at most readAhead read images waiting', async () => {
		emulator.configure({ latencyMs: 100 });
		let read = 0;
		let finished = 0;
		let mostHeld = 0;
		const readAhead = 5;
		const sources = Array.from({ length: 30 }, (_, i) => source(`image-${i}.png`, fixtureVariant(RECORDED[i % RECORDED.length]!, 400 + i), () => {
			read++;
			mostHeld = Math.max(mostHeld, read - finished);
		}));
		const outcomes = await runPipeline(sources, options({ concurrency: 1, readAhead, onOutcome: () => finished++ }));
		assert.ok(outcomes.every(o => o.status === 'done'));
		// Waiting to be sent, plus one request's images in flight.
		assert.ok(mostHeld <= readAhead * 2, `at most ${readAhead * 2} read and unfinished at once, saw ${mostHeld}`);
		assert.ok(emulator.log.every(e => e.specCount! <= readAhead), 'a request never waits for more than readAhead allows');
		assert.equal(emulator.log.reduce((sum, e) => sum + e.specCount!, 0), 30);

		emulator.clearLog();
		const wide = await runPipeline(sources.slice(0, 20), options({ lingerMs: 60_000 }));
		assert.ok(wide.every(o => o.status === 'done'));
		assert.deepEqual(emulator.log.map(e => e.specCount).sort(), [4, 8, 8]);
	});

	it('maps boxes of a fitted image back to the original\'s pixels, and keeps what fitting left out', async () => {
		// Over 1 MB, so it is fitted; the stand-in converter sends the recorded image and says the original is twice its size.
		const small = fixtureBytes('latin-note.png');
		const { width, height } = readHeader(small);
		const padding = Buffer.alloc(1_100_000);
		const body = Buffer.concat([Buffer.from('tEXt', 'latin1'), Buffer.from('Comment\0', 'latin1'), padding]);
		const chunk = Buffer.alloc(body.length + 8);
		chunk.writeUInt32BE(body.length - 4, 0);
		body.copy(chunk, 4);
		chunk.writeUInt32BE(crc32(body), body.length + 4);
		const large = Buffer.concat([small.subarray(0, 33), chunk, small.subarray(33)]);
		const fitter: Fitter = {
			fit: async () => ({
				bytes: new Uint8Array(small), mimeType: 'image/png', width: width!, height: height!,
				original: { width: width! * 2, height: height! * 2, orientation: 1, upright: { width: width! * 2, height: height! * 2 } },
				content: 'graphic', attempts: ['PNG 29 kB'], warnings: [{ code: 'firstFrame', frames: 4 }], ms: 1,
			}),
		};
		const fitted: number[] = [];
		const [outcome] = await runPipeline([source('large.png', large)], options({ fitter, onFitted: index => fitted.push(index) }));
		assert.ok(outcome!.status === 'done');
		assert.deepEqual(fitted, [0]);
		const page = outcome.result.features[0]!.result.textDetection!.pages[0]!;
		const recorded = recordingOf('latin-note.png').textDetection!.pages[0]!;
		assert.deepEqual([page.width, page.height], [recorded.width * 2, recorded.height * 2]);
		assert.deepEqual(page.blocks[0]!.lines[0]!.words[0]!.boundingBox.vertices, recorded.blocks[0]!.lines[0]!.words[0]!.boundingBox.vertices.map(v => ({ x: v.x * 2, y: v.y * 2 })));
		assert.match(outcome.result.fitted?.note ?? '', /resized .* → .*; only the first of its 4 frames is analyzed$/);
		assert.deepEqual(outcome.result.fitted?.warnings, [{ code: 'firstFrame', frames: 4 }], 'kept with the result for the panel');
	});
});

describe('batch pipeline: requests the service refuses', () => {
	/** Answers like the service, but refuses a whole request holding `poison`, and fails `bad` alone. */
	function fakeClient(poison: number, bad: number, calls: number[][]): Pick<VisionClient, 'batchAnalyze'> {
		return {
			batchAnalyze: async request => {
				// The digit of "variant N" in the tEXt chunk after IHDR tells the images apart.
				const ids = request.analyzeSpecs.map(spec => (spec.content as Uint8Array)[VARIANT_DIGIT]! - 0x30);
				calls.push(ids);
				if (ids.includes(poison)) throw new VisionError({ kind: 'service', code: RpcCode.INVALID_ARGUMENT, message: 'Request is invalid', httpStatus: 400, requestId: 'r-400' });
				const response: BatchAnalyzeResult = {
					results: ids.map(id => id === bad
						? { results: [], error: { code: 3, message: 'Can\'t decode Image', details: [] } }
						: { results: [{ textDetection: { pages: [] } }] }),
					meta: { requestId: `r-${calls.length}`, clientRequestId: 'c', attempts: 1, elapsedMs: 1 },
				};
				return response;
			},
		};
	}

	it('halves a refused request until the culprit stands alone; a per-image error fails that image only', async () => {
		const sources = Array.from({ length: 8 }, (_, i) => source(`image-${i}.png`, fixtureVariant('latin-note.png', i)));
		const calls: number[][] = [];
		const outcomes = await runPipeline(sources, { engine: batchAnalyzeEngine(fakeClient(5, 2, calls), [OCR]), fitter: noFitting });
		assert.deepEqual(outcomes.map(o => o.status), ['done', 'done', 'failed', 'done', 'done', 'failed', 'done', 'done']);
		const [, , perImage, , , refused] = outcomes;
		assert.ok(perImage!.status === 'failed' && perImage.error.kind === 'service' && perImage.error.message === 'Can\'t decode Image' && perImage.error.requestId !== undefined);
		assert.ok(refused!.status === 'failed' && refused.error.httpStatus === 400 && refused.error.requestId === 'r-400');
		assert.deepEqual(calls[0], [0, 1, 2, 3, 4, 5, 6, 7]);
		assert.ok(calls.some(ids => ids.length === 1 && ids[0] === 5), 'the culprit went alone at last');
		assert.ok(calls.every(ids => ids.length <= 8));
	});
});

describe('batch pipeline: filling requests', () => {
	it('does not hold ready images back long for a straggler when nothing is in flight', async () => {
		const sent: { at: number; names: number }[] = [];
		const client: Pick<VisionClient, 'batchAnalyze'> = {
			batchAnalyze: async request => {
				sent.push({ at: Date.now(), names: request.analyzeSpecs.length });
				return {
					results: request.analyzeSpecs.map(() => ({ results: [{ textDetection: { pages: [] } }] })),
					meta: { requestId: 'r', clientRequestId: 'c', attempts: 1, elapsedMs: 1 },
				};
			},
		};
		const slow: PipelineSource = {
			name: 'slow.png',
			read: async () => {
				await new Promise(resolve => setTimeout(resolve, 1_000));
				return { bytes: fixtureVariant('receipt.png', 1) };
			},
		};
		const started = Date.now();
		const outcomes = await runPipeline([source('a.png', fixtureVariant('latin-note.png', 1)), slow, source('b.png', fixtureVariant('latin-note.png', 2))], {
			engine: batchAnalyzeEngine(client, [OCR]), fitter: noFitting, lingerMs: 100,
		});
		assert.deepEqual(outcomes.map(o => o.status), ['done', 'done', 'done']);
		assert.deepEqual(sent.map(s => s.names), [2, 1], 'the two ready images went without the slow one');
		assert.ok(sent[0]!.at - started < 600, `sent after ${sent[0]!.at - started} ms`);
	});
});

async function waitFor(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!probe()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

describe('batch pipeline: full requests while images are still being fitted', () => {
	it('a partial request waits for the images in progress: 16 slow images go in 2 requests of 8', async () => {
		const sent: number[] = [];
		const client: Pick<VisionClient, 'batchAnalyze'> = {
			batchAnalyze: async request => {
				sent.push(request.analyzeSpecs.length);
				return {
					results: request.analyzeSpecs.map(() => ({ results: [{ textDetection: { pages: [] } }] })),
					meta: { requestId: 'r', clientRequestId: 'c', attempts: 1, elapsedMs: 1 },
				};
			},
		};
		// Each image ready a quarter of a second after the last, two at a time: as photos come out of fitting.
		const sources: PipelineSource[] = Array.from({ length: 16 }, (_, i) => ({
			name: `photo-${i}.png`,
			read: async () => {
				await new Promise(resolve => setTimeout(resolve, 250));
				return { bytes: fixtureVariant('latin-note.png', 500 + i) };
			},
		}));
		const outcomes = await runPipeline(sources, { engine: batchAnalyzeEngine(client, [OCR]), fitter: noFitting });
		assert.ok(outcomes.every(o => o.status === 'done'));
		assert.deepEqual(sent, [8, 8]);
	});
});
