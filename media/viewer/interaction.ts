/**
 * Hover and selection of words, kept in step between the overlay and the text pane.
 * One listener per surface (event delegation), and each change touches only the elements whose
 * state changed, so thousands of words stay responsive.
 */
import { blockOf, type OcrView } from '../text/ocrView';
import type { Overlay } from './overlay';
import type { WordSelection } from './selection';
import type { TextPane } from '../text/textPane';
import type { Tooltip } from './tooltip';
import { WordNavigator } from './wordNavigation';

export interface WordInteractionOptions {
	ocr: OcrView;
	overlay: Overlay | undefined;
	pane: TextPane;
	/** The focusable element around the image, for keyboard selection. */
	viewer: HTMLElement;
	tooltip: Tooltip;
	selection: WordSelection;
	/** The name of the entity a word belongs to, for its tooltip. */
	entityOf?(index: number): string | undefined;
	/** After every change the user makes; `final` is false while a drag is still under way. */
	onChange(final: boolean): void;
	/** Listeners are removed when this aborts. */
	signal: AbortSignal;
}

export class WordInteraction {
	private hovered: number | undefined;
	private shown = new Set<number>();
	private dragging = false;
	/** Built on the first Up/Down: rendering does not pay for it. */
	private navigator: WordNavigator | undefined;

	constructor(private readonly o: WordInteractionOptions) {
		const { signal } = o;
		const svg = o.overlay?.element;
		if (svg) {
			svg.addEventListener('pointerover', e => this.overlayHover(e), { signal });
			svg.addEventListener('pointerleave', () => this.hover(undefined), { signal });
			svg.addEventListener('pointerdown', e => this.overlayPointerDown(e), { signal });
			svg.addEventListener('pointermove', e => this.overlayPointerMove(e), { signal });
			window.addEventListener('pointerup', () => this.endDrag(), { signal });
			window.addEventListener('pointercancel', () => this.endDrag(), { signal });
		}
		const pane = o.pane.element;
		pane.addEventListener('pointerover', e => this.hover(wordIndexOf(e.target), false), { signal });
		pane.addEventListener('pointerleave', () => this.hover(undefined), { signal });
		// Stops the browser from extending its own text selection on shift/ctrl+click.
		pane.addEventListener('mousedown', e => {
			if (wordIndexOf(e.target) !== undefined && (e.shiftKey || e.ctrlKey || e.metaKey)) e.preventDefault();
		}, { signal });
		pane.addEventListener('click', e => this.paneClick(e), { signal });
		o.viewer.addEventListener('keydown', e => this.viewerKey(e), { signal });
		document.addEventListener('keydown', e => {
			if (e.key === 'Escape' && !e.defaultPrevented) this.clear();
		}, { signal });
		document.addEventListener('scroll', () => o.tooltip.hide(), { signal, capture: true, passive: true });
		this.render(true, false);
	}

	/** Selects exactly these words (an entity's), as if the user had picked them. */
	selectWords(indexes: readonly number[]): void {
		this.o.selection.reset(indexes);
		this.render(true);
		const first = this.o.selection.indexes[0];
		if (first !== undefined) this.o.overlay?.words[first]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
	}

	clear(): void {
		this.o.tooltip.hide();
		if (this.o.selection.size === 0) return;
		this.o.selection.clear();
		this.render(true);
	}

	private overlayHover(e: PointerEvent): void {
		if (this.dragging) return;
		this.hover(wordIndexOf(e.target), true);
	}

	private overlayPointerDown(e: PointerEvent): void {
		if (e.button !== 0) return;
		const index = wordIndexOf(e.target);
		const { selection } = this.o;
		if (index === undefined) {
			if (!e.shiftKey && !e.ctrlKey && !e.metaKey) this.clear();
			return;
		}
		if (e.shiftKey) selection.extendTo(index);
		else if (e.ctrlKey || e.metaKey) selection.toggle(index);
		else selection.select(index);
		this.dragging = !(e.ctrlKey || e.metaKey);
		this.render(!this.dragging);
	}

	private overlayPointerMove(e: PointerEvent): void {
		if (!this.dragging) return;
		const index = wordIndexOf(e.target);
		if (index === undefined || index === this.o.selection.active) return;
		this.o.selection.extendTo(index);
		this.render(false);
	}

