import * as vscode from 'vscode';
import type { Analyzer } from '../analysis/analyzer';
import { Commands } from '../commands/commandIds';
import { describeDownloadFailure } from '../output/errorMessages';
import { fetchImage, PREVIEW_TIMEOUT_MS, PreviewError } from '../panel/remoteImage';
import { userAgent } from '../settings/userAgent';
import { altTextOf, imageLinkAt, imageLinkPath, imageLinkWebUrl, type ImageLink } from './markdownImageLinks';
import { IMAGE_LINK_ACTION_KIND } from './pasteKinds';
import { recognizedText } from './pasteRecognizedText';
import { isAnalyzable } from './statusBar';
import { mayDownloadFrom } from './webImageHosts';

/** A web image may be a full-size photo: the analyzer fits it to the service's limits. */
const WEB_IMAGE_MAX_BYTES = 50 * 1024 * 1024;
const WEB_IMAGE_TIMEOUT_MS = 4 * PREVIEW_TIMEOUT_MS;

/** Where the recognized text goes: a paragraph below the link, or the link's alt text. */
export type ImageLinkTarget = 'paragraph' | 'alt';

interface FoundLink {
	link: ImageLink;
	/** The whole link in the document. */
	range: vscode.Range;
	/** A workspace file, or a web image (http, https). */
	image: vscode.Uri | URL;
}

/**
 * On an image link in Markdown that points at a workspace image or a web image: code actions and a
 * hover that recognize the image's text and put it below the link or into its alt text. Nothing is
 * read or sent until the user picks an action; a web image is downloaded only from a host the user
 * allowed (asked once per host, never on a document's say-so alone).
 */
export class ImageLinkActions implements vscode.CodeActionProvider, vscode.HoverProvider {
	constructor(private readonly analyzer: Pick<Analyzer, 'recognizeText' | 'network'>) {}

	async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): Promise<vscode.CodeAction[] | undefined> {
		const found = await findImageLink(document, range.start);
		if (!found) return undefined;
		return ([
			['paragraph', vscode.l10n.t('Recognize text of this image')],
			['alt', vscode.l10n.t('Fill the alt text with the recognized text')],
		] as const).map(([target, title]) => {
			const action = new vscode.CodeAction(title, IMAGE_LINK_ACTION_KIND);
			action.command = { command: Commands.recognizeImageLink, title, arguments: [document.uri, found.range, target] };
			return action;
		});
	}

	async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
		const found = await findImageLink(document, position);
		if (!found) return undefined;
		// Command links pass JSON: the URI as a string, the range as plain numbers.
		const link = (title: string, target: ImageLinkTarget) => {
			const args = [document.uri.toString(), { start: found.range.start, end: found.range.end }, target];
			return `[${title}](command:${Commands.recognizeImageLink}?${encodeURIComponent(JSON.stringify(args))})`;
		};
		const markdown = new vscode.MarkdownString(`${link(vscode.l10n.t('Recognize text of this image'), 'paragraph')} · ${link(vscode.l10n.t('Fill the alt text with the recognized text'), 'alt')}`);
		// Only our one command may run from this hover.
		markdown.isTrusted = { enabledCommands: [Commands.recognizeImageLink] };
		return new vscode.Hover(markdown, found.range);
	}

	/**
	 * The command behind both: `args` are the document's URI, the link's range and the target.
	 * Resolves with the text put in the document, or undefined when nothing changed (the user was told why).
	 */
	async run(args: readonly unknown[]): Promise<string | undefined> {
		const [uriArg, rangeArg, targetArg] = args;
		const uri = uriArg instanceof vscode.Uri ? uriArg : typeof uriArg === 'string' ? vscode.Uri.parse(uriArg, true) : undefined;
		const start = positionOf((rangeArg as { start?: unknown } | undefined)?.start);
		if (!uri || !start) return undefined;
		const target: ImageLinkTarget = targetArg === 'alt' ? 'alt' : 'paragraph';
		const document = await vscode.workspace.openTextDocument(uri);
		const before = await findImageLink(document, start);
		if (!before) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: there is no link to an image there.'));
			return undefined;
		}
		// Asked before the progress starts: the time to answer is not the request's.
		if (before.image instanceof URL && !(await mayDownloadFrom(before.image))) return undefined;
		const text = await vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Yandex Vision: recognizing text…'), cancellable: true },
			(_progress, token) => this.recognize(document, before.image, token),
		);
		if (text === undefined) return undefined;
		// The document may have changed while the image was read: the link is looked up again.
		const found = await findImageLink(document, before.range.start);
		if (!found || found.image.toString() !== before.image.toString()) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: the image link changed while its text was recognized; nothing was inserted.'));
			return undefined;
		}
		const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
		const edit = new vscode.WorkspaceEdit();
		let inserted: string;
		if (target === 'alt') {
			inserted = altTextOf(text);
			const line = found.range.start.line;
			edit.replace(document.uri, new vscode.Range(line, found.link.altStart, line, found.link.altEnd), inserted);
		} else {
			inserted = text.replace(/\r?\n/g, eol);
			const line = document.lineAt(found.range.start.line);
			// A blank line before and, when text follows, after: the text is a paragraph of its own.
			const next = line.lineNumber + 1 < document.lineCount ? document.lineAt(line.lineNumber + 1) : undefined;
			edit.insert(document.uri, line.range.end, `${eol}${eol}${inserted}${next && !next.isEmptyOrWhitespace ? eol : ''}`);
		}
		return await vscode.workspace.applyEdit(edit) ? inserted : undefined;
	}

	/** The image's plain text; undefined when cancelled, failed or empty, each explained as for a paste. */
	private async recognize(document: vscode.TextDocument, image: vscode.Uri | URL, token: vscode.CancellationToken): Promise<string | undefined> {
		const controller = new AbortController();
		const cancel = token.onCancellationRequested(() => controller.abort());
		try {
			const target = image instanceof URL ? await this.download(document, image, controller.signal) : image;
			if (!target) return undefined;
			return await recognizedText(this.analyzer, target, 'text', controller.signal);
		} finally {
			cancel.dispose();
		}
	}

	/** A web image's bytes, for the analyzer as a pasted image's; undefined when cancelled or failed (said so). */
	private async download(document: vscode.TextDocument, url: URL, signal: AbortSignal): Promise<{ bytes: Uint8Array; name: string; scope: vscode.Uri } | undefined> {
		let refusedHost: string | undefined;
		try {
			const image = await fetchImage(url.href, {
				signal,
				dispatcher: this.analyzer.network.get(),
				userAgent: userAgent(),
				maxBytes: WEB_IMAGE_MAX_BYTES,
				timeoutMs: WEB_IMAGE_TIMEOUT_MS,
				// A redirect to another host needs that host allowed too.
				allowHost: async address => {
					if (await mayDownloadFrom(address)) return true;
					refusedHost = address.host;
					return false;
				},
			});
			return { bytes: image.bytes, name: `${url.host}${url.pathname}`, scope: document.uri };
		} catch (err) {
			if (err instanceof PreviewError && err.reason === 'cancelled') return undefined;
			void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: {0} was not downloaded: {1}.', url.href, describeDownloadFailure(err, { maxBytes: WEB_IMAGE_MAX_BYTES, timeoutMs: WEB_IMAGE_TIMEOUT_MS }, refusedHost)));
			return undefined;
		}
	}
}

