/**
 * What was done to an image before it was sent, in the panel's header: "Converted WEBP → JPEG ·
 * turned upright (EXIF orientation 6) · resized 4000×3000 → 2560×1920 · 4.9 MB → 0.93 MB · boxes
 * shown on the original". Worded here from the numbers, so it follows the display language; the
 * model's `note` is the English of the same, for logs.
 */
import type { FitView, FitWarning } from '../../src/shared/protocol';
import { h } from '../dom';
import { formatsFor, type Formats, type Localizer } from '../l10n';

/** The note's element, or undefined when the file went as it was (or the state holds no usable numbers). */
export function fitNote(fitted: unknown, l10n: Localizer, lang: string | undefined): HTMLElement | undefined {
	if (!isFitView(fitted)) return undefined;
	return h('p', { class: 'fit-note', id: 'fit-note', title: l10n.t('fit.title') }, fitNoteText(fitted, l10n, lang));
}

/**
 * What the image sent left out, one item each, under the note: without it an SVG whose text was
 * not drawn would read as an image with no text at all.
 */
export function fitWarnings(fitted: unknown, l10n: Localizer, lang: string | undefined): HTMLElement | undefined {
	if (!isFitView(fitted) || !Array.isArray(fitted.warnings)) return undefined;
	const formats = formatsFor(lang);
	const items = fitted.warnings.map(warning => warningText(warning, l10n, formats)).filter((text): text is string => text !== undefined);
	if (items.length === 0) return undefined;
	return h('ul', { class: 'fit-warnings', id: 'fit-warnings' }, ...items.map(text => h('li', { class: 'fit-warning' }, text)));
}

/** A warning of a kind this panel does not know (a newer state) is left out rather than guessed. */
function warningText(warning: unknown, l10n: Localizer, formats: Formats): string | undefined {
	if (typeof warning !== 'object' || warning === null) return undefined;
	const known = warning as Partial<Record<string, unknown>> & { code?: unknown };
	const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n > 1 ? formats.integer.format(n) : undefined);
	switch (known.code as FitWarning['code'] | undefined) {
		case 'firstPage': {
			const pages = count(known.pages);
			return pages && l10n.t('fit.firstPage', pages);
		}
		case 'firstFrame': {
			const frames = count(known.frames);
			return frames && l10n.t('fit.firstFrame', frames);
		}
		case 'svgText':
			return l10n.t('fit.svgText');
		default:
			return undefined;
	}
}

export function fitNoteText(fitted: FitView, l10n: Localizer, lang: string | undefined): string {
	const formats = formatsFor(lang);
	const { original, sent } = fitted;
	const plain = (n: number) => formats.plain.format(n);
	const parts: string[] = [];
	if (original.format !== sent.format) parts.push(l10n.t('fit.converted', original.format, sent.format));
	if (original.orientation !== 1) parts.push(l10n.t('fit.upright', plain(original.orientation)));
	if (original.width !== sent.width || original.height !== sent.height) {
		parts.push(l10n.t('fit.resized', plain(original.width), plain(original.height), plain(sent.width), plain(sent.height)));
	} else if (original.format === sent.format && original.orientation === 1) {
		// Nothing else changed: it was only compressed harder.
		parts.push(l10n.t('fit.reencoded', plain(sent.width), plain(sent.height)));
	}
	parts.push(`${fileSize(original.bytes, l10n, formats)} → ${fileSize(sent.bytes, l10n, formats)}`);
	parts.push(l10n.t('fit.mapped'));
	const text = parts.join(' · ');
	return text.charAt(0).toLocaleUpperCase(formats.locale) + text.slice(1);
}

/**
 * `4.9 MB`, `0.93 MB`, `12 MB`, `56 kB`, as the extension's own messages count them (1 MB is
 * 1,048,576 bytes, the service's limit), in the display language's digits.
 */
function fileSize(bytes: number, l10n: Localizer, formats: Formats): string {
	const mb = bytes / 1_048_576;
	if (mb >= 10) return l10n.t('fit.megabytes', formats.integer.format(Math.round(mb)));
	if (mb >= 0.1) return l10n.t('fit.megabytes', formats.twoDigits.format(mb));
	if (bytes >= 1024) return l10n.t('fit.kilobytes', formats.integer.format(Math.round(bytes / 1024)));
	return l10n.t('fit.bytes', formats.integer.format(bytes));
}

/** A restored state may come from an older version of the panel: only whole numbers are worded. */
function isFitView(value: unknown): value is FitView {
	if (typeof value !== 'object' || value === null) return false;
	const { original, sent } = value as { original?: unknown; sent?: unknown };
	return isSide(original) && isSide(sent) && Number.isInteger((original as { orientation?: unknown }).orientation);
}

function isSide(value: unknown): boolean {
	if (typeof value !== 'object' || value === null) return false;
	const side = value as Record<string, unknown>;
	return typeof side.format === 'string'
		&& [side.width, side.height, side.bytes].every(n => typeof n === 'number' && Number.isFinite(n) && n >= 0);
}
