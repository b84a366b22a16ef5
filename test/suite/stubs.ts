import * as vscode from 'vscode';

/**
 * The extension's settings changed in the user scope for a suite, each put back as it was by
 * `restore` (last changed, first restored).
 */
export class UserSettings {
	private readonly saved: [string, unknown][] = [];

	async set(key: string, value: unknown): Promise<void> {
		const config = vscode.workspace.getConfiguration('yandexVision');
		this.saved.push([key, config.inspect(key)?.globalValue]);
		await config.update(key, value, vscode.ConfigurationTarget.Global);
	}

	async restore(): Promise<void> {
		const config = vscode.workspace.getConfiguration('yandexVision');
		for (const [key, value] of this.saved.splice(0).reverse()) await config.update(key, value, vscode.ConfigurationTarget.Global);
	}
}

/**
 * Replaces `vscode.window` functions for one test and records their calls. The test files and
 * the extension share one API object (they belong to the same extension), so the extension sees
 * the replacements.
 */
export class WindowStubs {
	private readonly originals = new Map<string, unknown>();
	readonly calls: { name: string; args: unknown[] }[] = [];

	stub<K extends keyof typeof vscode.window>(name: K, replacement: (...args: never[]) => unknown): void {
		const target = vscode.window as unknown as Record<string, unknown>;
		if (!this.originals.has(name)) this.originals.set(name, target[name]);
		target[name] = (...args: unknown[]) => {
			this.calls.push({ name, args });
			return (replacement as (...a: unknown[]) => unknown)(...args);
		};
	}

	/** Messages shown with the given function, as text. */
	messages(name: 'showErrorMessage' | 'showWarningMessage' | 'showInformationMessage'): string[] {
		return this.calls.filter(c => c.name === name).map(c => String(c.args[0]));
	}

	restore(): void {
		const target = vscode.window as unknown as Record<string, unknown>;
		for (const [name, original] of this.originals) target[name] = original;
		this.originals.clear();
		this.calls.length = 0;
	}
}

/** Answers every notification with nothing, as a user who ignores it. */
export function quietNotifications(stubs: WindowStubs): void {
	stubs.stub('showErrorMessage', async () => undefined);
	stubs.stub('showWarningMessage', async () => undefined);
	stubs.stub('showInformationMessage', async () => undefined);
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
