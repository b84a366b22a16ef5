/**
 * Tabs over the ways the recognized text can be shown: the text itself, the tables, the service's
 * Markdown. Only the chosen one is shown; the others stay built, so the words' and cells' links to
 * the image keep working when the user comes back to them.
 */
import { h } from '../dom';

export interface TextViewEntry {
	id: string;
	label: string;
	panel: HTMLElement;
}

export function textViews(entries: readonly TextViewEntry[], initial: string, label: string, onChange: (id: string) => void, signal: AbortSignal): HTMLElement {
	const tabs = h('div', { class: 'view-switch', role: 'tablist', 'aria-label': label });
	const buttons = entries.map(entry => {
		const button = h('button', {
			type: 'button',
			class: 'view-tab',
			role: 'tab',
			id: `view-tab-${entry.id}`,
			'data-view': entry.id,
			'aria-controls': `view-${entry.id}`,
		}, entry.label);
		entry.panel.id = `view-${entry.id}`;
		entry.panel.setAttribute('role', 'tabpanel');
		entry.panel.setAttribute('aria-labelledby', button.id);
		entry.panel.classList.add('view-panel');
		tabs.appendChild(button);
		return button;
	});
	const show = (id: string): void => {
		entries.forEach((entry, i) => {
			const on = entry.id === id;
			buttons[i].setAttribute('aria-selected', String(on));
			buttons[i].tabIndex = on ? 0 : -1;
			entry.panel.hidden = !on;
		});
	};
	show(entries.some(e => e.id === initial) ? initial : entries[0].id);
	tabs.addEventListener('click', e => {
		const id = e.target instanceof Element ? e.target.closest('.view-tab')?.getAttribute('data-view') : undefined;
		if (!id) return;
		show(id);
		onChange(id);
	}, { signal });
	tabs.addEventListener('keydown', e => {
		if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
		const current = buttons.findIndex(b => b.getAttribute('aria-selected') === 'true');
		const next = (current + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length;
		e.preventDefault();
		show(entries[next].id);
		onChange(entries[next].id);
		buttons[next].focus();
	}, { signal });
	return h('div', { class: 'text-views' }, tabs, ...entries.map(e => e.panel));
}
