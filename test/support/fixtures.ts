import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Recording } from '../emulator/recording';

/** The repository's test/fixtures, found from either the sources or the built out/ tree. */
export const FIXTURES_DIR = findFixtures();

function findFixtures(): string {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const candidate = path.join(dir, 'test', 'fixtures');
		if (existsDir(candidate) && existsDir(path.join(dir, 'src'))) return candidate;
	}
	throw new Error(`test/fixtures not found above ${__dirname}`);
}

function existsDir(dir: string): boolean {
	try {
		readdirSync(dir);
		return true;
	} catch {
		return false;
	}
}

export function fixtureBytes(name: string): Buffer {
	return readFileSync(path.join(FIXTURES_DIR, name));
}

export function recordingOf(image: string): Recording {
	const base = image.replace(/\.[^.]+$/, '');
	return JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${base}.recording.json`), 'utf8')) as Recording;
}

/** Every image that has a recording. */
export function recordedImages(): string[] {
	return readdirSync(FIXTURES_DIR)
		.filter(name => name.endsWith('.recording.json'))
		.map(name => (JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as Recording).image)
		.sort();
}
