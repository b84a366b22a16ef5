/**
 * A wide image in a narrow panel, whose width lets it show at less than half its size, offers to
 * show the panel large: the extension maximizes the panel's editor group (VS Code's Toggle
 * Maximize Editor Group), and the same button then restores it. Whether the group is maximized is
 * read from the panel's own width, so the button stays right however the group is restored.
 */
import { h } from '../dom';
import type { Localizer } from '../l10n';
import type { Size, ZoomControl } from './zoom';

/** Below this, the image is shown too small to read its words. */
const SMALL_SCALE = 0.5;

/** The panel's width when the user asked to show it large; kept across re-renders of the panel. */
let widthBefore: number | undefined;
/** The panel has grown since: it is shown large. */
let grown = false;

export interface ShowLargeOptions {
	zoom: ZoomControl;
	/** The image's pixel size, once known. */
	baseSize(): Size | undefined;
	/** The view whose size Fit follows. */
	viewport: HTMLElement;
	/** Asks the extension to maximize the panel's group, or to restore it. */
	toggle(): void;
	l10n: Localizer;
	signal: AbortSignal;
}

export interface ShowLarge {
	button: HTMLButtonElement;
	/** Shows or hides the button for the image's size, once it is known. */
	update(): void;
}

export function showLargeButton(o: ShowLargeOptions): ShowLarge {
	const { l10n, signal } = o;
	const button = h('button', { id: 'show-large', type: 'button', class: 'tool-button show-large', hidden: true });
	const update = (): void => {
		if (widthBefore !== undefined) {
			if (window.innerWidth > widthBefore) grown = true;
			else if (grown) {
				// Back to its width: restored, by this button or by VS Code.
				widthBefore = undefined;
				grown = false;
			}
		}
		const fit = o.zoom.fitScale();
		const base = o.baseSize();
		const small = fit !== undefined && fit.across < SMALL_SCALE && base !== undefined && base.width > base.height;
		button.hidden = !grown && !small;
		button.textContent = l10n.t(grown ? 'zoom.restore' : 'zoom.showLarge');
		button.title = l10n.t(grown ? 'zoom.restoreTitle' : 'zoom.showLargeTitle');
	};
	button.addEventListener('click', () => {
		if (!grown) widthBefore = window.innerWidth;
		o.toggle();
	}, { signal });
	const observer = new ResizeObserver(update);
	observer.observe(o.viewport);
	signal.addEventListener('abort', () => observer.disconnect(), { once: true });
	update();
	return { button, update };
}
