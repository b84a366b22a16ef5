/**
 * A recorded OCR API page (test/fixtures/*.recording.json, `ocr[model]`) as the results model,
 * as the extension's reader gives it: layout types by name, spans of at least 1, fields the
 * service left empty left out, and no confidence or languages on words (the OCR API has none).
 */
import type { RecordedAngle, RecordedLayoutType, RecordedOcrAnnotation, RecordedPolygon } from '../emulator/recording';
import type { Block, LayoutType, Page, Polygon, RightAngle } from '../../src/results/types';

const LAYOUTS: Readonly<Record<RecordedLayoutType, LayoutType | undefined>> = {
	LAYOUT_TYPE_UNSPECIFIED: undefined,
	LAYOUT_TYPE_UNKNOWN: 'unknown',
	LAYOUT_TYPE_TEXT: 'text',
	LAYOUT_TYPE_HEADER: 'header',
	LAYOUT_TYPE_SECTION_HEADER: 'sectionHeader',
	LAYOUT_TYPE_FOOTER: 'footer',
	LAYOUT_TYPE_FOOTNOTE: 'footnote',
	LAYOUT_TYPE_PICTURE: 'picture',
	LAYOUT_TYPE_CAPTION: 'caption',
	LAYOUT_TYPE_TITLE: 'title',
	LAYOUT_TYPE_LIST: 'list',
};

const ANGLES: Readonly<Record<RecordedAngle, RightAngle>> = { ANGLE_0: 0, ANGLE_90: 90, ANGLE_180: 180, ANGLE_270: 270 };

export function pageOfRecording(recorded: RecordedOcrAnnotation): Page {
	const page: Page = {
		width: recorded.width,
		height: recorded.height,
		blocks: recorded.blocks.map((block): Block => {
			const out: Block = {
				boundingBox: polygon(block.boundingBox),
				lines: block.lines.map(line => ({
					boundingBox: polygon(line.boundingBox),
					words: line.words.map(word => ({ boundingBox: polygon(word.boundingBox), text: word.text, entityIndex: word.entityIndex })),
					...(line.orientation && line.orientation !== 'ANGLE_0' ? { orientation: ANGLES[line.orientation] } : {}),
				})),
			};
			const languages = block.languages.filter(l => l.languageCode !== '').map(l => ({ languageCode: l.languageCode }));
			if (languages.length > 0) out.languages = languages;
			const layout = block.layoutType === undefined ? undefined : LAYOUTS[block.layoutType];
			if (layout !== undefined) out.layoutType = layout;
			return out;
		}),
		entities: recorded.entities.map(e => ({ name: e.name, text: e.text })),
	};
	if (recorded.tables.length > 0) {
		page.tables = recorded.tables.map(table => ({
			boundingBox: polygon(table.boundingBox),
			rowCount: table.rowCount,
			columnCount: table.columnCount,
			cells: table.cells.map(cell => ({
				boundingBox: polygon(cell.boundingBox),
				rowIndex: cell.rowIndex,
				columnIndex: cell.columnIndex,
				rowSpan: Math.max(1, cell.rowSpan),
				columnSpan: Math.max(1, cell.columnSpan),
				text: cell.text,
			})),
		}));
	}
	if (recorded.pictures && recorded.pictures.length > 0) page.pictures = recorded.pictures.map(p => ({ boundingBox: polygon(p.boundingBox), score: p.score }));
	if (recorded.fullText !== '') page.fullText = recorded.fullText;
	if (recorded.markdown !== undefined && recorded.markdown !== '') page.markdown = recorded.markdown;
	if (recorded.rotate !== undefined && recorded.rotate !== 'ANGLE_0') page.rotate = ANGLES[recorded.rotate];
	return page;
}

function polygon(recorded: RecordedPolygon): Polygon {
	return { vertices: recorded.vertices.map(v => ({ x: v.x, y: v.y })) };
}
