/**
 * Recorded answers written as proto3 JSON, the way the service's gateway writes them:
 * int64 as decimal strings, and every zero value left out (0, '', empty repeated fields).
 * A message that is present stays present even when all its fields are zero: a vertex at
 * (0, 0) is `{}`.
 */

import { RecordedOcrAnnotation, RecordedPage, RecordedPolygon, RecordedTextSegment, Recording } from './recording';

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

export function textDetectionJson(pages: readonly RecordedPage[]): JsonObject {
	return message({
		pages: repeated(pages.map(page => message({
			width: int64(page.width),
			height: int64(page.height),
			blocks: repeated(page.blocks.map(block => message({
				boundingBox: polygonJson(block.boundingBox),
				lines: repeated(block.lines.map(line => message({
					boundingBox: polygonJson(line.boundingBox),
					words: repeated(line.words.map(word => message({
						boundingBox: polygonJson(word.boundingBox),
						text: string(word.text),
						confidence: double(word.confidence),
						languages: repeated(word.languages.map(language => message({
							languageCode: string(language.languageCode),
							confidence: double(language.confidence),
						}))),
						entityIndex: int64(word.entityIndex),
					}))),
					confidence: double(line.confidence),
				}))),
			}))),
			entities: repeated(page.entities.map(entity => message({ name: string(entity.name), text: string(entity.text) }))),
		}))),
	});
}

export function classificationJson(properties: readonly { name: string; probability: number }[]): JsonObject {
	return message({
		properties: repeated(properties.map(p => message({ name: string(p.name), probability: double(p.probability) }))),
	});
}

export function faceDetectionJson(answer: NonNullable<Recording['faceDetection']>): JsonObject {
	return message({ faces: repeated(answer.faces.map(face => message({ boundingBox: polygonJson(face.boundingBox) }))) });
}

export function imageCopySearchJson(answer: NonNullable<Recording['imageCopySearch']>): JsonObject {
	return message({
		copyCount: int64(answer.copyCount),
		topResults: repeated(answer.topResults.map(match => message({
			imageUrl: string(match.imageUrl),
			pageUrl: string(match.pageUrl),
			title: string(match.title),
			description: string(match.description),
		}))),
	});
}

/** OCR API `TextAnnotation` (ai/ocr/v1/ocr.proto), fields in the proto's order. */
export function ocrAnnotationJson(annotation: RecordedOcrAnnotation): JsonObject {
	return message({
		width: int64(annotation.width),
		height: int64(annotation.height),
		blocks: repeated(annotation.blocks.map(block => message({
			boundingBox: polygonJson(block.boundingBox),
			lines: repeated(block.lines.map(line => message({
				boundingBox: polygonJson(line.boundingBox),
				text: string(line.text),
				words: repeated(line.words.map(word => message({
					boundingBox: polygonJson(word.boundingBox),
					text: string(word.text),
					entityIndex: int64(word.entityIndex),
					textSegments: segmentsJson(word.textSegments),
				}))),
				textSegments: segmentsJson(line.textSegments),
				orientation: enumName(line.orientation),
			}))),
			languages: repeated(block.languages.map(language => message({ languageCode: string(language.languageCode) }))),
			textSegments: segmentsJson(block.textSegments),
			layoutType: enumName(block.layoutType),
		}))),
		entities: repeated(annotation.entities.map(entity => message({ name: string(entity.name), text: string(entity.text) }))),
		tables: repeated(annotation.tables.map(table => message({
			boundingBox: polygonJson(table.boundingBox),
			rowCount: int64(table.rowCount),
			columnCount: int64(table.columnCount),
			cells: repeated(table.cells.map(cell => message({
				boundingBox: polygonJson(cell.boundingBox),
				rowIndex: int64(cell.rowIndex),
				columnIndex: int64(cell.columnIndex),
				columnSpan: int64(cell.columnSpan),
				rowSpan: int64(cell.rowSpan),
				text: string(cell.text),
				textSegments: segmentsJson(cell.textSegments),
			}))),
		}))),
		fullText: string(annotation.fullText),
		rotate: enumName(annotation.rotate),
		markdown: string(annotation.markdown ?? ''),
		pictures: repeated((annotation.pictures ?? []).map(picture => message({
			boundingBox: polygonJson(picture.boundingBox),
			score: double(picture.score),
		}))),
	});
}

function segmentsJson(segments: readonly RecordedTextSegment[]): Json[] | undefined {
	return repeated(segments.map(segment => message({ startIndex: int64(segment.startIndex), length: int64(segment.length) })));
}

/** Enums are written by name; the zero value (`…_UNSPECIFIED`) is left out like any zero. */
function enumName(value: string | undefined): string | undefined {
	return value === undefined || value.endsWith('_UNSPECIFIED') ? undefined : value;
}

/** A google.rpc.Status nested in a result: `details` is an empty repeated field, so it is left out. */
export function nestedStatusJson(code: number, message: string): JsonObject {
	return { code, message };
}

function polygonJson(polygon: RecordedPolygon): JsonObject {
	return message({ vertices: repeated(polygon.vertices.map(v => message({ x: int64(v.x), y: int64(v.y) }))) });
}

/** Drops the fields that hold their zero value (marked `undefined` by the helpers below). */
export function message(fields: Record<string, Json | undefined>): JsonObject {
	const out: JsonObject = {};
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
	return out;
}

export function repeated(items: Json[]): Json[] | undefined {
	return items.length === 0 ? undefined : items;
}

export function int64(value: number): string | undefined {
	if (!Number.isSafeInteger(value)) throw new TypeError(`int64 field holds ${value}, not an integer`);
	return value === 0 ? undefined : String(value);
}

export function double(value: number): number | undefined {
	if (!Number.isFinite(value)) throw new TypeError(`double field holds ${value}`);
	return value === 0 ? undefined : value;
}

export function string(value: string): string | undefined {
	return value === '' ? undefined : value;
}
