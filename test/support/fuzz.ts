/**
 * Generators of hostile batchAnalyze answers, and a checker of what the normalizer makes of them.
 * Everything is driven by a seeded PRNG (see random.ts), so a failing case reproduces from its
 * seed and index alone.
 *
 * Bodies are JSON text written by a small writer of our own rather than JSON.stringify, so that
 * they can hold what JSON.stringify never writes: duplicate keys, number literals beyond double
 * precision (`1e400`, 400 digits), `-0`.
 */
import type { ExpectedShape } from '../../src/api/batchAnalyze/normalize';
import type { FeatureType, Polygon, Status } from '../../src/results/types';
import type { BatchAnalyzeResponse } from '../../src/api/batchAnalyze/types';

export type Random = () => number;

/** A number written exactly as given, e.g. `1e400`, which no JavaScript number can stand for. */
export class RawNumber {
	constructor(readonly text: string) {}
}

/** Two values for one key: `first` is written before `last`, and JSON.parse keeps `last`. */
export class DuplicateKey {
	constructor(readonly first: Json, readonly last: Json) {}
}

export type Json = null | boolean | number | string | RawNumber | DuplicateKey | Json[] | { [key: string]: Json };
type JsonContainer = Json[] | { [key: string]: Json };

export const FEATURE_TYPES: readonly FeatureType[] = ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH'];

export function pick<T>(random: Random, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)]!;
}

/** An integer in [min, max]. */
export function between(random: Random, min: number, max: number): number {
	return min + Math.floor(random() * (max - min + 1));
}

function times<T>(random: Random, min: number, max: number, make: (i: number) => T): T[] {
	return Array.from({ length: between(random, min, max) }, (_, i) => make(i));
}

/** Feature types per spec, as a request would have them: 1–3 images of 1–3 features. */
export function randomShape(random: Random): FeatureType[][] {
	return times(random, 1, 3, () => times(random, 1, 3, () => pick(random, FEATURE_TYPES)));
}

export function expectedOf(shape: readonly (readonly FeatureType[])[]): ExpectedShape {
	return { featuresPerSpec: shape.map(types => types.length), featureTypes: shape };
}

// --- Valid answers, proto3 quirks included ----------------------------------------------------

/**
 * An answer the service could send for `shape`: int64 values as strings or numbers, zero values
 * omitted or `null`, proto field names now and then, unknown fields, per-image and per-feature
 * errors.
 */
export function validAnswer(random: Random, shape: readonly (readonly FeatureType[])[]): Json {
	return {
		results: shape.map(types => {
			if (random() < 0.1) return { error: status(random), ...(random() < 0.5 ? {} : { results: types.map(type => featureResult(random, type)) }) };
			return { results: types.map(type => featureResult(random, type)) };
		}),
		...(random() < 0.1 ? { nextVersionField: { anything: [1, 'two'] } } : {}),
	};
}

function featureResult(random: Random, type: FeatureType): Json {
	if (random() < 0.1) return { error: status(random) };
	// proto3 may drop a message that holds only zero values.
	if (random() < 0.05) return {};
	switch (type) {
		case 'TEXT_DETECTION':
			return { [name(random, 'textDetection', 'text_detection')]: { pages: times(random, 0, 2, () => page(random)) } };
		case 'CLASSIFICATION':
			return { classification: { properties: times(random, 0, 4, () => ({ name: pick(random, ['low', 'medium', 'high', 'adult', 'text']), probability: double(random) })) } };
		case 'FACE_DETECTION':
			return { [name(random, 'faceDetection', 'face_detection')]: { faces: times(random, 0, 3, () => ({ [name(random, 'boundingBox', 'bounding_box')]: polygon(random) })) } };
		case 'IMAGE_COPY_SEARCH':
			return {
				[name(random, 'imageCopySearch', 'image_copy_search')]: {
					[name(random, 'copyCount', 'copy_count')]: int64(random, between(random, 0, 1000)),
					[name(random, 'topResults', 'top_results')]: times(random, 0, 3, () => ({
						imageUrl: pick(random, ['https://example.org/a.jpg', 'javascript:alert(1)', '']),
						pageUrl: 'https://example.org/',
						title: pick(random, ['A page', '<b>bold</b>', '']),
						description: 'text',
					})),
				},
			};
	}
}

