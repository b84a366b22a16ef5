/**
 * The User-Agent every request of the extension carries, so that Yandex (and a proxy's log) can
 * tell which product and version sent it: `yandex-vision-vscode/0.1.0 (VS Code 1.100.0; linux x64)`.
 * It names software only, never an account or a credential.
 */
export interface UserAgentParts {
	/** The extension's version, from its package.json. */
	extensionVersion: string;
	/** VS Code's version. */
	editorVersion: string;
	/** `process.platform`, e.g. `linux`. */
	platform: string;
	/** `process.arch`, e.g. `x64`. */
	arch: string;
}

export const PRODUCT = 'yandex-vision-vscode';

export function userAgentOf(parts: UserAgentParts): string {
	return `${PRODUCT}/${token(parts.extensionVersion)} (VS Code ${comment(parts.editorVersion)}; ${comment(parts.platform)} ${comment(parts.arch)})`;
}

/** A product version as RFC 9110 allows it (tchar), so that nothing odd can reach the header. */
function token(text: string): string {
	return text.replace(/[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g, '') || 'unknown';
}

/** Text inside the comment: printable, without the parentheses and backslash that would end or escape it. */
function comment(text: string): string {
	return text.replace(/[^\x21-\x7e]|[()\\]/g, '') || 'unknown';
}
