/**
 * Every string the results webview shows, by key, with its English text. The extension sends them
 * translated (`vscode.l10n.t(english)`) in InitPayload.strings; the webview falls back to the
 * English text for a key that is missing. `{0}`, `{1}` are filled in by the webview.
 */
export const WEBVIEW_STRINGS = {
	'panel.analyzedAt': 'Analyzed {0}',
	'panel.requestId': 'Request ID: {0}',
	'panel.imageAlt': 'Analyzed image {0}',
	'panel.imageUnavailable': 'The image cannot be previewed here.',
	'panel.viewerLabel': 'Image with recognized regions',
	'imageError.title': 'The image could not be analyzed',
	'error.code': 'Error {0}',
	'error.requestId': 'Request ID: {0}',

	'layer.group': 'Show on the image',
	'layer.words': 'Words',
	'layer.lines': 'Lines',
	'layer.blocks': 'Blocks',
	'layer.faces': 'Faces',
	'action.insertSelection': 'Insert selection',
	'action.insertAll': 'Insert all text',
	'action.insertTitle': 'Insert into the active editor',
	'action.copySelection': 'Copy selection',
	'action.copyAll': 'Copy all text',
	'action.openMarkdown': 'Open as Markdown',
	'selection.none': 'Words: {0}',
	'selection.some': '{0} of {1} words selected',

	'feature.TEXT_DETECTION': 'Text',
	'feature.CLASSIFICATION': 'Classification',
	'feature.FACE_DETECTION': 'Faces',
	'feature.IMAGE_COPY_SEARCH': 'Copies on the web',
	'feature.model': 'Model: {0}',

	'text.empty': 'No text found',
	'text.emptyHint': 'The service found no text in this image.',
	'text.paneLabel': 'Recognized text',
	'tooltip.confidence': 'Confidence: {0}',
	'tooltip.languages': 'Language: {0}',
	'tooltip.noLanguage': 'Language: unknown',

	'faces.count': 'Faces found: {0}',
	'faces.none': 'No faces found',
	'classification.empty': 'The service returned no classes.',
	'copies.count': 'Copies found: {0}',
	'copies.none': 'No copies of this image were found.',
} as const;

export type WebviewStringKey = keyof typeof WEBVIEW_STRINGS;
