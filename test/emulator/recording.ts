/**
 * The sidecar recorded for each sample image: what the service answers for it.
 * Numbers are plain numbers here; the emulator turns them into proto3 JSON on the way out.
 * Coordinates are pixels of the upright image, vertices from the top-left corner, counter-clockwise.
 *
 * Kept apart from the client's types on purpose: the emulator is a second, independent
 * reading of the contract.
 */

export interface RecordedVertex { x: number; y: number }
export interface RecordedPolygon { vertices: RecordedVertex[] }

export interface RecordedWord {
	boundingBox: RecordedPolygon;
	text: string;
	confidence: number;
	languages: { languageCode: string; confidence: number }[];
	entityIndex: number;
}

export interface RecordedLine {
	boundingBox: RecordedPolygon;
	words: RecordedWord[];
	confidence: number;
}

export interface RecordedBlock {
	boundingBox: RecordedPolygon;
	lines: RecordedLine[];
}

export interface RecordedPage {
	width: number;
	height: number;
	blocks: RecordedBlock[];
	entities: { name: string; text: string }[];
}

export interface Recording {
	/** Image file name, in the same folder as the recording. */
	image: string;
	/** SHA-256 (hex) of the image file's bytes. */
	sha256: string;
	mimeType: 'image/png' | 'image/jpeg' | 'application/pdf';
	/** Upright pixel size. */
	width: number;
	height: number;
	/** A person's description of what the image shows. */
	description: string;
	/** TEXT_DETECTION answer, blocks → lines → words in reading order. */
	textDetection?: { pages: RecordedPage[] };
	/** CLASSIFICATION answers by model name (`quality`, `moderation`). */
	classification?: Record<string, { name: string; probability: number }[]>;
	/** FACE_DETECTION answer. */
	faceDetection?: { faces: { boundingBox: RecordedPolygon }[] };
	/** IMAGE_COPY_SEARCH answer. */
	imageCopySearch?: {
		copyCount: number;
		topResults: { imageUrl: string; pageUrl: string; title: string; description: string }[];
	};
	/**
	 * OCR API (`ocr/v1/recognizeText`) answers by model name (`page`, `page-column-sort`,
	 * `handwritten`, `table`, `markdown`, `math-markdown`, `passport`, `license-plates`, …):
	 * one text annotation per page (a sync image answer has one).
	 */
	ocr?: Record<string, RecordedOcrAnnotation[]>;
}

// --- OCR API (ai/ocr/v1/ocr.proto), plain numbers as above -----------------------------------

/** Positions in the annotation's fullText. */
export interface RecordedTextSegment { startIndex: number; length: number }

export type RecordedAngle = 'ANGLE_0' | 'ANGLE_90' | 'ANGLE_180' | 'ANGLE_270';

export type RecordedLayoutType =
	| 'LAYOUT_TYPE_UNSPECIFIED' | 'LAYOUT_TYPE_UNKNOWN' | 'LAYOUT_TYPE_TEXT' | 'LAYOUT_TYPE_HEADER'
	| 'LAYOUT_TYPE_SECTION_HEADER' | 'LAYOUT_TYPE_FOOTER' | 'LAYOUT_TYPE_FOOTNOTE' | 'LAYOUT_TYPE_PICTURE'
	| 'LAYOUT_TYPE_CAPTION' | 'LAYOUT_TYPE_TITLE' | 'LAYOUT_TYPE_LIST';

export interface RecordedOcrWord {
	boundingBox: RecordedPolygon;
	text: string;
	/** -1: the word belongs to no entity. */
	entityIndex: number;
	textSegments: RecordedTextSegment[];
}

export interface RecordedOcrLine {
	boundingBox: RecordedPolygon;
	text: string;
	words: RecordedOcrWord[];
	textSegments: RecordedTextSegment[];
	orientation?: RecordedAngle;
}

export interface RecordedOcrBlock {
	boundingBox: RecordedPolygon;
	lines: RecordedOcrLine[];
	languages: { languageCode: string }[];
	textSegments: RecordedTextSegment[];
	layoutType?: RecordedLayoutType;
}

export interface RecordedTableCell {
	boundingBox: RecordedPolygon;
	rowIndex: number;
	columnIndex: number;
	columnSpan: number;
	rowSpan: number;
	text: string;
	textSegments: RecordedTextSegment[];
}

export interface RecordedTable {
	boundingBox: RecordedPolygon;
	rowCount: number;
	columnCount: number;
	cells: RecordedTableCell[];
}

/** One page of an OCR API answer (`RecognizeTextResponse.textAnnotation`); pixels of the upright image. */
export interface RecordedOcrAnnotation {
	width: number;
	height: number;
	blocks: RecordedOcrBlock[];
	entities: { name: string; text: string }[];
	tables: RecordedTable[];
	fullText: string;
	/** How the service turned the image before reading it. */
	rotate?: RecordedAngle;
	/** `markdown` and `math-markdown` models only. */
	markdown?: string;
	pictures?: { boundingBox: RecordedPolygon; score: number }[];
}
