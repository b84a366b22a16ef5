/**
 * Finds the recording for a received image: by the SHA-256 of its bytes first, and when that
 * misses, by a perceptual fingerprint, so that a resized, re-encoded or turned version of a
 * recorded image is recognized as the service would recognize it. PDFs match by hash only.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintImage, loadVips, vipsMessage, VipsModule } from './decode';
import { Candidate, Fingerprint, MATCH_THRESHOLD, OrientedPrints, allOrientations, nearest } from './fingerprint';
import { ImageFormat } from './imageHeader';
import { LoadedRecording, RecordingIndex, sha256Hex } from './recordings';
import { Placement, orientedSize } from './transform';

export type ImageMatch =
	| { kind: 'exact'; loaded: LoadedRecording }
	| { kind: 'fingerprint'; loaded: LoadedRecording; placement: Placement; distance: number }
	| { kind: 'none'; why: string };

export async function matchImage(bytes: Buffer, sha256: string, format: ImageFormat, recordings: RecordingIndex): Promise<ImageMatch> {
	const loaded = recordings.get(sha256);
	if (loaded) return { kind: 'exact', loaded };
	if (format === 'pdf') return { kind: 'none', why: 'a PDF matches by sha256 only' };
	let vips: VipsModule;
	try {
		vips = await loadVips();
	} catch (err) {
		// Exact matches still work; the log says why nothing else does.
		return { kind: 'none', why: `wasm-vips did not load (${vipsMessage(err)})` };
	}
	let received: Fingerprint;
	try {
		received = fingerprintImage(vips, bytes);
	} catch (err) {
		return { kind: 'none', why: `not decoded (${vipsMessage(err).replace(/\s+/g, ' ')})` };
	}
	const found = nearest(received, candidates(vips, recordings));
	if (!found) return { kind: 'none', why: 'no recorded image has this aspect ratio' };
	const name = path.basename(found.key.file);
	if (found.distance > MATCH_THRESHOLD) return { kind: 'none', why: `nearest ${name} d=${found.distance.toFixed(3)} > ${MATCH_THRESHOLD}` };
	return { kind: 'fingerprint', loaded: found.key, distance: found.distance, placement: { orientation: found.orientation, received: received.size } };
}

/** How an image matched, for the request log. */
export function describeMatch(match: ImageMatch): string {
	switch (match.kind) {
		case 'exact':
			return `exact ${path.basename(match.loaded.file)}`;
		case 'fingerprint': {
			const { recording, file } = match.loaded;
			const { orientation, received } = match.placement;
			const turned = orientedSize(recording, orientation);
			const scale = `${(received.width / turned.width).toFixed(3)}x${(received.height / turned.height).toFixed(3)}`;
			return `fingerprint d=${match.distance.toFixed(4)} orientation=${orientation} scale=${scale} ${path.basename(file)}`;
		}
		case 'none':
			return `none: ${match.why}`;
	}
}

/**
 * Fingerprints of recorded images by sha256, for the life of the process: they depend on the
 * bytes only, so a reloaded fixtures folder reuses them. `null` marks an image that would not decode.
 */
const printsBySha = new Map<string, OrientedPrints | null>();

function* candidates(vips: VipsModule, recordings: RecordingIndex): Iterable<Candidate<LoadedRecording>> {
	for (const loaded of recordings.all()) {
		if (loaded.recording.mimeType === 'application/pdf') continue;
		let prints = printsBySha.get(loaded.sha256);
		if (prints === undefined) {
			prints = recordedPrints(vips, loaded);
			printsBySha.set(loaded.sha256, prints);
		}
		if (prints) yield { key: loaded, prints };
	}
}

function recordedPrints(vips: VipsModule, loaded: LoadedRecording): OrientedPrints | null {
	try {
		const bytes = fs.readFileSync(loaded.imageFile);
		// The file changed since it was indexed: its fingerprint would not be this sha256's.
		if (sha256Hex(bytes) !== loaded.sha256) return null;
		return allOrientations(fingerprintImage(vips, bytes));
	} catch (err) {
		console.warn(`emulator: cannot fingerprint ${loaded.imageFile}: ${vipsMessage(err)}`);
		return null;
	}
}
