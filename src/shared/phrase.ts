/**
 * Sentences said in the user's language by code that has no `vscode` (src/api, src/images): a
 * Phrase keeps its English message, which is also its key in l10n/bundle.l10n.*.json, and the
 * values of its `{0}`, `{1}`…, until the extension words it (src/output/errorMessages.ts). A value
 * that is a Phrase is worded first; a string is shown as it is: a file name, or text another party
 * wrote, such as the service's own message. Plain data, so it crosses a worker thread.
 *
 * Messages are written as `phrase('Connection to {0} refused.', host)`, so that
 * test/unit/l10n.test.ts finds them and requires their Russian.
 */
export interface Phrase {
	readonly message: string;
	readonly args: readonly PhraseArg[];
}

export type PhraseArg = string | number | Phrase;

/** A phrase of ours, or text as another party wrote it. */
export type Wording = string | Phrase;

/** Takes a message with `{0}`, `{1}`… and their values, as `vscode.l10n.t` does. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

export function phrase(message: string, ...args: PhraseArg[]): Phrase {
	return { message, args };
}

/** The message as written, its placeholders filled in. */
export const ENGLISH: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (match, i: string) => (args[Number(i)] === undefined ? match : String(args[Number(i)])));

/** `wording` in the language of `t`, English unless told otherwise. */
export function word(wording: Wording, t: Translate = ENGLISH): string {
	if (typeof wording === 'string') return wording;
	const args = wording.args.map(arg => (typeof arg === 'object' ? word(arg, t) : arg));
	return t(wording.message, ...args);
}

/** The same wording with `change` applied to every string in it but the messages, which are ours: to mask credentials a server echoed. */
export function mapText(wording: Wording, change: (text: string) => string): Wording {
	if (typeof wording === 'string') return change(wording);
	return { message: wording.message, args: wording.args.map(arg => (typeof arg === 'number' ? arg : mapText(arg, change))) };
}
