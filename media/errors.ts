/** Errors shown in place: per image above the results, per feature in its section. */
import { RPC_CODE_NAMES } from '../src/shared/protocol';
import type { Status } from '../src/results/types';
import { h } from './dom';
import type { Localizer } from './l10n';

/** An error in place: its code, the service's message and the request id to quote to support. */
export function errorBox(error: Status, requestId: string | undefined, l10n: Localizer, title?: string): HTMLElement {
	const name = RPC_CODE_NAMES[error.code];
	const code = l10n.t('error.code', name === undefined ? String(error.code) : `${error.code} ${name}`);
	return h('div', { class: 'error', role: 'alert' },
		title !== undefined && h('div', { class: 'error-title' }, title),
		h('div', { class: 'error-code' }, code),
		error.message !== '' && h('div', { class: 'error-message' }, error.message),
		requestId !== undefined && requestId !== '' && h('div', { class: 'error-request-id' }, l10n.t('error.requestId', requestId)));
}
