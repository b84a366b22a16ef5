/**
 * The recognized text in reading order: a paragraph per block, a line per line, a span per word
 * with the same `data-word` index as its polygon. Plain spaces and block elements between the
 * words, so copying from the pane gives the same text as the service's reading order.
 *
 * Each line carries its language as `lang` (for screen readers and hyphenation) and `data-lang`;
 * the stylesheet shows it as a small tag where it changes (`lang-start`). The tag is a CSS
 * `::after`, so it is neither copied nor part of the text.
 */
import { h } from '../dom';
import type { Localizer } from '../l10n';
import { layoutLabel } from '../viewer/layoutLabels';
import { languageOf, type OcrView } from './ocrView';

export interface TextPane {
	element: HTMLElement;
	/** By reading-order index. */
	words: HTMLSpanElement[];
}

export function buildTextPane(view: OcrView, l10n: Localizer): TextPane {
	const element = h('div', { id: 'text-pane', class: 'text-pane', tabindex: 0, role: 'document', 'aria-label': l10n.t('text.paneLabel') });
	const words: HTMLSpanElement[] = [];
	if (view.words.length === 0) {
		element.classList.add('empty');
		element.appendChild(h('div', { class: 'empty-message' },
			h('strong', {}, l10n.t('text.empty')),
			h('span', { class: 'hint' }, l10n.t('text.emptyHint'))));
		return { element, words };
	}

	const fragment = document.createDocumentFragment();
	let page = -1;
	let block: HTMLElement | undefined;
	let line: HTMLElement | undefined;
	let lineKey = '';
	let blockKey = '';
	let lineLanguages: string[] = [];
	let previousLanguage = '';
	let blockLabel: string | undefined;
	const finishLine = (): void => {
		if (!line) return;
		const language = lineLanguages.join('+');
		if (language !== '') {
			line.setAttribute('data-lang', language);
			if (lineLanguages.length === 1 && /^[a-z]{2,3}$/i.test(language)) line.setAttribute('lang', language);
			if (language !== previousLanguage || line.previousElementSibling === null) line.classList.add('lang-start');
		}
		previousLanguage = language;
		lineLanguages = [];
	};
	for (const { index, ref, word } of view.words) {
		if (ref.page !== page) {
			if (page !== -1) fragment.appendChild(h('hr', { class: 'page-break' }));
			page = ref.page;
		}
		const nextBlockKey = `${ref.page}/${ref.block}`;
		if (nextBlockKey !== blockKey || block === undefined) {
			const layout = view.annotation.pages[ref.page].blocks[ref.block].layoutType;
			const label = layoutLabel(layout, l10n);
			block = h('p', { class: label ? `block layout layout-${layout}` : 'block', 'data-layout': layout });
			blockLabel = label;
			if (layout === 'title' || layout === 'sectionHeader') {
				block.setAttribute('role', 'heading');
				block.setAttribute('aria-level', layout === 'title' ? '3' : '4');
			}
			fragment.appendChild(block);
			blockKey = nextBlockKey;
			lineKey = '';
		}
		const nextLineKey = `${nextBlockKey}/${ref.line}`;
		if (nextLineKey !== lineKey || line === undefined) {
			finishLine();
			// The label is a CSS ::before of the block's first line: seen on the line, but neither copied nor part of the text.
			line = h('span', { class: 'line', dir: 'auto', 'data-layout-label': blockLabel });
			blockLabel = undefined;
			block.appendChild(line);
			lineKey = nextLineKey;
		} else {
			line.appendChild(document.createTextNode(' '));
		}
		const span = h('span', { class: 'word', 'data-word': index }, word.text);
		line.appendChild(span);
		words[index] = span;
		const language = languageOf(word, view.annotation.pages[ref.page].blocks[ref.block]);
		if (language !== '' && !lineLanguages.includes(language)) lineLanguages.push(language);
	}
	finishLine();
	element.appendChild(fragment);
	return { element, words };
}
