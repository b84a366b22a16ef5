import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheKey, ResultCache, sha256Hex, type CachedFile, type CachedResult } from '../../src/cache/resultCache';
import type { Feature } from '../../src/api/batchAnalyze/types';

const IMAGE = sha256Hex(new TextEncoder().encode('image bytes'));
const OTHER_IMAGE = sha256Hex(new TextEncoder().encode('other image bytes'));
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const KEY_C = 'c'.repeat(64);

/** A text result whose recognized word is `word`, padded so its entry file is about `padding` bytes bigger. */
function textResult(word: string, padding = 0): CachedResult {
	return {
		features: [{
			type: 'TEXT_DETECTION',
			model: 'page',
			result: {
				textDetection: {
					pages: [{
						width: 100,
						height: 50,
						blocks: [{
							boundingBox: { vertices: [] },
							lines: [{ boundingBox: { vertices: [] }, confidence: 1, words: [{ boundingBox: { vertices: [] }, text: word + ' '.repeat(padding), confidence: 1, languages: [], entityIndex: -1 }] }],
						}],
						entities: [],
					}],
				},
			},
		}],
		requestId: `req-${word}`,
		analyzedAt: '2025-01-02T03:04:05.000Z',
	};
}

const facesResult: CachedResult = {
	features: [
		{ type: 'FACE_DETECTION', result: { faceDetection: { faces: [] } } },
		{ type: 'CLASSIFICATION', model: 'quality', result: { classification: { properties: [{ name: 'low', probability: 0.1 }] } } },
	],
	analyzedAt: '2025-01-02T03:04:05.000Z',
};

const fileAt = (name: string, mtime = 1): CachedFile => ({ uri: `file:///photos/${name}`, size: 1000, mtime });

/** A clock that the test moves on, so the order of uses is certain. */
function clock(start = 1_000): { now: () => number; tick: () => void } {
	let time = start;
	return { now: () => time, tick: () => { time += 1_000; } };
}

