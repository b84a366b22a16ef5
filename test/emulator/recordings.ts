/** Loads `*.recording.json` sidecars and indexes them by the SHA-256 of their image's bytes. */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Recording } from './recording';
import { checkRecording } from './recordingShape';

export interface LoadedRecording {
	recording: Recording;
	/** The recording file, for messages. */
	file: string;
	/** SHA-256 of the image file as it is on disk. */
	sha256: string;
	/** The image file, read again when a fingerprint of it is needed. */
	imageFile: string;
}

export interface RecordingIndex {
	readonly dir: string;
	readonly size: number;
	get(sha256: string): LoadedRecording | undefined;
	/** Every recording, in file order. */
	all(): readonly LoadedRecording[];
}

export function sha256Hex(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads every `*.recording.json` under `dir` (subfolders included). A missing folder gives an
 * empty index; a broken recording is skipped with a warning, never half-loaded.
 */
export function loadRecordings(dir: string, warn: (message: string) => void = message => console.warn(message)): RecordingIndex {
	const bySha = new Map<string, LoadedRecording>();
	for (const file of findRecordingFiles(dir)) {
		const loaded = loadOne(file, warn);
		if (!loaded) continue;
		const existing = bySha.get(loaded.sha256);
		if (existing) {
			warn(`emulator: ${file} records the same image as ${existing.file}; keeping the first`);
			continue;
		}
		bySha.set(loaded.sha256, loaded);
	}
	const all = [...bySha.values()];
	return { dir, size: bySha.size, get: sha256 => bySha.get(sha256), all: () => all };
}

function loadOne(file: string, warn: (message: string) => void): LoadedRecording | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (err) {
		warn(`emulator: skipping ${file}: ${err instanceof Error ? err.message : String(err)}`);
		return undefined;
	}
	const checked = checkRecording(parsed);
	if ('problem' in checked) {
		warn(`emulator: skipping ${file}: ${checked.problem}`);
		return undefined;
	}
	const { recording } = checked;
	const imageFile = path.resolve(path.dirname(file), recording.image);
	let image: Buffer;
	try {
		image = fs.readFileSync(imageFile);
	} catch (err) {
		warn(`emulator: skipping ${file}: cannot read its image: ${err instanceof Error ? err.message : String(err)}`);
		return undefined;
	}
	const sha256 = sha256Hex(image);
	if (sha256 !== recording.sha256.toLowerCase()) {
		warn(`emulator: ${file} says sha256 ${recording.sha256} but ${recording.image} hashes to ${sha256}; indexing by the actual bytes`);
	}
	return { recording, file, sha256, imageFile };
}

function findRecordingFiles(dir: string): string[] {
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, { withFileTypes: true });
	} catch {
		return [];
	}
	const files: string[] = [];
	for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...findRecordingFiles(full));
		else if (entry.name.endsWith('.recording.json')) files.push(full);
	}
	return files;
}

/**
 * `<repo>/test/fixtures`: the repository is the nearest folder above this module that holds
 * a package.json, which works both from the sources and from the bundles in `out/test/…`.
 */
export function defaultFixturesDir(): string {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'test', 'fixtures');
		if (path.dirname(dir) === dir) return path.resolve('test', 'fixtures');
	}
}
