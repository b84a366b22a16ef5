/**
 * Zoom and pan of the image. Zooming only sets the stage's width in CSS pixels: the image fills
 * the stage and the overlay stretches over it with its own viewBox, so the regions stay on their
 * pixels at every scale without being touched.
 *
 * - Fit (the default) shows the whole image, both its width and its height, never enlarged; it
 *   follows the panel's size.
 * - 100 %, +, − and Ctrl+wheel (or a pinch) set a fixed scale; the wheel keeps the point under the
 *   pointer where it is.
 * - Dragging with Space held, with the middle button, or with the hand tool on scrolls the view.
 *
 * A PDF's stage is its whole stack of pages: 100 % shows them at 96 dpi, and Fit the widest page
 * across the panel, the pages read by scrolling.
 */
import { h, svg } from '../dom';
import type { Localizer } from '../l10n';

export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 8;
/** What + and − step through, so the readout shows round numbers. */
const STEPS = [0.05, 0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.25, 1.5, 2, 3, 4, 6, 8];

export interface Size {
	width: number;
	height: number;
}

export interface ZoomOptions {
	/** The scrolling box around the stage. */
	viewport: HTMLElement;
	/** The box that holds the image and the overlay. */
	stage: HTMLElement;
	/** Where keyboard shortcuts are taken (the focusable viewer). */
	keyTarget: HTMLElement;
	/** The pixel size that 100 % shows: the image's natural size, or the page's before it loads. */
	baseSize(): Size | undefined;
	/** What Fit shows: the whole image, or the width alone (a PDF's pages, read by scrolling). */
	fit: 'whole' | 'width';
	/** After every change of scale or scroll by this controller, e.g. to hide a tooltip. */
	onChange(): void;
	l10n: Localizer;
	signal: AbortSignal;
}

/** The scale Fit shows the image at, and the scale the view's width alone would allow. */
export interface FitScale {
	scale: number;
	across: number;
}

export class ZoomControl {
	readonly toolbar: HTMLElement;
	/** A number, or 'fit' while the scale follows the panel's size. */
	private scale: number | 'fit' = 'fit';
	private readonly level: HTMLOutputElement;
	private readonly handButton: HTMLButtonElement;
	private readonly fitButton: HTMLButtonElement;
	private readonly buttons: HTMLButtonElement[];
	private handTool = false;
	private spaceHeld = false;
	private pointerInside = false;
	private pan: { pointerId: number; x: number; y: number; left: number; top: number } | undefined;

	constructor(private readonly o: ZoomOptions) {
		const { l10n, signal } = o;
		/** Icon-like buttons get their name from `title`; the others show their name. */
		const button = (id: string, content: string | Node, title: string, onClick: () => void, named = false): HTMLButtonElement => {
			const element = h('button', { id, type: 'button', class: 'tool-button', title, 'aria-label': named ? title : undefined }, content);
			element.addEventListener('click', onClick, { signal });
			return element;
		};
		const fit = this.fitButton = button('zoom-fit', l10n.t('zoom.fit'), l10n.t('zoom.fitTitle'), () => this.fit());
		// "1:1", not "100%": the level beside it is the one readout of the scale.
		const actual = button('zoom-actual', '1:1', l10n.t('zoom.actualTitle'), () => this.setScale(1));
		const zoomOut = button('zoom-out', '−', l10n.t('zoom.out'), () => this.step(-1), true);
		const zoomIn = button('zoom-in', '+', l10n.t('zoom.in'), () => this.step(1), true);
		this.handButton = button('zoom-hand', handIcon(), l10n.t('zoom.pan'), () => this.setHandTool(!this.handTool), true);
		this.handButton.setAttribute('aria-pressed', 'false');
		this.level = h('output', { id: 'zoom-level', class: 'zoom-level', 'aria-label': l10n.t('zoom.level') });
		this.buttons = [fit, actual, zoomOut, zoomIn, this.handButton];
		this.toolbar = h('div', { class: 'zoom-bar', role: 'toolbar', 'aria-label': l10n.t('zoom.group') }, fit, actual, zoomOut, this.level, zoomIn, this.handButton);
		this.listen();
		this.apply();
	}