function page(random: Random): Json {
	return omitZeros(random, {
		width: int64(random, between(random, 0, 4000)),
		height: int64(random, between(random, 0, 4000)),
		blocks: times(random, 0, 2, () => ({
			[name(random, 'boundingBox', 'bounding_box')]: polygon(random),
			lines: times(random, 0, 2, () => omitZeros(random, {
				[name(random, 'boundingBox', 'bounding_box')]: polygon(random),
				confidence: double(random),
				words: times(random, 0, 3, () => omitZeros(random, {
					[name(random, 'boundingBox', 'bounding_box')]: polygon(random),
					text: pick(random, ['word', 'слово', '', '<img src=x onerror=alert(1)>', '\u202Etxt.exe']),
					confidence: double(random),
					languages: [{ [name(random, 'languageCode', 'language_code')]: pick(random, ['en', 'ru', '']), confidence: double(random) }],
					[name(random, 'entityIndex', 'entity_index')]: int64(random, between(random, -1, 3)),
				})),
			})),
		})),
		entities: times(random, 0, 2, () => ({ name: 'phone', text: '+7 000' })),
	});
}

function polygon(random: Random): Json {
	return { vertices: times(random, 0, 4, () => omitZeros(random, { x: int64(random, between(random, -10, 5000)), y: int64(random, between(random, -10, 5000)) })) };
}

function status(random: Random): Json {
	return omitZeros(random, { code: pick(random, [3, 8, 13, '3', 0]), message: pick(random, ["Can't decode Image", '', 'Image too big']), details: [] });
}

function int64(random: Random, value: number): Json {
	return random() < 0.5 ? String(value) : value;
}

function double(random: Random): Json {
	const value = Math.round(random() * 1000) / 1000;
	return random() < 0.8 ? value : String(value);
}

function name(random: Random, json: string, proto: string): string {
	return random() < 0.1 ? proto : json;
}

/** proto3 leaves zero values out; some writers send them as `null`. */
function omitZeros(random: Random, o: { [key: string]: Json }): { [key: string]: Json } {
	const out: { [key: string]: Json } = {};
	for (const [key, value] of Object.entries(o)) {
		const zero = value === 0 || value === '0' || value === '' || (Array.isArray(value) && value.length === 0);
		if (zero && random() < 0.7) {
			if (random() < 0.2) out[key] = null;
			continue;
		}
		out[key] = value;
	}
	return out;
}

// --- Hostile values and mutations -------------------------------------------------------------

const DEEP = 2_000;

/** What a broken or malicious server could put anywhere a value goes. */
export const HOSTILE_VALUES: readonly Json[] = [
	null, true, false, 0, 1, -1, 999, 0.5, -0.5, 1e308, -1e308, 5e-324, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2,
	new RawNumber('-0'), new RawNumber('1e400'), new RawNumber('-1e400'), new RawNumber('9'.repeat(400)), new RawNumber('1.0'), new RawNumber('2E+2'), new RawNumber('1e-400'),
	'', ' ', '0', '-0', '1', '1.5', '1e3', '0x1F', ' 12', '12 ', '+1', '٣', 'NaN', 'Infinity', '-Infinity', 'nan', 'inf', '1_000',
	'9223372036854775807', '-9223372036854775808', '18446744073709551616', '9'.repeat(400),
	'TEXT_DETECTION', 'UNAVAILABLE', 'INVALID_ARGUMENT', '\u202Eexe.txt', '<script>alert(1)</script>', '\ud800', '\u0000', 'x'.repeat(5_000),
	[], [null], [[]], ['a', 1], {}, { '': 1 }, JSON.parse('{"__proto__":{"textDetection":{}}}') as Json, { code: 'x' }, { vertices: [{ x: 'NaN' }] },
	nestedArrays(DEEP), nestedObjects(DEEP),
];

export function nestedArrays(levels: number): Json {
	let value: Json = [];
	for (let i = 1; i < levels; i++) value = [value];
	return value;
}

export function nestedObjects(levels: number): Json {
	let value: Json = {};
	for (let i = 1; i < levels; i++) value = { a: value };
	return value;
}

/** A copy of `value` with 1–3 random changes anywhere in it, the whole of it included. */
export function mutateTree(random: Random, value: Json): Json {
	// A holder, so that the top value itself can be replaced, wrapped or removed.
	const holder: Json[] = [clone(value)];
	for (let n = between(random, 1, 3); n > 0; n--) mutateContainer(random, pick(random, containersOf(holder)));
	return holder.length > 0 ? holder[0]! : null;
}

function clone(value: Json): Json {
	if (Array.isArray(value)) return value.map(clone);
	if (value !== null && typeof value === 'object' && !(value instanceof RawNumber) && !(value instanceof DuplicateKey)) {
		const out: { [key: string]: Json } = {};
		for (const key of Object.keys(value)) setOwn(out, key, clone(value[key]!));
		return out;
	}
	return value;
}

