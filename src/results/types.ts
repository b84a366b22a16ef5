/**
 * The batchAnalyze contract: the request exactly as the service takes it, and the
 * response after normalization (numbers instead of int64 strings, proto3 zero values filled in).
 */

export const FEATURE_TYPES = ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH'] as const;
export type FeatureType = typeof FEATURE_TYPES[number];

export interface ClassificationConfig {
	model: string;
}

export interface TextDetectionConfig {
	languageCodes: string[];
	/** `page` (default) or `line`. */
	model?: string;
}

export interface Feature {
	type: FeatureType;
	classificationConfig?: ClassificationConfig;
	textDetectionConfig?: TextDetectionConfig;
}

export interface AnalyzeSpec {
	features: Feature[];
	mimeType?: string;
	/** Base64 text as on the wire, or raw bytes that the client encodes. */
	content?: string | Uint8Array;
	signature?: string;
}

export interface BatchAnalyzeRequest {
	analyzeSpecs: AnalyzeSpec[];
	folderId?: string;
}

/** google.rpc.Status */
export interface Status {
	code: number;
	message: string;
	details: unknown[];
}

export interface Vertex {
	x: number;
	y: number;
}

export interface Polygon {
	vertices: Vertex[];
}

export interface DetectedLanguage {
	languageCode: string;
	confidence: number;
}

export interface Word {
	boundingBox: Polygon;
	text: string;
	confidence: number;
	languages: DetectedLanguage[];
	entityIndex: number;
}

export interface Line {
	boundingBox: Polygon;
	words: Word[];
	confidence: number;
}

export interface Block {
	boundingBox: Polygon;
	lines: Line[];
}

export interface Entity {
	name: string;
	text: string;
}

export interface Page {
	width: number;
	height: number;
	blocks: Block[];
	entities: Entity[];
}

export interface TextAnnotation {
	pages: Page[];
}

export interface Property {
	name: string;
	probability: number;
}

export interface ClassificationAnnotation {
	properties: Property[];
}

export interface Face {
	boundingBox: Polygon;
}

export interface FaceAnnotation {
	faces: Face[];
}

export interface CopyMatch {
	imageUrl: string;
	pageUrl: string;
	title: string;
	description: string;
}

export interface ImageCopySearchAnnotation {
	copyCount: number;
	topResults: CopyMatch[];
}

/** One feature's outcome: exactly one of the annotations, or an error. */
export interface FeatureResult {
	error?: Status;
	textDetection?: TextAnnotation;
	classification?: ClassificationAnnotation;
	faceDetection?: FaceAnnotation;
	imageCopySearch?: ImageCopySearchAnnotation;
}

/** One image's outcome: its features' results in request order, or a per-file error. */
export interface AnalyzeResult {
	results: FeatureResult[];
	error?: Status;
}

export interface BatchAnalyzeResponse {
	results: AnalyzeResult[];
}
