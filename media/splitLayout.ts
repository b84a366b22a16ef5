/**
 * The image and the results side by side, or the image above the results, each scrolling on its
 * own, with a splitter between them that the mouse and the keyboard move. The way is chosen from
 * the panel's size and the image's: side by side, unless the panel is too narrow for two columns
 * or the image would show much larger above the results (a wide diagram). Until the user moves
 * the splitter, the image takes the room it needs to be shown whole, within bounds that leave the
 * results in view; where the user leaves it is kept, for each way, in the webview state.
 */
import { h } from './dom';
import type { Localizer } from './l10n';
import type { Size } from './viewer/zoom';

export type Orientation = 'side' | 'stacked';

/** The share of the panel the image takes (0–1) where the user left the splitter, for each way. */
export interface SplitState {
	side?: number;
	stacked?: number;
}

export function isSplitState(value: unknown): value is SplitState {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const { side, stacked } = value as Record<string, unknown>;
	return [side, stacked].every(share => share === undefined || (typeof share === 'number' && share > 0 && share < 1));
}

/** Side by side needs this much for the results and for the image. */
const MIN_RESULTS_WIDTH = 280;
const MIN_IMAGE_WIDTH = 240;
/** Stacked, the least height of either. */
const MIN_PANE_HEIGHT = 120;
/** The most of the panel the image takes by default: the rest keeps the first results in view. */
const MAX_DEFAULT_SHARE = 0.7;
const MIN_DEFAULT_SHARE = 0.3;
/** Stacked only when the image shows this much larger so: the results read better beside it. */
const STACKED_GAIN = 1.2;
/** Before the image's size is known (or for a PDF's pages): side by side from this width. */
const SIDE_BY_SIDE_WIDTH = 720;
/** What an arrow key moves the splitter by. */
const KEY_STEP = 0.05;

export interface LayoutInput {
	/** The room for the image and the results together. */
	panel: Size;
	/** The image's pixel size, if known. */
	image: Size | undefined;
	/** What the viewer takes around the image: its toolbar, padding and borders. */
	chrome: Size;
}

/** Side by side or stacked, for a panel and an image of these sizes. */
export function chooseOrientation(input: LayoutInput): Orientation {
	if (input.panel.width < MIN_RESULTS_WIDTH + MIN_IMAGE_WIDTH) return 'stacked';
	if (!input.image) return input.panel.width >= SIDE_BY_SIDE_WIDTH ? 'side' : 'stacked';
	const side = fitScale('side', defaultShare('side', input), input);
	const stacked = fitScale('stacked', defaultShare('stacked', input), input);
	return stacked > side * STACKED_GAIN ? 'stacked' : 'side';
}

/** The image's share of the panel until the user moves the splitter: what it needs to be shown whole, within bounds. */
export function defaultShare(orientation: Orientation, input: LayoutInput): number {
	const { panel, image, chrome } = input;
	const [low, high] = shareBounds(orientation, panel);
	const bounded = (share: number): number => Math.min(high, Math.max(low, share));
	if (!image) return bounded(orientation === 'side' ? 0.6 : 0.55);
	if (orientation === 'side') {
		const scale = Math.min(1, (panel.height - chrome.height) / image.height);
		return bounded(Math.min(MAX_DEFAULT_SHARE, Math.max(MIN_DEFAULT_SHARE, (image.width * scale + chrome.width) / panel.width)));
	}
	const scale = Math.min(1, (panel.width - chrome.width) / image.width);
	return bounded(Math.min(MAX_DEFAULT_SHARE, Math.max(MIN_DEFAULT_SHARE, (image.height * scale + chrome.height) / panel.height)));
}

/** The least and the most the image may take, so that neither side is squeezed out. */
export function shareBounds(orientation: Orientation, panel: Size): [number, number] {
	const [length, least, most] = orientation === 'side'
		? [panel.width, MIN_IMAGE_WIDTH, panel.width - MIN_RESULTS_WIDTH]
		: [panel.height, MIN_PANE_HEIGHT, panel.height - MIN_PANE_HEIGHT];
	if (length <= 0 || least >= most) return [0.5, 0.5];
	return [least / length, most / length];
}

function fitScale(orientation: Orientation, share: number, { panel, image, chrome }: LayoutInput): number {
	if (!image) return 0;
	const width = (orientation === 'side' ? panel.width * share : panel.width) - chrome.width;
	const height = (orientation === 'side' ? panel.height : panel.height * share) - chrome.height;
	return Math.max(0, Math.min(1, width / image.width, height / image.height));
}

export interface SplitLayoutOptions {
	/** The grid that holds the viewer, the splitter and the results. */
	content: HTMLElement;
	/** The viewer, and the scrolling view inside it that shows the image. */
	viewer: HTMLElement;
	viewport: HTMLElement;
	imageSize(): Size | undefined;
	/** Where the user left the splitter, kept by the panel across re-renders and reloads. */
	split: { get(): SplitState | undefined; set(state: SplitState): void };
	l10n: Localizer;
	signal: AbortSignal;
}

