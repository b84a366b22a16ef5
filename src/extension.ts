import * as vscode from 'vscode';
import { Commands, RESULTS_VIEW_TYPE, type CommandId } from './commands/commandIds';
import type { Runtime } from './commands/runtime';
import { ActiveImageTracker } from './editor/statusBar';

/**
 * Activation only registers commands, the serializer and the status-bar item. The client, the
 * image code and the webview code live in dist/runtime.js, loaded by the first command that needs it.
 */
export function activate(context: vscode.ExtensionContext): { activateMs: number } {
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
	return { activateMs: performance.now() - started };
}

export function deactivate(): void {
	// Everything is owned by context.subscriptions.
}
