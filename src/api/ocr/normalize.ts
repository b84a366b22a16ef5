/**
 * Reads one message of the OCR API's answer stream into the results model: `{"result": {...}}` as
 * the REST gateway wraps it, or the bare RecognizeTextResponse a reference page shows; an
 * `{"error": {...}}` is the stream's failure. proto3 JSON as ../transport/proto3Json.ts reads it
 * (int64 strings, omitted zeros, camelCase or snake_case); anything else is a `protocol` error
 * naming the path.
 *
 * The service gives no word confidence and no per-word language: none is made up. A page it
 * turned to read (`rotate`) has its boxes mapped back onto the image as sent.
 */
import type { Block, DetectedLanguage, Entity, LayoutType, Line, Page, Picture, Polygon, RightAngle, Status, Table, TableCell, Vertex, Word } from '../../results/types';
import {
	asObject, boundingBox, double, failure, field, int64, list, message, ShapeError, shapeError, str, toVisionError, within, type JsonObject,
} from '../transport/proto3Json';

export type StreamMessage =
	| { kind: 'page'; page: number; annotation: Page }
	| { kind: 'error'; status: Status };

/** The size of the image as sent, to tell whether a turned page's boxes are in the turned frame. */
export interface SentSize {
	width: number;
	height: number;
}

/** The size of an image as sent, when its header gave one (a PDF has none). */
export function sentSize(image: { width?: number; height?: number }): SentSize | undefined {
	return image.width !== undefined && image.height !== undefined ? { width: image.width, height: image.height } : undefined;
}

export function readStreamMessage(value: unknown, sent?: SentSize): StreamMessage {
	try {
		const o = asObject(value);
		const error = field(o, 'error');
		if (error !== undefined) return { kind: 'error', status: within('error', () => failure(asObject(error))) };
		const result = field(o, 'result');
		const response = result === undefined ? o : within('result', () => asObject(result));
		const read = (): StreamMessage => {
			const annotation = message(response, 'textAnnotation', textAnnotation, 'text_annotation');
			if (annotation === undefined) throw new ShapeError('has no textAnnotation');
			return { kind: 'page', page: int64(response, 'page'), annotation: sent ? upright(annotation, sent) : annotation };
		};
		return result === undefined ? read() : within('result', read);
	} catch (err) {
		throw toVisionError(err);
	}
}

function textAnnotation(o: JsonObject): Page {
	const page: Page = {
		width: int64(o, 'width'),
		height: int64(o, 'height'),
		blocks: list(o, 'blocks', block),
		entities: list(o, 'entities', entity),
	};
	const tables = list(o, 'tables', table);
	if (tables.length > 0) page.tables = tables;
	const pictures = list(o, 'pictures', picture);
	if (pictures.length > 0) page.pictures = pictures;
	const fullText = str(o, 'fullText', 'full_text');
	if (fullText !== '') page.fullText = fullText;
	const markdown = str(o, 'markdown');
	if (markdown !== '') page.markdown = markdown;
	const rotate = angle(o, 'rotate');
	if (rotate !== undefined) page.rotate = rotate;
	return page;
}

function block(o: JsonObject): Block {
	const result: Block = { boundingBox: boundingBox(o), lines: list(o, 'lines', line) };
	const languages = list(o, 'languages', language);
	if (languages.length > 0) result.languages = languages;
	const layout = layoutType(o);
	if (layout !== undefined) result.layoutType = layout;
	return result;
}

function line(o: JsonObject): Line {
	const result: Line = { boundingBox: boundingBox(o), words: list(o, 'words', word) };
	const orientation = angle(o, 'orientation');
	if (orientation !== undefined && orientation !== 0) result.orientation = orientation;
	return result;
}

function word(o: JsonObject): Word {
	return {
		boundingBox: boundingBox(o),
		text: str(o, 'text'),
		// "-1" is no entity; an omitted field is 0, the first entity, as proto3 reads it.
		entityIndex: int64(o, 'entityIndex', 'entity_index'),
	};
}

function language(o: JsonObject): DetectedLanguage {
	return { languageCode: str(o, 'languageCode', 'language_code') };
}

function entity(o: JsonObject): Entity {
	return { name: str(o, 'name'), text: str(o, 'text') };
}

function table(o: JsonObject): Table {
	const rowCount = int64(o, 'rowCount', 'row_count');
	const columnCount = int64(o, 'columnCount', 'column_count');
	return { boundingBox: boundingBox(o), rowCount, columnCount, cells: list(o, 'cells', tableCell) };
}

