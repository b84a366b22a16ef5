/**
 * Reads a BatchAnalyzeRequest the way a proto3 JSON parser does: both the lowerCamelCase
 * JSON name and the proto field name are accepted, `null` means "not set", unknown fields
 * and wrong JSON types are rejected, bytes are base64 (standard or URL-safe).
 * Limits are checked afterwards by `validate.ts`.
 */

import { Rejection, invalidArgument } from './status';

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
	let json: unknown;
	try {
		json = JSON.parse(body.toString('utf8'));
	} catch (err) {
		throw invalidArgument(`Invalid JSON payload: ${err instanceof Error ? err.message : String(err)}`);
	}
	if (!isObject(json)) throw invalidArgument('Invalid JSON payload: the request body must be a JSON object');
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

/** Maps each present field to its proto name; `null` values are dropped as proto3 JSON says. */
function readFields(object: Record<string, unknown>, path: string, messageName: string, protoNames: readonly string[]): Map<string, unknown> {
	const fields = new Map<string, unknown>();
	for (const [key, value] of Object.entries(object)) {
		const protoName = protoNames.find(name => name === key || lowerCamel(name) === key);
		if (protoName === undefined) {
			throw invalidArgument(`Invalid JSON payload: unknown field "${key}" in ${messageName}${path ? ` at ${path}` : ''}`);
		}
		if (fields.has(protoName)) {
			throw invalidArgument(`Invalid JSON payload: field ${join(path, protoName)} is given twice (as "${protoName}" and "${lowerCamel(protoName)}")`);
		}
		fields.set(protoName, value);
	}
	for (const [name, value] of fields) if (value === null) fields.delete(name);
	return fields;
}

function readRepeated<T>(value: unknown, path: string, readElement: (element: unknown, path: string) => T): T[] {
	if (value === undefined) return [];
	if (!Array.isArray(value)) throw wrongType(path, 'an array');
	return value.map((element, i) => {
		if (element === null) throw wrongType(`${path}[${i}]`, 'a value (null is not allowed in a repeated field)');
		return readElement(element, `${path}[${i}]`);
	});
}

function readString(value: unknown, path: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw wrongType(path, 'a string');
	return value;
}

function readRequiredString(value: unknown, path: string): string {
	return readString(value, path) ?? '';
}

const STANDARD_BASE64 = /^[A-Za-z0-9+/]*$/;
const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]*$/;

function readBytes(value: unknown, path: string): string | undefined {
	const text = readString(value, path);
	if (text === undefined) return undefined;
	const unpadded = text.replace(/={1,2}$/, '');
	const alphabetOk = STANDARD_BASE64.test(unpadded) || URL_SAFE_BASE64.test(unpadded);
	const lengthOk = unpadded.length === text.length ? text.length % 4 !== 1 : text.length % 4 === 0;
	if (!alphabetOk || !lengthOk) throw invalidArgument(`Invalid JSON payload: ${path}: invalid base64 data`);
	return text;
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

function asObject(value: unknown, path: string): Record<string, unknown> {
	if (!isObject(value)) throw wrongType(path, 'an object');
	return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wrongType(path: string, expected: string): Rejection {
	return invalidArgument(`Invalid JSON payload: ${path}: expected ${expected}`);
}

function lowerCamel(protoName: string): string {
	return protoName.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function join(path: string, name: string): string {
	return path ? `${path}.${name}` : name;
}
