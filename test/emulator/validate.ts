/**
 * The proto's validation annotations (size, length, oneof), checked in field order;
 * the first violation is reported with its snake_case path, as the service does.
 */

import { FEATURE_TYPE, ParsedFeature, ParsedRequest, ParsedSpec } from './parseRequest';
import { validationError } from './status';

export const LIMITS = {
	specs: 8,
	features: 8,
	languageCodes: 8,
	languageCodeLength: 3,
	textModelLength: 50,
	classificationModelLength: 256,
	mimeTypeLength: 255,
	contentLength: 10_485_760,
	signatureLength: 16_384,
	folderIdLength: 50,
} as const;

/** Every Feature.Type but TYPE_UNSPECIFIED. */
const KNOWN_FEATURE_TYPES = new Set<number>([
	FEATURE_TYPE.TEXT_DETECTION, FEATURE_TYPE.CLASSIFICATION, FEATURE_TYPE.FACE_DETECTION, FEATURE_TYPE.IMAGE_COPY_SEARCH,
]);

export function validateRequest(request: ParsedRequest): void {
	checkCount(request.analyzeSpecs.length, LIMITS.specs, 'analyze_specs');
	request.analyzeSpecs.forEach((spec, i) => validateSpec(spec, `analyze_specs[${i}]`));
	checkLength(request.folderId, LIMITS.folderIdLength, 'folder_id');
}

function validateSpec(spec: ParsedSpec, path: string): void {
	const sources = (spec.content !== undefined ? 1 : 0) + (spec.signature !== undefined ? 1 : 0);
	if (sources !== 1) throw validationError(path, 'exactly one of content, signature must be set');
	if (spec.content !== undefined) checkLength(spec.content, LIMITS.contentLength, `${path}.content`);
	if (spec.signature !== undefined) checkLength(spec.signature, LIMITS.signatureLength, `${path}.signature`);
	checkCount(spec.features.length, LIMITS.features, `${path}.features`);
	spec.features.forEach((feature, i) => validateFeature(feature, `${path}.features[${i}]`));
	checkLength(spec.mimeType, LIMITS.mimeTypeLength, `${path}.mime_type`);
}

function validateFeature(feature: ParsedFeature, path: string): void {
	if (!KNOWN_FEATURE_TYPES.has(feature.type)) {
		throw validationError(`${path}.type`, 'must be one of TEXT_DETECTION, CLASSIFICATION, FACE_DETECTION, IMAGE_COPY_SEARCH');
	}
	if (feature.classificationConfig && feature.textDetectionConfig) {
		throw validationError(path, 'at most one of classification_config, text_detection_config may be set');
	}
	if (feature.classificationConfig) {
		checkLength(feature.classificationConfig.model, LIMITS.classificationModelLength, `${path}.classification_config.model`);
	}
	if (feature.textDetectionConfig) {
		const configPath = `${path}.text_detection_config`;
		const { languageCodes, model } = feature.textDetectionConfig;
		checkCount(languageCodes.length, LIMITS.languageCodes, `${configPath}.language_codes`);
		languageCodes.forEach((code, i) => checkLength(code, LIMITS.languageCodeLength, `${configPath}.language_codes[${i}]`));
		checkLength(model, LIMITS.textModelLength, `${configPath}.model`);
	}
}

function checkCount(count: number, max: number, path: string): void {
	if (count < 1 || count > max) throw validationError(path, `number of elements must be in the range 1 to ${max}`);
}

export function checkLength(value: string, max: number, path: string): void {
	if (value.length > max && codePointCount(value) > max) throw validationError(path, `length must be at most ${max} characters`);
}

/** The proto's length rule counts characters, so a surrogate pair is one. */
function codePointCount(value: string): number {
	let count = value.length;
	for (let i = 0; i < value.length; i++) {
		const unit = value.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff) {
			const next = value.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				count--;
				i++;
			}
		}
	}
	return count;
}
