// @ts-check
// Builds every target: the extension host bundle, the webview bundle, and
// (with --tests) the test suites, the emulator and its CLI.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
const watch = process.argv.includes('--watch');
const packaging = process.argv.includes('--package');
/** `--target=<VS Code target>`: whose native libvips the build carries (see NATIVE_PLATFORMS). */
const targetArgument = process.argv.find(arg => arg.startsWith('--target='))?.slice('--target='.length);

/** @type {import('esbuild').BuildOptions} */
const common = {
	bundle: true,
	sourcemap: !production,
	minify: production,
	logLevel: 'warning',
	legalComments: 'none',
};

/**
 * Leaves `require('./runtime')` in extension.ts as a real require of dist/runtime.js instead of
 * bundling it in.
 * @type {import('esbuild').Plugin}
 */
const lazyRuntime = {
	name: 'lazy-runtime',
	setup(build) {
		build.onResolve({ filter: /^\.\/commands\/runtime$/ }, args =>
			args.importer.endsWith(path.join('src', 'extension.ts')) ? { path: './runtime.js', external: true } : undefined);
	},
};

/**
 * sharp first looks for a build of its own (`require(\`../src/build/Release/sharp-${platform}….node\`)`),
 * which esbuild would try to find now, as files matching the pattern. The package never has one:
 * those lookups are dropped, and sharp goes on to its platform package in dist/node_modules/.
 * @type {import('esbuild').Plugin}
 */
