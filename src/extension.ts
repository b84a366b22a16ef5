import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
	// Commands, menus and the status-bar item are registered here as they arrive.
}

export function deactivate(): void {
	// Nothing to release yet.
}
