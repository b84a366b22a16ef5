/**
 * Reads batchAnalyze's proto3 JSON into the results model (../../results/types.ts):
 * int64 strings become numbers, omitted zero values are filled in, and anything that is not a
 * batchAnalyze response becomes a VisionError of kind `protocol` that names the offending path.
 *
 * The proto3 JSON reading rules (null, snake_case, int64 strings, doubles, unknown fields, error
 * details) are those of ../transport/proto3Json.ts. The walk follows the response's fixed depth and
 * never descends into unknown fields, so deeply nested input cannot exhaust the stack.
 */
import { RpcCode } from '../transport/errors';
import {
	arrayLength, asObject, boundingBox, double, failure, field, int64, list, message, ShapeError, shapeError, str, toVisionError, within, type JsonObject,
} from '../transport/proto3Json';
import type {
	AnalyzeResult,
	Block,
	ClassificationAnnotation,
	CopyMatch,
	DetectedLanguage,
	Entity,
	Face,
	FaceAnnotation,
	FeatureResult,
	FeatureType,
	ImageCopySearchAnnotation,
	Line,
	Page,
	Property,
	TextAnnotation,
	Word,
} from '../../results/types';
import type { BatchAnalyzeResponse } from './types';

export interface ExpectedShape {
	/** How many features each spec of the request had; its length is the number of specs sent. */
	featuresPerSpec: readonly number[];
	/**
	 * The requested feature types per spec, when known. With them a feature result that carries
	 * nothing at all becomes an empty annotation of the requested kind (proto3 may drop an empty
	 * message), and an annotation of another kind than requested is a protocol error.
	 */
	featureTypes?: readonly (readonly FeatureType[])[];
}

const EMPTY: JsonObject = Object.freeze({});

/** The four annotation fields of a feature result: proto3 calls them a oneof. */
const ANNOTATIONS = {
	textDetection: { protoName: 'text_detection', type: 'TEXT_DETECTION' },
	classification: { protoName: 'classification', type: 'CLASSIFICATION' },
	faceDetection: { protoName: 'face_detection', type: 'FACE_DETECTION' },
	imageCopySearch: { protoName: 'image_copy_search', type: 'IMAGE_COPY_SEARCH' },
} as const;
type AnnotationKey = keyof typeof ANNOTATIONS;
const ANNOTATION_KEYS = Object.keys(ANNOTATIONS) as AnnotationKey[];

export function normalizeResponse(body: unknown, expected: ExpectedShape): BatchAnalyzeResponse {
	try {
		const root = asObject(body);
		const { featuresPerSpec, featureTypes } = expected;
		const count = arrayLength(root, 'results');
		if (count !== featuresPerSpec.length) {
			throw shapeError(`expected ${plural(featuresPerSpec.length, 'image result')} (one per image sent), got ${count}`, 'results');
		}
		return { results: list(root, 'results', (spec, i) => analyzeResult(spec, featuresPerSpec[i], featureTypes?.[i])) };
	} catch (err) {
		throw toVisionError(err);
	}
}


function analyzeResult(o: JsonObject, featureCount: number, types: readonly FeatureType[] | undefined): AnalyzeResult {
	const error = message(o, 'error', failure);
	const count = arrayLength(o, 'results');
	// A failed image may come back without any feature results.
	if (count !== featureCount && !(error !== undefined && count === 0)) {
		const wanted = error === undefined ? plural(featureCount, 'feature result') : `0 or ${plural(featureCount, 'feature result')}`;
		throw shapeError(`expected ${wanted} (one per feature requested), got ${count}`, 'results');
	}
	const results = list(o, 'results', (feature, j) => featureResult(feature, types?.[j]));
	return error === undefined ? { results } : { results, error };
}