function tableCell(o: JsonObject): TableCell {
	return {
		boundingBox: boundingBox(o),
		rowIndex: int64(o, 'rowIndex', 'row_index'),
		columnIndex: int64(o, 'columnIndex', 'column_index'),
		// An omitted span is proto3's 0; a cell always covers at least itself.
		rowSpan: Math.max(1, int64(o, 'rowSpan', 'row_span')),
		columnSpan: Math.max(1, int64(o, 'columnSpan', 'column_span')),
		text: str(o, 'text'),
	};
}

function picture(o: JsonObject): Picture {
	return { boundingBox: boundingBox(o), score: double(o, 'score') };
}

const ANGLES: Readonly<Record<string, RightAngle | undefined>> = {
	ANGLE_UNSPECIFIED: undefined,
	ANGLE_0: 0,
	ANGLE_90: 90,
	ANGLE_180: 180,
	ANGLE_270: 270,
};
/** proto3 JSON may also carry an enum as its number. */
const ANGLE_NUMBERS: readonly (RightAngle | undefined)[] = [undefined, 0, 90, 180, 270];

function angle(o: JsonObject, name: string): RightAngle | undefined {
	const value = field(o, name);
	if (value === undefined) return undefined;
	if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(ANGLES, value)) return ANGLES[value];
	if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < ANGLE_NUMBERS.length) return ANGLE_NUMBERS[value];
	// A newer angle than this reader knows is not worth refusing a whole answer over.
	if (typeof value === 'string' || typeof value === 'number') return undefined;
	throw shapeError(`expected an Angle, got ${typeof value}`, name);
}

const LAYOUTS: Readonly<Record<string, LayoutType>> = {
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
/** ocr.proto's numbering of Block.LayoutType. */
const LAYOUT_NUMBERS: readonly (LayoutType | undefined)[] = [undefined, 'unknown', 'text', 'header', 'sectionHeader', 'footer', 'footnote', 'picture', 'caption', 'title', 'list'];

function layoutType(o: JsonObject): LayoutType | undefined {
	const value = field(o, 'layoutType', 'layout_type');
	if (value === undefined || value === 'LAYOUT_TYPE_UNSPECIFIED') return undefined;
	if (typeof value === 'string') return LAYOUTS[value] ?? 'unknown';
	if (typeof value === 'number' && Number.isInteger(value)) return LAYOUT_NUMBERS[value] ?? 'unknown';
	throw shapeError(`expected a LayoutType, got ${typeof value}`, 'layoutType');
}

/**
 * A page the service turned to read: `rotate` says by how much, clockwise. When the page's size is
 * the sent image's turned a quarter (90, 270), its boxes are in the turned image and are mapped
 * back; at 180 the size cannot tell, and the boxes are taken as turned too. A page already the
 * size of the sent image at 90 or 270 is left as it is.
 */
export function upright(page: Page, sent: SentSize): Page {
	const angle = page.rotate;
	if (angle === undefined || angle === 0) return page;
	const quarter = angle === 90 || angle === 270;
	if (quarter && !(page.width === sent.height && page.height === sent.width)) return page;
	const w = page.width;
	const h = page.height;
	const back = (v: Vertex): Vertex => {
		switch (angle) {
			case 90: return { x: v.y, y: w - v.x };
			case 180: return { x: w - v.x, y: h - v.y };
			case 270: return { x: h - v.y, y: v.x };
		}
	};
	const poly = (p: Polygon): Polygon => ({ vertices: p.vertices.map(back) });
	const turned: Page = {
		...page,
		width: quarter ? h : w,
		height: quarter ? w : h,
		blocks: page.blocks.map(b => ({ ...b, boundingBox: poly(b.boundingBox), lines: b.lines.map(l => ({ ...l, boundingBox: poly(l.boundingBox), words: l.words.map(wd => ({ ...wd, boundingBox: poly(wd.boundingBox) })) })) })),
	};
	if (page.tables) turned.tables = page.tables.map(t => ({ ...t, boundingBox: poly(t.boundingBox), cells: t.cells.map(c => ({ ...c, boundingBox: poly(c.boundingBox) })) }));
	if (page.pictures) turned.pictures = page.pictures.map(p => ({ ...p, boundingBox: poly(p.boundingBox) }));
	return turned;
}
