/**
 * Entities the service found in the text (e.g. a phone number): each with its name and text.
 * Hovering or focusing one marks its words on the image and in the text pane.
 */
import { h } from './dom';
import type { Localizer } from './l10n';
import type { EntityView } from './ocr';

export interface EntitiesOptions {
	entities: readonly EntityView[];
	l10n: Localizer;
	/** Marks or unmarks words (reading-order indexes) as the hovered entity's. */
	markWords(indexes: readonly number[], on: boolean): void;
	/** Brings the first word of an entity into view, for keyboard users. */
	reveal(index: number): void;
	signal: AbortSignal;
}

export function entitiesView(o: EntitiesOptions): HTMLElement | undefined {
	const { entities, l10n, signal } = o;
	if (entities.length === 0) return undefined;
	const list = h('ul', { class: 'entity-list' });
	entities.forEach((entity, i) => {
		list.appendChild(h('li', { class: 'entity-item', 'data-entity': i, tabindex: 0 },
			h('span', { class: 'entity-name tag' }, entity.name),
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
	list.addEventListener('focusin', e => {
		const index = entityIndexOf(e.target);
		highlight(index);
		const first = index === undefined ? undefined : entities[index].words[0];
		if (first !== undefined) o.reveal(first);
	}, { signal });
	list.addEventListener('focusout', () => highlight(undefined), { signal });
	return h('div', { class: 'entities' },
		h('h3', { class: 'subsection-title' }, l10n.t('entities.title')),
		list,
		h('p', { class: 'hint' }, l10n.t('entities.hint')));
}

function entityIndexOf(target: EventTarget | null): number | undefined {
	if (!(target instanceof Element)) return undefined;
	const value = target.closest('.entity-item')?.getAttribute('data-entity');
	if (value === null || value === undefined) return undefined;
	const index = Number(value);
	return Number.isInteger(index) ? index : undefined;
}
