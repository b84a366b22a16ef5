/** Layout types (OCR API) by name in the display language: on the image and in the text pane. */
import type { LayoutType } from '../../src/results/types';
import type { WebviewStringKey } from '../../src/shared/strings';
import type { Localizer } from '../l10n';

/** Plain text and unknown regions get no label: only what tells the reader something. */
const LAYOUT_LABELS: Readonly<Partial<Record<LayoutType, WebviewStringKey>>> = {
	title: 'layout.title',
	header: 'layout.header',
	sectionHeader: 'layout.sectionHeader',
	footer: 'layout.footer',
	footnote: 'layout.footnote',
	caption: 'layout.caption',
	list: 'layout.list',
	picture: 'layout.picture',
};

export function layoutLabel(type: LayoutType | undefined, l10n: Localizer): string | undefined {
	const key = type === undefined ? undefined : LAYOUT_LABELS[type];
	return key === undefined ? undefined : l10n.t(key);
}
