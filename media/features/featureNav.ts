/**
 * Tabs over the results of an image analyzed for several features. Every section stays on the
 * page (an error in one never hides the others); a tab scrolls to its section, shows a count or
 * that the feature failed, and follows the scrolling to mark the section in view.
 */
import { h } from '../dom';

export interface NavEntry {
	section: HTMLElement;
	label: string;
	/** A count or the like, after the label. */
	badge?: string;
	failed: boolean;
	failedLabel: string;
}

export function featureNav(entries: readonly NavEntry[], scroller: HTMLElement, label: string, signal: AbortSignal): HTMLElement {
	const tabs = entries.map(entry => {
		const tab = h('button', {
			type: 'button',
			class: entry.failed ? 'nav-tab failed' : 'nav-tab',
			'data-target': entry.section.getAttribute('data-feature') ?? undefined,
			'aria-controls': entry.section.id,
		},
		h('span', { class: 'nav-label' }, entry.label),
		entry.failed
			? h('span', { class: 'nav-badge failed' }, entry.failedLabel)
			: entry.badge !== undefined && h('span', { class: 'nav-badge' }, entry.badge));
		tab.addEventListener('click', () => {
			setCurrent(tab);
			// Below the tabs, however many rows they wrap to.
			entry.section.style.scrollMarginTop = `${nav.offsetHeight + 8}px`;
			entry.section.scrollIntoView({ block: 'start' });
			// The heading, so a screen reader announces where the tab led.
			entry.section.querySelector<HTMLElement>('.section-title')?.focus({ preventScroll: true });
		}, { signal });
		return tab;
	});
	const setCurrent = (current: HTMLElement): void => {
		for (const tab of tabs) {
			if (tab === current) tab.setAttribute('aria-current', 'true');
			else tab.removeAttribute('aria-current');
		}
	};
	setCurrent(tabs[0]);
	const nav = h('nav', { class: 'feature-nav', 'aria-label': label }, ...tabs);

	let scheduled = false;
	const follow = (): void => {
		scheduled = false;
		const top = scroller.getBoundingClientRect().top;
		// The last section whose top has reached the upper part of the column.
		let index = 0;
		entries.forEach((entry, i) => {
			if (entry.section.getBoundingClientRect().top - top <= scroller.clientHeight / 3) index = i;
		});
		// Scrolled to the end: the last section is the one being read even when it is short.
		if (scroller.scrollTop > 0 && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2) index = entries.length - 1;
		setCurrent(tabs[index]);
	};
	scroller.addEventListener('scroll', () => {
		if (scheduled) return;
		scheduled = true;
		requestAnimationFrame(follow);
	}, { signal, passive: true });

	return nav;
}