/** `o[key] = value`, also for `__proto__`, which plain assignment takes as the prototype. */
function setOwn(o: { [key: string]: Json }, key: string, value: Json): void {
	Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every array and plain object in the tree, without descending into the deep hostile values. */
function containersOf(holder: Json[]): JsonContainer[] {
	const found: JsonContainer[] = [holder];
	const stack: { value: Json; depth: number }[] = holder.length > 0 ? [{ value: holder[0]!, depth: 0 }] : [];
	while (stack.length > 0) {
		const { value, depth } = stack.pop()!;
		if (depth > 12 || value === null || typeof value !== 'object' || value instanceof RawNumber || value instanceof DuplicateKey) continue;
		found.push(value);
		for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push({ value: child, depth: depth + 1 });
	}
	return found;
}

const OPERATIONS = ['replace', 'replace', 'replace', 'delete', 'duplicateKey', 'unknownKey', 'grow', 'shrink', 'wrap'] as const;

function mutateContainer(random: Random, container: JsonContainer): void {
	const keys: (string | number)[] = Array.isArray(container) ? container.map((_, i) => i) : Object.keys(container);
	const operation = pick(random, OPERATIONS);
	// Copied: a shared palette entry must not be changed by a later mutation.
	const hostile = (): Json => clone(pick(random, HOSTILE_VALUES));
	if (keys.length === 0 || operation === 'unknownKey') {
		if (Array.isArray(container)) container.push(hostile());
		else setOwn(container, pick(random, ['zzz', '__proto__', 'constructor', 'results', 'error', 'textDetection', 'vertices']), hostile());
		return;
	}
	const key = pick(random, keys);
	const get = (): Json => (container as Record<string | number, Json>)[key]!;
	const set = (value: Json): void => {
		if (Array.isArray(container)) container[key as number] = value;
		else setOwn(container, key as string, value);
	};
	switch (operation) {
		case 'replace':
			set(hostile());
			return;
		case 'delete':
			if (Array.isArray(container)) container.splice(key as number, 1);
			else delete container[key as string];
			return;
		case 'duplicateKey':
			if (Array.isArray(container)) container.splice(key as number, 0, get());
			else set(random() < 0.5 ? new DuplicateKey(hostile(), get()) : new DuplicateKey(get(), hostile()));
			return;
		case 'grow':
			if (Array.isArray(container)) container.push(...times(random, 1, 20, () => clone(get())));
			else set([get()]);
			return;
		case 'shrink':
			if (Array.isArray(container)) container.length = between(random, 0, container.length - 1);
			else set(Array.isArray(get()) ? [] : {});
			return;
		case 'wrap':
			set(random() < 0.5 ? [get()] : { value: get() });
			return;
	}
}

/** Any JSON value, up to `depth` levels. */
export function randomJson(random: Random, depth = 4): Json {
	const roll = random();
	if (depth <= 0 || roll < 0.4) return clone(pick(random, HOSTILE_VALUES));
	if (roll < 0.7) return times(random, 0, 4, () => randomJson(random, depth - 1));
	const o: { [key: string]: Json } = {};
	for (let i = between(random, 0, 4); i > 0; i--) {
		o[pick(random, ['results', 'error', 'code', 'message', 'textDetection', 'pages', 'x', 'y', 'a'])] = randomJson(random, depth - 1);
	}
	return o;
}

// --- Writing bodies ---------------------------------------------------------------------------

/** Brackets, commas and keys on the writer's stack. */
class Punctuation {
	constructor(readonly text: string) {}
}

/** JSON text of `value`, with RawNumber and DuplicateKey written as they say; random whitespace. */
export function writeJson(value: Json, random?: Random): string {
	const parts: string[] = [];
	const space = (): void => {
		if (random && random() < 0.05) parts.push(pick(random, [' ', '\n', '\t', '\r\n', '  ']));
	};
	// Iterative: the hostile values nest thousands of levels deep.
	const stack: (Json | Punctuation)[] = [value];
	while (stack.length > 0) {
		const v = stack.pop()!;
		if (v instanceof Punctuation) {
			parts.push(v.text);
			continue;
		}
		space();
		if (v instanceof RawNumber) {
			parts.push(v.text);
		} else if (v instanceof DuplicateKey) {
			// Moved out of its object by a later mutation: it stands for the value JSON.parse keeps.
			stack.push(v.last);
		} else if (Array.isArray(v)) {
			const out: (Json | Punctuation)[] = [new Punctuation('[')];
			v.forEach((child, i) => {
				if (i > 0) out.push(new Punctuation(','));
				out.push(child);
			});
			out.push(new Punctuation(']'));
			for (let i = out.length - 1; i >= 0; i--) stack.push(out[i]!);
		} else if (v !== null && typeof v === 'object') {
			const out: (Json | Punctuation)[] = [new Punctuation('{')];
			let first = true;
			const member = (key: string, child: Json): void => {
				out.push(new Punctuation(`${first ? '' : ','}${JSON.stringify(key)}:`), child);
				first = false;
			};
			for (const key of Object.keys(v)) {
				const child = v[key]!;
				if (child instanceof DuplicateKey) {
					member(key, child.first);
					member(key, child.last);
				} else {
					member(key, child);
				}
			}
			out.push(new Punctuation('}'));
			for (let i = out.length - 1; i >= 0; i--) stack.push(out[i]!);
		} else {
			parts.push(JSON.stringify(v));
		}
		space();
	}
	return parts.join('');
}

/** Byte sequences that are not UTF-8: a lone continuation byte, a cut sequence, an overlong NUL, a UTF-16 surrogate, 0xFF. */
const INVALID_UTF8: readonly number[][] = [[0x80], [0xc3], [0xe2, 0x82], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]];
const BOM = [0xef, 0xbb, 0xbf];

