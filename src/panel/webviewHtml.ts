/**
 * The results panel's HTML: an empty shell that loads the webview script by nonce. The results
 * themselves arrive later in the `init` message, so no runtime data is spliced into the page
 * except the asset URIs, the title and the language, each escaped.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
	/** `webview.cspSource`: where the panel may load its script, style, font and image from. */
	cspSource: string;
	nonce: string;
	scriptUri: string;
	styleUri: string;
	title: string;
	/** `vscode.env.language`, for the `lang` attribute (hyphenation, screen readers, number formats). */
	lang: string;
}

/**
 * Scripts by nonce only. `connect-src` and `worker-src blob:` are for PDFs: the panel fetches the
 * PDF and pdf.js's worker script from the webview's own resources (the workspace and the
 * extension, nothing remote), and starts that worker from a blob: URL, since a webview may start
 * workers only from its own origin.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
	return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource}; connect-src ${cspSource}; worker-src blob:;`;
}

export function buildWebviewHtml(o: WebviewHtmlOptions): string {
	const csp = contentSecurityPolicy(escapeAttribute(o.cspSource), escapeAttribute(o.nonce));
	return `<!DOCTYPE html>
<html lang="${escapeAttribute(o.lang)}">
<head>
	<meta charset="UTF-8">
	<meta http-equiv="Content-Security-Policy" content="${csp}">
	<meta name="viewport" content="width=device-width, initial-scale=1.0">
	<link rel="stylesheet" href="${escapeAttribute(o.styleUri)}">
	<title>${escapeAttribute(o.title)}</title>
</head>
<body>
	<div id="app" class="app" aria-busy="true"></div>
	<script nonce="${escapeAttribute(o.nonce)}" src="${escapeAttribute(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** 144 random bits, base64: unguessable, and new for every HTML the panel is given. */
export function createNonce(): string {
	return randomBytes(18).toString('base64');
}

/** Safe inside a quoted attribute and in element text alike. */
export function escapeAttribute(value: string): string {
	return value.replace(/[&<>"']/g, c => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	'\'': '&#39;',
};
