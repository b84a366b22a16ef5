/**
 * Asks before text that holds hidden or bidi control characters goes into an editor or onto the
 * clipboard: a bar in the panel, next to the button used, says how many and which, and offers to
 * strip them, keep them or cancel. The choice holds for the rest of the panel's life, so the
 * question comes once. Every Insert and Copy of the panel goes through `send`.
 */
import { findInvisible, hasInvisible, stripInvisible } from '../src/results/invisibleCharacters';
import { h } from './dom';
import type { Localizer } from './l10n';

export type InvisibleChoice = 'strip' | 'keep';

export function isInvisibleChoice(value: unknown): value is InvisibleChoice {
	return value === 'strip' || value === 'keep';
}

/** Codes named in the question; more are summed up by "…". */
const CODES_NAMED = 4;
/** The rows of buttons a bar goes under, nearest first; else it goes at the top of the panel. */
const ROWS = '.toolbar, .view-actions, .table-bar, .subsection-head';

export interface InvisibleGuardOptions {
	l10n: Localizer;
	/** The panel's root, where a bar goes when the button that asked is in no known row. */
	root: HTMLElement;
	/** The user's answer, kept by the panel across re-renders and reloads. */
	choice: { get(): InvisibleChoice | undefined; set(choice: InvisibleChoice): void };
	signal: AbortSignal;
}

let nextBarId = 1;

export class InvisibleGuard {
	private open: { bar: HTMLElement; from: HTMLElement | undefined } | undefined;

	constructor(private readonly o: InvisibleGuardOptions) {
		o.signal.addEventListener('abort', () => this.close(false), { once: true });
	}

	/** The text to send now, as the user chose; undefined while they have yet to be asked. */
	ready(text: string): string | undefined {
		switch (this.o.choice.get()) {
			case 'keep':
				return text;
			case 'strip':
				return stripInvisible(text);
			default:
				return hasInvisible(text) ? undefined : text;
		}
	}

	/** Delivers `text` at once, or after the user has answered; `from` is the button that asked. */
	send(text: string, deliver: (text: string) => void, from?: HTMLElement): void {
		const now = this.ready(text);
		if (now !== undefined) {
			deliver(now);
			return;
		}
		this.ask(text, deliver, from);
	}

	private ask(text: string, deliver: (text: string) => void, from: HTMLElement | undefined): void {
		this.close(false);
		const { l10n } = this.o;
		const { count, characters } = findInvisible(text);
		const codes = characters.slice(0, CODES_NAMED).map(c => c.code).join(', ') + (characters.length > CODES_NAMED ? ', …' : '');
		const id = `invisible-bar-${nextBarId++}`;
		const strip = h('button', { type: 'button', class: 'button primary invisible-strip', title: l10n.t('invisible.stripTitle') }, l10n.t('invisible.strip'));
		const keep = h('button', { type: 'button', class: 'button secondary invisible-keep', title: l10n.t('invisible.keepTitle') }, l10n.t('invisible.keep'));
		const cancel = h('button', { type: 'button', class: 'button secondary invisible-cancel' }, l10n.t('invisible.cancel'));
		const bar = h('div', {
			class: 'invisible-bar',
			role: 'alertdialog',
			'aria-label': l10n.t('invisible.label'),
			'aria-describedby': `${id}-message ${id}-hint`,
		},
		h('span', { class: 'invisible-bar-icon', 'aria-hidden': 'true' }),
		h('div', { class: 'invisible-bar-text' },
			h('p', { class: 'invisible-bar-message', id: `${id}-message` }, count === 1 ? l10n.t('invisible.warningOne', codes) : l10n.t('invisible.warning', l10n.integer(count), codes)),
			h('p', { class: 'invisible-bar-hint', id: `${id}-hint` }, l10n.t('invisible.hint'))),
		h('div', { class: 'invisible-bar-actions' }, strip, keep, cancel));

		const answer = (choice: InvisibleChoice | undefined): void => {
			this.close(true);
			if (choice === undefined) return;
			this.o.choice.set(choice);
			deliver(choice === 'strip' ? stripInvisible(text) : text);
		};
		strip.addEventListener('click', () => answer('strip'));
		keep.addEventListener('click', () => answer('keep'));
		cancel.addEventListener('click', () => answer(undefined));
		bar.addEventListener('keydown', e => {
			if (e.key !== 'Escape') return;
			// Handled here: Escape elsewhere in the panel clears the word selection.
			e.preventDefault();
			e.stopPropagation();
			answer(undefined);
		});

		const row = from?.closest(ROWS);
		if (row) row.after(bar);
		else this.o.root.prepend(bar);
		this.open = { bar, from };
		bar.scrollIntoView({ block: 'nearest' });
		// The safe answer has the focus: Enter strips, Escape cancels.
		strip.focus();
	}

	/** Removes the bar; `returnFocus` gives the focus back to the button that asked. */
	private close(returnFocus: boolean): void {
		const open = this.open;
		if (!open) return;
		this.open = undefined;
		const hadFocus = open.bar.contains(document.activeElement);
		open.bar.remove();
		if (returnFocus && hadFocus && open.from?.isConnected) open.from.focus();
	}
}
