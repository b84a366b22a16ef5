/**
 * Copies of the image found on the web, as cards. Everything in a card comes from third-party
 * pages, so it is text only: titles and descriptions as text nodes, addresses as buttons that ask
 * the extension to open them (it checks them again and VS Code confirms), or as inert text when
 * they are not web addresses. Nothing is fetched until the user asks for a preview, and then the
 * extension downloads it: the webview itself never contacts those sites.
 */
import { webUrl } from '../../src/shared/protocol';
import type { CopyMatch, ImageCopySearchAnnotation } from '../../src/results/types';
import { h } from '../dom';
import type { Localizer } from '../l10n';

export type PreviewReply = { dataUri: string } | { error: string };

export interface CopiesHost {
	openExternal(url: string): void;
	loadPreview(url: string): Promise<PreviewReply>;
}

export function copiesView(annotation: ImageCopySearchAnnotation, l10n: Localizer, host: CopiesHost, signal: AbortSignal): HTMLElement {
	const container = h('div', { class: 'copies' });
	if (annotation.copyCount === 0 && annotation.topResults.length === 0) {
		container.appendChild(h('p', { class: 'muted' }, l10n.t('copies.none')));
		return container;
	}
	container.appendChild(h('p', { class: 'summary' }, l10n.t('copies.count', l10n.integer(annotation.copyCount))));
	if (annotation.topResults.length === 0) return container;
	const shown = annotation.topResults.length < annotation.copyCount ? `${l10n.t('copies.shown', l10n.integer(annotation.topResults.length))} ` : '';
	container.appendChild(h('p', { class: 'hint copies-hint' }, shown + l10n.t('copies.hint')));
	const list = h('ol', { class: 'copy-list' });
	for (const match of annotation.topResults) list.appendChild(copyCard(match, l10n, host, signal));
	container.appendChild(list);
	return container;
}

function copyCard(match: CopyMatch, l10n: Localizer, host: CopiesHost, signal: AbortSignal): HTMLElement {
	const image = webUrl(match.imageUrl);
	const card = h('li', { class: image ? 'copy' : 'copy no-preview' });
	const preview = h('div', { class: 'copy-preview' });
	if (image) {
		const load = h('button', { type: 'button', class: 'button secondary load-preview', title: l10n.t('copies.loadPreviewTitle', image.host) }, l10n.t('copies.loadPreview'));
		const status = h('span', { class: 'preview-status', role: 'status' });
		load.addEventListener('click', () => {
			load.disabled = true;
			load.textContent = l10n.t('copies.loading');
			status.textContent = '';
			void host.loadPreview(image.href).then(reply => {
				if (signal.aborted) return;
				if ('dataUri' in reply) {
					preview.replaceChildren(h('img', { class: 'copy-image', src: reply.dataUri, alt: l10n.t('copies.previewAlt', match.title || image.host), draggable: 'false' }));
					preview.classList.add('loaded');
					return;
				}
				load.disabled = false;
				load.textContent = l10n.t('copies.retry');
				status.textContent = l10n.t('copies.previewFailed', reply.error);
			});
		}, { signal });
		preview.append(load, status);
	}
	const title = match.title.trim() !== '' ? match.title : l10n.t('copies.untitled');
	if (image) card.appendChild(preview);
	card.append(
		h('div', { class: 'copy-body' },
			h('div', { class: match.title.trim() !== '' ? 'copy-title' : 'copy-title muted' }, title),
			match.description !== '' && h('div', { class: 'copy-description' }, match.description),
			h('div', { class: 'copy-links' },
				address(l10n.t('copies.page'), match.pageUrl, 'page', l10n, host, signal),
				match.imageUrl !== match.pageUrl && address(l10n.t('copies.image'), match.imageUrl, 'image', l10n, host, signal))));
	return card;
}

/** A labelled address: a link-styled button for a web URL, plain text for anything else. */
function address(label: string, text: string, kind: 'page' | 'image', l10n: Localizer, host: CopiesHost, signal: AbortSignal): HTMLElement | undefined {
	if (text === '') return undefined;
	const url = webUrl(text);
	const row = h('div', { class: 'copy-address', 'data-kind': kind }, h('span', { class: 'copy-address-label' }, label));
	if (!url) {
		row.appendChild(h('span', { class: 'copy-url inert', title: l10n.t('copies.inert') }, text));
		return row;
	}
	// The text shown is the address itself, so a misleading title cannot disguise where it leads.
	const link = h('button', { type: 'button', class: 'link copy-url', 'data-url': url.href, title: l10n.t('copies.open', url.host) }, url.href);
	link.addEventListener('click', () => host.openExternal(url.href), { signal });
	row.appendChild(link);
	return row;
}
