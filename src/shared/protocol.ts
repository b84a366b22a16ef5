/**
 * Messages between the extension and the results webview. Both sides import this file; each
 * handles the other side's union with an exhaustive switch.
 *
 * Everything here is data: recognized text is shown with textContent, never parsed as markup.
 */
import type { TableFormat } from '../results/tables';
import type { FeatureResult, FeatureType, Status } from '../results/types';

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
	/** When this feature was analyzed, where a panel gathers features of several analyses; else the model's. */
	analyzedAt?: string;
	/** The request that gave it, likewise. */
	requestId?: string;
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
	/** Set when the file was converted or resized before sending; boxes are in the original's pixels. */
	fitted?: FitView;
	/** A long document still being read: the pages shown are those that have arrived. */
	pending?: PendingView;
}

export interface PendingView {
	/** Pages that have arrived. */
	pages: number;
	/** Pages in the document. */
	of: number;
	/** How long the service has been reading it, while no page has arrived yet. */
	waitedMs?: number;
}

/**
 * What was done to a file to fit the service's limits (the extension's FitSummary). The webview
 * words it in the display language from these numbers; `note` is the same in English, for logs.
 */
export interface FitView {
	note: string;
	/** The original, upright as it is shown. `format`: JPEG, PNG, WEBP, BMP, … */
	original: { format: string; width: number; height: number; bytes: number; orientation: number };
	sent: { format: 'JPEG' | 'PNG'; width: number; height: number; bytes: number; quality?: number };
	/** What was left out in converting, which a person reading the results should know. */
	warnings?: FitWarning[];
}

/**
 * Something of the file that the image sent does not hold: the other pages of a TIFF, the other
 * frames of an animation, the text of an SVG (the converter has no fonts).
 */
export type FitWarning =
	| { code: 'firstPage'; pages: number }
	| { code: 'firstFrame'; frames: number }
	| { code: 'svgText' };

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
	/** The format last chosen for copying and inserting tables; a preference of the webview only. */
	tableFormat?: TableFormat;
}

export type FromWebview =
	| { type: 'ready'; requestId: number }
	| { type: 'insertText'; text: string }
	| { type: 'copyText'; text: string }
	| { type: 'openMarkdown' }
	| { type: 'selectionChanged'; selection: number[] }
	/** A page or image address of a copy found on the web, to open in the browser. */
	| { type: 'openExternal'; url: string }
	/** Asks the extension to download a found copy's image; answered by `previewLoaded` or `previewFailed`. */
	| { type: 'loadPreview'; requestId: number; url: string }
	| { type: 'showJson' }
	| { type: 'exportResults' }
	/** Shows the panel large by maximizing its editor group, or restores the groups when it is. */
	| { type: 'toggleMaximizeGroup' };

export type ToWebview =
	| { type: 'init'; inReplyTo: number; payload: InitPayload }
	| { type: 'update'; payload: InitPayload }
	/** The image as a `data:image/…;base64,` URI: the CSP allows `data:` images and nothing remote. */
	| { type: 'previewLoaded'; inReplyTo: number; dataUri: string }
	| { type: 'previewFailed'; inReplyTo: number; message: string };

/** google.rpc.Code names: what the service's documentation and logs call each code. */
export const RPC_CODE_NAMES: Readonly<Record<number, string>> = {
	1: 'CANCELLED',
	2: 'UNKNOWN',
	3: 'INVALID_ARGUMENT',
	4: 'DEADLINE_EXCEEDED',
	5: 'NOT_FOUND',
	6: 'ALREADY_EXISTS',
	7: 'PERMISSION_DENIED',
	8: 'RESOURCE_EXHAUSTED',
	9: 'FAILED_PRECONDITION',
	10: 'ABORTED',
	11: 'OUT_OF_RANGE',
	12: 'UNIMPLEMENTED',
	13: 'INTERNAL',
	14: 'UNAVAILABLE',
	15: 'DATA_LOSS',
	16: 'UNAUTHENTICATED',
};

/** Longer addresses are not links a search result would give; refusing them bounds the work. */
export const MAX_URL_LENGTH = 8192;

/**
 * The address as a web URL, or undefined when it is anything else (`javascript:`, `data:`,
 * `file:`, `command:`, relative or malformed). Both sides use it: the webview to decide what becomes
 * a button, the extension to decide what it opens or downloads.
 */
export function webUrl(text: string): URL | undefined {
	if (text.length === 0 || text.length > MAX_URL_LENGTH) return undefined;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return undefined;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
	// Credentials in a link are a phishing device (`https://bank.com@evil.example/`), never a copy's address.
	if (url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
	return url;
}

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
		case 'showJson':
		case 'exportResults':
		case 'toggleMaximizeGroup':
			return true;
		case 'selectionChanged': {
			const selection = (value as { selection?: unknown }).selection;
			return Array.isArray(selection) && selection.every(i => Number.isInteger(i));
		}
		case 'openExternal':
			return isUrlText((value as { url?: unknown }).url);
		case 'loadPreview': {
			const request = value as { requestId?: unknown; url?: unknown };
			return Number.isSafeInteger(request.requestId) && isUrlText(request.url);
		}
		default:
			return false;
	}
}

function isUrlText(value: unknown): value is string {
	return typeof value === 'string' && value.length <= MAX_URL_LENGTH;
}
