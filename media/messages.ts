/**
 * Narrowing for what arrives as `unknown`: window messages (anything can post to a window) and
 * the state VS Code restores (it may come from an older version of the panel).
 */
import type { InitPayload, PersistedState, ResultsModel, ToWebview } from '../src/shared/protocol';

/** Only raster images in base64: an SVG could carry markup, and nothing else belongs in an img. */
const IMAGE_DATA_URI = /^data:image\/(png|jpeg|gif|webp|bmp|avif);base64,[A-Za-z0-9+/]+={0,2}$/;

export function isToWebview(value: unknown): value is ToWebview {
	if (!isObject(value)) return false;
	switch (value.type) {
		case 'init':
			return typeof value.inReplyTo === 'number' && isInitPayload(value.payload);
		case 'update':
			return isInitPayload(value.payload);
		case 'previewLoaded':
			return typeof value.inReplyTo === 'number' && typeof value.dataUri === 'string' && IMAGE_DATA_URI.test(value.dataUri);
		case 'previewFailed':
			return typeof value.inReplyTo === 'number' && typeof value.message === 'string';
		default:
			return false;
	}
}

export function isPersistedState(value: unknown): value is PersistedState {
	return isObject(value) && isResultsModel(value.model) && isSelection(value.selection);
}

function isInitPayload(value: unknown): value is InitPayload {
	return isObject(value)
		&& isResultsModel(value.model)
		&& typeof value.imageSrc === 'string'
		&& isObject(value.strings)
		&& isSelection(value.selection);
}

function isResultsModel(value: unknown): value is ResultsModel {
	return isObject(value)
		&& typeof value.imageUri === 'string'
		&& typeof value.imageLabel === 'string'
		&& Array.isArray(value.features)
		&& value.features.every(feature => isObject(feature) && typeof feature.type === 'string' && isObject(feature.result));
}

function isSelection(value: unknown): value is number[] {
	return Array.isArray(value) && value.every(index => Number.isInteger(index));
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
