/** The part of the webview API that VS Code injects as `acquireVsCodeApi`. */
import type { FromWebview, PersistedState } from '../src/shared/protocol';

export interface VsCodeApi {
	postMessage(message: FromWebview): void;
	/** Whatever was last given to setState, kept by VS Code across hiding and reloads. */
	getState(): unknown;
	setState(state: PersistedState): void;
}

declare global {
	/** May be called only once per page. */
	function acquireVsCodeApi(): VsCodeApi;
}
