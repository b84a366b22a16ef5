/**
 * Checks a parsed `*.recording.json` against the Recording shape, so a slip in a fixture
 * is reported by path when the emulator starts instead of surfacing as a broken answer.
 */

import { OCR_MODELS, codePoints } from './ocrContract';
import { RecordedOcrAnnotation, RecordedTextSegment, Recording } from './recording';

type Shape =
	| 'string'
	| 'number'
	| 'integer'
	| { arrayOf: Shape }
	| { recordOf: Shape }
	| { oneOf: readonly string[] }
	| { object: Readonly<Record<string, Shape>>; optional?: readonly string[] };

const polygon: Shape = { object: { vertices: { arrayOf: { object: { x: 'integer', y: 'integer' } } } } };

const page: Shape = {
	object: {
		width: 'integer',
		height: 'integer',
		blocks: {
			arrayOf: {
				object: {
					boundingBox: polygon,
					lines: {
						arrayOf: {
							object: {
								boundingBox: polygon,
								confidence: 'number',
								words: {
									arrayOf: {
										object: {
											boundingBox: polygon,
											text: 'string',
											confidence: 'number',
											languages: { arrayOf: { object: { languageCode: 'string', confidence: 'number' } } },
											entityIndex: 'integer',
										},
									},
								},
							},
						},
					},
				},
			},
		},
		entities: { arrayOf: { object: { name: 'string', text: 'string' } } },
	},
};

const ANGLES = ['ANGLE_0', 'ANGLE_90', 'ANGLE_180', 'ANGLE_270'] as const;
const LAYOUT_TYPES = [
	'LAYOUT_TYPE_UNSPECIFIED', 'LAYOUT_TYPE_UNKNOWN', 'LAYOUT_TYPE_TEXT', 'LAYOUT_TYPE_HEADER', 'LAYOUT_TYPE_SECTION_HEADER',
	'LAYOUT_TYPE_FOOTER', 'LAYOUT_TYPE_FOOTNOTE', 'LAYOUT_TYPE_PICTURE', 'LAYOUT_TYPE_CAPTION', 'LAYOUT_TYPE_TITLE', 'LAYOUT_TYPE_LIST',
] as const;

const segments: Shape = { arrayOf: { object: { startIndex: 'integer', length: 'integer' } } };

const ocrAnnotation: Shape = {
	object: {
		width: 'integer',
		height: 'integer',
		blocks: {
			arrayOf: {
				object: {
					boundingBox: polygon,
					lines: {
						arrayOf: {
							object: {
								boundingBox: polygon,
								text: 'string',
								words: {
									arrayOf: {
										object: { boundingBox: polygon, text: 'string', entityIndex: 'integer', textSegments: segments },
									},
								},
								textSegments: segments,
								orientation: { oneOf: ANGLES },
							},
							optional: ['orientation'],
						},
					},
					languages: { arrayOf: { object: { languageCode: 'string' } } },
					textSegments: segments,
					layoutType: { oneOf: LAYOUT_TYPES },
				},
				optional: ['layoutType'],
			},
		},
		entities: { arrayOf: { object: { name: 'string', text: 'string' } } },
		tables: {
			arrayOf: {
				object: {
					boundingBox: polygon,
					rowCount: 'integer',
					columnCount: 'integer',
					cells: {
						arrayOf: {
							object: {
								boundingBox: polygon,
								rowIndex: 'integer',
								columnIndex: 'integer',
								columnSpan: 'integer',
								rowSpan: 'integer',
								text: 'string',
								textSegments: segments,
							},
						},
					},
				},
			},
		},
		fullText: 'string',
		rotate: { oneOf: ANGLES },
		markdown: 'string',
		pictures: { arrayOf: { object: { boundingBox: polygon, score: 'number' } } },
	},
	optional: ['rotate', 'markdown', 'pictures'],
};

const recording: Shape = {
	object: {
		image: 'string',
		sha256: 'string',
		mimeType: { oneOf: ['image/png', 'image/jpeg', 'application/pdf'] },
		width: 'integer',
		height: 'integer',
		description: 'string',
		textDetection: { object: { pages: { arrayOf: page } } },
		classification: { recordOf: { arrayOf: { object: { name: 'string', probability: 'number' } } } },
		faceDetection: { object: { faces: { arrayOf: { object: { boundingBox: polygon } } } } },
		imageCopySearch: {
			object: {
				copyCount: 'integer',
				topResults: { arrayOf: { object: { imageUrl: 'string', pageUrl: 'string', title: 'string', description: 'string' } } },
			},
		},
		ocr: { recordOf: { arrayOf: ocrAnnotation } },
	},
	optional: ['textDetection', 'classification', 'faceDetection', 'imageCopySearch', 'ocr'],
};

