// Results webview entry point.
export {};
