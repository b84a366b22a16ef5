/**
 * Messages between the extension and the results webview. Both sides import this file; each
 * handles the other side's union with an exhaustive switch.
 *
 * Everything here is data: recognized text is shown with textContent, never parsed as markup.
 */
import type { FeatureResult, FeatureType, Status } from '../vision/types';

export interface ErrorView {
	code: number;
	message: string;
	requestId?: string;
}

export interface FeatureView {
	type: FeatureType;
	/** The classification model or OCR model used, for the heading. */
	model?: string;
	/** The normalized result; its `error` is the per-feature error, shown in place. */
	result: FeatureResult;
}

/** Everything the panel shows for one analyzed image. Persisted as webview state (no secrets). */
export interface ResultsModel {
	/** The image's URI as the extension knows it (file:, vscode-remote:, …), not the webview URI. */
	imageUri: string;
	/** Display name, e.g. the workspace-relative path. */
	imageLabel: string;
	features: FeatureView[];
	/** A per-image error: the whole image failed. */
	imageError?: Status;
	requestId?: string;
	analyzedAt: string;
}

export interface InitPayload {
	model: ResultsModel;
	/** asWebviewUri of the image. */
	imageSrc: string;
	/** Localized strings by key. */
	strings: Record<string, string>;
	/** Word indexes (reading order) selected before a reload. */
	selection: number[];
}

/** The state the webview keeps with setState, restored by the serializer after a reload. */
export interface PersistedState {
	model: ResultsModel;
	selection: number[];
}

export type FromWebview =
	| { type: 'ready'; requestId: number }
	| { type: 'insertText'; text: string }
	| { type: 'copyText'; text: string }
	| { type: 'openMarkdown' }
	| { type: 'selectionChanged'; selection: number[] };

export type ToWebview =
	| { type: 'init'; inReplyTo: number; payload: InitPayload }
	| { type: 'update'; payload: InitPayload };

/** Narrowing for messages that arrive as `unknown`. */
export function isFromWebview(value: unknown): value is FromWebview {
	if (typeof value !== 'object' || value === null) return false;
	const message = value as { type?: unknown };
	switch (message.type) {
		case 'ready':
			return typeof (value as { requestId?: unknown }).requestId === 'number';
		case 'insertText':
		case 'copyText':
			return typeof (value as { text?: unknown }).text === 'string';
		case 'openMarkdown':
			return true;
		case 'selectionChanged': {
			const selection = (value as { selection?: unknown }).selection;
			return Array.isArray(selection) && selection.every(i => Number.isInteger(i));
		}
		default:
			return false;
	}
}