describe('result cache', () => {
	let dir: string;
	const open: ResultCache[] = [];

	async function openCache(options: Parameters<typeof ResultCache.open>[1] = {}): Promise<ResultCache> {
		const cache = await ResultCache.open(dir, options);
		open.push(cache);
		return cache;
	}

	/** Closes the cache, as when the window closes. */
	async function close(cache: ResultCache): Promise<void> {
		await cache.dispose();
		open.splice(open.indexOf(cache), 1);
	}

	const listDir = async () => (await fs.readdir(dir)).sort();
	const entryFile = (key: string) => path.join(dir, `${key}.json`);

	beforeEach(async () => {
		dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yv-result-cache-'));
	});

	afterEach(async () => {
		for (const cache of open.splice(0)) await cache.dispose();
		await fs.rm(dir, { recursive: true, force: true });
	});

	describe('cacheKey', () => {
		const text = (languageCodes: string[], model?: string): Feature => ({ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes, ...(model === undefined ? {} : { model }) } });

		it('gives the same key for the same request, whatever the field order or spelled-out defaults', () => {
			const key = cacheKey(IMAGE, [text(['ru', 'en']), { type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }]);
			assert.match(key, /^[0-9a-f]{64}$/);
			assert.equal(cacheKey(IMAGE, [text(['ru', 'en'], 'page'), { classificationConfig: { model: 'quality' }, type: 'CLASSIFICATION' }]), key);
			assert.equal(cacheKey(IMAGE, [text(['ru', 'en'], ''), { type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }]), key);
			assert.equal(cacheKey(IMAGE.toUpperCase(), [{ textDetectionConfig: { model: 'page', languageCodes: ['ru', 'en'] }, type: 'TEXT_DETECTION' }, { type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }]), key);
		});

		it('gives another key for another image or any change in features or config', () => {
			const base = cacheKey(IMAGE, [text(['ru', 'en'])]);
			const variants = [
				cacheKey(OTHER_IMAGE, [text(['ru', 'en'])]),
				cacheKey(IMAGE, [text(['en', 'ru'])]),
				cacheKey(IMAGE, [text(['ru'])]),
				cacheKey(IMAGE, [text(['ru', 'en'], 'line')]),
				cacheKey(IMAGE, [text(['ru', 'en']), { type: 'FACE_DETECTION' }]),
				cacheKey(IMAGE, [{ type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }]),
				cacheKey(IMAGE, [{ type: 'CLASSIFICATION', classificationConfig: { model: 'moderation' } }]),
				cacheKey(IMAGE, [{ type: 'FACE_DETECTION' }]),
				cacheKey(IMAGE, [{ type: 'IMAGE_COPY_SEARCH' }]),
				cacheKey(IMAGE, []),
			];
			assert.equal(new Set([base, ...variants]).size, variants.length + 1);
		});

		it('ignores config on features that take none', () => {
			const stray: Feature = { type: 'FACE_DETECTION', classificationConfig: { model: 'quality' } };
			assert.equal(cacheKey(IMAGE, [stray]), cacheKey(IMAGE, [{ type: 'FACE_DETECTION' }]));
		});

		it('sha256Hex matches the standard test vector', () => {
			assert.equal(sha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
		});
	});

	it('returns a stored result on a hit and nothing on a miss', async () => {
		const cache = await openCache();
		const key = cacheKey(IMAGE, [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }]);
		assert.equal(await cache.get(key), undefined);
		await cache.put(key, textResult('hello'), fileAt('a.png'));
		assert.deepEqual(await cache.get(key), textResult('hello'));
		assert.deepEqual(await cache.peek(key), textResult('hello'));
		assert.equal(await cache.get(KEY_A), undefined);
		assert.deepEqual(cache.stats(), { entries: 1, bytes: (await fs.stat(entryFile(key))).size, maxBytes: 200 * 1024 * 1024 });
	});

	it('misses for the same image analyzed with other features or config', async () => {
		const cache = await openCache();
		const english: Feature[] = [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }];
		await cache.put(cacheKey(IMAGE, english), textResult('hello'));
		assert.ok(await cache.get(cacheKey(IMAGE, english)));
		assert.equal(await cache.get(cacheKey(IMAGE, [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en', 'ru'] } }])), undefined);
		assert.equal(await cache.get(cacheKey(IMAGE, [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'], model: 'line' } }])), undefined);
		assert.equal(await cache.get(cacheKey(IMAGE, [{ type: 'FACE_DETECTION' }])), undefined);
		assert.equal(await cache.get(cacheKey(OTHER_IMAGE, english)), undefined);
	});

	it('replaces the result stored under the same key', async () => {
		const cache = await openCache();
		await cache.put(KEY_A, textResult('first'));
		await cache.put(KEY_A, textResult('second'));
		assert.deepEqual(await cache.get(KEY_A), textResult('second'));
		assert.equal(cache.stats().entries, 1);
	});

	describe('eviction', () => {
		/** Room for two of the padded results, not three. */
		async function smallCache(time: ReturnType<typeof clock>): Promise<{ cache: ResultCache; entryBytes: number }> {
			const probe = await openCache();
			await probe.put(KEY_C, textResult('x', 1000));
			const entryBytes = probe.stats().bytes;
			await probe.clear();
			await close(probe);
			return { cache: await openCache({ maxBytes: entryBytes * 2 + entryBytes / 2, now: time.now }), entryBytes };
		}

		it('drops the least recently stored entry when over the size limit', async () => {
			const time = clock();
			const { cache, entryBytes } = await smallCache(time);
			await cache.put(KEY_A, textResult('a', 1000));
			time.tick();
			await cache.put(KEY_B, textResult('b', 1000));
			time.tick();
			await cache.put(KEY_C, textResult('c', 1000));
			assert.equal(await cache.peek(KEY_A), undefined);
			assert.ok(await cache.peek(KEY_B));
			assert.ok(await cache.peek(KEY_C));
			assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_C, KEY_B]);
			assert.ok(cache.stats().bytes <= entryBytes * 2.5);
			assert.deepEqual(await listDir(), [`${KEY_B}.json`, `${KEY_C}.json`, 'index.json'].sort());
		});

		it('keeps an entry that was read recently and drops the older one instead', async () => {
			const time = clock();
			const { cache } = await smallCache(time);
			await cache.put(KEY_A, textResult('a', 1000));
			time.tick();
			await cache.put(KEY_B, textResult('b', 1000));
			time.tick();
			assert.ok(await cache.get(KEY_A));
			time.tick();
			await cache.put(KEY_C, textResult('c', 1000));
			assert.ok(await cache.peek(KEY_A));
			assert.equal(await cache.peek(KEY_B), undefined);
			assert.ok(await cache.peek(KEY_C));
		});

		it('does not count a peek as a use', async () => {
			const time = clock();
			const { cache } = await smallCache(time);
			await cache.put(KEY_A, textResult('a', 1000));
			time.tick();
			await cache.put(KEY_B, textResult('b', 1000));
			time.tick();
			assert.ok(await cache.peek(KEY_A));
			time.tick();
			await cache.put(KEY_C, textResult('c', 1000));
			assert.equal(await cache.peek(KEY_A), undefined);
			assert.ok(await cache.peek(KEY_B));
		});

		it('does not store a result larger than the whole cache, and keeps the others', async () => {
			const cache = await openCache({ maxBytes: 4000 });
			await cache.put(KEY_A, textResult('small'));
			await cache.put(KEY_B, textResult('huge', 10_000));
			assert.equal(await cache.get(KEY_B), undefined);
			assert.deepEqual(await cache.get(KEY_A), textResult('small'));
			assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_A]);
			assert.ok(!(await listDir()).includes(`${KEY_B}.json`));
		});
	});

	describe('damaged or changing files', () => {
		it('treats a truncated entry file as a miss and removes it', async () => {
			const cache = await openCache();
			await cache.put(KEY_A, textResult('hello'));
			const text = await fs.readFile(entryFile(KEY_A), 'utf8');
			await fs.writeFile(entryFile(KEY_A), text.slice(0, text.length / 2));
			assert.equal(await cache.get(KEY_A), undefined);
			await assert.rejects(fs.stat(entryFile(KEY_A)), { code: 'ENOENT' });
			assert.deepEqual(cache.entries(), []);
			assert.equal(cache.stats().bytes, 0);
		});

		it('treats an entry file of the wrong shape as a miss', async () => {
			const cache = await openCache();
			await cache.put(KEY_A, textResult('hello'));
			await fs.writeFile(entryFile(KEY_A), JSON.stringify({ v: 1, key: KEY_A, files: [], result: { features: 'none' } }));
			assert.equal(await cache.peek(KEY_A), undefined);
			assert.deepEqual(cache.entries(), []);
		});

		it('treats an entry deleted by another window as a miss', async () => {
			const cache = await openCache();
			await cache.put(KEY_A, textResult('hello'));
			await fs.unlink(entryFile(KEY_A));
			assert.equal(await cache.get(KEY_A), undefined);
			assert.deepEqual(cache.entries(), []);
		});

		it('finds entries another window stored in the same folder', async () => {
			const first = await openCache();
			const second = await openCache();
			await first.put(KEY_A, facesResult, fileAt('a.png'));
			assert.deepEqual(await second.get(KEY_A), facesResult);
			assert.deepEqual(second.entries().map(entry => [entry.key, entry.types, entry.files]), [[KEY_A, ['FACE_DETECTION', 'CLASSIFICATION'], [fileAt('a.png')]]]);
			assert.equal(await first.clear(), 1);
			assert.equal(await second.get(KEY_A), undefined);
		});

		it('rebuilds a damaged index from the entry files', async () => {
			const first = await openCache();
			await first.put(KEY_A, textResult('hello'), fileAt('a.png'));
			await first.put(KEY_B, facesResult);
			await close(first);
			await fs.writeFile(path.join(dir, 'index.json'), '{"v":1,"entries":{"aaaa');
			const warnings: string[] = [];
			const cache = await openCache({ warn: message => warnings.push(message) });
			assert.deepEqual(cache.entries().map(entry => [entry.key, entry.types, entry.files]).sort(), [
				[KEY_A, ['TEXT_DETECTION'], [fileAt('a.png')]],
				[KEY_B, ['FACE_DETECTION', 'CLASSIFICATION'], []],
			]);
			assert.deepEqual(await cache.get(KEY_A), textResult('hello'));
			assert.equal(warnings.length, 1);
			await cache.flush();
			const index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as { entries: Record<string, unknown> };
			assert.deepEqual(Object.keys(index.entries).sort(), [KEY_A, KEY_B]);
		});

		it('rebuilds a missing index, dropping damaged entries and leftovers of interrupted writes', async () => {
			const first = await openCache();
			await first.put(KEY_A, textResult('hello'));
			await close(first);
			await fs.unlink(path.join(dir, 'index.json'));
			await fs.writeFile(entryFile(KEY_B), '{"v":1,"key":');
			const leftover = `${entryFile(KEY_C)}.123.abc.tmp`;
			await fs.writeFile(leftover, '{');
			const longAgo = new Date(Date.now() - 60 * 60 * 1000);
			await fs.utimes(leftover, longAgo, longAgo);
			const cache = await openCache();
			assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_A]);
			await cache.flush();
			assert.deepEqual(await listDir(), [`${KEY_A}.json`, 'index.json']);
		});

		it('keeps entries and their order of use across a reopen', async () => {
			const time = clock();
			const first = await openCache({ now: time.now });
			for (const key of [KEY_A, KEY_B, KEY_C]) {
				await first.put(key, textResult(key.slice(0, 1), 1000));
				time.tick();
			}
			await first.get(KEY_A);
			await close(first);

			const entryBytes = (await fs.stat(entryFile(KEY_B))).size;
			const cache = await openCache({ now: time.now, maxBytes: entryBytes * 3 + entryBytes / 2 });
			assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_A, KEY_C, KEY_B]);
			time.tick();
			await cache.put('d'.repeat(64), textResult('d', 1000));
			assert.equal(await cache.peek(KEY_B), undefined);
			assert.ok(await cache.peek(KEY_A));
			assert.ok(await cache.peek(KEY_C));
		});

		it('drops the oldest entries on open when the size limit was lowered', async () => {
			const time = clock();
			const first = await openCache({ now: time.now });
			for (const key of [KEY_A, KEY_B, KEY_C]) {
				await first.put(key, textResult(key.slice(0, 1), 1000));
				time.tick();
			}
			await close(first);
			const entryBytes = (await fs.stat(entryFile(KEY_A))).size;
			const cache = await openCache({ now: time.now, maxBytes: entryBytes + entryBytes / 2 });
			assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_C]);
			assert.deepEqual(await listDir(), [`${KEY_C}.json`, 'index.json']);
		});
	});

	describe('failures', () => {
		it('rejects open when the folder cannot be created', async () => {
			const blocker = path.join(dir, 'a-file');
			await fs.writeFile(blocker, '');
			await assert.rejects(ResultCache.open(path.join(blocker, 'cache')), (error: Error) => {
				assert.match(error.message, /Cannot create the result cache folder/);
				assert.ok(error.message.includes(path.join(blocker, 'cache')));
				return true;
			});
		});

		it('warns once when a result cannot be written and keeps working', async () => {
			const warnings: string[] = [];
			const cache = await openCache({ warn: message => warnings.push(message) });
			// A non-empty folder in the entry's place makes the rename fail, even for root.
			await fs.mkdir(path.join(entryFile(KEY_A), 'blocker'), { recursive: true });
			await fs.mkdir(path.join(entryFile(KEY_C), 'blocker'), { recursive: true });
			await cache.put(KEY_A, textResult('lost'));
			await cache.put(KEY_C, textResult('lost too'));
			assert.equal(warnings.length, 1);
			assert.match(warnings[0]!, /could not be saved/);
			assert.equal(await cache.get(KEY_A), undefined);
			await cache.put(KEY_B, textResult('kept'));
			assert.deepEqual(await cache.get(KEY_B), textResult('kept'));
			assert.ok(!(await listDir()).some(name => name.endsWith('.tmp')));
		});

		it('keeps serving from memory when the index cannot be written', async () => {
			await fs.mkdir(path.join(dir, 'index.json', 'blocker'), { recursive: true });
			const warnings: string[] = [];
			const cache = await openCache({ warn: message => warnings.push(message) });
			await cache.put(KEY_A, textResult('hello'));
			await cache.flush();
			assert.ok(warnings.some(message => /index could not be saved/.test(message)));
			assert.deepEqual(await cache.get(KEY_A), textResult('hello'));
			assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_A]);
		});

		it('rejects keys that are not hex, so no file outside the folder is named', async () => {
			const cache = await openCache();
			for (const key of ['../escape', `../${KEY_A}`, `${KEY_A}/..`, 'index', '', 'C:\\temp\\x', `${KEY_A}.json`]) {
				await assert.rejects(cache.put(key, textResult('x')), TypeError, key);
				await assert.rejects(cache.get(key), TypeError, key);
				await assert.rejects(cache.peek(key), TypeError, key);
				await assert.rejects(cache.seen(key, fileAt('x.png')), TypeError, key);
			}
			assert.deepEqual(await listDir(), []);
			assert.deepEqual(await fs.readdir(path.dirname(dir)).then(names => names.filter(name => name === 'escape.json')), []);
		});
	});

	it('serializes concurrent puts and gets of the same key: every read is a whole stored result', async () => {
		const cache = await openCache();
		const stored = Array.from({ length: 20 }, (_, i) => textResult(`version-${i}`, 20_000));
		const reads: Promise<CachedResult | undefined>[] = [];
		const writes: Promise<void>[] = [];
		stored.forEach((result, i) => {
			writes.push(cache.put(KEY_A, result, fileAt(`${i}.png`)));
			reads.push(cache.get(KEY_A), cache.peek(KEY_A));
		});
		await Promise.all(writes);
		const seen = await Promise.all(reads);
		seen.forEach((result, i) => assert.deepEqual(result, stored[Math.floor(i / 2)], `read ${i}`));
		assert.deepEqual(await cache.get(KEY_A), stored[19]);
		assert.equal(cache.entries()[0]!.files.length, 16);
		assert.equal(cache.stats().bytes, (await fs.stat(entryFile(KEY_A))).size);
		await cache.flush();
		assert.deepEqual(await listDir(), [`${KEY_A}.json`, 'index.json']);
	});

	it('seen() records the files holding the image, one per URI, the latest 16', async () => {
		const cache = await openCache();
		await cache.put(KEY_A, textResult('hello'), fileAt('first.png', 1));
		await cache.seen(KEY_A, fileAt('renamed.png', 2));
		await cache.seen(KEY_A, fileAt('first.png', 3));
		assert.deepEqual(cache.entries()[0]!.files, [fileAt('renamed.png', 2), fileAt('first.png', 3)]);

		for (let i = 0; i < 20; i++) await cache.seen(KEY_A, fileAt(`copy-${i}.png`));
		const files = cache.entries()[0]!.files;
		assert.equal(files.length, 16);
		assert.deepEqual(files.map(file => file.uri), Array.from({ length: 16 }, (_, i) => `file:///photos/copy-${i + 4}.png`));

		await cache.seen(KEY_B, fileAt('unknown.png'));
		assert.deepEqual(cache.entries().map(entry => entry.key), [KEY_A]);

		await close(cache);
		const reopened = await openCache();
		assert.deepEqual(reopened.entries()[0]!.files, files);
	});

	it('entries() lists each result with its feature types, most recently used first', async () => {
		const time = clock();
		const cache = await openCache({ now: time.now });
		await cache.put(KEY_A, textResult('hello'), fileAt('a.png'));
		time.tick();
		await cache.put(KEY_B, facesResult, fileAt('b.png'));
		const entries = cache.entries();
		assert.deepEqual(entries.map(entry => ({ key: entry.key, types: entry.types, files: entry.files, lastUsed: entry.lastUsed })), [
			{ key: KEY_B, types: ['FACE_DETECTION', 'CLASSIFICATION'], files: [fileAt('b.png')], lastUsed: 2_000 },
			{ key: KEY_A, types: ['TEXT_DETECTION'], files: [fileAt('a.png')], lastUsed: 1_000 },
		]);
		assert.equal(entries.reduce((sum, entry) => sum + entry.bytes, 0), cache.stats().bytes);
	});

	it('clear() removes every entry and says how many', async () => {
		const cache = await openCache();
		await cache.put(KEY_A, textResult('a'));
		await cache.put(KEY_B, textResult('b'));
		await cache.put(KEY_C, facesResult);
		assert.equal(await cache.clear(), 3);
		assert.deepEqual(cache.entries(), []);
		assert.deepEqual(cache.stats(), { entries: 0, bytes: 0, maxBytes: 200 * 1024 * 1024 });
		assert.equal(await cache.get(KEY_A), undefined);
		assert.deepEqual(await listDir(), ['index.json']);
		assert.equal(await cache.clear(), 0);
		await cache.put(KEY_A, textResult('again'));
		assert.deepEqual(await cache.get(KEY_A), textResult('again'));
	});

	it('writes the index on dispose so the next session starts with it', async () => {
		const cache = await openCache();
		await cache.put(KEY_A, textResult('hello'), fileAt('a.png'));
		await close(cache);
		const index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as { entries: Record<string, { files: CachedFile[]; types: string[] }> };
		assert.deepEqual(Object.keys(index.entries), [KEY_A]);
		assert.deepEqual(index.entries[KEY_A]!.types, ['TEXT_DETECTION']);
		assert.deepEqual(index.entries[KEY_A]!.files, [fileAt('a.png')]);
	});
});
