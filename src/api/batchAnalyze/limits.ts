/**
 * Checks a batchAnalyze request against the service's limits before anything is sent, and builds
 * the body that goes on the wire. Input may come from untyped JSON, so every value is narrowed
 * from `unknown`. Each violation is a VisionError (code 3, kind 'validation') whose message names
 * the field by its JSON path and says what to change.
 */

import { formatCount } from '../content/base64';
import { arrayOf, asObject, checkContent, checkKnownFields, decimal, describe, essence, identify, isGiven, optionalString, requiredString } from '../content/limitChecks';
import { FORMAT_NAMES, type ImageInfo } from '../content/imageInfo';
import { invalidArgument } from '../transport/errors';
import { FEATURE_TYPES, type FeatureType } from '../../results/types';
import { type AnalyzeSpec, type BatchAnalyzeRequest, type ClassificationConfig, type Feature, type TextDetectionConfig } from './types';

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
	const content = checkContent(fields.content, contentPath, LIMITS);
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