	/** The displayed size over the base size, in fit mode too. */
	get current(): number {
		const base = this.o.baseSize();
		if (this.scale !== 'fit') return this.scale;
		if (!base) return 1;
		const width = this.o.stage.getBoundingClientRect().width;
		return width > 0 ? width / base.width : 1;
	}

	fit(): void {
		this.scale = 'fit';
		this.apply();
	}

	/**
	 * The scale at which the whole image fits the view as it is now (never above 1), or undefined
	 * before the image's size is known or when Fit fits the width alone.
	 */
	fitScale(): FitScale | undefined {
		const base = this.o.baseSize();
		if (!base || this.o.fit !== 'whole') return undefined;
		const { viewport } = this.o;
		const style = getComputedStyle(viewport);
		const width = viewport.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
		// A pixel short of the height: a fraction over it would give the view a scrollbar, and the scrollbar a smaller fit.
		const height = viewport.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) - 1;
		// Not laid out yet (the panel is being built, or hidden): the stylesheet fits the width until it is.
		if (width <= 0 || height <= 0) return undefined;
		const across = width / base.width;
		return { scale: Math.min(1, across, height / base.height), across };
	}

	/**
	 * Shows the image at `scale`, keeping the image point under `anchor` (client coordinates) in
	 * place; without an anchor, the point at the middle of the view.
	 */
	setScale(scale: number, anchor?: { x: number; y: number }): void {
		const base = this.o.baseSize();
		if (!base) return;
		const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale));
		const { viewport, stage } = this.o;
		const view = viewport.getBoundingClientRect();
		const point = anchor ?? { x: view.left + view.width / 2, y: view.top + view.height / 2 };
		const before = stage.getBoundingClientRect();
		const fx = before.width > 0 ? (point.x - before.left) / before.width : 0.5;
		const fy = before.height > 0 ? (point.y - before.top) / before.height : 0.5;
		this.scale = next;
		this.apply();
		const after = stage.getBoundingClientRect();
		// Whole pixels, rounded here: a scroll offset holds no fraction, and truncation would drift.
		viewport.scrollLeft = Math.round(viewport.scrollLeft + after.left + fx * after.width - point.x);
		viewport.scrollTop = Math.round(viewport.scrollTop + after.top + fy * after.height - point.y);
	}

	/** To the next round scale up (+1) or down (−1), around the middle of the view. */
	step(direction: 1 | -1): void {
		const current = this.current;
		const next = direction > 0
			? STEPS.find(s => s > current * 1.001) ?? MAX_ZOOM
			: [...STEPS].reverse().find(s => s < current / 1.001) ?? MIN_ZOOM;
		this.setScale(next);
	}

	/** Called when the base size becomes known (the image loaded). */
	refresh(): void {
		this.apply();
	}

	private setHandTool(on: boolean): void {
		this.handTool = on;
		this.handButton.setAttribute('aria-pressed', String(on));
		this.updateCursor();
	}

	private apply(): void {
		const { stage } = this.o;
		const base = this.o.baseSize();
		for (const b of this.buttons) b.disabled = base === undefined;
		const fit = this.scale === 'fit' ? this.fitScale() : undefined;
		stage.classList.toggle('fitted', fit !== undefined);
		if (fit && base) {
			stage.classList.remove('zoomed');
			stage.style.width = `${base.width * fit.scale}px`;
		} else if (this.scale === 'fit' || !base) {
			stage.classList.remove('zoomed');
			stage.style.width = '';
		} else {
			stage.classList.add('zoomed');
			// Fractional pixels are fine: the image and the overlay both take the stage's exact box.
			stage.style.width = `${base.width * this.scale}px`;
		}
		this.fitButton.setAttribute('aria-pressed', String(this.scale === 'fit'));
		this.updateLevel();
		this.o.onChange();
	}

	private updateLevel(): void {
		this.level.textContent = this.o.baseSize() ? this.o.l10n.percent(this.current) : '';
	}

	private updateCursor(): void {
		this.o.viewport.classList.toggle('can-pan', this.handTool || this.spaceHeld);
		this.o.viewport.classList.toggle('panning', this.pan !== undefined);
	}

	private listen(): void {
		const { viewport, stage, keyTarget, signal } = this.o;
		viewport.addEventListener('wheel', e => {
			if (!(e.ctrlKey || e.metaKey) || !this.o.baseSize()) return;
			e.preventDefault();
			// Lines (Firefox-style deltaMode 1) are about 20 pixels.
			const delta = e.deltaMode === 1 ? e.deltaY * 20 : e.deltaY;
			this.setScale(this.current * Math.exp(-delta * 0.002), { x: e.clientX, y: e.clientY });
		}, { signal, passive: false });

		// Capture: a pan must not also start a word selection in the overlay below.
		viewport.addEventListener('pointerdown', e => {
			const wantsPan = e.button === 1 || (e.button === 0 && (this.handTool || this.spaceHeld));
			if (!wantsPan) return;
			e.preventDefault();
			e.stopPropagation();
			this.pan = { pointerId: e.pointerId, x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
			viewport.setPointerCapture(e.pointerId);
			this.updateCursor();
			this.o.onChange();
		}, { signal, capture: true });
		viewport.addEventListener('pointermove', e => {
			if (!this.pan || e.pointerId !== this.pan.pointerId) return;
			e.stopPropagation();
			viewport.scrollLeft = this.pan.left - (e.clientX - this.pan.x);
			viewport.scrollTop = this.pan.top - (e.clientY - this.pan.y);
		}, { signal, capture: true });
		const endPan = (e: PointerEvent): void => {
			if (!this.pan || e.pointerId !== this.pan.pointerId) return;
			this.pan = undefined;
			this.updateCursor();
		};
		viewport.addEventListener('pointerup', endPan, { signal, capture: true });
		viewport.addEventListener('pointercancel', endPan, { signal, capture: true });
		// The middle button would otherwise start Chromium's autoscroll or paste.
		viewport.addEventListener('mousedown', e => {
			if (e.button === 1) e.preventDefault();
		}, { signal });
		viewport.addEventListener('auxclick', e => e.preventDefault(), { signal });
		viewport.addEventListener('pointerenter', () => {
			this.pointerInside = true;
		}, { signal });
		viewport.addEventListener('pointerleave', () => {
			this.pointerInside = false;
		}, { signal });

		document.addEventListener('keydown', e => {
			if (e.key !== ' ' || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
			const focused = keyTarget.contains(document.activeElement);
			if (!focused && !this.pointerInside) return;
			// Space would scroll the page; here it means "hold to pan".
			e.preventDefault();
			if (!this.spaceHeld) {
				this.spaceHeld = true;
				this.updateCursor();
			}
		}, { signal });
		const releaseSpace = (): void => {
			if (!this.spaceHeld) return;
			this.spaceHeld = false;
			this.updateCursor();
		};
		document.addEventListener('keyup', e => {
			if (e.key === ' ') releaseSpace();
		}, { signal });
		window.addEventListener('blur', releaseSpace, { signal });

		keyTarget.addEventListener('keydown', e => {
			if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || isTypingTarget(e.target)) return;
			switch (e.key) {
				case '+':
				case '=':
					this.step(1);
					break;
				case '-':
				case '_':
					this.step(-1);
					break;
				case '0':
					this.fit();
					break;
				case '1':
					this.setScale(1);
					break;
				default:
					return;
			}
			e.preventDefault();
		}, { signal });

		viewport.addEventListener('scroll', () => this.o.onChange(), { signal, passive: true });
		// In fit mode the scale follows the view's size (the panel's, or the splitter's); the readout follows it.
		const observer = new ResizeObserver(entries => {
			if (this.scale === 'fit' && entries.some(entry => entry.target === viewport)) this.apply();
			else this.updateLevel();
		});
		observer.observe(stage);
		observer.observe(viewport);
		signal.addEventListener('abort', () => observer.disconnect(), { once: true });
	}
}

function isTypingTarget(target: EventTarget | null): boolean {
	return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(target.tagName));
}

/** A four-way arrow: the usual "move" glyph. */
function handIcon(): SVGSVGElement {
	return svg('svg', { class: 'icon', viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true' },
		svg('path', { d: 'M8 1.5v13M1.5 8h13M8 1.5 6 3.5M8 1.5l2 2M8 14.5l-2-2M8 14.5l2-2M1.5 8l2-2M1.5 8l2 2M14.5 8l-2-2M14.5 8l-2 2' }));
}
