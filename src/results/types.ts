/**
 * The results model both services' answers are read into: batchAnalyze (Vision API v1) and the
 * OCR API fill the same pages → blocks → lines → words, in the analyzed original's pixels once
 * the image pipeline has mapped them back. Numbers instead of int64 strings, proto3 zero values
 * filled in. What only one service gives is optional here and says so: the OCR API has no word
 * confidence and no per-word language, batchAnalyze has no tables, layout, full text or Markdown.
 */

export const FEATURE_TYPES = ['TEXT_DETECTION', 'CLASSIFICATION', 'FACE_DETECTION', 'IMAGE_COPY_SEARCH'] as const;
export type FeatureType = typeof FEATURE_TYPES[number];

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
	/** batchAnalyze only; the OCR API names a block's languages without a confidence. */
	confidence?: number;
}

/** The engine that read a text: batchAnalyze's TEXT_DETECTION or the OCR API. */
export type TextEngine = 'batchAnalyze' | 'ocr-api';

/** How the service turned a page or a line before reading it, clockwise, in degrees. */
export type RightAngle = 0 | 90 | 180 | 270;

/** What a block is on the page (OCR API). */
export const LAYOUT_TYPES = ['text', 'header', 'sectionHeader', 'footer', 'footnote', 'picture', 'caption', 'title', 'list', 'unknown'] as const;
export type LayoutType = typeof LAYOUT_TYPES[number];

export interface Word {
	boundingBox: Polygon;
	text: string;
	/**
	 * batchAnalyze only, where it is really the line's confidence. The OCR API gives none, and
	 * none is made up: absent means "not given", never 0.
	 */
	confidence?: number;
	/** batchAnalyze only (one tag for every word of a line); the OCR API names languages per block. */
	languages?: DetectedLanguage[];
	/** Index into the page's entities; -1 (or, from batchAnalyze's omitted zero, 0 with no entities) for none. */
	entityIndex: number;
}

export interface Line {
	boundingBox: Polygon;
	words: Word[];
	/** batchAnalyze only. */
	confidence?: number;
	/** OCR API: how the line runs on the page when it is not upright. */
	orientation?: RightAngle;
}

export interface Block {
	boundingBox: Polygon;
	lines: Line[];
	/** OCR API: the languages detected in the block. */
	languages?: DetectedLanguage[];
	/** OCR API: title, header, list, caption… */
	layoutType?: LayoutType;
}

export interface Entity {
	name: string;
	text: string;
}

/** A recognized table (OCR API `table` model). Cells are listed once, at their top-left grid position. */
export interface Table {
	boundingBox: Polygon;
	rowCount: number;
	columnCount: number;
	cells: TableCell[];
}

export interface TableCell {
	boundingBox: Polygon;
	rowIndex: number;
	columnIndex: number;
	/** At least 1. */
	rowSpan: number;
	/** At least 1. */
	columnSpan: number;
	text: string;
}

/** A picture found on the page (OCR API layout models), with how sure the service is. */
export interface Picture {
	boundingBox: Polygon;
	score: number;
}

export interface Page {
	width: number;
	height: number;
	blocks: Block[];
	entities: Entity[];
	/** OCR API `table` model. */
	tables?: Table[];
	/** OCR API. */
	pictures?: Picture[];
	/** OCR API: the page's text as the service wrote it, in its reading order. */
	fullText?: string;
	/** OCR API `markdown` and `math-markdown` models: the page as Markdown (formulas in LaTeX). */
	markdown?: string;
	/** OCR API: how the service turned the image to read it; the boxes are already mapped back onto the image as sent. */
	rotate?: RightAngle;
}

export interface TextAnnotation {
	pages: Page[];
	/** Which engine read it; absent in results kept from before there were two (batchAnalyze). */
	engine?: TextEngine;
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
