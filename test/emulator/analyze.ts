/**
 * Step 7: each image, then each of its features, answered from the recordings. A failing
 * image or feature gets its own error in place; the others keep their results.
 * Nothing is invented: an image or feature without a recording is a per-feature error.
 * A fitted version of a recorded image gets the recording moved onto the pixels it sent.
 */

import { readImageHeader } from './imageHeader';
import { describeMatch, matchImage } from './match';
import { FEATURE_TYPE, ParsedFeature, ParsedSpec } from './parseRequest';
import {
	JsonObject, classificationJson, faceDetectionJson, imageCopySearchJson, message, nestedStatusJson, repeated, textDetectionJson,
} from './proto3';
import { RecordedPage } from './recording';
import { LoadedRecording, RecordingIndex, sha256Hex } from './recordings';
import { Code } from './status';
import { Placement, placeFaces, placePages } from './transform';

export const MAX_FILE_BYTES = 1_048_576;
export const MAX_PIXELS = 20_000_000;

/** Languages of the service's OCR models, plus `*` (let the service pick the model). */
export const LANGUAGE_CODES: ReadonlySet<string> = new Set([
	'*',
	'az', 'ba', 'be', 'bg', 'bs', 'cs', 'da', 'de', 'en', 'es', 'et', 'fi', 'fr', 'hu', 'id', 'it', 'kk', 'ky', 'lt', 'lv',
	'mt', 'nl', 'no', 'pl', 'pt', 'ro', 'ru', 'sk', 'sl', 'sv', 'tg', 'tr', 'tt', 'uz', 'vi',
	'ar', 'el', 'he', 'hy', 'ja', 'ka', 'ko', 'th', 'zh',
]);

const CLASSIFICATION_MODELS = new Set(['quality', 'moderation']);

export interface BatchAnswer {
	answer: JsonObject;
	/** For each spec, how its image matched a recording (see describeMatch), for the request log. */
	matches: string[];
}

export async function analyzeBatch(specs: readonly ParsedSpec[], recordings: RecordingIndex): Promise<BatchAnswer> {
	const results: JsonObject[] = [];
	const matches: string[] = [];
	for (const spec of specs) {
		const { result, match } = await analyzeSpec(spec, recordings);
		results.push(result);
		matches.push(match);
	}
	return { answer: message({ results: repeated(results) }), matches };
}

async function analyzeSpec(spec: ParsedSpec, recordings: RecordingIndex): Promise<{ result: JsonObject; match: string }> {
	const failed = (text: string): { result: JsonObject; match: string } => ({ result: fileError(text), match: `none: ${text}` });
	if (spec.content === undefined) {
		return failed('Signatures are not supported by the emulator: send the image bytes in content');
	}
	const bytes = Buffer.from(spec.content, 'base64');
	if (bytes.length > MAX_FILE_BYTES) return failed('Image too big');
	const header = readImageHeader(bytes);
	if (!header) return failed("Can't decode Image");
	if (header.width !== undefined && header.height !== undefined && header.width * header.height > MAX_PIXELS) {
		return failed('Image resolution too high');
	}
	const sha256 = sha256Hex(bytes);
	const match = await matchImage(bytes, sha256, header.format, recordings);
	const image: Image = {
		sha256,
		recording: match.kind === 'none' ? undefined : match.loaded,
		placement: match.kind === 'fingerprint' ? match.placement : undefined,
	};
	const result = message({ results: repeated(spec.features.map(feature => analyzeFeature(feature, image))) });
	return { result, match: describeMatch(match) };
}

interface Image {
	sha256: string;
	recording: LoadedRecording | undefined;
	/** Set when the image is a fitted version of the recording's: where the recording lands on it. */
	placement: Placement | undefined;
}

function analyzeFeature(feature: ParsedFeature, image: Image): JsonObject {
	const recording = image.recording?.recording;
	const placement = image.placement;
	switch (feature.type) {
		case FEATURE_TYPE.TEXT_DETECTION: {
			const config = feature.textDetectionConfig;
			if (!config) return featureError(Code.INVALID_ARGUMENT, 'text_detection_config is required for TEXT_DETECTION');
			const unknown = config.languageCodes.find(code => !LANGUAGE_CODES.has(code));
			if (unknown !== undefined) return featureError(Code.INVALID_ARGUMENT, `Unsupported language code: ${unknown}`);
			if (!['', 'page', 'line'].includes(config.model)) {
				return featureError(Code.INVALID_ARGUMENT, `Unsupported text detection model: ${config.model} (use page or line)`);
			}
			if (!recording?.textDetection) return noRecording(image, 'TEXT_DETECTION');
			const pages = placement ? placePages(recording.textDetection.pages, placement) : recording.textDetection.pages;
			return { textDetection: textDetectionJson(config.model === 'line' ? firstLineOnly(pages) : pages) };
		}
		case FEATURE_TYPE.CLASSIFICATION: {
			const config = feature.classificationConfig;
			if (!config) return featureError(Code.INVALID_ARGUMENT, 'classification_config is required for CLASSIFICATION');
			if (!CLASSIFICATION_MODELS.has(config.model)) {
				return featureError(Code.INVALID_ARGUMENT, `Unsupported classification model: ${config.model} (use quality or moderation)`);
			}
			const properties = recording?.classification?.[config.model];
			if (!properties) return noRecording(image, `CLASSIFICATION with model ${config.model}`);
			return { classification: classificationJson(properties) };
		}
		case FEATURE_TYPE.FACE_DETECTION:
			if (!recording?.faceDetection) return noRecording(image, 'FACE_DETECTION');
			return {
				faceDetection: faceDetectionJson(placement ? { faces: placeFaces(recording.faceDetection.faces, recording, placement) } : recording.faceDetection),
			};
		case FEATURE_TYPE.IMAGE_COPY_SEARCH:
			if (!recording?.imageCopySearch) return noRecording(image, 'IMAGE_COPY_SEARCH');
			return { imageCopySearch: imageCopySearchJson(recording.imageCopySearch) };
		default:
			// Validation lets only the four known types through.
			throw new Error(`feature type ${feature.type} passed validation`);
	}
}

/** The `line` model reads a single line: the recording's first one, alone in its own block. */
function firstLineOnly(pages: readonly RecordedPage[]): RecordedPage[] {
	const [page] = pages;
	if (!page) return [];
	const line = page.blocks.flatMap(block => block.lines)[0];
	return [{ ...page, blocks: line ? [{ boundingBox: line.boundingBox, lines: [line] }] : [] }];
}

function noRecording(image: Image, what: string): JsonObject {
	const message = image.recording
		? `No recording of ${what} for the image with sha256 ${image.sha256} (${image.recording.file}); the emulator never invents answers`
		: `No recording for the image with sha256 ${image.sha256}: the emulator answers only images that have a *.recording.json in its fixtures folder`;
	return featureError(Code.NOT_FOUND, message);
}

function fileError(text: string): JsonObject {
	return { error: nestedStatusJson(Code.INVALID_ARGUMENT, text) };
}

function featureError(code: number, text: string): JsonObject {
	return { error: nestedStatusJson(code, text) };
}
