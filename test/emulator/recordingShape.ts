/**
 * Checks a parsed `*.recording.json` against the Recording shape, so a slip in a fixture
 * is reported by path when the emulator starts instead of surfacing as a broken answer.
 */

import { Recording } from './recording';

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
	},
	optional: ['textDetection', 'classification', 'faceDetection', 'imageCopySearch'],
};

/** The recording, or a message naming the first field that does not fit. */
export function checkRecording(value: unknown): { recording: Recording } | { problem: string } {
	const problem = findProblem(value, recording, 'recording');
	return problem === undefined ? { recording: value as Recording } : { problem };
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
