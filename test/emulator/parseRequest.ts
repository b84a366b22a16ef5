/**
 * Reads a BatchAnalyzeRequest the way a proto3 JSON parser does (see jsonFields.ts).
 * Limits are checked afterwards by `validate.ts`.
 */

import { asObject, parseJsonObject, readBytes, readFields, readRepeated, readRequiredString, readString, wrongType } from './jsonFields';
import { invalidArgument } from './status';

/** Feature.Type, as numbered in vision_service.proto. */
export const FEATURE_TYPE = {
	TYPE_UNSPECIFIED: 0,
	TEXT_DETECTION: 1,
	CLASSIFICATION: 2,
	FACE_DETECTION: 3,
	IMAGE_COPY_SEARCH: 4,
} as const;

export interface ParsedFeature {
	/** The enum number; unknown numbers pass parsing (proto3 enums are open) and fail validation. */
	type: number;
	classificationConfig?: { model: string };
	textDetectionConfig?: { languageCodes: string[]; model: string };
}

export interface ParsedSpec {
	/** Base64 text as sent; set even when empty, since oneof members have presence. */
	content?: string;
	signature?: string;
	features: ParsedFeature[];
	mimeType: string;
}

export interface ParsedRequest {
	analyzeSpecs: ParsedSpec[];
	folderId: string;
}

export function parseRequest(body: Buffer): ParsedRequest {
	const json = parseJsonObject(body);
	const fields = readFields(json, '', 'yandex.cloud.ai.vision.v1.BatchAnalyzeRequest', ['analyze_specs', 'folder_id']);
	return {
		analyzeSpecs: readRepeated(fields.get('analyze_specs'), 'analyze_specs', readSpec),
		folderId: readString(fields.get('folder_id'), 'folder_id') ?? '',
	};
}

function readSpec(value: unknown, path: string): ParsedSpec {
	const fields = readFields(asObject(value, path), path, 'yandex.cloud.ai.vision.v1.AnalyzeSpec', ['content', 'signature', 'features', 'mime_type']);
	const spec: ParsedSpec = {
		features: readRepeated(fields.get('features'), `${path}.features`, readFeature),
		mimeType: readString(fields.get('mime_type'), `${path}.mime_type`) ?? '',
	};
	const content = readBytes(fields.get('content'), `${path}.content`);
	if (content !== undefined) spec.content = content;
	const signature = readString(fields.get('signature'), `${path}.signature`);
	if (signature !== undefined) spec.signature = signature;
	return spec;
}

function readFeature(value: unknown, path: string): ParsedFeature {
	const fields = readFields(asObject(value, path), path, 'yandex.cloud.ai.vision.v1.Feature', ['type', 'classification_config', 'text_detection_config']);
	const feature: ParsedFeature = { type: readEnum(fields.get('type'), `${path}.type`) };
	const classification = fields.get('classification_config');
	if (classification !== undefined) {
		const configPath = `${path}.classification_config`;
		const config = readFields(asObject(classification, configPath), configPath, 'yandex.cloud.ai.vision.v1.FeatureClassificationConfig', ['model']);
		feature.classificationConfig = { model: readString(config.get('model'), `${configPath}.model`) ?? '' };
	}
	const text = fields.get('text_detection_config');
	if (text !== undefined) {
		const configPath = `${path}.text_detection_config`;
		const config = readFields(asObject(text, configPath), configPath, 'yandex.cloud.ai.vision.v1.FeatureTextDetectionConfig', ['language_codes', 'model']);
		feature.textDetectionConfig = {
			languageCodes: readRepeated(config.get('language_codes'), `${configPath}.language_codes`, readRequiredString),
			model: readString(config.get('model'), `${configPath}.model`) ?? '',
		};
	}
	return feature;
}

function readEnum(value: unknown, path: string): number {
	if (value === undefined) return 0;
	if (typeof value === 'string') {
		if (!isFeatureTypeName(value)) {
			throw invalidArgument(`Invalid JSON payload: ${path}: invalid value "${value}" for enum yandex.cloud.ai.vision.v1.Feature.Type`);
		}
		return FEATURE_TYPE[value];
	}
	if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return value;
	throw wrongType(path, 'an enum name or an int32 number');
}

function isFeatureTypeName(name: string): name is keyof typeof FEATURE_TYPE {
	return Object.hasOwn(FEATURE_TYPE, name);
}
