/**
 * The Markdown the `markdown` and `math-markdown` models return, shown as its source: formulas
 * stay readable LaTeX, and nothing of it is rendered, so it cannot run as markup here.
 */
import { h } from '../dom';
import type { Localizer } from '../l10n';

export interface MarkdownViewOptions {
	/** Every page's Markdown, joined as it is inserted. */
	markdown: string;
	/** `from`: the button used, which a question about the text is shown next to. */
	insertText(text: string, from: HTMLElement): void;
	copyText(text: string, from: HTMLElement): void;
	openMarkdown(): void;
	l10n: Localizer;
	signal: AbortSignal;
}

export function markdownView(o: MarkdownViewOptions): HTMLElement {
	const { l10n, signal } = o;
	const insert = h('button', { type: 'button', class: 'button secondary markdown-insert', title: l10n.t('markdown.insertTitle') }, l10n.t('markdown.insert'));
	const copy = h('button', { type: 'button', class: 'button secondary markdown-copy' }, l10n.t('markdown.copy'));
	const open = h('button', { type: 'button', class: 'button secondary markdown-open' }, l10n.t('action.openMarkdown'));
	insert.addEventListener('click', () => o.insertText(o.markdown, insert), { signal });
	copy.addEventListener('click', () => o.copyText(o.markdown, copy), { signal });
	open.addEventListener('click', () => o.openMarkdown(), { signal });
	return h('div', { class: 'markdown-view' },
		h('div', { class: 'view-actions' }, insert, copy, open),
		h('pre', { class: 'markdown-source', tabindex: 0, 'aria-label': l10n.t('markdown.label') }, o.markdown),
		h('p', { class: 'hint' }, l10n.t('markdown.hint')));
}
