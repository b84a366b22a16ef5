/**
 * The batchAnalyze request exactly as the service takes it; its answer is read into the results
 * model (../../results/types.ts).
 */
import type { AnalyzeResult, FeatureType } from '../../results/types';

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

export interface BatchAnalyzeResponse {
	results: AnalyzeResult[];
}
