/**
 * Checks a batchAnalyze request against the service's limits before anything is sent, and builds
 * the body that goes on the wire. Input may come from untyped JSON, so every value is narrowed
 * from `unknown`. Each violation is a VisionError (code 3, kind 'validation') whose message names
 * the field by its JSON path and says what to change.
 */

import { Buffer } from 'node:buffer';
import { base64Problem, base64Source, decodedLength, encodedLength, formatCount, withPadding } from '../content/base64';
import { invalidArgument } from '../transport/errors';
import { bytesSource, FORMAT_NAMES, otherFormatName, sniffSource, type ByteSource, type ImageInfo } from '../content/imageInfo';
import { FEATURE_TYPES, type AnalyzeSpec, type BatchAnalyzeRequest, type ClassificationConfig, type Feature, type FeatureType, type TextDetectionConfig } from '../../results/types';

export type { ImageInfo } from '../content/imageInfo';

export const LIMITS = {
	specs: 8,
	features: 8,
	languageCodes: 8,
	languageCodeChars: 3,
	textModelChars: 50,
	classificationModelChars: 256,
	mimeTypeChars: 255,
	contentChars: 10_485_760,
	signatureChars: 16_384,
	folderIdChars: 50,
	fileBytes: 1_048_576,
	pixels: 20_000_000,
} as const;

/** A spec as it goes on the wire: content as base64 text. */
export interface WireSpec {
	features: Feature[];
	mimeType?: string;
	content?: string;
	signature?: string;
}

export interface WireRequest {
	analyzeSpecs: WireSpec[];
	folderId?: string;
}

export interface PreparedSpec {
	wire: WireSpec;
	/** What the content is; absent for a spec that carries a signature instead. */
	image?: ImageInfo;
}

/** Validates a whole request (count of specs, folderId, each spec). Throws the first violation. */
export function prepareRequest(request: BatchAnalyzeRequest): { wire: WireRequest; images: (ImageInfo | undefined)[] } {
	const fields = asObject(request, 'request', 'a request object with analyzeSpecs');
	checkKnownFields(fields, '', ['analyzeSpecs', 'folderId'], 'a request');
	const specs = arrayOf(fields.analyzeSpecs, 'analyzeSpecs', LIMITS.specs, {
		plural: 'specs',
		what: 'specs, one per image',
		tooMany: 'split the images into several requests',
	});
	const folderId = optionalString(fields.folderId, 'folderId', LIMITS.folderIdChars, 'a folder ID is 20 characters, like b1g…');
	const prepared = specs.map((spec, i) => prepareSpec(spec as AnalyzeSpec, `analyzeSpecs[${i}]`));
	const wire: WireRequest = { analyzeSpecs: prepared.map(p => p.wire) };
	if (folderId) wire.folderId = folderId;
	return { wire, images: prepared.map(p => p.image) };
}

/** Validates one spec; `path` is its JSON path, e.g. 'analyzeSpecs[3]'. Throws VisionError. */
export function prepareSpec(spec: AnalyzeSpec, path: string): PreparedSpec {
	const fields = asObject(spec, path, 'a spec object with features and content');
	// signature is accepted but not advertised: it is undocumented.
	checkKnownFields(fields, path, ['features', 'mimeType', 'content'], 'a spec', ['signature']);
	const features = arrayOf(fields.features, `${path}.features`, LIMITS.features, {
		plural: 'features',
		what: 'features, e.g. [{ "type": "FACE_DETECTION" }]',
	}).map((feature, i) => prepareFeature(feature, `${path}.features[${i}]`));
	const mimeType = optionalString(fields.mimeType, `${path}.mimeType`, LIMITS.mimeTypeChars);

	const hasContent = isGiven(fields.content);
	if (hasContent && isGiven(fields.signature)) throw invalidArgument(path, 'has both content and signature; give only one of them');
	if (!hasContent) {
		if (!isGiven(fields.signature)) throw invalidArgument(`${path}.content`, 'is required: give the JPEG, PNG or PDF file to analyze, as bytes or base64 text');
		const signature = requiredString(fields.signature, `${path}.signature`, LIMITS.signatureChars);
		return { wire: mimeType ? { features, mimeType, signature } : { features, signature } };
	}

	const contentPath = `${path}.content`;
	const content = checkContent(fields.content, contentPath);
	const image = identify(content.source, contentPath);
	// The bytes decide the format; a declared type that disagrees would make the service misread the file.
	if (mimeType && essence(mimeType) !== image.mimeType) {
		throw invalidArgument(`${path}.mimeType`, `is ${JSON.stringify(mimeType)} but the file is a ${FORMAT_NAMES[image.format]} ${image.format === 'pdf' ? 'document' : 'image'}; set it to "${image.mimeType}" or leave it out`);
	}
	if (image.width !== undefined && image.height !== undefined) {
		const pixels = image.width * image.height;
		if (pixels > LIMITS.pixels) {
			throw invalidArgument(contentPath, `the image is ${image.width}×${image.height} = ${decimal(pixels / 1e6, LIMITS.pixels / 1e6)} MP, the service accepts at most 20 MP (${formatCount(LIMITS.pixels)} pixels); scale it down`);
		}
	}
	// The canonical spelling even when the caller's differs in case or parameters: it is what the service knows.
	return { wire: { features, mimeType: image.mimeType, content: content.encode() }, image };
}

