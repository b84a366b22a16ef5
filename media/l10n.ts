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
	const locale = supportedLocale(lang);
	const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
	const integerFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
	const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
	let languageNames: Intl.DisplayNames | undefined;
	return {
		t(key, ...args) {
			const template = typeof strings[key] === 'string' && strings[key] !== '' ? strings[key] : WEBVIEW_STRINGS[key];
			return format(template, args);
		},
		percent: fraction => percentFormat.format(fraction),
		integer: value => integerFormat.format(value),
		dateTime(iso) {
			const date = new Date(iso);
			return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
		},
		languageName(code) {
			try {
				languageNames ??= new Intl.DisplayNames(locale, { type: 'language', fallback: 'code' });
				return languageNames.of(code) ?? code;
			} catch {
				// A code Intl rejects (`*`, empty): shown as the service gave it.
				return code;
			}
		},
	};
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