/** Damage at the byte level: cut, BOM, invalid UTF-8, a flipped byte, a stray character. */
export function corruptBytes(random: Random, text: string): Buffer {
	const bytes = Buffer.from(text, 'utf8');
	const at = between(random, 0, bytes.length);
	switch (between(random, 0, 5)) {
		case 0:
			return bytes.subarray(0, at);
		case 1:
			return Buffer.concat([Buffer.from(BOM), bytes]);
		case 2:
			return Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(random, INVALID_UTF8)), bytes.subarray(at)]);
		case 3: {
			const copy = Buffer.from(bytes);
			if (copy.length > 0) copy[Math.min(at, copy.length - 1)] = between(random, 0, 255);
			return copy;
		}
		case 4:
			return Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(random, ['{', '}', '[', ']', ',', ':', '"', '\\', 'null', '\u2028'])), bytes.subarray(at)]);
		default:
			return Buffer.concat([bytes, Buffer.from(pick(random, ['', ' ', '\n', '{}', ']', 'garbage']))]);
	}
}

export function randomBytes(random: Random, max: number): Buffer {
	return Buffer.from(Array.from({ length: between(random, 0, max) }, () => between(random, 0, 255)));
}

// --- What a normalized answer must be ---------------------------------------------------------

/**
 * Everything wrong with a normalized answer, as paths and problems; empty when it is what the
 * types promise: one result per image and per feature, numbers finite (coordinates, sizes and
 * counts safe integers), strings strings, exactly one annotation of the requested kind unless
 * there is an error, error slots holding a non-zero code, and the whole of it JSON that the
 * results panel and the cache can store.
 */
