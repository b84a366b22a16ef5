import * as vscode from 'vscode';

const SECTION = 'yandexVision';
const ALLOWED_HOSTS = 'imageLinks.allowedHosts';

/**
 * The hosts images may be downloaded from, as `host` or `host:port`, lowercase. Read from the user
 * settings alone (the setting is application-scoped): a workspace cannot allow a host for its user.
 */
export function allowedHosts(): string[] {
	const value = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(ALLOWED_HOSTS)?.globalValue;
	return Array.isArray(value) ? value.filter((host): host is string => typeof host === 'string').map(host => host.trim().toLowerCase()) : [];
}

/**
 * Whether images may be downloaded from `url`'s host: allowed before, or allowed now by the user,
 * who is asked once per host. "Allow" is kept in the user settings, where the user can take it back.
 */
export async function mayDownloadFrom(url: URL): Promise<boolean> {
	const host = url.host.toLowerCase();
	if (allowedHosts().includes(host)) return true;
	const allow = vscode.l10n.t('Allow');
	const choice = await vscode.window.showWarningMessage(
		vscode.l10n.t('Download images from {0} to recognize their text?', host),
		{
			modal: true,
			detail: vscode.l10n.t('Yandex Vision downloads {0} and sends it to Yandex Cloud. Images from {1} will be downloaded without asking again; the setting yandexVision.imageLinks.allowedHosts lists the hosts allowed.', url.href, host),
		},
		allow,
	);
	if (choice !== allow) return false;
	const hosts = allowedHosts();
	if (!hosts.includes(host)) await vscode.workspace.getConfiguration(SECTION).update(ALLOWED_HOSTS, [...hosts, host], vscode.ConfigurationTarget.Global);
	return true;
}