const sharpAtRunTime = {
	name: 'sharp-at-run-time',
	setup(build) {
		build.onLoad({ filter: /[\\/]sharp[\\/]dist[\\/]sharp\.cjs$/ }, args => ({
			contents: fs.readFileSync(args.path, 'utf8').replace(/require\(`\.\.\/src\/build\/[^`]*`\)/g, 'undefined'),
			loader: 'js',
		}));
	},
};

/**
 * wasm-vips is shipped as its own files, not bundled: its threads are workers that load the file
 * they were started from, and a bundle would run the whole extension again in each of them.
 * Only SVG's module comes along; HEIF and JPEG XL (6 MB) are not loaded.
 */
const VIPS_FILES = ['vips-node.js', 'vips.wasm', 'vips-resvg.wasm', '../LICENSE', '../THIRD-PARTY-NOTICES.md'];

function copyVips() {
	// The package exports no package.json: its main file (lib/vips-node.js) locates the rest.
	const from = path.dirname(require.resolve('wasm-vips'));
	const to = path.join('dist', 'vips');
	fs.mkdirSync(to, { recursive: true });
	for (const file of VIPS_FILES) fs.copyFileSync(path.join(from, file), path.join(to, path.basename(file)));
}

/**
 * VS Code's platform targets and sharp's native package for each: a platform's .vsix carries
 * native libvips (sharp's prebuilt binaries, no build on the user's machine) in
 * dist/node_modules/@img/. The universal package carries none: it converts with wasm-vips, as
 * every package does where native libvips will not run.
 */
const NATIVE_PLATFORMS = {
	'win32-x64': 'win32-x64',
	'win32-arm64': 'win32-arm64',
	'linux-x64': 'linux-x64',
	'linux-arm64': 'linux-arm64',
	'linux-armhf': 'linux-arm',
	'alpine-x64': 'linuxmusl-x64',
	'alpine-arm64': 'linuxmusl-arm64',
	'darwin-x64': 'darwin-x64',
	'darwin-arm64': 'darwin-arm64',
};

/** This machine's VS Code target, as vsce names it. */
function hostTarget() {
	const libc = process.platform === 'linux' && fs.existsSync('/etc/alpine-release') ? 'alpine' : process.platform;
	const arch = process.arch === 'arm' ? 'armhf' : process.arch;
	return `${libc}-${arch}`;
}

/**
 * The target this build is for: --target=, else $YV_TARGET (set by `--package` for vsce's prepublish
 * build), else `universal` for a prepublish build vsce ran by itself, else this machine's when its
 * native libvips is installed, else `universal`.
 * @returns {string}
 */
function buildTarget() {
	if (process.argv.includes('--target')) throw new Error('--target takes its value after an equals sign: --target=linux-x64');
	// A bare `vsce package` or `vsce publish` runs the prepublish build with no target: the universal package.
	const named = targetArgument ?? process.env.YV_TARGET ?? (process.env.npm_lifecycle_event === 'vscode:prepublish' ? 'universal' : undefined);
	if (named) {
		if (named !== 'universal' && !(named in NATIVE_PLATFORMS)) throw new Error(`--target=${named}: one of universal, ${Object.keys(NATIVE_PLATFORMS).join(', ')}`);
		return named;
	}
	const host = hostTarget();
	return host in NATIVE_PLATFORMS && fs.existsSync(path.join('node_modules', '@img', `sharp-${NATIVE_PLATFORMS[/** @type {keyof typeof NATIVE_PLATFORMS} */ (host)]}`)) ? host : 'universal';
}

/**
 * sharp's native packages for `target` into dist/node_modules/@img/, where the converter's process
 * (dist/imageProcess.js) finds them: from node_modules for this machine, else fetched from the npm
 * registry at the version sharp names (cached in node_modules/.cache/).
 * @param {string} target
 */
function copyNative(target) {
	const platform = NATIVE_PLATFORMS[/** @type {keyof typeof NATIVE_PLATFORMS} */ (target)];
	const sharpManifest = JSON.parse(fs.readFileSync(path.join('node_modules', 'sharp', 'package.json'), 'utf8'));
	const packages = Object.keys(sharpManifest.optionalDependencies).filter(name => name === `@img/sharp-${platform}` || name === `@img/sharp-libvips-${platform}`);
	if (packages.length === 0) throw new Error(`sharp ${sharpManifest.version} has no native package for ${platform}`);
	const to = path.join('dist', 'node_modules', '@img');
	fs.rmSync(path.join('dist', 'node_modules'), { recursive: true, force: true });
	for (const name of packages) {
		const version = sharpManifest.optionalDependencies[name];
		const installed = path.join('node_modules', name);
		const dest = path.join(to, name.slice('@img/'.length));
		fs.mkdirSync(dest, { recursive: true });
		if (fs.existsSync(installed) && JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version === version) {
			fs.cpSync(installed, dest, { recursive: true });
		} else {
			const { execFileSync } = require('node:child_process');
			const cache = path.join('node_modules', '.cache', 'yandex-vision-native');
			fs.mkdirSync(cache, { recursive: true });
			const tarball = path.join(cache, `${name.slice(1).replace('/', '-')}-${version}.tgz`);
			if (!fs.existsSync(tarball)) {
				const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
				const packed = execFileSync(npm, ['pack', `${name}@${version}`, '--silent', '--pack-destination', cache], { encoding: 'utf8', shell: process.platform === 'win32' }).trim().split('\n').pop();
				fs.renameSync(path.join(cache, packed), tarball);
			}
			execFileSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1']);
		}
		// Headers for building against libvips are no part of running it.
		fs.rmSync(path.join(dest, 'lib', 'glib-2.0'), { recursive: true, force: true });
		fs.rmSync(path.join(dest, 'include'), { recursive: true, force: true });
	}
}

/**
 * pdf.js for PDF pages in the results panel, loaded by the panel only for PDFs: its parser's
 * worker (legacy build, as the bundle: VS Code 1.100's webviews lack what the modern one needs)
 * beside dist/webview/pdf.js, with its licence.
 */
function copyPdfWorker() {
	const from = path.dirname(require.resolve('pdfjs-dist/package.json'));
	const to = path.join('dist', 'webview');
	fs.mkdirSync(to, { recursive: true });
	fs.copyFileSync(path.join(from, 'legacy', 'build', 'pdf.worker.min.mjs'), path.join(to, 'pdf.worker.mjs'));
	fs.copyFileSync(path.join(from, 'LICENSE'), path.join(to, 'pdfjs-LICENSE'));
}

/**
 * @param {string} [target] a VS Code target, or `universal`; this build's by default
 * @returns {import('esbuild').BuildOptions[]}
 */
function productTargets(target = buildTarget()) {
	return [
		{
			...common,
			// extension.js stays tiny so activation is cheap; runtime.js (client, panels) loads on first use;
			// imageWorker.js is the WebAssembly converter's thread, which loads dist/vips/vips-node.js itself;
			// imageProcess.js, the native converter's process, with sharp's JavaScript (its binaries stay files).
			entryPoints: {
				extension: 'src/extension.ts',
				runtime: 'src/commands/runtime.ts',
				imageWorker: 'src/images/converter/wasmWorker.ts',
				...target === 'universal' ? {} : { imageProcess: 'src/images/converter/nativeProcess.ts' },
			},
			outdir: 'dist',
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			// sharp's platform packages are looked up at run time, in dist/node_modules/.
			external: ['vscode', '@img/sharp-*'],
			plugins: [lazyRuntime, sharpAtRunTime],
			metafile: true,
		},
		{
			...common,
			entryPoints: { webview: 'media/main.ts', 'webview/pdf': 'media/pdf/pdfRenderer.ts' },
			outdir: 'dist',
			platform: 'browser',
			format: 'iife',
			target: 'es2022',
			metafile: true,
			// pdf.js reads import.meta.url only when it runs in Node.
			logOverride: { 'empty-import-meta': 'silent' },
		},
	];
}

/**
 * What runs on its own: test files, the extension-host suite's entry, the command-line tools
 * (emulator, launcher, demo, benches) and the fixture tools.
 * @param {string} file
 */
function isTestEntry(file) {
	const name = path.basename(file);
	const dir = path.basename(path.dirname(file));
	return /\.test\.ts$/.test(name)
		|| /^(cli|runTest|launcher|demo)\.ts$/.test(name)
		|| (dir === 'suite' && name === 'index.ts')
		|| (dir === 'bench' && (name === 'run.ts' || name.endsWith('.bench.ts')))
		|| (dir === 'tools' && name.endsWith('.ts'));
}

/** Every test entry, one output file each, dependencies left to node_modules. */
function testTargets() {
	/** @type {string[]} */
	const entries = [];
	const walk = (/** @type {string} */ dir) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) {
				if (entry.name !== 'fixtures') walk(full);
			} else if (isTestEntry(full)) {
				entries.push(full);
			}
		}
	};
	walk('test');
	return [{
		...common,
		sourcemap: true,
		minify: false,
		entryPoints: entries,
		outdir: 'out',
		outbase: '.',
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		packages: 'external',
		external: ['vscode'],
	}];
}

/** @param {import('esbuild').Metafile} meta */
function reportSizes(meta) {
	for (const [file, info] of Object.entries(meta.outputs)) {
		if (file.endsWith('.js')) console.log(`${file}: ${(info.bytes / 1024).toFixed(1)} KiB`);
	}
}

async function main() {
	const targets = tests ? testTargets() : productTargets();
	// Built afresh, so the compiled suite of a test file since deleted cannot go on running.
	if (tests) fs.rmSync(path.join('out', 'test'), { recursive: true, force: true });
	// A release starts from an empty dist/: a development build's source maps would otherwise ship in the package.
	if (production && !tests) fs.rmSync('dist', { recursive: true, force: true });
	const target = tests ? 'universal' : buildTarget();
	if (!tests) {
		copyVips();
		copyPdfWorker();
		if (target === 'universal') fs.rmSync(path.join('dist', 'node_modules'), { recursive: true, force: true });
		else copyNative(target);
		// A universal build after a platform's leaves no native converter behind.
		if (target === 'universal') fs.rmSync(path.join('dist', 'imageProcess.js'), { force: true });
	}
	if (watch) {
		for (const t of targets) await (await esbuild.context(t)).watch();
		return;
	}
	const results = await Promise.all(targets.map(t => esbuild.build(t)));
	if (!tests) {
		for (const r of results) if (r.metafile) reportSizes(r.metafile);
		console.log(`target: ${target}${target === 'universal' ? ' (images converted with wasm-vips)' : ` (native libvips from @img/sharp-${NATIVE_PLATFORMS[/** @type {keyof typeof NATIVE_PLATFORMS} */ (target)]})`}`);
	}
}

/**
 * `--package [--target=<t>|all] [vsce options]`: the .vsix for a target (this machine's by default),
 * or for every target and the universal one: vsce runs the release build for it (prepublish,
 * with $YV_TARGET) and names the file yandex-vision-<target>-<version>.vsix.
 */
function packageTargets() {
	const { execFileSync } = require('node:child_process');
	const passed = process.argv.slice(2).filter(arg => arg !== '--package' && !arg.startsWith('--target='));
	const targets = targetArgument === 'all' ? [...Object.keys(NATIVE_PLATFORMS), 'universal'] : [buildTarget()];
	for (const target of targets) {
		const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
		const args = ['vsce', 'package', '--no-dependencies', ...target === 'universal' ? [] : ['--target', target], ...passed];
		console.log(`packaging for ${target}: ${args.join(' ')}`);
		execFileSync(npx, args, { stdio: 'inherit', env: { ...process.env, YV_TARGET: target }, shell: process.platform === 'win32' });
	}
}

// Required rather than run (by the package test, to list what the bundles take from node_modules): only exports.
if (require.main === module && packaging) {
	try {
		packageTargets();
	} catch (err) {
		console.error(err instanceof Error ? err.message : err);
		process.exit(1);
	}
} else if (require.main === module) {
	main().catch(err => {
		console.error(err);
		process.exit(1);
	});
}

module.exports = { productTargets, NATIVE_PLATFORMS, sharpAtRunTime };
