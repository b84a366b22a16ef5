import * as vscode from 'vscode';
import { DEFAULT_ENDPOINT } from './vision/client';
import type { Feature } from './vision/types';

export interface Settings {
	endpoint: string;
	folderId: string | undefined;
	languageCodes: string[];
	ocrModel: string;
	classificationModel: string;
	requestsPerSecond: number;
	timeoutMs: number;
	dataLogging: boolean;
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
		languageCodes: config.get<string[]>('ocr.languageCodes', ['ru', 'en']),
		ocrModel: config.get<string>('ocr.model', 'page'),
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
