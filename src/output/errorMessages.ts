import * as vscode from 'vscode';
import { VisionError } from '../api/transport/errors';

/** A one-line explanation a person can act on, with the ids support asks for. */
export function describeError(err: unknown): string {
	if (!(err instanceof VisionError)) return err instanceof Error ? err.message : String(err);
	const ids: string[] = [];
	if (err.requestId) ids.push(vscode.l10n.t('request id {0}', err.requestId));
	else if (err.clientRequestId) ids.push(vscode.l10n.t('client request id {0}', err.clientRequestId));
	return ids.length > 0 ? `${err.message} (${ids.join(', ')})` : err.message;
}

/** 401: the token is wrong or expired; the fix is a new one. */
export function isAuthError(err: unknown): err is VisionError {
	return err instanceof VisionError && (err.httpStatus === 401 || (err.kind === 'service' && err.code === 16));
}
