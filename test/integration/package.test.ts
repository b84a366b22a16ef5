/**
 * The package as it ships: `npm run package` run once as CI runs it (no terminal to answer a
 * question), and the .vsix it writes read back — what it holds, what it leaves out, its size.
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
/** The budget: the Marketplace takes far more, but a download this size installs in a moment. */
const MAX_BYTES = 3.5 * 1024 * 1024;

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
	let zip = Buffer.alloc(0);
	let entries: ZipEntry[] = [];
	let names = new Set<string>();

	before(() => {
		const started = Date.now();
		outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-package-'));
		vsix = path.join(outDir, `${manifest.name}-${manifest.version}.vsix`);
		const result = spawnSync('npm', ['run', 'package', '--', '--out', `${outDir}${path.sep}`], {
			cwd: REPO,
			env: { ...process.env, CI: 'true' },
			stdio: ['ignore', 'pipe', 'pipe'],
			encoding: 'utf8',
		});
		output = `${result.stdout}${result.stderr}`;
		assert.equal(result.status, 0, `npm run package exited with ${result.status}:\n${output}`);
		zip = fs.readFileSync(vsix);
		entries = zipEntries(zip);
		names = new Set(entries.map(entry => entry.name));
		console.log(`      packaged in ${((Date.now() - started) / 1000).toFixed(1)} s: ${(zip.length / 1024 / 1024).toFixed(2)} MB, ${entries.length} files`);
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

	it(`stays within ${MAX_BYTES / 1024 / 1024} MB`, () => {
		assert.ok(zip.length <= MAX_BYTES, `${vsix} is ${(zip.length / 1024 / 1024).toFixed(2)} MB`);
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
		const unexpected = [...names].filter(name => !allowed.test(name) || /\.map$|\/(src|test|node_modules|out)\//.test(name));
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