function prepareFeature(value: unknown, path: string): Feature {
	const fields = asObject(value, path, 'a feature object with a type');
	checkKnownFields(fields, path, ['type', 'classificationConfig', 'textDetectionConfig'], 'a feature');
	const type = featureType(fields.type, `${path}.type`);
	const hasText = isGiven(fields.textDetectionConfig);
	const hasClassification = isGiven(fields.classificationConfig);
	if (hasText && hasClassification) {
		throw invalidArgument(path, 'has both textDetectionConfig and classificationConfig; a feature takes at most one config, the one for its type');
	}
	if (hasText && type !== 'TEXT_DETECTION') {
		throw invalidArgument(`${path}.textDetectionConfig`, `does not belong to a ${type} feature (it is only for TEXT_DETECTION); remove it`);
	}
	if (hasClassification && type !== 'CLASSIFICATION') {
		throw invalidArgument(`${path}.classificationConfig`, `does not belong to a ${type} feature (it is only for CLASSIFICATION); remove it`);
	}
	switch (type) {
		case 'TEXT_DETECTION':
			return { type, textDetectionConfig: textDetectionConfig(fields.textDetectionConfig, `${path}.textDetectionConfig`) };
		case 'CLASSIFICATION':
			return { type, classificationConfig: classificationConfig(fields.classificationConfig, `${path}.classificationConfig`) };
		case 'FACE_DETECTION':
		case 'IMAGE_COPY_SEARCH':
			return { type };
	}
}

function featureType(value: unknown, path: string): FeatureType {
	const choices = `use one of ${FEATURE_TYPES.join(', ')}`;
	if (!isGiven(value)) throw invalidArgument(path, `is required; ${choices}`);
	if (typeof value !== 'string') throw invalidArgument(path, `must be a string, got ${describe(value)}; ${choices}`);
	const known = FEATURE_TYPES.find(type => type === value);
	if (known) return known;
	const near = FEATURE_TYPES.find(type => type === value.trim().toUpperCase().replace(/[\s-]/g, '_'));
	throw invalidArgument(path, `${JSON.stringify(value)} is not a feature type; ${near ? `did you mean "${near}"? ` : ''}${choices}`);
}

function textDetectionConfig(value: unknown, path: string): TextDetectionConfig {
	if (!isGiven(value)) throw invalidArgument(path, 'is required for TEXT_DETECTION: give the languages in the image, e.g. { "languageCodes": ["en", "ru"] }');
	const fields = asObject(value, path, 'an object with languageCodes');
	checkKnownFields(fields, path, ['languageCodes', 'model'], 'textDetectionConfig');
	const languageCodes = arrayOf(fields.languageCodes, `${path}.languageCodes`, LIMITS.languageCodes, {
		plural: 'codes',
		what: 'ISO 639-1 language codes, e.g. ["en", "ru"]',
		tooMany: 'keep only the languages in the image',
	}).map((code, i) => requiredString(code, `${path}.languageCodes[${i}]`, LIMITS.languageCodeChars, 'use an ISO 639-1 code such as "en"'));
	const model = optionalString(fields.model, `${path}.model`, LIMITS.textModelChars, 'the models are "page" (the default) and "line"');
	return model ? { languageCodes, model } : { languageCodes };
}

