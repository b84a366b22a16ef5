/**
 * The packages as they ship: `npm run package` run as CI runs it (no terminal to answer a
 * question), for the universal package and for this machine's platform, and the .vsix files it
 * writes read back — what they hold, what they leave out, their size. The platform's package is
 * the one the installed-copy tests then install (`npm run test:installed`).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { build } from 'esbuild';
import { zipEntries, zipEntryData, type ZipEntry } from '../support/zip';
import { NOTICES_FILE, SHIPPED, thirdPartyNotices } from '../tools/third-party-notices';

const REPO = path.resolve(__dirname, '..', '..', '..');
/**
 * The budgets: the Marketplace takes far more, but a download this size installs in a moment. A
 * platform's package adds native libvips and the libraries it uses (≈ 7 MB compressed).
 */
const MAX_BYTES = 3.5 * 1024 * 1024;
const MAX_PLATFORM_BYTES = 12 * 1024 * 1024;
/** This machine's VS Code target, whose package the tests below read (esbuild.js's hostTarget). */
const TARGET = `${process.platform}-${process.arch}`;

interface Manifest {
	name: string;
	version: string;
	main: string;
	icon: string;
	l10n?: string;
	dependencies?: Record<string, string>;
	contributes: {
		viewsContainers?: Record<string, { icon: string }[]>;
		walkthroughs?: { steps: { media: { markdown?: string; image?: string } }[] }[];
	};
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;

function filesUnder(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter(entry => entry.isFile())
		.map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** A manifest value with its `%key%` replaced from each package.nls file: the walkthrough's media differ by language. */
function localized(value: string): string[] {
	const key = /^%(.+)%$/.exec(value)?.[1];
	if (!key) return [value];
	return fs.readdirSync(REPO).filter(name => /^package\.nls(\.[\w-]+)?\.json$/.test(name))
		.map(name => (JSON.parse(fs.readFileSync(path.join(REPO, name), 'utf8')) as Record<string, string>)[key])
		.filter((text): text is string => typeof text === 'string');
}

/** Files of the extension the sources name by `joinPath(<extensionUri>, 'folder', 'file')`. */
function filesOpenedBySources(): string[] {
	const found = new Set<string>();
	for (const file of filesUnder(path.join(REPO, 'src')).filter(name => name.endsWith('.ts'))) {
		const text = fs.readFileSync(path.join(REPO, 'src', file), 'utf8');
		for (const match of text.matchAll(/joinPath\(\s*(?:this\.)?(?:context\.)?extensionUri\s*,((?:\s*'[^']+'\s*,?)+)\)/g)) {
			found.add([...match[1].matchAll(/'([^']+)'/g)].map(part => part[1]).join('/'));
		}
	}
	// Folders too (the panel's localResourceRoots): their files are checked one by one.
	return [...found].filter(file => !fs.existsSync(path.join(REPO, file)) || fs.statSync(path.join(REPO, file)).isFile());
}

describe('the .vsix package', function () {
	// Packaging runs the release build first: about 10 s, more on a loaded machine.
	this.timeout(180_000);
	let outDir = '';
	let vsix = '';
	let output = '';
	let zip: Buffer = Buffer.alloc(0);
	let entries: ZipEntry[] = [];
	let names = new Set<string>();

	/** `npm run package` with `args`; the .vsix it wrote, read. */
	function packageWith(args: string[]): { file: string; output: string; zip: Buffer } {
		const started = Date.now();
		const before = new Set(fs.readdirSync(outDir));
		const result = spawnSync('npm', ['run', 'package', '--', ...args, '--out', `${outDir}${path.sep}`], {
			cwd: REPO,
			env: { ...process.env, CI: 'true' },
			stdio: ['ignore', 'pipe', 'pipe'],
			encoding: 'utf8',
		});
		const output = `${result.stdout}${result.stderr}`;
		assert.equal(result.status, 0, `npm run package ${args.join(' ')} exited with ${result.status}:\n${output}`);
		const written = fs.readdirSync(outDir).filter(name => !before.has(name));
		assert.equal(written.length, 1, `one .vsix written: ${written.join(', ')}`);
		const file = path.join(outDir, written[0]!);
		const zip = fs.readFileSync(file);
		console.log(`      ${written[0]} packaged in ${((Date.now() - started) / 1000).toFixed(1)} s: ${(zip.length / 1024 / 1024).toFixed(2)} MB, ${zipEntries(zip).length} files`);
		return { file, output, zip };
	}

	let universal: { file: string; zip: Buffer; names: Set<string> };

	before(() => {
		outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-package-'));
		const plain = packageWith(['--target=universal']);
		universal = { file: plain.file, zip: plain.zip, names: new Set(zipEntries(plain.zip).map(entry => entry.name)) };
		// This machine's last, so that dist/ is its build for the tests that compare with it.
		({ file: vsix, output, zip } = packageWith([]));
		entries = zipEntries(zip);
		names = new Set(entries.map(entry => entry.name));
	});

	after(() => {
		if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
	});

	/** Fails naming every one of `files` (paths in the extension's folder) that the package lacks. */
	function holds(files: readonly string[]): void {
		assert.deepEqual(files.filter(file => !names.has(`extension/${file}`)), [], `files missing from the package, which holds:\n${[...names].sort().join('\n')}\n`);
	}

	it('is built by npm run package with no warning and no question', () => {
		assert.doesNotMatch(output, /WARNING|\[y\/N\]/i);
		assert.match(output, /DONE {2}Packaged:/);
	});

	it(`is this platform's package, named for it, within ${MAX_PLATFORM_BYTES / 1024 / 1024} MB; the universal one within ${MAX_BYTES / 1024 / 1024} MB`, () => {
		assert.equal(path.basename(vsix), `${manifest.name}-${TARGET}-${manifest.version}.vsix`);
		assert.match(zipEntryData(zip, entries.find(entry => entry.name === 'extension.vsixmanifest')!).toString('utf8'), new RegExp(`TargetPlatform="${TARGET}"`));
		assert.ok(zip.length <= MAX_PLATFORM_BYTES, `${vsix} is ${(zip.length / 1024 / 1024).toFixed(2)} MB`);
		assert.equal(path.basename(universal.file), `${manifest.name}-${manifest.version}.vsix`);
		assert.ok(universal.zip.length <= MAX_BYTES, `${universal.file} is ${(universal.zip.length / 1024 / 1024).toFixed(2)} MB`);
	});

	it('carries native libvips for this platform, and the universal package none (it converts with wasm-vips, which both carry)', () => {
		const platform = `${process.platform}-${process.arch}`;
		holds(['dist/imageProcess.js', `dist/node_modules/@img/sharp-${platform}/package.json`, `dist/node_modules/@img/sharp-libvips-${platform}/package.json`, 'dist/imageWorker.js', 'dist/vips/vips.wasm']);
		assert.ok([...names].some(name => /^extension\/dist\/node_modules\/@img\/sharp-[\w-]+\/lib\/sharp-[\w.-]+\.node$/.test(name)), 'sharp\'s native module');
		assert.ok([...names].some(name => /^extension\/dist\/node_modules\/@img\/sharp-libvips-[\w-]+\/lib\/libvips-cpp\.so[\d.]*$/.test(name)), 'libvips');
		assert.deepEqual([...universal.names].filter(name => /^extension\/dist\/(node_modules\/|imageProcess\.js)/.test(name)), []);
		assert.ok(universal.names.has('extension/dist/vips/vips.wasm') && universal.names.has('extension/dist/imageWorker.js'));
	});

	it('holds the licence, the third-party notices, the icon, the README and the CHANGELOG', () => {
		holds(['LICENSE.txt', NOTICES_FILE, manifest.icon, 'readme.md', 'changelog.md']);
		const vsixManifest = zipEntryData(zip, entries.find(entry => entry.name === 'extension.vsixmanifest')!).toString('utf8');
		assert.match(vsixManifest, new RegExp(`<Icon>extension/${manifest.icon}</Icon>`));
		assert.match(vsixManifest, /Microsoft\.VisualStudio\.Services\.Content\.License" Path="extension\/LICENSE\.txt"/);
		assert.match(zipEntryData(zip, entries.find(entry => entry.name === 'extension/LICENSE.txt')!).toString('utf8'), /^MIT License\n\nCopyright \(c\) \d{4} /);
	});

	it('has a 128×128 PNG icon', () => {
		const png = zipEntryData(zip, entries.find(entry => entry.name === `extension/${manifest.icon}`)!);
		assert.equal(png.toString('latin1', 1, 4), 'PNG');
		assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
	});

	it('holds every file the extension loads at run time', () => {
		// The release build that packaging just ran: the bundles, their workers, wasm-vips and pdf.js.
		const dist = filesUnder(path.join(REPO, 'dist'));
		assert.ok(dist.includes('vips/vips.wasm') && dist.includes('webview/pdf.worker.mjs'), `the release build is in dist/: ${dist.join(', ')}`);
		holds(dist.map(file => `dist/${file}`));
		const named = [
			manifest.main.replace(/^\.\//, ''),
			...Object.values(manifest.contributes.viewsContainers ?? {}).flat().map(container => container.icon),
			...(manifest.contributes.walkthroughs ?? []).flatMap(walkthrough => walkthrough.steps)
				.flatMap(step => [step.media.markdown, step.media.image].filter((file): file is string => !!file)).flatMap(localized),
			...filesUnder(path.join(REPO, 'l10n')).map(file => `l10n/${file}`),
			...fs.readdirSync(REPO).filter(name => /^package(\.nls(\.[\w-]+)?)?\.json$/.test(name)),
			...filesOpenedBySources(),
		];
		assert.ok(named.includes('media/main.css') && named.some(file => file.startsWith('media/walkthrough/')), `the files named are found: ${named.join(', ')}`);
		holds(named);
	});

	it('holds nothing else: no sources, tests, dependencies or source maps', () => {
		const allowed = /^(\[Content_Types\]\.xml|extension\.vsixmanifest|extension\/(dist\/.+|media\/[\w-]+\.(css|svg|png)|media\/walkthrough\/(\w+\/)?[\w.-]+\.md|l10n\/bundle\.l10n\.[\w-]+\.json|package(\.nls(\.[\w-]+)?)?\.json|readme\.md|changelog\.md|LICENSE\.txt|ThirdPartyNotices\.txt))$/;
		// node_modules only as native libvips for the platform, sharp's two packages and nothing of theirs for building.
		const native = /^extension\/dist\/node_modules\/@img\/sharp-(libvips-)?[\w-]+\/(package\.json|README\.md|LICENSE|index\.cjs|versions\.json|lib\/[^/]+)$/;
		const unexpected = [...names].filter(name => !allowed.test(name) || /\.map$|\/(src|test|out)\//.test(name) || (/\/node_modules\//.test(name) && !native.test(name)));
		assert.deepEqual(unexpected, []);
		assert.ok(!names.has('extension/media/icon-128.svg'), 'the icon\'s drawing source stays out');
	});

	it('names in ThirdPartyNotices.txt every package of node_modules it holds, as npm run notices writes it now', async () => {
		const shipped = new Set(SHIPPED.map(pkg => pkg.name));
		const { productTargets } = require(path.join(REPO, 'esbuild.js')) as { productTargets(): BuildOptions[] };
		const bundled = new Set<string>();
		for (const target of productTargets()) {
			const { metafile } = await build({ ...target, absWorkingDir: REPO, write: false, metafile: true, logLevel: 'silent' }) as { metafile: Metafile };
			for (const input of Object.keys(metafile.inputs)) {
				const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
				if (pkg) bundled.add(pkg);
			}
		}
		assert.ok(bundled.has('undici'), `the bundles take undici from node_modules: ${[...bundled].join(', ')}`);
		const runtimeDependencies = Object.keys(manifest.dependencies ?? {});
		assert.deepEqual([...bundled, ...runtimeDependencies].filter(pkg => !shipped.has(pkg)), [], `packages in the bundles or dependencies (${[...bundled, ...runtimeDependencies].join(', ')}) without notices`);

		const notices = zipEntryData(zip, entries.find(entry => entry.name === `extension/${NOTICES_FILE}`)!).toString('utf8');
		assert.equal(notices, thirdPartyNotices(REPO), `${NOTICES_FILE} is out of date: run npm run notices`);
	});
});
