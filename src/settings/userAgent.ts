import * as vscode from 'vscode';
import { userAgentOf } from '../api/transport/userAgent';

/** `<publisher>.<name>` of package.json. */
const EXTENSION_ID = 'yandex-vision-tools.yandex-vision';

let cached: string | undefined;

/**
 * The User-Agent of every request the extension sends (the services, the IAM token endpoint,
 * images downloaded from the web): its own version as installed, VS Code's, and the platform.
 */
export function userAgent(): string {
	cached ??= userAgentOf({
		extensionVersion: String(vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON?.version ?? ''),
		editorVersion: vscode.version,
		platform: process.platform,
		arch: process.arch,
	});
	return cached;
}
