import * as vscode from 'vscode';
import { VisionError } from '../api/transport/errors';
import { ImageError } from '../images/errors';
import { PreviewError } from '../panel/remoteImage';
import { word, type Translate } from '../shared/phrase';

/**
 * Words the phrases of src/api and src/images in VS Code's display language, from
 * l10n/bundle.l10n.*.json; what the service wrote itself stays as it is.
 */
const translate: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/** A one-line explanation a person can act on, with the ids support asks for. */
export function describeError(err: unknown): string {
	if (!(err instanceof VisionError)) return err instanceof Error ? err.message : String(err);
	const message = word(err.wording, translate);
	const ids: string[] = [];
	if (err.requestId) ids.push(vscode.l10n.t('request id {0}', err.requestId));
	else if (err.clientRequestId) ids.push(vscode.l10n.t('client request id {0}', err.clientRequestId));
	return ids.length > 0 ? `${message} (${ids.join(', ')})` : message;
}

/**
 * Why one file failed, naming it: a file that cannot be sent in its own sentence
 * (`photo.heic is a HEIC image, …`), anything else as `name: what went wrong`. `sentence` is the
 * pipeline's, in English.
 */
export function describeFailure(name: string, error: VisionError, sentence: string | undefined): string {
	if (error.kind !== 'cancelled' && error.cause instanceof ImageError) return error.cause.sentence(name, translate);
	return sentence ?? `${name}: ${describeError(error)}`;
}

/** 401: the token is wrong or expired; the fix is a new one. */
export function isAuthError(err: unknown): err is VisionError {
	return err instanceof VisionError && (err.httpStatus === 401 || (err.kind === 'service' && err.code === 16));
}

/**
 * Why an image was not downloaded from the web (a preview, an image link), as the end of a
 * sentence; `refusedHost`: the host the user did not allow, when that was why.
 */
export function describeDownloadFailure(err: unknown, limits: { maxBytes: number; timeoutMs: number }, refusedHost?: string): string {
	if (!(err instanceof PreviewError)) return err instanceof Error ? err.message : String(err);
	switch (err.reason) {
		case 'address':
			return refusedHost === undefined ? vscode.l10n.t('only http and https addresses are downloaded') : vscode.l10n.t('images from {0} are not allowed', refusedHost);
		case 'redirects':
			return vscode.l10n.t('too many redirects');
		case 'status':
			return vscode.l10n.t('the site answered {0}', err.message);
		case 'notImage':
			return vscode.l10n.t('the address does not lead to a PNG, JPEG, GIF, WebP, BMP or AVIF image');
		case 'tooLarge':
			return vscode.l10n.t('the image is larger than {0} MB', limits.maxBytes / 1048576);
		case 'timeout':
			return vscode.l10n.t('no answer within {0} s', limits.timeoutMs / 1000);
		case 'network':
			return vscode.l10n.t('cannot connect ({0})', err.message);
		case 'cancelled':
			return vscode.l10n.t('cancelled');
	}
}