function featureResult(o: JsonObject, type: FeatureType | undefined): FeatureResult {
	const result: FeatureResult = {};
	// Kept in place: one failed feature must not hide the others' results.
	const error = message(o, 'error', failure);
	if (error !== undefined) result.error = error;
	let found: AnnotationKey | undefined;
	for (const key of ANNOTATION_KEYS) {
		const raw = field(o, key, ANNOTATIONS[key].protoName);
		if (raw === undefined) continue;
		if (found !== undefined) {
			throw new ShapeError(`holds both ${found} and ${key}; a feature result holds one annotation`);
		}
		found = key;
		within(key, () => setAnnotation(result, key, asObject(raw)));
	}
	if (found !== undefined && type !== undefined && ANNOTATIONS[found].type !== type) {
		throw new ShapeError(`expected ${annotationKeyOf(type)} for a ${type} feature, got ${found}`);
	}
	if (found === undefined && error === undefined) {
		if (type !== undefined) {
			// proto3 may drop a message that holds only zero values: nothing found is an empty result.
			setAnnotation(result, annotationKeyOf(type), EMPTY);
		} else {
			result.error = {
				code: RpcCode.UNKNOWN,
				message: 'The service returned neither a result nor an error for this feature.',
				details: [],
			};
		}
	}
	return result;
}

function annotationKeyOf(type: FeatureType): AnnotationKey {
	switch (type) {
		case 'TEXT_DETECTION': return 'textDetection';
		case 'CLASSIFICATION': return 'classification';
		case 'FACE_DETECTION': return 'faceDetection';
		case 'IMAGE_COPY_SEARCH': return 'imageCopySearch';
	}
}

function setAnnotation(result: FeatureResult, key: AnnotationKey, o: JsonObject): void {
	switch (key) {
		case 'textDetection':
			result.textDetection = textAnnotation(o);
			return;
		case 'classification':
			result.classification = classification(o);
			return;
		case 'faceDetection':
			result.faceDetection = faceAnnotation(o);
			return;
		case 'imageCopySearch':
			result.imageCopySearch = imageCopySearch(o);
			return;
	}
}


function textAnnotation(o: JsonObject): TextAnnotation {
	return { pages: list(o, 'pages', page) };
}

function page(o: JsonObject): Page {
	return {
		width: int64(o, 'width'),
		height: int64(o, 'height'),
		blocks: list(o, 'blocks', block),
		entities: list(o, 'entities', entity),
	};
}

function block(o: JsonObject): Block {
	return {
		boundingBox: boundingBox(o),
		lines: list(o, 'lines', line),
	};
}

function line(o: JsonObject): Line {
	return {
		boundingBox: boundingBox(o),
		words: list(o, 'words', word),
		confidence: double(o, 'confidence'),
	};
}

function word(o: JsonObject): Word {
	return {
		boundingBox: boundingBox(o),
		text: str(o, 'text'),
		confidence: double(o, 'confidence'),
		languages: list(o, 'languages', language),
		entityIndex: int64(o, 'entityIndex', 'entity_index'),
	};
}

function language(o: JsonObject): DetectedLanguage {
	return {
		languageCode: str(o, 'languageCode', 'language_code'),
		confidence: double(o, 'confidence'),
	};
}

function entity(o: JsonObject): Entity {
	return { name: str(o, 'name'), text: str(o, 'text') };
}

function classification(o: JsonObject): ClassificationAnnotation {
	return { properties: list(o, 'properties', property) };
}

function property(o: JsonObject): Property {
	return { name: str(o, 'name'), probability: double(o, 'probability') };
}

function faceAnnotation(o: JsonObject): FaceAnnotation {
	return { faces: list(o, 'faces', face) };
}

function face(o: JsonObject): Face {
	return { boundingBox: boundingBox(o) };
}

function imageCopySearch(o: JsonObject): ImageCopySearchAnnotation {
	return {
		copyCount: int64(o, 'copyCount', 'copy_count'),
		topResults: list(o, 'topResults', copyMatch, 'top_results'),
	};
}

function copyMatch(o: JsonObject): CopyMatch {
	return {
		imageUrl: str(o, 'imageUrl', 'image_url'),
		pageUrl: str(o, 'pageUrl', 'page_url'),
		title: str(o, 'title'),
		description: str(o, 'description'),
	};
}


function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
