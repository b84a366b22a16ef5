/**
 * Looks for secrets where they must never be: in files (byte for byte, so binary stores count
 * too) and in text the user was shown. A secret is looked for as UTF-8, UTF-16 (how browsers and
 * V8 keep two-byte strings), base64 and base64url, and optionally by fragments, so that a secret
 * cut short by clipping still counts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Needle {
	/** Which secret, in what form: `IAM token (base64)`. */
	label: string;
	bytes: Buffer;
	/** A piece of the secret rather than all of it. */
	fragment?: boolean;
}

export interface Hit {
	where: string;
	label: string;
	/** A little of the text around it, secrets included: for the failure message of a test. */
	around: string;
}

/**
 * Fragments looked for: this long, one every 4 characters, so that any 19 characters in a row of
 * a secret's random part hold one.
 */
export const FRAGMENT_LENGTH = 16;

/**
 * The forms of `secret` to look for. `random` is the part no other text can hold by chance
 * (a token's random tail): its fragments are looked for too, when given.
 */
export function needlesFor(label: string, secret: string, random?: string): Needle[] {
	const needles: Needle[] = [
		{ label, bytes: Buffer.from(secret, 'utf8') },
		{ label: `${label} (UTF-16)`, bytes: Buffer.from(secret, 'utf16le') },
		...base64Forms(secret).map(form => ({ label: `${label} (${form.name})`, bytes: Buffer.from(form.text) })),
	];
	if (random) {
		if (!secret.includes(random)) throw new Error(`${label}: the random part is not in the secret`);
		for (let i = 0; i + FRAGMENT_LENGTH <= random.length; i += 4) {
			needles.push({ label: `${label} (characters ${i + 1}–${i + FRAGMENT_LENGTH} of its random part)`, bytes: Buffer.from(random.slice(i, i + FRAGMENT_LENGTH)), fragment: true });
		}
	}
	return needles;
}

/**
 * The secret as it reads inside any longer base64 text, whatever its offset there: for each of
 * the three alignments, the characters that depend on the secret's bytes alone.
 */
function base64Forms(secret: string): { name: string; text: string }[] {
	const forms: { name: string; text: string }[] = [];
	for (const encoding of ['base64', 'base64url'] as const) {
		for (let shift = 0; shift < 3; shift++) {
			const text = Buffer.concat([Buffer.alloc(shift), Buffer.from(secret)]).toString(encoding);
			forms.push({ name: `${encoding}, offset ${shift}`, text: text.slice(4, -4) });
		}
	}
	return forms;
}

/** The needles found in `bytes`. */
export function findIn(where: string, bytes: Buffer, needles: readonly Needle[]): Hit[] {
	const hits: Hit[] = [];
	for (const needle of needles) {
		const at = bytes.indexOf(needle.bytes);
		if (at < 0) continue;
		const around = bytes.subarray(Math.max(0, at - 40), Math.min(bytes.length, at + needle.bytes.length + 40)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
		hits.push({ where, label: needle.label, around });
	}
	return hits;
}

export function findInText(where: string, text: string, needles: readonly Needle[]): Hit[] {
	return findIn(where, Buffer.from(text, 'utf8'), needles);
}

export interface ScanReport {
	/** Regular files read. */
	files: string[];
	hits: Hit[];
}

/**
 * Every regular file under `roots`, recursively, without following symbolic links; `exclude`
 * (absolute paths) are left out with everything under them. A file that vanishes meanwhile is skipped.
 */
export function scanFiles(roots: readonly string[], needles: readonly Needle[], exclude: readonly string[] = []): ScanReport {
	const report: ScanReport = { files: [], hits: [] };
	const skipped = new Set(exclude.map(p => path.resolve(p)));
	const visit = (file: string): void => {
		if (skipped.has(file)) return;
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(file);
		} catch {
			return;
		}
		if (stat.isDirectory()) {
			for (const name of safeReaddir(file)) visit(path.join(file, name));
			return;
		}
		if (!stat.isFile()) return;
		let bytes: Buffer;
		try {
			bytes = fs.readFileSync(file);
		} catch {
			return;
		}
		report.files.push(file);
		report.hits.push(...findIn(file, bytes, needles));
	};
	for (const root of roots) visit(path.resolve(root));
	return report;
}

function safeReaddir(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

/** One line per hit (the first 40), for an assertion message. */
export function describeHits(hits: readonly Hit[]): string {
	const lines = hits.slice(0, 40).map(hit => `${hit.label} in ${hit.where}: …${hit.around}…`);
	if (hits.length > lines.length) lines.push(`… and ${hits.length - lines.length} more`);
	return `${hits.length} leaks:\n${lines.join('\n')}`;
}
