/** Text annotations written as nested words, for tests of what is made from recognized text. */
import type { TextAnnotation } from '../../src/results/types';

/**
 * An annotation from words nested as pages → blocks → lines → words, every box the same 10×10
 * square on a 100×100 page; `lineConfidence` tells lines from words where a test reads both.
 */
export function textAnnotation(pages: string[][][][], lineConfidence = 0.9): TextAnnotation {
	const box = { vertices: [{ x: 0, y: 0 }, { x: 0, y: 10 }, { x: 10, y: 10 }, { x: 10, y: 0 }] };
	return {
		pages: pages.map(blocks => ({
			width: 100,
			height: 100,
			entities: [],
			blocks: blocks.map(lines => ({
				boundingBox: box,
				lines: lines.map(words => ({
					boundingBox: box,
					confidence: lineConfidence,
					words: words.map(text => ({ boundingBox: box, text, confidence: 0.9, languages: [], entityIndex: 0 })),
				})),
			})),
		})),
	};
}
