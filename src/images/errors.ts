import { ENGLISH, phrase, word, type Phrase, type Translate, type Wording } from '../shared/phrase';

/**
 * Why an image cannot be sent. The message is a predicate about the file, so it reads as a
 * sentence after the file's name: "report.pdf" + " has 12 pages; the service reads at most 8 — split it".
 */
export type ImageErrorCode =
	/** 0 bytes. */
	| 'empty'
	/** The file ends before its header does. */
	| 'truncated'
	/** The header is present but impossible. */
	| 'corrupt'
	/** A format that is not converted here (HEIC, AVIF, …) or not an image at all. */
	| 'unsupported'
	/** Over a limit that fitting cannot fix (a PDF's size or pages) or too big to decode safely. */
	| 'limit'
	/** The decoder refused the pixel data. */
	| 'decode'
	| 'cancelled'
	/** The converter itself failed (crashed, ran out of memory). */
	| 'converter';

export class ImageError extends Error {
	override readonly name = 'ImageError';

	/** `predicate`: the message as data, which the extension words in the user's language; `message` is its English. */
	constructor(readonly code: ImageErrorCode, readonly predicate: Wording, options?: { cause?: unknown }) {
		super(word(predicate), options);
	}

	/**
	 * `photo.bmp is a truncated BMP: … It was cut short: copy or download it again.` — the
	 * predicate, then what to do when the predicate does not say it already. In English unless
	 * `t` translates.
	 */
	sentence(label: string, t: Translate = ENGLISH): string {
		const predicate = word(this.predicate, t);
		switch (this.code) {
			case 'empty': return t('{0} {1}. If it is still being saved or downloaded, try again when it is complete.', label, predicate);
			case 'truncated': return t('{0} {1}. It was cut short: copy or download it again.', label, predicate);
			case 'decode':
				if (this.message.startsWith('could not be made smaller')) return t('{0} {1}. Crop it or scale it down first.', label, predicate);
				return t('{0} {1}. Open it in an image editor and save it again as JPEG or PNG.', label, predicate);
			case 'corrupt': return t('{0} {1}. Open it in an image editor and save it again as JPEG or PNG.', label, predicate);
			case 'converter': return t('{0} {1}. Try again.', label, predicate);
			// The predicates of `unsupported` and `limit` say what to do themselves.
			default: return t('{0} {1}', label, predicate);
		}
	}
}

/**
 * `4.9 MB`, `0.93 MB`, `12 MB`, `56 kB`: two significant digits; 1 MB is 1,048,576 bytes, as
 * the service counts. Given the `limit` it is compared with, more digits are shown when rounding
 * would hide that it is over (1,048,577 bytes is `1.000001 MB`, not `1 MB`).
 */
export function megabytes(bytes: number, limit?: number): string {
	return word(size(bytes, limit));
}

/** {@link megabytes} as a phrase, so that the unit is worded in the user's language too. */
export function size(bytes: number, limit?: number): Phrase {
	const mb = bytes / 1_048_576;
	if (limit !== undefined && bytes > limit) {
		for (let digits = 2; digits <= 7; digits++) {
			const shown = Number(mb.toPrecision(digits));
			if (shown * 1_048_576 > limit) return phrase('{0} MB', shown);
		}
	}
	if (mb >= 10) return phrase('{0} MB', Math.round(mb));
	if (mb >= 0.1) return phrase('{0} MB', Number(mb.toPrecision(2)));
	if (bytes >= 1024) return phrase('{0} kB', Math.round(bytes / 1024));
	return phrase('{0} bytes', bytes);
}

/** `1,234,567`. */
export function count(n: number): string {
	return n.toLocaleString('en-US');
}

/** An image whose conversion was cancelled (by the user, or with its batch). */
export function conversionCancelled(): ImageError {
	return new ImageError('cancelled', 'was not converted: cancelled');
}

/** An image still waiting when the converter was disposed. */
export function converterShutDown(): ImageError {
	return new ImageError('cancelled', 'was not converted: the converter has shut down');
}