	private endDrag(): void {
		if (!this.dragging) return;
		this.dragging = false;
		const active = this.o.selection.active;
		if (active !== undefined) this.o.pane.words[active]?.scrollIntoView({ block: 'nearest' });
		this.render(true);
	}

	private paneClick(e: MouseEvent): void {
		const index = wordIndexOf(e.target);
		if (index === undefined) return;
		const modified = e.shiftKey || e.ctrlKey || e.metaKey;
		// A drag that selected text in the pane is the browser's own selection, for its own copy.
		if (!modified && document.getSelection()?.isCollapsed === false) return;
		const { selection } = this.o;
		if (e.shiftKey) selection.extendTo(index);
		else if (e.ctrlKey || e.metaKey) selection.toggle(index);
		else selection.select(index);
		this.o.overlay?.words[index]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
		this.render(true);
	}

	private viewerKey(e: KeyboardEvent): void {
		// Keys on the zoom buttons are theirs; modified arrows belong to the browser and VS Code.
		if (e.target instanceof HTMLButtonElement || e.defaultPrevented) return;
		if ((e.ctrlKey || e.metaKey || e.altKey) && e.key !== 'a' && e.key !== 'A') return;
		const { selection } = this.o;
		const last = selection.wordCount - 1;
		if (last < 0) return;
		const active = selection.active;
		let target: number | undefined;
		switch (e.key) {
			case 'ArrowRight':
				target = active === undefined ? 0 : Math.min(last, active + 1);
				break;
			case 'ArrowLeft':
				target = active === undefined ? 0 : Math.max(0, active - 1);
				break;
			case 'ArrowDown':
			case 'ArrowUp':
				this.navigator ??= new WordNavigator(this.o.ocr);
				target = active === undefined ? 0 : this.navigator.lineNeighbour(active, e.key === 'ArrowDown' ? 1 : -1);
				break;
			case 'Home':
				target = 0;
				break;
			case 'End':
				target = last;
				break;
			case 'a':
			case 'A':
				if (!(e.ctrlKey || e.metaKey)) return;
				e.preventDefault();
				selection.selectAll();
				this.render(true);
				return;
			default:
				return;
		}
		e.preventDefault();
		if (e.shiftKey) selection.extendTo(target);
		else selection.select(target);
		this.render(true);
		const polygon = this.o.overlay?.words[target];
		polygon?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
		this.o.pane.words[target]?.scrollIntoView({ block: 'nearest' });
		this.hover(target, true);
	}

	/** Moves the hover highlight: off the previous word's two elements, onto the new word's two. */
	private hover(index: number | undefined, withTooltip = false): void {
		if (index !== this.hovered) {
			if (this.hovered !== undefined) this.mark(this.hovered, 'hover', false);
			this.hovered = index;
			if (index !== undefined) this.mark(index, 'hover', true);
		}
		const polygon = index === undefined ? undefined : this.o.overlay?.words[index];
		if (withTooltip && index !== undefined && polygon) this.o.tooltip.show(this.o.ocr.words[index].word, polygon.getBoundingClientRect(), this.o.entityOf?.(index), blockOf(this.o.ocr, index));
		else this.o.tooltip.hide();
	}

	/** Toggles `selected` only where it changed since the last render. */
	private render(final: boolean, notify = true): void {
		const next = new Set(this.o.selection.indexes);
		for (const index of this.shown) if (!next.has(index)) this.mark(index, 'selected', false);
		for (const index of next) if (!this.shown.has(index)) this.mark(index, 'selected', true);
		this.shown = next;
		if (notify) this.o.onChange(final);
	}

	private mark(index: number, className: string, on: boolean): void {
		this.o.overlay?.words[index]?.classList.toggle(className, on);
		this.o.pane.words[index]?.classList.toggle(className, on);
	}
}

/** The `data-word` index of a word polygon or span, from the event's target (also a chip inside a word). */
function wordIndexOf(target: EventTarget | null): number | undefined {
	const word = target instanceof Element ? target.closest('.word') : null;
	if (!word) return undefined;
	const value = word.getAttribute('data-word');
	if (value === null) return undefined;
	const index = Number(value);
	return Number.isInteger(index) ? index : undefined;
}
