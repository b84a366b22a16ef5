/**
 * Entities the service found in the text (e.g. a phone number), or the fields of a document the
 * OCR API's document models read (surname, date of birth…): each with its name, localized where
 * it is a known field, and its text. Hovering or focusing one marks its words on the image and in
 * the text pane; clicking selects them. "Copy as JSON" copies every field as name → text.
 */
import { fieldsJson } from '../../src/results/documents';
import { h } from '../dom';
import { fieldLabel } from './documentFields';
import type { Localizer } from '../l10n';
import type { EntityView } from '../text/ocrView';

export interface EntitiesOptions {
	entities: readonly EntityView[];
	/** A document model's result: the list is the document's fields, and leads the section. */
	document: boolean;
	l10n: Localizer;
	/** Marks or unmarks words (reading-order indexes) as the hovered entity's. */
	markWords(indexes: readonly number[], on: boolean): void;
	/** Brings the first word of an entity into view, for keyboard users. */
	reveal(index: number): void;
	/** Makes these words the selection. */
	selectWords(indexes: readonly number[]): void;
	/** `from`: the button used, which a question about the text is shown next to. */
	copyText(text: string, from: HTMLElement): void;
	signal: AbortSignal;
}

export function entitiesView(o: EntitiesOptions): HTMLElement | undefined {
	const { entities, l10n, signal } = o;
	if (entities.length === 0) return undefined;
	const list = h('ul', { class: o.document ? 'entity-list fields' : 'entity-list' });
	entities.forEach((entity, i) => {
		const label = fieldLabel(entity.name, l10n);
		list.appendChild(h('li', {
			class: entity.words.length > 0 ? 'entity-item' : 'entity-item no-words',
			'data-entity': i,
			'data-name': entity.name,
			tabindex: 0,
			title: entity.words.length > 0 ? undefined : l10n.t('fields.noWords'),
		},
		h('span', { class: o.document ? 'entity-name field-label' : 'entity-name tag', title: label === entity.name ? undefined : entity.name }, label),
		h('span', { class: 'entity-text' }, entity.text)));
	});
	let current: number | undefined;
	const highlight = (index: number | undefined): void => {
		if (index === current) return;
		if (current !== undefined) {
			o.markWords(entities[current].words, false);
			list.children[current]?.classList.remove('hover');
		}
		current = index;
		if (index !== undefined) {
			o.markWords(entities[index].words, true);
			list.children[index]?.classList.add('hover');
		}
	};
	list.addEventListener('pointerover', e => highlight(entityIndexOf(e.target)), { signal });
	list.addEventListener('pointerleave', () => highlight(entityIndexOf(document.activeElement)), { signal });
	// Focus from a click does not scroll: the list moving under the pointer would turn the click into nothing.
	let pointerFocus = false;
	list.addEventListener('pointerdown', () => {
		pointerFocus = true;
	}, { signal });
	list.addEventListener('focusin', e => {
		const index = entityIndexOf(e.target);
		highlight(index);
		const first = index === undefined ? undefined : entities[index].words[0];
		if (first !== undefined && !pointerFocus) o.reveal(first);
		pointerFocus = false;
	}, { signal });
	list.addEventListener('focusout', () => highlight(undefined), { signal });
	const select = (target: EventTarget | null): void => {
		const index = entityIndexOf(target);
		// Text being selected in the list is the user's own selection, to copy the value.
		if (index === undefined || document.getSelection()?.isCollapsed === false) return;
		if (entities[index].words.length > 0) o.selectWords(entities[index].words);
	};
	list.addEventListener('click', e => select(e.target), { signal });
	list.addEventListener('keydown', e => {
		if (e.key !== 'Enter' && e.key !== ' ') return;
		e.preventDefault();
		select(e.target);
	}, { signal });

	const copyJson = h('button', { type: 'button', class: 'button secondary fields-copy-json', title: l10n.t('fields.copyJsonTitle') }, l10n.t('fields.copyJson'));
	copyJson.addEventListener('click', () => o.copyText(fieldsJson(entities), copyJson), { signal });
	return h('div', { class: o.document ? 'entities document-fields' : 'entities' },
		h('div', { class: 'subsection-head' },
			h('h3', { class: 'subsection-title' }, l10n.t(o.document ? 'fields.title' : 'entities.title')),
			copyJson),
		list,
		h('p', { class: 'hint' }, l10n.t(o.document ? 'fields.hint' : 'entities.hint')));
}

function entityIndexOf(target: EventTarget | null): number | undefined {
	if (!(target instanceof Element)) return undefined;
	const value = target.closest('.entity-item')?.getAttribute('data-entity');
	if (value === null || value === undefined) return undefined;
	const index = Number(value);
	return Number.isInteger(index) ? index : undefined;
}
