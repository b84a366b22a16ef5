/**
 * The faces found: a numbered list beside the numbered boxes on the image. Hovering or focusing
 * either one highlights both.
 */
import type { FaceAnnotation } from '../../src/results/types';
import { h } from '../dom';
import type { Localizer } from '../l10n';
import { boundsOf } from '../text/ocrView';
import type { Overlay } from '../viewer/overlay';

export interface FacesView {
	element: HTMLElement;
	/** By face number − 1. */
	items: HTMLElement[];
}

export function facesView(annotation: FaceAnnotation, l10n: Localizer): FacesView {
	const count = annotation.faces.length;
	const summary = h('p', { class: count === 0 ? 'muted' : 'summary' }, count === 0 ? l10n.t('faces.none') : l10n.t('faces.count', l10n.integer(count)));
	const items: HTMLElement[] = [];
	if (count === 0) return { element: h('div', { class: 'faces' }, summary), items };
	const list = h('ol', { class: 'face-list', 'aria-label': l10n.t('faces.listLabel') });
	annotation.faces.forEach((face, i) => {
		const box = face.boundingBox.vertices.length > 0 ? boundsOf(face.boundingBox) : undefined;
		const item = h('li', { class: 'face-item', 'data-face': i, tabindex: 0 },
			h('span', { class: 'face-number', 'aria-hidden': 'true' }, String(i + 1)),
			h('span', { class: 'face-name' }, l10n.t('faces.item', l10n.integer(i + 1))),
			box && h('span', { class: 'face-size' }, l10n.t('faces.size', l10n.integer(Math.round(box.width)), l10n.integer(Math.round(box.height)))),
			box && h('span', { class: 'face-position' }, l10n.t('faces.position', l10n.integer(Math.round(box.x)), l10n.integer(Math.round(box.y)))));
		items.push(item);
		list.appendChild(item);
	});
	return { element: h('div', { class: 'faces' }, summary, list), items };
}

export interface FaceLinkOptions {
	items: readonly HTMLElement[];
	/** The element around the overlay; the overlay itself may be added after the image loads. */
	stage: HTMLElement;
	overlay(): Overlay | undefined;
	signal: AbortSignal;
}

/** Keeps one face highlighted in both places, whichever the pointer or the focus is on. */
export function linkFaces(o: FaceLinkOptions): void {
	const { items, stage, signal } = o;
	if (items.length === 0) return;
	let current: number | undefined;
	const highlight = (index: number | undefined): void => {
		if (index === current) return;
		if (current !== undefined) mark(current, false);
		current = index;
		if (index !== undefined) mark(index, true);
	};
	const mark = (index: number, on: boolean): void => {
		items[index]?.classList.toggle('hover', on);
		o.overlay()?.faces[index]?.classList.toggle('hover', on);
	};

	stage.addEventListener('pointerover', e => highlight(faceIndexOf(e.target, 'face')), { signal });
	stage.addEventListener('pointerleave', () => highlight(undefined), { signal });
	const list = items[0].parentElement;
	if (!list) return;
	list.addEventListener('pointerover', e => highlight(faceIndexOf(e.target, 'face-item')), { signal });
	list.addEventListener('pointerleave', () => highlight(document.activeElement instanceof Element ? faceIndexOf(document.activeElement, 'face-item') : undefined), { signal });
	list.addEventListener('focusin', e => {
		const index = faceIndexOf(e.target, 'face-item');
		highlight(index);
		if (index !== undefined) o.overlay()?.faces[index]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
	}, { signal });
	list.addEventListener('focusout', () => highlight(undefined), { signal });
}

function faceIndexOf(target: EventTarget | null, className: string): number | undefined {
	if (!(target instanceof Element)) return undefined;
	const element = target.closest(`.${className}`);
	const value = element?.getAttribute('data-face');
	if (value === null || value === undefined) return undefined;
	const index = Number(value);
	return Number.isInteger(index) ? index : undefined;
}
