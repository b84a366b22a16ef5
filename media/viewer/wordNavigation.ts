/**
 * Where the arrow keys lead from a word: Left/Right to the previous/next word in reading order,
 * Up/Down to the word of the previous/next line that lies nearest horizontally, as a caret moves
 * between lines of text.
 */
import { boundsOf, type OcrView } from '../text/ocrView';

export class WordNavigator {
	/** Reading-order indexes of each line's words. */
	private readonly lines: number[][] = [];
	/** The line of each word. */
	private readonly lineOf: number[] = [];
	/** Horizontal middle of each word in page pixels; NaN without a box. */
	private readonly middles: number[] = [];

	constructor(view: OcrView) {
		let key = '';
		for (const { index, ref, word } of view.words) {
			const next = `${ref.page}/${ref.block}/${ref.line}`;
			if (next !== key) {
				this.lines.push([]);
				key = next;
			}
			this.lines[this.lines.length - 1].push(index);
			this.lineOf[index] = this.lines.length - 1;
			const box = word.boundingBox.vertices.length > 0 ? boundsOf(word.boundingBox) : undefined;
			this.middles[index] = box ? box.x + box.width / 2 : Number.NaN;
		}
	}

	/** The word of the neighbouring line (`direction` −1 up, +1 down); `from` itself at the first or last line. */
	lineNeighbour(from: number, direction: 1 | -1): number {
		const line = this.lineOf[from];
		if (line === undefined) return from;
		const target = this.lines[line + direction];
		if (!target || target.length === 0) return from;
		const x = this.middles[from];
		if (Number.isNaN(x)) return direction > 0 ? target[0] : target[target.length - 1];
		let best = target[0];
		let distance = Infinity;
		for (const index of target) {
			const d = Math.abs(this.middles[index] - x);
			if (d < distance) {
				best = index;
				distance = d;
			}
		}
		return best;
	}
}
