import * as vscode from 'vscode';

/**
 * The kinds of the paste and drop edits and of the image link code actions, and what they are
 * offered for. Kept apart from the providers because activation registers them (see extension.ts)
 * before the runtime is loaded.
 */
export const RECOGNIZED_TEXT_KIND = vscode.DocumentDropOrPasteEditKind.Text.append('yandexVision', 'recognizedText');
export const RECOGNIZED_MARKDOWN_KIND = vscode.DocumentDropOrPasteEditKind.Empty.append('markdown', 'yandexVision', 'recognizedText');

export const PASTE_MIME_TYPES: readonly string[] = ['image/*'];
/** Files dragged from the Explorer or the desktop; in VS Code for the Web, a desktop file has no URI, only its bytes. */
export const DROP_MIME_TYPES: readonly string[] = ['text/uri-list', 'image/*'];

/** "Recognize text of this image" and "Fill the alt text…" on a Markdown image link. */
export const IMAGE_LINK_ACTION_KIND = vscode.CodeActionKind.Refactor.append('yandexVision').append('recognizeImage');
