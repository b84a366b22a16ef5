import * as vscode from 'vscode';
import { Commands, RESULTS_VIEW_TYPE, type CommandId } from './commands/commandIds';
import type { Runtime } from './commands/runtime';
import { imageLinkAt } from './editor/markdownImageLinks';
import { DROP_MIME_TYPES, IMAGE_LINK_ACTION_KIND, PASTE_MIME_TYPES, RECOGNIZED_MARKDOWN_KIND, RECOGNIZED_TEXT_KIND } from './editor/pasteKinds';
import { ActiveImageTracker } from './editor/statusBar';

/** The paste and drop providers as VS Code calls them; exported so that tests can call them the same way. */
export type RecognizedTextProvider = vscode.DocumentPasteEditProvider & vscode.DocumentDropEditProvider;

/** The code actions and hover on Markdown image links, as VS Code calls them. */
export type ImageLinkProvider = vscode.CodeActionProvider & vscode.HoverProvider;

/**
 * Activation only registers commands, the serializer, the paste and drop providers, the image
 * link actions and the status-bar item. The client, the image code and the webview code live in dist/runtime.js, loaded
 * by the first command (or paste of an image) that needs it.
 *
 * `onStartupFinished` in package.json: no event activates an extension for a paste, and the
 * providers must be registered before the first one.
 */
export function activate(context: vscode.ExtensionContext): { activateMs: number; recognizedText: RecognizedTextProvider } {
	const started = performance.now();
	let runtime: Runtime | undefined;
	const getRuntime = (): Runtime => {
		// Kept out of this bundle by esbuild.js, which points it at dist/runtime.js beside dist/extension.js.
		runtime ??= (require('./commands/runtime') as typeof import('./commands/runtime')).createRuntime(context);
		return runtime;
	};

	for (const id of Object.values(Commands) as CommandId[]) {
		context.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => getRuntime().execute(id, args)));
	}
	context.subscriptions.push(
		vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
			deserializeWebviewPanel: (panel, state: unknown) => getRuntime().restorePanel(panel, state),
		}),
		new ActiveImageTracker(),
	);
	const recognizedText: RecognizedTextProvider = {
		provideDocumentPasteEdits: (document, ranges, dataTransfer, pasteContext) => getRuntime().recognizedText.provideDocumentPasteEdits(document, ranges, dataTransfer, pasteContext),
		resolveDocumentPasteEdit: (edit, token) => getRuntime().recognizedText.resolveDocumentPasteEdit(edit, token),
		provideDocumentDropEdits: (document, position, dataTransfer) => getRuntime().recognizedText.provideDocumentDropEdits(document, position, dataTransfer),
		// No resolveDocumentDropEdit: VS Code would route it where a drop provider is not reached; the edit is whole when offered (see editor/dropPlaceholders.ts).
	};
	const kinds = [RECOGNIZED_TEXT_KIND, RECOGNIZED_MARKDOWN_KIND];
	context.subscriptions.push(
		vscode.languages.registerDocumentPasteEditProvider('*', recognizedText, { pasteMimeTypes: PASTE_MIME_TYPES, providedPasteEditKinds: kinds }),
		vscode.languages.registerDocumentDropEditProvider('*', recognizedText, { dropMimeTypes: DROP_MIME_TYPES, providedDropEditKinds: kinds }),
	);
	// Code actions are asked for at every cursor move: the runtime is loaded only on an image link.
	const onImageLink = (document: vscode.TextDocument, position: vscode.Position) =>
		position.line < document.lineCount && imageLinkAt(document.lineAt(position.line).text, position.character) !== undefined;
	const imageLinks: ImageLinkProvider = {
		provideCodeActions: (document, range) => onImageLink(document, range.start) ? getRuntime().imageLinks.provideCodeActions(document, range) : undefined,
		provideHover: (document, position) => onImageLink(document, position) ? getRuntime().imageLinks.provideHover(document, position) : undefined,
	};
	context.subscriptions.push(
		vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, imageLinks, { providedCodeActionKinds: [IMAGE_LINK_ACTION_KIND] }),
		vscode.languages.registerHoverProvider({ language: 'markdown' }, imageLinks),
	);
	openWalkthroughOnce(context);
	return { activateMs: performance.now() - started, recognizedText };
}

/** The walkthrough of package.json as VS Code names it: `<publisher>.<name>#<id>`. */
const WALKTHROUGH_ID = 'yandex-vision-tools.yandex-vision#yandexVision.gettingStarted';
const WALKTHROUGH_OPENED_KEY = 'yandexVision.walkthroughOpened';

/**
 * Opens the walkthrough on the first activation after install, unless walkthroughs are set not to
 * open on install; remembered, and synced (the only key synced), so it never opens by itself again.
 * Only for an installed copy: run from its sources (debugging, tests) the extension starts quietly.
 */
function openWalkthroughOnce(context: vscode.ExtensionContext): void {
	context.globalState.setKeysForSync([WALKTHROUGH_OPENED_KEY]);
	if (context.extensionMode !== vscode.ExtensionMode.Production || context.globalState.get(WALKTHROUGH_OPENED_KEY)) return;
	void context.globalState.update(WALKTHROUGH_OPENED_KEY, true);
	if (!vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true)) return;
	void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

export function deactivate(): void {
	// Everything is owned by context.subscriptions.
}
