/** The part of the webview API that VS Code injects as `acquireVsCodeApi`. */
import type { FromWebview, PersistedState } from '../src/shared/protocol';
import type { InvisibleChoice } from './invisibleGuard';
import type { SplitState } from './splitLayout';

/** What the webview keeps besides the extension's PersistedState: its own preferences. */
export interface WebviewState extends PersistedState {
	invisibleChoice?: InvisibleChoice;
	split?: SplitState;
}

export interface VsCodeApi {
	postMessage(message: FromWebview): void;
	/** Whatever was last given to setState, kept by VS Code across hiding and reloads. */
	getState(): unknown;
	setState(state: WebviewState): void;
}

declare global {
	/** May be called only once per page. */
	function acquireVsCodeApi(): VsCodeApi;
}