export class SplitLayout {
	readonly splitter: HTMLElement;
	private orientation: Orientation = 'side';
	private share = 0.6;
	private drag: { pointerId: number } | undefined;

	constructor(private readonly o: SplitLayoutOptions) {
		const { l10n } = o;
		this.splitter = h('div', {
			class: 'splitter',
			role: 'separator',
			tabindex: 0,
			'aria-label': l10n.t('layout.splitter'),
			title: l10n.t('layout.splitterTitle'),
		});
		this.listen();
	}

	/** Lays the panel out again: its size or the image's may have changed. */
	refresh(): void {
		const input = this.input();
		if (input.panel.width <= 0 || input.panel.height <= 0) return;
		this.orientation = chooseOrientation(input);
		const saved = this.o.split.get()?.[this.orientation];
		this.setShare(saved ?? defaultShare(this.orientation, input));
	}

	private input(): LayoutInput {
		const { content, viewer, viewport } = this.o;
		const style = getComputedStyle(viewport);
		// The view's whole box, scrollbars included: a whole image shown fitted needs none.
		const chrome = {
			width: viewer.clientWidth - (viewport.offsetWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)),
			// And the pixel the fit leaves spare (see ZoomControl.fitScale).
			height: viewer.clientHeight - (viewport.offsetHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) + 1,
		};
		return { panel: { width: content.clientWidth, height: content.clientHeight }, image: this.o.imageSize(), chrome };
	}

	private setShare(share: number): void {
		const { content } = this.o;
		const panel = { width: content.clientWidth, height: content.clientHeight };
		const [low, high] = shareBounds(this.orientation, panel);
		this.share = Math.min(high, Math.max(low, share));
		content.classList.toggle('side', this.orientation === 'side');
		content.classList.toggle('stacked', this.orientation === 'stacked');
		content.style.setProperty('--split', `${(this.share * 100).toFixed(2)}%`);
		const { splitter } = this;
		// The line between side-by-side panes is vertical.
		splitter.setAttribute('aria-orientation', this.orientation === 'side' ? 'vertical' : 'horizontal');
		splitter.setAttribute('aria-valuemin', String(Math.round(low * 100)));
		splitter.setAttribute('aria-valuemax', String(Math.round(high * 100)));
		splitter.setAttribute('aria-valuenow', String(Math.round(this.share * 100)));
	}

	private keep(): void {
		this.o.split.set({ ...this.o.split.get(), [this.orientation]: this.share });
	}

	private listen(): void {
		const { content, signal } = this.o;
		const { splitter } = this;
		splitter.addEventListener('pointerdown', e => {
			if (e.button !== 0) return;
			e.preventDefault();
			this.drag = { pointerId: e.pointerId };
			splitter.setPointerCapture(e.pointerId);
			splitter.classList.add('dragging');
		}, { signal });
		splitter.addEventListener('pointermove', e => {
			if (!this.drag || e.pointerId !== this.drag.pointerId) return;
			const box = content.getBoundingClientRect();
			this.setShare(this.orientation === 'side' ? (e.clientX - box.left) / box.width : (e.clientY - box.top) / box.height);
		}, { signal });
		const endDrag = (e: PointerEvent): void => {
			if (!this.drag || e.pointerId !== this.drag.pointerId) return;
			this.drag = undefined;
			splitter.classList.remove('dragging');
			this.keep();
		};
		splitter.addEventListener('pointerup', endDrag, { signal });
		splitter.addEventListener('pointercancel', endDrag, { signal });
		splitter.addEventListener('dblclick', () => {
			// Back to the share the image needs, and forgotten.
			const state = { ...this.o.split.get() };
			delete state[this.orientation];
			this.o.split.set(state);
			this.refresh();
		}, { signal });
		splitter.addEventListener('keydown', e => {
			if (e.ctrlKey || e.metaKey || e.altKey) return;
			const [low, high] = shareBounds(this.orientation, { width: content.clientWidth, height: content.clientHeight });
			switch (e.key) {
				case 'ArrowLeft':
				case 'ArrowUp':
					this.setShare(this.share - KEY_STEP);
					break;
				case 'ArrowRight':
				case 'ArrowDown':
					this.setShare(this.share + KEY_STEP);
					break;
				case 'Home':
					this.setShare(low);
					break;
				case 'End':
					this.setShare(high);
					break;
				default:
					return;
			}
			e.preventDefault();
			this.keep();
		}, { signal });
		const observer = new ResizeObserver(() => this.refresh());
		observer.observe(content);
		signal.addEventListener('abort', () => observer.disconnect(), { once: true });
	}
}
