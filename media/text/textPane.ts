/**
 * The recognized text in reading order: a paragraph per block, a line per line, a span per word
 * with the same `data-word` index as its polygon. Plain spaces and block elements between the
 * words, so copying from the pane gives the same text as the service's reading order.
 *
 * Each line carries its language as `lang` (for screen readers and hyphenation) and `data-lang`;
 * the stylesheet shows it as a small tag where it changes (`lang-start`). The tag is a CSS
 * `::after`, so it is neither copied nor part of the text.
 *
 * Invisible and bidi control characters show as chips (./invisibleText.ts). A word that runs over
 * three lines is clipped to them, with a button after it to show it all: one long string must not
 * make the pane thousands of pixels tall.
 */
import { hasInvisible } from '../../src/results/invisibleCharacters';
import { h } from '../dom';
import type { Localizer } from '../l10n';
import { layoutLabel } from '../viewer/layoutLabels';
import { appendMarkedText } from './invisibleText';
import { languageOf, type OcrView } from './ocrView';

/** Characters from which a word may run over three lines; its laid-out height decides whether it is clipped. */
const LONG_WORD = 160;

interface LongWord {
	span: HTMLSpanElement;
	toggle: HTMLButtonElement;
	expanded: boolean;
}

export interface TextPane {
	element: HTMLElement;
	/** By reading-order index. */
	words: HTMLSpanElement[];
}

/** `arriving`: a long document whose pages are still on their way, so no text yet is no verdict. */
export function buildTextPane(view: OcrView, l10n: Localizer, signal: AbortSignal, arriving = false): TextPane {
	const element = h('div', { id: 'text-pane', class: 'text-pane', tabindex: 0, role: 'document', 'aria-label': l10n.t('text.paneLabel') });
	const words: HTMLSpanElement[] = [];
	const longWords: LongWord[] = [];
	if (view.words.length === 0) {
		element.classList.add('empty');
		element.appendChild(arriving
			? h('div', { class: 'empty-message' }, h('span', { class: 'hint' }, l10n.t('text.arrivingHint')))
			: h('div', { class: 'empty-message' },
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
			// Only where it changes: with the OCR API every block names its language, and a tag on each would be noise.
			if (language !== previousLanguage) line.classList.add('lang-start');
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
		const span = h('span', { class: 'word', 'data-word': index });
		if (hasInvisible(word.text)) appendMarkedText(span, word.text);
		else span.textContent = word.text;
		line.appendChild(span);
		words[index] = span;
		if (word.text.length > LONG_WORD) longWords.push(clipLongWord(span, index, word.text, l10n));
		const language = languageOf(word, view.annotation.pages[ref.page].blocks[ref.block]);
		if (language !== '' && !lineLanguages.includes(language)) lineLanguages.push(language);
	}
	finishLine();
	element.appendChild(fragment);
	if (longWords.length > 0) watchLongWords(element, longWords, l10n, signal);
	return { element, words };
}

/** Clips the word to three lines and puts its (for now hidden) "Show all" button after it. */
function clipLongWord(span: HTMLSpanElement, index: number, text: string, l10n: Localizer): LongWord {
	span.id = `word-${index}`;
	span.classList.add('long-word', 'clamped');
	const toggle = h('button', {
		type: 'button',
		class: 'word-toggle',
		hidden: true,
		'aria-expanded': 'false',
		'aria-controls': span.id,
		title: l10n.t('text.longWord', l10n.integer([...text].length)),
	}, l10n.t('text.showAll'));
	span.after(toggle);
	return { span, toggle, expanded: false };
}

/**
 * Shows a long word's button only where the word is really clipped, which depends on the pane's
 * width: measured when the pane is laid out and again whenever its size changes.
 */
function watchLongWords(pane: HTMLElement, longWords: readonly LongWord[], l10n: Localizer, signal: AbortSignal): void {
	const measure = (): void => {
		for (const long of longWords) {
			if (!long.expanded) long.toggle.hidden = long.span.scrollHeight <= long.span.clientHeight + 1;
		}
	};
	const observer = new ResizeObserver(measure);
	observer.observe(pane);
	signal.addEventListener('abort', () => observer.disconnect(), { once: true });
	const byToggle = new Map(longWords.map(long => [long.toggle, long]));
	pane.addEventListener('click', e => {
		const long = e.target instanceof HTMLButtonElement ? byToggle.get(e.target) : undefined;
		if (!long) return;
		long.expanded = !long.expanded;
		long.span.classList.toggle('clamped', !long.expanded);
		long.toggle.setAttribute('aria-expanded', String(long.expanded));
		long.toggle.textContent = l10n.t(long.expanded ? 'text.showLess' : 'text.showAll');
		// Back to three lines, the word's start may now be above the view: bring it back.
		if (!long.expanded) long.span.scrollIntoView({ block: 'nearest' });
	}, { signal });
}
