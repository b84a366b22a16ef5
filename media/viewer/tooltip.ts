/**
 * The hover card for a word: its text, confidence, languages and entity, placed beside the word.
 * Hidden and bidi control characters show as chips, with a line that says so; a very long word is
 * cut short with its length given, so the card always fits in the panel.
 */
import { findInvisible } from '../../src/results/invisibleCharacters';
import { wordLanguages } from '../../src/results/text';
import type { Block, Word } from '../../src/results/types';
import { h } from '../dom';
import type { Localizer } from '../l10n';
import { appendMarkedText } from '../text/invisibleText';

const GAP = 6;
/** Characters of a word the card shows; the stylesheet also clips it to a few lines. */
const SHOWN_CHARACTERS = 160;
/** From this length the card says how long the word is. */
const LENGTH_FROM = 80;
/** Codes named in the hidden-characters line; more are summed up by "…". */
const CODES_NAMED = 4;

export class Tooltip {
	readonly element: HTMLDivElement;
	private readonly text: HTMLDivElement;
	private readonly confidence: HTMLDivElement;
	private readonly languages: HTMLDivElement;
	private readonly entity: HTMLDivElement;
	private readonly length: HTMLDivElement;
	private readonly invisible: HTMLDivElement;

	constructor(private readonly l10n: Localizer) {
		this.text = h('div', { class: 'tooltip-text' });
		this.confidence = h('div', { class: 'tooltip-detail tooltip-confidence' });
		this.languages = h('div', { class: 'tooltip-detail tooltip-languages' });
		this.entity = h('div', { class: 'tooltip-detail tooltip-entity', hidden: true });
		this.length = h('div', { class: 'tooltip-detail tooltip-length', hidden: true });
		this.invisible = h('div', { class: 'tooltip-detail tooltip-invisible', hidden: true });
		this.element = h('div', { id: 'tooltip', class: 'tooltip', role: 'tooltip', hidden: true },
			this.text, this.invisible, this.length, this.confidence, this.languages, this.entity);
	}

	/**
	 * `entity` is the name of the entity the word belongs to, if any; `block` the word's block,
	 * whose languages stand in for the word's own when it has none (the OCR API tags blocks only).
	 */
	show(word: Word, anchor: DOMRect, entity?: string, block?: Block): void {
		this.showText(word.text);
		// The OCR API gives no confidence: the line is left out rather than showing a made-up one.
		this.confidence.hidden = word.confidence === undefined;
		this.confidence.textContent = word.confidence === undefined ? '' : this.l10n.t('tooltip.confidence', this.l10n.percent(word.confidence));
		const codes = (block ? wordLanguages(block, word) : word.languages ?? []).map(language => language.languageCode).filter(code => code !== '');
		this.languages.hidden = false;
		this.languages.textContent = codes.length > 0 ? this.l10n.t('tooltip.languages', codes.join(', ')) : this.l10n.t('tooltip.noLanguage');
		this.entity.hidden = entity === undefined;
		this.entity.textContent = entity === undefined ? '' : this.l10n.t('tooltip.entity', entity);
		this.element.hidden = false;
		this.place(anchor);
	}

	/** A card with a title and one detail line, for regions that are not words (pictures). */
	showRegion(title: string, detail: string, anchor: DOMRect): void {
		this.text.textContent = title;
		this.length.hidden = true;
		this.invisible.hidden = true;
		this.confidence.hidden = true;
		this.languages.hidden = false;
		this.languages.textContent = detail;
		this.entity.hidden = true;
		this.element.hidden = false;
		this.place(anchor);
	}

	private showText(text: string): void {
		// Counted in characters as a reader counts them, not UTF-16 units; only long words pay for it.
		const length = text.length < LENGTH_FROM ? text.length : [...text].length;
		const shown = length > SHOWN_CHARACTERS ? `${[...text.slice(0, SHOWN_CHARACTERS * 2)].slice(0, SHOWN_CHARACTERS).join('')}…` : text;
		this.text.replaceChildren();
		appendMarkedText(this.text, shown);
		this.length.hidden = length < LENGTH_FROM;
		this.length.textContent = this.length.hidden ? '' : this.l10n.t('tooltip.length', this.l10n.integer(length));
		const { characters } = findInvisible(text);
		this.invisible.hidden = characters.length === 0;
		const codes = characters.slice(0, CODES_NAMED).map(c => c.code).join(', ') + (characters.length > CODES_NAMED ? ', …' : '');
		this.invisible.textContent = characters.length === 0 ? '' : this.l10n.t('tooltip.invisible', codes);
	}

	hide(): void {
		this.element.hidden = true;
	}

	/** Below the word, or above it when there is no room below; always inside the viewport. */
	private place(anchor: DOMRect): void {
		const { offsetWidth: width, offsetHeight: height } = this.element;
		const viewportWidth = document.documentElement.clientWidth;
		const viewportHeight = document.documentElement.clientHeight;
		let top = anchor.bottom + GAP;
		if (top + height > viewportHeight && anchor.top - GAP - height >= 0) top = anchor.top - GAP - height;
		const left = Math.min(Math.max(GAP, anchor.left), Math.max(GAP, viewportWidth - width - GAP));
		// CSSOM, not a style attribute: the CSP allows the former only.
		this.element.style.left = `${Math.round(left)}px`;
		this.element.style.top = `${Math.round(Math.max(GAP, Math.min(top, viewportHeight - height - GAP)))}px`;
	}
}