export function invariantViolations(response: BatchAnalyzeResponse, expected: ExpectedShape): string[] {
	const problems: string[] = [];
	const fail = (path: string, problem: string): void => {
		if (problems.length < 20) problems.push(`${path}: ${problem}`);
	};
	const isArray = (path: string, value: unknown): value is unknown[] => {
		if (Array.isArray(value)) return true;
		fail(path, 'not an array');
		return false;
	};
	const safeInteger = (path: string, value: unknown): void => {
		if (!Number.isSafeInteger(value) || Object.is(value, -0)) fail(path, `not a safe integer: ${String(value)}`);
	};
	const finite = (path: string, value: unknown): void => {
		if (typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0)) fail(path, `not a finite number: ${String(value)}`);
	};
	const text = (path: string, value: unknown): void => {
		if (typeof value !== 'string') fail(path, `not a string: ${String(value)}`);
	};
	const statusOk = (path: string, s: Status): void => {
		if (!Number.isInteger(s.code) || s.code < -(2 ** 31) || s.code >= 2 ** 31) fail(`${path}.code`, `not an int32: ${s.code}`);
		if (s.code === 0) fail(`${path}.code`, 'an error slot with code 0 (OK) would read as success');
		text(`${path}.message`, s.message);
		isArray(`${path}.details`, s.details);
	};
	const polygonOk = (path: string, p: Polygon): void => {
		if (!isArray(`${path}.vertices`, p?.vertices)) return;
		p.vertices.forEach((v, i) => {
			safeInteger(`${path}.vertices[${i}].x`, v.x);
			safeInteger(`${path}.vertices[${i}].y`, v.y);
		});
	};

	if (!isArray('results', response.results)) return problems;
	if (response.results.length !== expected.featuresPerSpec.length) fail('results', `${response.results.length} image results for ${expected.featuresPerSpec.length} images`);
	response.results.forEach((image, i) => {
		const at = `results[${i}]`;
		if (image.error) statusOk(`${at}.error`, image.error);
		if (!isArray(`${at}.results`, image.results)) return;
		const wanted = expected.featuresPerSpec[i];
		if (image.results.length !== wanted && !(image.error && image.results.length === 0)) fail(`${at}.results`, `${image.results.length} feature results for ${wanted} features`);
		image.results.forEach((feature, j) => {
			const fat = `${at}.results[${j}]`;
			const present = (['textDetection', 'classification', 'faceDetection', 'imageCopySearch'] as const).filter(key => feature[key] !== undefined);
			if (present.length > 1) fail(fat, `holds ${present.join(' and ')}`);
			if (present.length === 0 && !feature.error) fail(fat, 'holds neither an annotation nor an error');
			if (feature.error) statusOk(`${fat}.error`, feature.error);
			const type = expected.featureTypes?.[i]?.[j];
			const kind = { TEXT_DETECTION: 'textDetection', CLASSIFICATION: 'classification', FACE_DETECTION: 'faceDetection', IMAGE_COPY_SEARCH: 'imageCopySearch' } as const;
			if (type && present.length === 1 && present[0] !== kind[type]) fail(fat, `${present[0]} for a ${type} feature`);
			const td = feature.textDetection;
			if (td && isArray(`${fat}.textDetection.pages`, td.pages)) {
				td.pages.forEach((p, k) => {
					const pat = `${fat}.textDetection.pages[${k}]`;
					safeInteger(`${pat}.width`, p.width);
					safeInteger(`${pat}.height`, p.height);
					if (isArray(`${pat}.entities`, p.entities)) p.entities.forEach((e, n) => { text(`${pat}.entities[${n}].name`, e.name); text(`${pat}.entities[${n}].text`, e.text); });
					if (!isArray(`${pat}.blocks`, p.blocks)) return;
					p.blocks.forEach((b, bi) => {
						polygonOk(`${pat}.blocks[${bi}].boundingBox`, b.boundingBox);
						if (!isArray(`${pat}.blocks[${bi}].lines`, b.lines)) return;
						b.lines.forEach((l, li) => {
							const lat = `${pat}.blocks[${bi}].lines[${li}]`;
							polygonOk(`${lat}.boundingBox`, l.boundingBox);
							finite(`${lat}.confidence`, l.confidence);
							if (!isArray(`${lat}.words`, l.words)) return;
							l.words.forEach((w, wi) => {
								const wat = `${lat}.words[${wi}]`;
								polygonOk(`${wat}.boundingBox`, w.boundingBox);
								text(`${wat}.text`, w.text);
								finite(`${wat}.confidence`, w.confidence);
								safeInteger(`${wat}.entityIndex`, w.entityIndex);
								if (isArray(`${wat}.languages`, w.languages)) w.languages.forEach((lang, n) => { text(`${wat}.languages[${n}].languageCode`, lang.languageCode); finite(`${wat}.languages[${n}].confidence`, lang.confidence); });
							});
						});
					});
				});
			}
			const cl = feature.classification;
			if (cl && isArray(`${fat}.classification.properties`, cl.properties)) {
				cl.properties.forEach((p, n) => { text(`${fat}.classification.properties[${n}].name`, p.name); finite(`${fat}.classification.properties[${n}].probability`, p.probability); });
			}
			const fd = feature.faceDetection;
			if (fd && isArray(`${fat}.faceDetection.faces`, fd.faces)) fd.faces.forEach((f, n) => polygonOk(`${fat}.faceDetection.faces[${n}].boundingBox`, f.boundingBox));
			const cs = feature.imageCopySearch;
			if (cs) {
				safeInteger(`${fat}.imageCopySearch.copyCount`, cs.copyCount);
				if (isArray(`${fat}.imageCopySearch.topResults`, cs.topResults)) {
					cs.topResults.forEach((r, n) => {
						for (const key of ['imageUrl', 'pageUrl', 'title', 'description'] as const) text(`${fat}.imageCopySearch.topResults[${n}].${key}`, r[key]);
					});
				}
			}
		});
	});
	try {
		JSON.stringify(response);
	} catch (err) {
		fail('response', `cannot be stored as JSON: ${err instanceof Error ? err.message : String(err)}`);
	}
	return problems;
}
