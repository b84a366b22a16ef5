/**
 * A folder of distinct phone-like photos for the benches: 4:3 JPEGs stored landscape with EXIF
 * orientation 6 (a phone held upright), grain like a camera's, each drawn from its own seeds so
 * no two files are alike (the pipeline sends identical bytes once). Made with wasm-vips, the same
 * every time for the same spec, and kept in the system's temporary folder between runs — never
 * in the repository.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadVips, withImages, type VipsModule } from '../unit/imagesHarness';

export interface PhotoSpec {
	label: string;
	width: number;
	height: number;
	count: number;
}

export interface Photo {
	file: string;
	bytes: number;
	label: string;
}

/** Bumped whenever the drawing changes, so an old folder is not taken for a new one. */
const VERSION = 1;

/** The photos of every spec, made on first use (a few seconds per 12 MP, more per 48 MP). */
export async function photoFolder(specs: readonly PhotoSpec[], log: (message: string) => void): Promise<Photo[]> {
	const dir = path.join(os.tmpdir(), `yandex-vision-bench-photos-v${VERSION}`);
	fs.mkdirSync(dir, { recursive: true });
	let vips: VipsModule | undefined;
	const photos: Photo[] = [];
	for (const spec of specs) {
		let made = 0;
		for (let i = 0; i < spec.count; i++) {
			const file = path.join(dir, `${spec.width}x${spec.height}-o6-${String(i).padStart(3, '0')}.jpg`);
			if (!fs.existsSync(file)) {
				if (made === 0) log(`photos: drawing ${spec.label} photos into ${dir}`);
				vips ??= await loadVips();
				// Written whole, then renamed: a run stopped half way leaves no cut-off photo behind.
				fs.writeFileSync(`${file}.part`, drawPhoto(vips, spec.width, spec.height, 1000 * spec.width + i));
				fs.renameSync(`${file}.part`, file);
				made++;
			}
			photos.push({ file, bytes: fs.statSync(file).size, label: spec.label });
		}
	}
	return photos;
}

/** Smooth colour fields at three scales plus grain, quality 92: a phone photo's size and texture. */
function drawPhoto(vips: VipsModule, width: number, height: number, seed: number): Uint8Array {
	return withImages(keep => {
		const field = (cell: number, salt: number, gain: number, offset: number) => keep(keep(vips.Image.perlin(width, height, { cell_size: cell, seed: seed * 4 + salt })).linear(gain, offset));
		const grain = keep(vips.Image.gaussnoise(width, height, { sigma: 12, mean: 0, seed }));
		const light = keep(keep(keep(field(256, 1, 100, 128).add(field(64, 2, 60, 0))).add(field(16, 3, 30, 0))).add(grain));
		const rgb = keep(keep(keep(vips.Image.bandjoin([light, keep(light.linear(0.8, 30)), keep(light.linear(1.1, -20))])).cast('uchar')).copy({ interpretation: 'srgb' }));
		const tagged = keep(rgb.copy());
		tagged.setInt('orientation', 6);
		return tagged.jpegsaveBuffer({ Q: 92 });
	});
}
