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
}