function classificationConfig(value: unknown, path: string): ClassificationConfig {
	const example = 'e.g. { "model": "quality" } or { "model": "moderation" }';
	if (!isGiven(value)) throw invalidArgument(path, `is required for CLASSIFICATION: give the model, ${example}`);
	const fields = asObject(value, path, `an object with model, ${example}`);
	checkKnownFields(fields, path, ['model'], 'classificationConfig');
	return { model: requiredString(fields.model, `${path}.model`, LIMITS.classificationModelChars, 'e.g. "quality" or "moderation"') };
}

interface CheckedContent {
	source: ByteSource;
	/** The base64 text for the wire, made only once everything else has passed. */
	encode(): string;
}

function checkContent(value: unknown, path: string): CheckedContent {
	const limit = LIMITS.contentChars;
	if (typeof value === 'string') {
		if (value.length > limit) {
			const about = Math.floor(value.length * 3 / 4);
			throw invalidArgument(path, `is ${formatCount(value.length)} characters of base64, at most ${formatCount(limit)} allowed; that is a file of about ${megabytes(about)}, and the service accepts at most 1 MB (${formatCount(LIMITS.fileBytes)} bytes)`);
		}
		const problem = base64Problem(value);
		if (problem) throw invalidArgument(path, problem);
		checkFileSize(decodedLength(value), path);
		return { source: base64Source(value), encode: () => withPadding(value) };
	}
	if (value instanceof Uint8Array) {
		const chars = encodedLength(value.length);
		if (chars > limit) {
			throw invalidArgument(path, `the file is ${megabytes(value.length)}, which as base64 is ${formatCount(chars)} characters, more than the ${formatCount(limit)} allowed; the service accepts at most 1 MB (${formatCount(LIMITS.fileBytes)} bytes)`);
		}
		checkFileSize(value.length, path);
		// A view on the caller's memory, not a copy.
		return { source: bytesSource(value), encode: () => Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
	}
	throw invalidArgument(path, `must be the file's bytes (a Uint8Array or Buffer) or base64 text, got ${describe(value)}`);
}

function checkFileSize(bytes: number, path: string): void {
	if (bytes === 0) throw invalidArgument(path, 'the file is empty (0 bytes); give a JPEG, PNG or PDF file');
	if (bytes > LIMITS.fileBytes) {
		throw invalidArgument(path, `the file is ${megabytes(bytes)}, the service accepts at most 1 MB (${formatCount(LIMITS.fileBytes)} bytes); this one has ${formatCount(bytes)} bytes — compress it or scale it down`);
	}
}

/** The sniffed format of the content, or the reason it cannot be sent. */
function identify(source: ByteSource, path: string): ImageInfo {
	const image = sniffSource(source);
	if (image?.corrupt) {
		throw invalidArgument(path, `the file is a truncated or corrupt ${FORMAT_NAMES[image.format]}: ${image.corrupt}; open and save it again, or export it again`);
	}
	if (image) return image;
	const head = source.read(0, 1024);
	const accepted = 'the service accepts only JPEG, PNG and PDF';
	if (/^(iVBORw0KGgo|\/9j\/|JVBERi0)/.test(String.fromCharCode(...head.subarray(0, 12)))) {
		throw invalidArgument(path, 'the file is itself base64 text: the image was base64-encoded twice; encode the file\'s bytes only once');
	}
	const name = otherFormatName(head);
	if (name) throw invalidArgument(path, `the file is ${name}; ${accepted} — convert it first`);
	const start = Array.from(head.subarray(0, 8), b => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
	throw invalidArgument(path, `the file is not a JPEG, PNG or PDF (it starts with the bytes ${start}); ${accepted}`);
}

/** `Image/PNG; q=1` → `image/png`. */
function essence(mimeType: string): string {
	return mimeType.split(';')[0]!.trim().toLowerCase();
}

interface ArrayWords {
	/** `9 specs given`. */
	plural: string;
	/** `give 1 to 8 …`. */
	what: string;
	/** What to do when there are too many. */
	tooMany?: string;
}

function arrayOf(value: unknown, path: string, max: number, words: ArrayWords): unknown[] {
	if (!isGiven(value)) throw invalidArgument(path, `is required: give 1 to ${max} ${words.what}`);
	if (!Array.isArray(value)) throw invalidArgument(path, `must be an array of 1 to ${max} ${words.what}, got ${describe(value)}`);
	if (value.length === 0) throw invalidArgument(path, `0 ${words.plural} given, at least 1 required: give 1 to ${max} ${words.what}`);
	if (value.length > max) {
		throw invalidArgument(path, `${formatCount(value.length)} ${words.plural} given, at most ${max} allowed${words.tooMany ? `; ${words.tooMany}` : ''}`);
	}
	// A copy without holes: `map` would skip a hole and leave it in the wire body as null.
	return Array.from(value as unknown[]);
}

function optionalString(value: unknown, path: string, max: number, hint?: string): string | undefined {
	return isGiven(value) ? checkString(value, path, max, hint) : undefined;
}

function requiredString(value: unknown, path: string, max: number, hint?: string): string {
	if (!isGiven(value)) throw invalidArgument(path, `is required${hint ? `; ${hint}` : ''}`);
	const text = checkString(value, path, max, hint);
	if (text === '') throw invalidArgument(path, `is empty${hint ? `; ${hint}` : ''}`);
	return text;
}

/** Lengths count UTF-16 code units: never more lenient than the service, whichever way it counts. */
function checkString(value: unknown, path: string, max: number, hint?: string): string {
	if (typeof value !== 'string') throw invalidArgument(path, `must be a string, got ${describe(value)}`);
	if (value.length > max) {
		const shown = value.length <= 20 ? `${JSON.stringify(value)} is` : 'is';
		throw invalidArgument(path, `${shown} ${formatCount(value.length)} characters long, at most ${formatCount(max)} allowed${hint ? `; ${hint}` : ''}`);
	}
	return value;
}

/**
 * Unknown fields would be rejected by the service (or, dropped here, silently ignored); a field
 * set to `undefined` is not sent at all, so it is let through.
 */
function checkKnownFields(fields: Record<string, unknown>, path: string, known: readonly string[], what: string, unlisted: readonly string[] = []): void {
	for (const key of Object.keys(fields)) {
		if (fields[key] === undefined || known.includes(key) || unlisted.includes(key)) continue;
		const folded = key.replace(/[_\s-]/g, '').toLowerCase();
		const near = [...known, ...unlisted].find(name => name.toLowerCase() === folded);
		throw invalidArgument(fieldPath(path, key), `is not a field of ${what}, and the service would reject it; ${near ? `did you mean ${near}? ` : ''}the fields are ${known.join(', ')}`);
	}
}

function fieldPath(path: string, key: string): string {
	if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
	return path ? `${path}.${key}` : key;
}

function asObject(value: unknown, path: string, expected: string): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
		throw invalidArgument(path, `must be ${expected}, got ${describe(value)}`);
	}
	return value as Record<string, unknown>;
}

