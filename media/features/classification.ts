/**
 * Classification results. The two models mean different things and are drawn differently:
 * - `quality` classes (low, medium, high) exclude each other: one distribution that adds up to
 *   100 %, with the most likely class named;
 * - `moderation` classes (adult, gruesome, text, watermarks) are independent yes/no judgements:
 *   each its own bar against a threshold, the likely ones marked.
 * Either way every class is listed as a labelled bar, most probable first.
 */
import type { ClassificationAnnotation, Property } from '../../src/results/types';
import type { WebviewStringKey } from '../../src/shared/strings';
import { h } from '../dom';
import type { Localizer } from '../l10n';

export type ClassificationKind = 'exclusive' | 'independent' | 'unknown';

/** From this probability an independent class counts as likely. */
export const FLAG_THRESHOLD = 0.5;

const QUALITY = ['low', 'medium', 'high'];
const MODERATION = ['adult', 'gruesome', 'text', 'watermarks'];

/** The model's name when the extension sent it, else recognized from the class names. */
export function classificationKind(model: string | undefined, properties: readonly Property[]): ClassificationKind {
	if (model === 'quality') return 'exclusive';
	if (model === 'moderation') return 'independent';
	const names = properties.map(p => p.name);
	if (names.length === 0) return 'unknown';
	if (names.every(n => QUALITY.includes(n))) return 'exclusive';
	if (names.every(n => MODERATION.includes(n))) return 'independent';
	return 'unknown';
}

export function classificationView(annotation: ClassificationAnnotation, model: string | undefined, l10n: Localizer): HTMLElement {
	if (annotation.properties.length === 0) return h('p', { class: 'muted' }, l10n.t('classification.empty'));
	const kind = classificationKind(model, annotation.properties);
	const properties = annotation.properties.map(p => ({ name: p.name, probability: clamp01(p.probability), label: propertyLabel(kind, p.name, l10n) }));
	const sorted = [...properties].sort((a, b) => b.probability - a.probability);
	const container = h('div', { class: `classification ${kind}`, 'data-kind': kind });

	if (kind === 'exclusive') {
		const top = sorted[0];
		container.appendChild(h('p', { class: 'verdict' }, l10n.t('classification.mostLikely', top.label), ' ', h('span', { class: 'verdict-value' }, l10n.percent(top.probability))));
		container.appendChild(distribution(properties, top.name, l10n));
	} else if (kind === 'independent') {
		const flagged = sorted.filter(p => p.probability >= FLAG_THRESHOLD);
		container.appendChild(h('p', { class: flagged.length > 0 ? 'verdict flagged' : 'verdict' }, flagged.length > 0
			? l10n.t('classification.flaggedList', flagged.map(p => p.label).join(', '))
			: l10n.t('classification.nothingFlagged', l10n.percent(FLAG_THRESHOLD))));
	}

	const list = h('ul', { class: 'bars' });
	for (const [rank, property] of sorted.entries()) {
		const percent = l10n.percent(property.probability);
		const fill = h('div', { class: 'bar-fill' });
		// CSSOM, not a style attribute: the CSP allows the former only.
		fill.style.width = `${property.probability * 100}%`;
		const flagged = kind === 'independent' && property.probability >= FLAG_THRESHOLD;
		const bar = h('div', {
			class: 'bar',
			role: 'meter',
			'aria-label': property.label,
			'aria-valuemin': 0,
			'aria-valuemax': 100,
			'aria-valuenow': Math.round(property.probability * 100),
			'aria-valuetext': percent,
		}, fill, kind === 'independent' && thresholdMark());
		const classes = ['bar-row'];
		if (kind === 'exclusive' && rank === 0) classes.push('top');
		if (flagged) classes.push('flagged');
		list.appendChild(h('li', { class: classes.join(' '), 'data-property': property.name },
			h('span', { class: 'bar-label', title: property.name }, property.label),
			bar,
			h('span', { class: 'bar-value' }, percent),
			kind === 'independent' && h('span', { class: flagged ? 'flag' : 'flag off', 'aria-hidden': flagged ? undefined : 'true' }, flagged ? l10n.t('classification.flagged') : '')));
	}
	container.appendChild(list);
	container.appendChild(h('p', { class: 'hint' }, kind === 'exclusive'
		? l10n.t('classification.exclusiveHint')
		: kind === 'independent' ? l10n.t('classification.independentHint', l10n.percent(FLAG_THRESHOLD)) : ''));
	return container;
}

/** One bar split into the classes in their natural order (low → high), the likeliest emphasized. */
function distribution(properties: readonly { name: string; probability: number; label: string }[], top: string, l10n: Localizer): HTMLElement {
	const ordered = [...properties].sort((a, b) => order(a.name) - order(b.name));
	const total = ordered.reduce((sum, p) => sum + p.probability, 0) || 1;
	const element = h('div', {
		class: 'distribution',
		role: 'img',
		'aria-label': l10n.t('classification.distribution', ordered.map(p => `${p.label} ${l10n.percent(p.probability)}`).join(', ')),
	});
	ordered.forEach((p, i) => {
		const segment = h('span', { class: p.name === top ? 'segment top' : 'segment', 'data-property': p.name, 'data-step': i, title: `${p.label}: ${l10n.percent(p.probability)}` });
		segment.style.flexBasis = `${(p.probability / total) * 100}%`;
		element.appendChild(segment);
	});
	return element;
}

function thresholdMark(): HTMLElement {
	const mark = h('span', { class: 'threshold', 'aria-hidden': 'true' });
	mark.style.left = `${FLAG_THRESHOLD * 100}%`;
	return mark;
}

function order(name: string): number {
	const index = QUALITY.indexOf(name);
	return index === -1 ? QUALITY.length : index;
}

function propertyLabel(kind: ClassificationKind, name: string, l10n: Localizer): string {
	const key = kind === 'exclusive' && QUALITY.includes(name)
		? `classification.quality.${name}`
		: kind === 'independent' && MODERATION.includes(name) ? `classification.moderation.${name}` : undefined;
	return key === undefined ? name : l10n.t(key as WebviewStringKey);
}

function clamp01(n: number): number {
	return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}
