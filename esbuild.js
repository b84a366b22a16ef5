// @ts-check
// Builds every target: the extension host bundle, the webview bundle, and
// (with --tests) the test suites, the emulator and its CLI.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
const watch = process.argv.includes('--watch');

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

/** @returns {import('esbuild').BuildOptions[]} */
function productTargets() {
	return [
		{
			...common,
			// extension.js stays tiny so activation is cheap; runtime.js (client, panels) loads on first use;
			// imageWorker.js is the image converter's thread, which loads dist/vips/vips-node.js itself.
			entryPoints: { extension: 'src/extension.ts', runtime: 'src/commands/runtime.ts', imageWorker: 'src/images/converter/worker.ts' },
			outdir: 'dist',
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			external: ['vscode'],
			plugins: [lazyRuntime],
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
	if (!tests) {
		copyVips();
		copyPdfWorker();
	}
	if (watch) {
		for (const t of targets) await (await esbuild.context(t)).watch();
		return;
	}
	const results = await Promise.all(targets.map(t => esbuild.build(t)));
	if (!tests) for (const r of results) if (r.metafile) reportSizes(r.metafile);
}

// Required rather than run (by the package test, to list what the bundles take from node_modules): only exports.
if (require.main === module) {
	main().catch(err => {
		console.error(err);
		process.exit(1);
	});
}

module.exports = { productTargets };
