/** The panel's strings and number/date formats, in the editor's display language. */
import { WEBVIEW_STRINGS, type WebviewStringKey } from '../src/shared/strings';

export interface Localizer {
	/** The string for `key` with `{0}`, `{1}`… filled in; English when the extension did not send it. */
	t(key: WebviewStringKey, ...args: (string | number)[]): string;
	percent(fraction: number): string;
	integer(value: number): string;
	dateTime(iso: string): string;
	/** `ru` → "Russian" in the display language; the code itself when it is not a known language. */
	languageName(code: string): string;
}

export function createLocalizer(strings: Readonly<Record<string, string>>, lang: string | undefined): Localizer {
	const formats = formatsFor(lang);
	return {
		t(key, ...args) {
			const template = typeof strings[key] === 'string' && strings[key] !== '' ? strings[key] : WEBVIEW_STRINGS[key];
			return format(template, args);
		},
		percent: fraction => formats.percent.format(fraction),
		integer: value => formats.integer.format(value),
		dateTime(iso) {
			const date = new Date(iso);
			return Number.isNaN(date.getTime()) ? iso : formats.date.format(date);
		},
		languageName(code) {
			try {
				formats.languageNames ??= new Intl.DisplayNames(formats.locale, { type: 'language', fallback: 'code' });
				return formats.languageNames.of(code) ?? code;
			} catch {
				// A code Intl rejects (`*`, empty): shown as the service gave it.
				return code;
			}
		},
	};
}

/**
 * Builds the formats for `lang` ahead of the first render. The first Intl format in a page makes
 * the engine load its locale data (15 ms and more), which is better paid while the extension
 * prepares the results than while they are being drawn.
 */
export function prepareLocale(lang: string | undefined): void {
	const formats = formatsFor(lang);
	try {
		formats.languageNames ??= new Intl.DisplayNames(formats.locale, { type: 'language', fallback: 'code' });
	} catch {
		// languageName retries and falls back to the code itself.
	}
}

export interface Formats {
	locale: string | undefined;
	percent: Intl.NumberFormat;
	/** Grouped: 1,234. */
	integer: Intl.NumberFormat;
	/** Without grouping, as image sizes are written: 4000×3000. */
	plain: Intl.NumberFormat;
	/** Two significant digits: 4.9, 0.93. */
	twoDigits: Intl.NumberFormat;
	date: Intl.DateTimeFormat;
	languageNames?: Intl.DisplayNames;
}

/** One set per display language for the page's lifetime: every render reuses them. */
const formatsByLang = new Map<string, Formats>();

export function formatsFor(lang: string | undefined): Formats {
	const key = lang ?? '';
	let formats = formatsByLang.get(key);
	if (!formats) {
		const locale = supportedLocale(lang);
		formats = {
			locale,
			percent: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }),
			integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
			plain: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: false }),
			twoDigits: new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 }),
			date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
		};
		formatsByLang.set(key, formats);
	}
	return formats;
}

export function format(template: string, args: readonly (string | number)[]): string {
	return template.replace(/\{(\d+)\}/g, (match, index: string) => {
		const value = args[Number(index)];
		return value === undefined ? match : String(value);
	});
}

/** `lang` comes from VS Code (`en`, `zh-cn`, `qps-ploc`…); Intl throws on tags it cannot parse. */
function supportedLocale(lang: string | undefined): string | undefined {
	if (!lang) return undefined;
	try {
		return Intl.NumberFormat.supportedLocalesOf([lang])[0];
	} catch {
		return undefined;
	}
}