/** proto3 JSON reads `null` as "not set", so it counts as absent like `undefined`. */
function isGiven(value: unknown): boolean {
	return value !== undefined && value !== null;
}

function describe(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return `an array of ${value.length}`;
	switch (typeof value) {
		case 'string':
			return value.length <= 40 ? `the string ${JSON.stringify(value)}` : `a string of ${formatCount(value.length)} characters`;
		case 'number':
		case 'bigint':
		case 'boolean':
			return `the ${typeof value} ${String(value)}`;
		case 'object':
			if (value instanceof ArrayBuffer) return 'an ArrayBuffer (wrap it in a Uint8Array)';
			if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
			return 'an object';
		default:
			return `a ${typeof value}`;
	}
}

function megabytes(bytes: number): string {
	return `${decimal(bytes / LIMITS.fileBytes, 1)} MB`;
}

/**
 * One decimal, trimmed (`24`, `1.4`); more when one would hide that `value` exceeds `limit`
 * (1,048,577 bytes is `1.000001 MB`, not `1.0 MB`).
 */
function decimal(value: number, limit: number): string {
	let digits = 1;
	while (digits < 6 && value > limit && Number(value.toFixed(digits)) <= limit) digits++;
	return value.toFixed(digits).replace(/\.?0+$/, '');
}