/** The recording, or a message naming the first field that does not fit. */
export function checkRecording(value: unknown): { recording: Recording } | { problem: string } {
	const problem = findProblem(value, recording, 'recording') ?? ocrProblem(value as Recording);
	return problem === undefined ? { recording: value as Recording } : { problem };
}

/** What the shape cannot say: known models, positions inside fullText, cells inside their table, entities that exist. */
function ocrProblem(value: Recording): string | undefined {
	for (const [model, pages] of Object.entries(value.ocr ?? {})) {
		const path = `recording.ocr.${model}`;
		if (!(OCR_MODELS as readonly string[]).includes(model)) return `${path}: unknown model (known: ${OCR_MODELS.join(', ')})`;
		for (const [i, page] of pages.entries()) {
			const problem = annotationProblem(page, `${path}[${i}]`);
			if (problem !== undefined) return problem;
		}
	}
	return undefined;
}

function annotationProblem(annotation: RecordedOcrAnnotation, path: string): string | undefined {
	const textLength = codePoints(annotation.fullText);
	const outside = (list: readonly RecordedTextSegment[], at: string): string | undefined => {
		const i = list.findIndex(s => s.startIndex < 0 || s.length < 0 || s.startIndex + s.length > textLength);
		return i < 0 ? undefined : `${at}.textSegments[${i}]: outside fullText (${textLength} characters)`;
	};
	for (const [b, block] of annotation.blocks.entries()) {
		const blockPath = `${path}.blocks[${b}]`;
		let problem = outside(block.textSegments, blockPath);
		for (const [l, line] of block.lines.entries()) {
			problem ??= outside(line.textSegments, `${blockPath}.lines[${l}]`);
			for (const [w, word] of line.words.entries()) {
				const wordPath = `${blockPath}.lines[${l}].words[${w}]`;
				problem ??= outside(word.textSegments, wordPath);
				if (word.entityIndex < -1 || word.entityIndex >= annotation.entities.length) {
					problem ??= `${wordPath}.entityIndex: ${word.entityIndex} names no entity (-1 or 0..${annotation.entities.length - 1})`;
				}
			}
		}
		if (problem !== undefined) return problem;
	}
	for (const [t, table] of annotation.tables.entries()) {
		for (const [c, cell] of table.cells.entries()) {
			const cellPath = `${path}.tables[${t}].cells[${c}]`;
			const problem = outside(cell.textSegments, cellPath)
				?? within(cell.rowIndex, cell.rowSpan, table.rowCount, `${cellPath}: rows`)
				?? within(cell.columnIndex, cell.columnSpan, table.columnCount, `${cellPath}: columns`);
			if (problem !== undefined) return problem;
		}
	}
	return undefined;
}

/** A cell starts inside its table, spans at least one row (column) and ends inside it too. */
function within(index: number, span: number, count: number, what: string): string | undefined {
	return index >= 0 && span >= 1 && index + span <= count ? undefined : `${what} ${index} spanning ${span} do not fit in ${count}`;
}

function findProblem(value: unknown, shape: Shape, path: string): string | undefined {
	if (shape === 'string') return typeof value === 'string' ? undefined : `${path}: expected a string`;
	if (shape === 'number') return typeof value === 'number' && Number.isFinite(value) ? undefined : `${path}: expected a number`;
	if (shape === 'integer') return Number.isSafeInteger(value) ? undefined : `${path}: expected an integer`;
	if ('oneOf' in shape) {
		return typeof value === 'string' && shape.oneOf.includes(value) ? undefined : `${path}: expected one of ${shape.oneOf.join(', ')}`;
	}
	if ('arrayOf' in shape) {
		if (!Array.isArray(value)) return `${path}: expected an array`;
		for (const [i, item] of value.entries()) {
			const problem = findProblem(item, shape.arrayOf, `${path}[${i}]`);
			if (problem !== undefined) return problem;
		}
		return undefined;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: expected an object`;
	const object = value as Record<string, unknown>;
	if ('recordOf' in shape) {
		for (const [key, item] of Object.entries(object)) {
			const problem = findProblem(item, shape.recordOf, `${path}.${key}`);
			if (problem !== undefined) return problem;
		}
		return undefined;
	}
	for (const [key, fieldShape] of Object.entries(shape.object)) {
		if (object[key] === undefined && shape.optional?.includes(key)) continue;
		const problem = findProblem(object[key], fieldShape, `${path}.${key}`);
		if (problem !== undefined) return problem;
	}
	return undefined;
}
