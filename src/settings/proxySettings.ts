import type { Dispatcher } from 'undici';
import * as vscode from 'vscode';
import { createDispatcher, describeRoute, type ProxyOptions } from '../api/transport/proxy';

/** VS Code's proxy settings, in the shape `createDispatcher` takes. */
export interface ProxySettings extends ProxyOptions {
	proxy?: string;
	strictSSL: boolean;
	noProxy: string[];
}

const KEYS = ['http.proxy', 'http.proxyStrictSSL', 'http.noProxy', 'http.proxySupport'] as const;

/**
 * Reads `http.proxy`, `http.proxyStrictSSL` and `http.noProxy` from the user's settings only: they
 * decide where the token goes and whether certificates are checked, so (as with the endpoint) a
 * workspace must not be able to choose them. `http.proxySupport: off` means that VS Code leaves
 * extensions' requests alone; they then go direct, environment variables included.
 */
export function readProxySettings(): ProxySettings {
	const config = vscode.workspace.getConfiguration('http');
	const userOnly = <T>(key: string, fallback: T): T => {
		const inspected = config.inspect<T>(key);
		return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
	};
	if (userOnly<string>('proxySupport', 'override') === 'off') return { strictSSL: true, noProxy: ['*'] };
	const proxy = userOnly<unknown>('proxy', '');
	const strictSSL = userOnly<unknown>('proxyStrictSSL', true);
	const noProxy = userOnly<unknown>('noProxy', []);
	return {
		proxy: typeof proxy === 'string' && proxy.trim() ? proxy.trim() : undefined,
		strictSSL: strictSSL !== false,
		// Hand-edited settings.json may hold anything; ignore what is not a list of strings.
		noProxy: Array.isArray(noProxy) ? noProxy.filter((entry): entry is string => typeof entry === 'string') : [],
	};
}

/** Calls `listener` when any setting that `readProxySettings` reads changes. */
export function onDidChangeProxySettings(listener: () => void): vscode.Disposable {
	return vscode.workspace.onDidChangeConfiguration(event => {
		if (KEYS.some(key => event.affectsConfiguration(key))) listener();
	});
}

/**
 * The one dispatcher for all of the extension's requests (batchAnalyze, the IAM token exchange,
 * remote images). `get()` returns the same object until the proxy settings change, so callers
 * that cache by dispatcher identity rebuild exactly then; the replaced dispatcher is closed, which
 * lets its requests in flight finish.
 */
export class ProxyDispatchers implements vscode.Disposable {
	private current: { key: string; settings: ProxySettings; dispatcher: Dispatcher } | undefined;

	get(): Dispatcher {
		return this.refresh().dispatcher;
	}

	/** `direct` or `proxy http://host:port` for a request to `url` with the current settings; never credentials. */
	describe(url: string): string {
		return describeRoute(url, this.refresh().settings);
	}

	dispose(): void {
		void this.current?.dispatcher.close();
		this.current = undefined;
	}

	private refresh(): { settings: ProxySettings; dispatcher: Dispatcher } {
		const settings = readProxySettings();
		const key = JSON.stringify(settings);
		if (this.current?.key !== key) {
			void this.current?.dispatcher.close();
			this.current = { key, settings, dispatcher: createDispatcher(settings) };
		}
		return this.current;
	}
}
