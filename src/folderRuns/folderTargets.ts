/**
 * Which images "Analyze Folder…" takes: the Explorer selection or a folder (clicked or picked
 * from the palette), searched with `yandexVision.folder.include` and `files.exclude`.
 */
import * as vscode from 'vscode';
import { label } from '../analysis/analyzer';
import { readFolderSettings } from '../settings/config';
import { isAnalyzable } from '../editor/statusBar';

/** What "Analyze Folder…" applies to: the Explorer selection, the clicked folder, or a folder picked. */
export async function folderTargets(args: readonly unknown[]): Promise<{ uris: vscode.Uri[]; title: string } | undefined> {
	const [clicked, selected] = args;
	if (Array.isArray(selected) && selected.length > 1 && selected.every(u => u instanceof vscode.Uri)) {
		return { uris: selected as vscode.Uri[], title: vscode.l10n.t('{0} selected items', selected.length) };
	}
	const folder = clicked instanceof vscode.Uri ? clicked : await pickImageFolder();
	return folder && { uris: [folder], title: folderTitle(folder) };
}

/** A workspace folder by its name, anything else by its workspace-relative path. */
function folderTitle(uri: vscode.Uri): string {
	const root = vscode.workspace.workspaceFolders?.find(f => f.uri.toString() === uri.toString());
	return root ? root.name : vscode.workspace.asRelativePath(uri);
}

/**
 * The images under `targets` (folders searched recursively with `yandexVision.folder.include`,
 * `files.exclude` applying; images taken as they are), each once, by path. Undefined, with a
 * message, when there are more than `yandexVision.folder.maxImages`: then nothing is sent.
 */
export async function imagesUnder(targets: readonly vscode.Uri[]): Promise<vscode.Uri[] | undefined> {
	const { include, maxImages } = readFolderSettings(targets[0]);
	const found = new Map<string, vscode.Uri>();
	for (const target of targets) {
		let directory: boolean;
		try {
			directory = ((await vscode.workspace.fs.stat(target)).type & vscode.FileType.Directory) !== 0;
		} catch {
			continue;
		}
		// `undefined` as the exclude applies `files.exclude`.
		const files = directory ? await vscode.workspace.findFiles(new vscode.RelativePattern(target, include), undefined, maxImages + 1) : isAnalyzable(target) ? [target] : [];
		for (const file of files) found.set(file.toString(), file);
		if (found.size > maxImages) {
			const openSettings = vscode.l10n.t('Open Settings');
			void vscode.window.showErrorMessage(
				vscode.l10n.t('Yandex Vision: more than {0} images; nothing was sent. Choose a smaller folder, or change yandexVision.folder.include or yandexVision.folder.maxImages.', maxImages),
				openSettings,
			).then(choice => {
				if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'yandexVision.folder');
			});
			return undefined;
		}
	}
	return [...found.values()]
		.map(uri => ({ uri, label: label(uri) }))
		.sort((a, b) => a.label.localeCompare(b.label))
		.map(entry => entry.uri);
}

/** From the palette: a workspace folder or subfolder that holds images, with how many. */
async function pickImageFolder(): Promise<vscode.Uri | undefined> {
	const roots = vscode.workspace.workspaceFolders ?? [];
	if (roots.length === 0) {
		void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: open a folder to analyze its images.'));
		return undefined;
	}
	const { include, maxImages } = readFolderSettings();
	const files = await vscode.workspace.findFiles(include, undefined, maxImages + 1);
	const folders = new Map<string, { uri: vscode.Uri; count: number }>();
	for (const file of files) {
		const root = vscode.workspace.getWorkspaceFolder(file);
		if (!root) continue;
		// Every folder from the file's own up to its workspace folder counts it.
		for (let dir = vscode.Uri.joinPath(file, '..'); ; dir = vscode.Uri.joinPath(dir, '..')) {
			const entry = folders.get(dir.toString()) ?? { uri: dir, count: 0 };
			entry.count++;
			folders.set(dir.toString(), entry);
			if (dir.path.length <= root.uri.path.length) break;
		}
	}
	if (folders.size === 0) {
		void vscode.window.showInformationMessage(vscode.l10n.t('No images in this workspace that can be analyzed.'));
		return undefined;
	}
	const items = [...folders.values()]
		.map(({ uri, count }) => ({ label: folderTitle(uri), description: vscode.l10n.t('{0} images', count), uri }))
		.sort((a, b) => a.label.localeCompare(b.label));
	const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Yandex Vision: analyze the images of a folder'), placeHolder: vscode.l10n.t('Type to filter folders') });
	return picked?.uri;
}