/**
 * The image link at `position` when it names an image file of the workspace that exists, or a web
 * image (not looked at here: nothing is downloaded before the user asks).
 */
async function findImageLink(document: vscode.TextDocument, position: vscode.Position): Promise<FoundLink | undefined> {
	if (position.line >= document.lineCount) return undefined;
	const link = imageLinkAt(document.lineAt(position.line).text, position.character);
	if (!link) return undefined;
	const range = new vscode.Range(position.line, link.start, position.line, link.end);
	const web = imageLinkWebUrl(link.destination);
	if (web) return { link, image: web, range };
	const image = imageUriOf(document, link.destination);
	if (!image || !isAnalyzable(image)) return undefined;
	try {
		if ((await vscode.workspace.fs.stat(image)).type & vscode.FileType.File) {
			return { link, image, range };
		}
	} catch {
		// A missing file: nothing to offer.
	}
	return undefined;
}

/**
 * Relative to the document's folder, or to the workspace folder for an untitled document and for
 * a path starting with `/` (as VS Code's Markdown preview reads them). Outside the workspace: none.
 */
function imageUriOf(document: vscode.TextDocument, destination: string): vscode.Uri | undefined {
	const target = imageLinkPath(destination);
	if (!target) return undefined;
	const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? (document.isUntitled ? vscode.workspace.workspaceFolders?.[0] : undefined);
	if (!folder) return undefined;
	const uri = target.absolute || document.isUntitled
		? vscode.Uri.joinPath(folder.uri, target.path)
		: vscode.Uri.joinPath(document.uri, '..', target.path);
	return vscode.workspace.getWorkspaceFolder(uri) ? uri : undefined;
}

function positionOf(value: unknown): vscode.Position | undefined {
	if (value instanceof vscode.Position) return value;
	const { line, character } = (value ?? {}) as { line?: unknown; character?: unknown };
	return typeof line === 'number' && typeof character === 'number' ? new vscode.Position(line, character) : undefined;
}
