/**
 * The package is dist/ as the release build leaves it: built after a development build (as
 * `npm run demo` does), it must hold no source maps.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

function filesUnder(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter(entry => entry.isFile()).map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

describe('the release build', function () {
	this.timeout(120_000);

	it('starts from an empty dist/: no source map of a development build is left to ship', () => {
		// A copy of the build's inputs, so the repository's own dist/ is left as it is.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-release-'));
		try {
			for (const name of ['src', 'media', 'node_modules', 'package.json', 'esbuild.js', 'tsconfig.json']) fs.symlinkSync(path.join(REPO, name), path.join(dir, name));
			execFileSync(process.execPath, ['esbuild.js'], { cwd: dir, stdio: 'pipe' });
			const development = filesUnder(path.join(dir, 'dist')).filter(file => file.endsWith('.map'));
			assert.ok(development.length >= 4, `a development build writes source maps: ${development.join(', ')}`);
			execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: dir, stdio: 'pipe' });
			const release = filesUnder(path.join(dir, 'dist'));
			assert.deepEqual(release.filter(file => file.endsWith('.map')), []);
			for (const file of ['extension.js', 'runtime.js', 'webview.js', 'imageWorker.js', path.join('webview', 'pdf.js')]) assert.ok(release.includes(file), `${file} is built`);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
