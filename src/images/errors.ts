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

	constructor(readonly code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
	}

	/**
	 * `photo.bmp is a truncated BMP: … It was cut short: copy or download it again.` — the
	 * predicate, then what to do when the predicate does not say it already.
	 */
	sentence(label: string): string {
		const hint = hintFor(this.code, this.message);
		return hint ? `${label} ${this.message}. ${hint}.` : `${label} ${this.message}`;
	}
}

const EDIT_AND_SAVE = 'Open it in an image editor and save it again as JPEG or PNG';

/** What the user can do about it; the predicates of `unsupported` and `limit` say it themselves. */
function hintFor(code: ImageErrorCode, message: string): string | undefined {
	switch (code) {
		case 'empty': return 'If it is still being saved or downloaded, try again when it is complete';
		case 'truncated': return 'It was cut short: copy or download it again';
		case 'corrupt': return EDIT_AND_SAVE;
		case 'decode': return message.startsWith('could not be made smaller') ? 'Crop it or scale it down first' : EDIT_AND_SAVE;
		case 'converter': return 'Try again';
		default: return undefined;
	}
}

/**
 * `4.9 MB`, `0.93 MB`, `12 MB`, `56 kB`: two significant digits; 1 MB is 1,048,576 bytes, as
 * the service counts. Given the `limit` it is compared with, more digits are shown when rounding
 * would hide that it is over (1,048,577 bytes is `1.000001 MB`, not `1 MB`).
 */
export function megabytes(bytes: number, limit?: number): string {
	const mb = bytes / 1_048_576;
	if (limit !== undefined && bytes > limit) {
		for (let digits = 2; digits <= 7; digits++) {
			const shown = Number(mb.toPrecision(digits));
			if (shown * 1_048_576 > limit) return `${shown} MB`;
		}
	}
	if (mb >= 10) return `${Math.round(mb)} MB`;
	if (mb >= 0.1) return `${Number(mb.toPrecision(2))} MB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
	return `${bytes} bytes`;
}

/** `1,234,567`. */
export function count(n: number): string {
	return n.toLocaleString('en-US');
}
