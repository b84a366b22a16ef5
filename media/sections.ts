/** The result sections other than the image and its text: errors, classification, faces, copies. */
import type { Status, ClassificationAnnotation, FaceAnnotation, ImageCopySearchAnnotation } from '../src/vision/types';
import { h } from './dom';
import type { Localizer } from './l10n';

/** google.rpc.Code names: what the service's documentation and logs call each code. */
const RPC_CODE_NAMES: Readonly<Record<number, string>> = {
	1: 'CANCELLED',
	2: 'UNKNOWN',
	3: 'INVALID_ARGUMENT',
	4: 'DEADLINE_EXCEEDED',
	5: 'NOT_FOUND',
	6: 'ALREADY_EXISTS',
	7: 'PERMISSION_DENIED',
	8: 'RESOURCE_EXHAUSTED',
	9: 'FAILED_PRECONDITION',
	10: 'ABORTED',
	11: 'OUT_OF_RANGE',
	12: 'UNIMPLEMENTED',
	13: 'INTERNAL',
	14: 'UNAVAILABLE',
	15: 'DATA_LOSS',
	16: 'UNAUTHENTICATED',
};

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

/** Each class as a labelled bar, most probable first. */
export function classificationView(annotation: ClassificationAnnotation, l10n: Localizer): HTMLElement {
	if (annotation.properties.length === 0) return h('p', { class: 'muted' }, l10n.t('classification.empty'));
	const list = h('ul', { class: 'bars' });
	const sorted = [...annotation.properties].sort((a, b) => b.probability - a.probability);
	for (const property of sorted) {
		const probability = clamp01(property.probability);
		const percent = l10n.percent(probability);
		const fill = h('div', { class: 'bar-fill' });
		fill.style.width = `${probability * 100}%`;
		list.appendChild(h('li', { class: 'bar-row' },
			h('span', { class: 'bar-label' }, property.name),
			h('div', {
				class: 'bar',
				role: 'meter',
				'aria-label': property.name,
				'aria-valuemin': 0,
				'aria-valuemax': 100,
				'aria-valuenow': Math.round(probability * 100),
				'aria-valuetext': percent,
			}, fill),
			h('span', { class: 'bar-value' }, percent)));
	}
	return list;
}

export function facesView(annotation: FaceAnnotation, l10n: Localizer): HTMLElement {
	const count = annotation.faces.length;
	return h('p', { class: count === 0 ? 'muted' : 'summary' },
		count === 0 ? l10n.t('faces.none') : l10n.t('faces.count', l10n.integer(count)));
}

/** Titles, descriptions and addresses as plain text: nothing is fetched from the matched sites. */
export function copiesView(annotation: ImageCopySearchAnnotation, l10n: Localizer): HTMLElement {
	const container = h('div', { class: 'copies' });
	if (annotation.copyCount === 0 && annotation.topResults.length === 0) {
		container.appendChild(h('p', { class: 'muted' }, l10n.t('copies.none')));
		return container;
	}
	container.appendChild(h('p', { class: 'summary' }, l10n.t('copies.count', l10n.integer(annotation.copyCount))));
	const list = h('ol', { class: 'copy-list' });
	for (const match of annotation.topResults) {
		list.appendChild(h('li', { class: 'copy' },
			match.title !== '' && h('div', { class: 'copy-title' }, match.title),
			match.description !== '' && h('div', { class: 'copy-description' }, match.description),
			match.pageUrl !== '' && h('div', { class: 'copy-url' }, match.pageUrl),
			match.imageUrl !== '' && match.imageUrl !== match.pageUrl && h('div', { class: 'copy-url' }, match.imageUrl)));
	}
	container.appendChild(list);
	return container;
}

function clamp01(n: number): number {
	return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}
