/**
 * Names of the fields the OCR API's document models return, in the display language: `surname`
 * → "Surname" / «Фамилия». The vehicle registration models prefix theirs with the side
 * (`stsfront_car_number`, `stsback_car_owner`); the rest names the field. A name not known here
 * is shown as the service wrote it.
 */
import { WEBVIEW_STRINGS, type WebviewStringKey } from '../../src/shared/strings';
import type { Localizer } from '../l10n';

const SIDE_PREFIX = /^sts(front|back)_/;

export function fieldLabel(name: string, l10n: Localizer): string {
	const key = `field.${name.replace(SIDE_PREFIX, '')}`;
	return isStringKey(key) ? l10n.t(key) : name;
}

function isStringKey(key: string): key is WebviewStringKey {
	return Object.prototype.hasOwnProperty.call(WEBVIEW_STRINGS, key);
}
