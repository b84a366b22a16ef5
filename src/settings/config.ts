import * as vscode from 'vscode';
import { IMAGE_EXTENSIONS } from '../commands/commandIds';
import { DEFAULT_ENDPOINT } from '../api/batchAnalyze/client';
import type { Feature } from '../api/batchAnalyze/types';
import { DEFAULT_OCR_ENDPOINT, DEFAULT_OCR_REQUESTS_PER_SECOND, DEFAULT_OPERATION_ENDPOINT } from '../api/ocr/client';
import { DEFAULT_OCR_MODEL } from '../api/ocr/types';
import type { TextEngine } from '../results/types';

export interface Settings {
	endpoint: string;
	folderId: string | undefined;
	/** What reads text when text is all that is asked for. */
	textEngine: TextEngine;
	/** batchAnalyze's languages and model. */
	languageCodes: string[];
	ocrModel: string;
	ocrApi: OcrApiSettings;
	classificationModel: string;
	requestsPerSecond: number;
	timeoutMs: number;
	dataLogging: boolean;
}

export interface OcrApiSettings {
	/** The recognizeText URL; user settings only, like `endpoint`. */
	endpoint: string;
	/** The operation service's base URL, user settings only. */
	operationEndpoint: string;
	model: string;
	/** As set: codes, or `["*"]` to detect them where the model can. */
	languageCodes: string[];
	requestsPerSecond: number;
}

/**
 * Reads the settings. `endpoint`, `folderId`, `dataLogging` and the rate are application-scoped in
 * package.json, so VS Code itself ignores workspace values for them; reading them through
 * `inspect` as well makes sure a workspace can never choose where the token goes.
 */
export function readSettings(scope?: vscode.Uri): Settings {
	const config = vscode.workspace.getConfiguration('yandexVision', scope);
	const userOnly = <T>(key: string, fallback: T): T => {
		const inspected = config.inspect<T>(key);
		return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
	};
	const folderId = userOnly('folderId', '').trim();
	return {
		endpoint: userOnly('endpoint', DEFAULT_ENDPOINT).trim() || DEFAULT_ENDPOINT,
		folderId: folderId || undefined,
		textEngine: config.get<string>('ocr.engine', 'ocr-api') === 'batchAnalyze' ? 'batchAnalyze' : 'ocr-api',
		languageCodes: config.get<string[]>('ocr.languageCodes', ['ru', 'en']),
		ocrModel: config.get<string>('ocr.model', 'page'),
		ocrApi: {
			endpoint: userOnly('ocrApi.endpoint', DEFAULT_OCR_ENDPOINT).trim() || DEFAULT_OCR_ENDPOINT,
			operationEndpoint: userOnly('ocrApi.operationEndpoint', DEFAULT_OPERATION_ENDPOINT).trim() || DEFAULT_OPERATION_ENDPOINT,
			model: config.get<string>('ocrApi.model', DEFAULT_OCR_MODEL).trim() || DEFAULT_OCR_MODEL,
			languageCodes: config.get<string[]>('ocrApi.languageCodes', ['*']),
			requestsPerSecond: userOnly('ocrApi.requestsPerSecond', DEFAULT_OCR_REQUESTS_PER_SECOND),
		},
		classificationModel: config.get<string>('classification.model', 'quality'),
		requestsPerSecond: userOnly('requestsPerSecond', 10),
		timeoutMs: Math.round(userOnly('timeoutSeconds', 60) * 1000),
		dataLogging: userOnly('dataLogging', false),
	};
}

export type FeatureKind = 'text' | 'classification' | 'faces' | 'copies';


export function featureFor(kind: FeatureKind, settings: Settings): Feature {
	switch (kind) {
		case 'text':
			return { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: settings.languageCodes, model: settings.ocrModel } };
		case 'classification':
			return { type: 'CLASSIFICATION', classificationConfig: { model: settings.classificationModel } };
		case 'faces':
			return { type: 'FACE_DETECTION' };
		case 'copies':
			return { type: 'IMAGE_COPY_SEARCH' };
	}
}

/** Every extension the commands accept, in both cases: file globs are case-sensitive on most systems. */
export const DEFAULT_FOLDER_INCLUDE = `**/*.{${IMAGE_EXTENSIONS.flatMap(ext => [ext.slice(1), ext.slice(1).toUpperCase()]).join(',')}}`;
export const DEFAULT_FOLDER_MAX_IMAGES = 5000;
export const DEFAULT_CACHE_MEGABYTES = 200;

export interface FolderSettings {
	/** Glob, relative to the folder analyzed, of the files to analyze; `files.exclude` applies too. */
	include: string;
	/** A folder with more images is not analyzed at all. */
	maxImages: number;
}

export function readFolderSettings(scope?: vscode.Uri): FolderSettings {
	const config = vscode.workspace.getConfiguration('yandexVision', scope);
	const include = config.get<string>('folder.include', DEFAULT_FOLDER_INCLUDE).trim();
	const maxImages = config.get<number>('folder.maxImages', DEFAULT_FOLDER_MAX_IMAGES);
	return {
		include: include || DEFAULT_FOLDER_INCLUDE,
		maxImages: Number.isFinite(maxImages) && maxImages >= 1 ? Math.floor(maxImages) : DEFAULT_FOLDER_MAX_IMAGES,
	};
}

/**
 * The result cache's size cap in bytes; 0 turns the cache off. A user setting only: the cache
 * is in the user's own storage, shared by every workspace.
 */
export function readCacheMaxBytes(): number {
	const inspected = vscode.workspace.getConfiguration('yandexVision').inspect<number>('cache.maxMegabytes');
	const megabytes = inspected?.globalValue ?? inspected?.defaultValue ?? DEFAULT_CACHE_MEGABYTES;
	if (!Number.isFinite(megabytes) || megabytes <= 0) return 0;
	return Math.round(megabytes * 1024 * 1024);
}
