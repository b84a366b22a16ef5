/**
 * Text with its invisible and bidi control characters shown as small marks: each becomes a chip
 * reading `U+202E`, named in its title. The character itself is not put in the page, so an
 * override cannot reorder what follows it, and the reader sees the text in its real order.
 */
import { splitInvisible, type InvisibleCharacter } from '../../src/results/invisibleCharacters';
import { h } from '../dom';

/** Appends `text` to `parent`: text nodes, and a chip for each invisible character. */
export function appendMarkedText(parent: Node, text: string): void {
	for (const run of splitInvisible(text)) {
		parent.appendChild(run.kind === 'text' ? document.createTextNode(run.text) : invisibleChip(run.character));
	}
}

export function invisibleChip(character: InvisibleCharacter): HTMLSpanElement {
	// Left to right on its own, whatever the text around it: "U+202E" must read as written.
	return h('span', { class: 'invisible-char', dir: 'ltr', title: `${character.code} ${character.name}`, 'data-code': character.code }, character.code);
}
