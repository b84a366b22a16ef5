/**
 * Which words are selected, by reading-order index, and the anchor that shift+click and dragging
 * extend from. Knows nothing of the DOM.
 */
export class WordSelection {
	private selected = new Set<number>();
	private anchor: number | undefined;
	/** The other end: the word last clicked, dragged to or moved to with the keyboard. */
	private activeIndex: number | undefined;

	constructor(readonly wordCount: number) {}

	/** Sorted, in reading order. */
	get indexes(): number[] {
		return [...this.selected].sort((a, b) => a - b);
	}

	get size(): number {
		return this.selected.size;
	}

	has(index: number): boolean {
		return this.selected.has(index);
	}

	/** Restores a saved selection; indexes that no longer exist are dropped. */
	reset(indexes: readonly number[]): void {
		this.selected = new Set(indexes.filter(i => this.valid(i)));
		this.anchor = this.indexes[0];
		this.activeIndex = this.anchor;
	}

	/** Only this word; it becomes the anchor. */
	select(index: number): void {
		if (!this.valid(index)) return;
		this.selected = new Set([index]);
		this.anchor = index;
		this.activeIndex = index;
	}

	/** Every word from the anchor to `index`, in reading order, and nothing else. */
	extendTo(index: number): void {
		if (!this.valid(index)) return;
		const anchor = this.anchor ?? index;
		const [from, to] = anchor <= index ? [anchor, index] : [index, anchor];
		this.selected = new Set(range(from, to));
		this.anchor = anchor;
		this.activeIndex = index;
	}

	/** Adds or removes one word, keeping the rest (Ctrl/Cmd+click). */
	toggle(index: number): void {
		if (!this.valid(index)) return;
		if (this.selected.has(index)) this.selected.delete(index);
		else this.selected.add(index);
		this.anchor = index;
		this.activeIndex = index;
	}

	selectAll(): void {
		this.selected = new Set(range(0, this.wordCount - 1));
		this.anchor = 0;
		this.activeIndex = this.wordCount - 1;
	}

	clear(): void {
		this.selected.clear();
		this.anchor = undefined;
		this.activeIndex = undefined;
	}

	/** Where a keyboard move starts from. */
	get active(): number | undefined {
		return this.activeIndex;
	}

	private valid(index: number): boolean {
		return Number.isInteger(index) && index >= 0 && index < this.wordCount;
	}
}

function range(from: number, to: number): number[] {
	const out: number[] = [];
	for (let i = from; i <= to; i++) out.push(i);
	return out;
}
