/**
 * Writes ThirdPartyNotices.txt: the licences of the third-party code the package holds, read from
 * node_modules (each package's own licence file and version), plus the code those packages carry
 * inside them, found by the notices in their sources.
 *
 *   npm run notices     (node esbuild.js --tests && node out/test/tools/third-party-notices.js)
 *
 * test/integration/package.test.ts checks that the file is current and that every package the
 * build takes from node_modules is in it.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const NOTICES_FILE = 'ThirdPartyNotices.txt';

/** Debian's copies of the GNU licences (package base-files), for the LGPL libraries inside wasm-vips. */
const COMMON_LICENSES = '/usr/share/common-licenses';

const MIT_PERMISSION = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

/** A package of node_modules whose code the package holds, bundled or copied. */
interface ShippedPackage {
	/** The npm package. */
	name: string;
	/** What it is called, when that differs from the npm name. */
	title?: string;
	source: string;
	/** Where it is in the .vsix. */
	where: string;
	/** Its licence file, relative to the package folder. */
	licenseFile: string;
	/** Further notices the package ships, relative to its folder, reproduced after its licence. */
	noticeFiles?: string[];
	/** Code of others that the package carries inside it. */
	embedded?: Embedded[];
	/** What else a reader needs to know, e.g. where the sources of LGPL code are. */
	note?: string;
	/** Whole licence texts the notices above refer to. */
	licenceTexts?: { title: string; file: string }[];
}

/** Code of another project inside a shipped package, known by a notice in the package's own sources. */
interface Embedded {
	title: string;
	source: string;
	license: string;
	/** A file of the shipping package and a pattern that is found there while the code is. */
	marker: { file: string; pattern: RegExp };
	/** Read from the marker file's text, e.g. the version of a bundled library. */
	readVersion?: (markerText: string) => string | undefined;
	/** The copyright lines; the licence text below them is MIT's. */
	copyright: string[];
}

export const SHIPPED: readonly ShippedPackage[] = [
	{
		name: 'undici',
		source: 'https://github.com/nodejs/undici',
		where: 'dist/runtime.js (the HTTP client)',
		licenseFile: 'LICENSE',
		embedded: [
			{
				title: 'llhttp (compiled to WebAssembly)',
				source: 'https://github.com/nodejs/llhttp',
				license: 'MIT',
				marker: { file: 'lib/llhttp/llhttp-wasm.js', pattern: /WebAssembly|Buffer\.from/ },
				copyright: ['Copyright Fedor Indutny, 2018.'],
			},
			{
				title: 'Ethan Arrowood\'s fetch implementation',
				source: 'https://github.com/nodejs/undici/tree/main/lib/web/fetch',
				license: 'MIT',
				marker: { file: 'lib/web/fetch/LICENSE', pattern: /Ethan Arrowood/ },
				copyright: ['Copyright (c) 2020 Ethan Arrowood'],
			},
			{
				title: 'formdata-polyfill',
				source: 'https://github.com/jimmywarting/FormData',
				license: 'MIT',
				marker: { file: 'lib/web/fetch/body.js', pattern: /formdata-polyfill\. MIT License/ },
				copyright: ['Copyright (c) 2016 Jimmy Karl Roland Wärting'],
			},
			{
				title: 'fetch-blob',
				source: 'https://github.com/node-fetch/fetch-blob',
				license: 'MIT',
				marker: { file: 'lib/core/util.js', pattern: /node-fetch\/fetch-blob.*MIT License/ },
				copyright: ['Copyright (c) 2019 David Frank'],
			},
			{
				title: 'ws',
				source: 'https://github.com/websockets/ws',
				license: 'MIT',
				marker: { file: 'lib/web/websocket/receiver.js', pattern: /influenced by ws/ },
				copyright: [
					'Copyright (c) 2011 Einar Otto Stangvik <einaros@gmail.com>',
					'Copyright (c) 2013 Arnout Kazemier and contributors',
					'Copyright (c) 2016 Luigi Pinca and contributors',
				],
			},
		],
	},
	{
		name: 'pdfjs-dist',
		title: 'PDF.js',
		source: 'https://github.com/mozilla/pdf.js',
		where: 'dist/webview/pdf.js and dist/webview/pdf.worker.mjs (PDF pages in the results panel); its licence also as dist/webview/pdfjs-LICENSE',
		licenseFile: 'LICENSE',
		embedded: [
			{
				title: 'core-js',
				source: 'https://github.com/zloirock/core-js',
				license: 'MIT',
				marker: { file: 'legacy/build/pdf.mjs', pattern: /__core-js_shared__/ },
				readVersion: text => /__core-js_shared__[\s\S]{0,400}?version: ?['"]([\d.]+)['"]/.exec(text)?.[1],
				copyright: [
					'Copyright (c) 2013–2025 Denis Pushkarev (zloirock.ru)',
					'Copyright (c) 2025–2026 CoreJS Company (core-js.io)',
				],
			},
		],
	},
	{
		name: 'wasm-vips',
		source: 'https://github.com/kleisauke/wasm-vips',
		where: 'dist/vips/ (image conversion: vips-node.js, vips.wasm, vips-resvg.wasm; its licence and notices also there)',
		licenseFile: 'LICENSE',
		noticeFiles: ['THIRD-PARTY-NOTICES.md'],
		note: `The libraries above are compiled into dist/vips/vips.wasm and dist/vips/vips-resvg.wasm (the
HEIF and JPEG XL modules of wasm-vips are not in this package). Those under the LGPL (libvips,
glib, libexif) are used under version 3 of that licence; their sources are at
https://github.com/libvips/libvips, https://gitlab.gnome.org/GNOME/glib and
https://github.com/libexif/libexif, and wasm-vips' build of them at
https://github.com/kleisauke/wasm-vips. The .wasm files are loaded from dist/vips/ at run time
and may be replaced there by a build of your own.`,
		licenceTexts: [
			{ title: 'GNU Lesser General Public License, version 3', file: 'LGPL-3' },
			{ title: 'GNU General Public License, version 3 (which the LGPL refers to)', file: 'GPL-3' },
		],
	},
	{
		name: 'sharp',
		source: 'https://github.com/lovell/sharp',
		where: 'dist/imageProcess.js (its JavaScript, in the image converter\'s process) and dist/node_modules/@img/sharp-<platform>/ (its native module); a platform\'s package only, not the universal one',
		licenseFile: 'LICENSE',
	},
	{
		name: '@img/sharp-libvips-linux-x64',
		title: 'libvips and the libraries it uses, as built for sharp (@img/sharp-libvips-<platform>)',
		source: 'https://github.com/lovell/sharp-libvips',
		where: 'dist/node_modules/@img/ (the shared libraries native image conversion loads; a platform\'s package only). Each platform\'s package carries the same libraries, built for it',
		licenseFile: 'README.md',
		note: `Those under the LGPL (libvips, glib, pango, librsvg, libheif, libexif, fribidi,
proxy-libintl) are used under version 3 of that licence (its text is above, with wasm-vips); their
sources, and sharp-libvips' build of them, are at https://github.com/lovell/sharp-libvips. The
shared libraries are loaded from dist/node_modules/@img/ at run time and may be replaced there by
a build of your own.`,
	},
	{
		name: '@img/colour',
		source: 'https://github.com/lovell/colour',
		where: 'dist/imageProcess.js (colour parsing for sharp)',
		licenseFile: 'LICENSE.md',
	},
	{
		name: 'detect-libc',
		source: 'https://github.com/lovell/detect-libc',
		where: 'dist/imageProcess.js (sharp\'s choice of native module)',
		licenseFile: 'LICENSE',
	},
	{
		name: 'semver',
		source: 'https://github.com/npm/node-semver',
		where: 'dist/imageProcess.js (sharp\'s check of its libvips version)',
		licenseFile: 'LICENSE',
	},
];

const RULE = '='.repeat(78);
const THIN = '-'.repeat(78);

function packageDir(root: string, name: string): string {
	return path.join(root, 'node_modules', name);
}

function read(file: string): string {
	return fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n').replace(/^\n+/, '').trimEnd();
}

/** The text of ThirdPartyNotices.txt, from the packages installed under `root`. */
export function thirdPartyNotices(root: string = ROOT): string {
	const parts: string[] = [
		'Yandex Vision for VS Code: third-party notices',
		'',
		'This extension\'s package contains the third-party software listed below. Each is',
		'used under its own licence, reproduced here. The extension\'s own licence is in LICENSE.',
		'',
	];
	for (const shipped of SHIPPED) {
		const dir = packageDir(root, shipped.name);
		const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license: string };
		parts.push(`- ${shipped.title ?? shipped.name} ${manifest.version} (${manifest.license})`);
		for (const embedded of presentEmbedded(dir, shipped)) parts.push(`    - ${embedded.title}${embedded.version ? ` ${embedded.version}` : ''} (${embedded.license})`);
	}
	for (const shipped of SHIPPED) {
		const dir = packageDir(root, shipped.name);
		const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license: string };
		parts.push('', RULE, `${shipped.title ?? shipped.name} ${manifest.version}`, `npm: ${shipped.name}@${manifest.version}`,
			`Licence: ${manifest.license}`, `Source: ${shipped.source}`, `In this package: ${shipped.where}`, RULE, '', read(path.join(dir, shipped.licenseFile)));
		for (const notice of shipped.noticeFiles ?? []) parts.push('', THIN, `${shipped.name}/${notice}:`, '', read(path.join(dir, notice)));
		if (shipped.note) parts.push('', shipped.note);
		for (const embedded of presentEmbedded(dir, shipped)) {
			parts.push('', THIN, `${embedded.title}${embedded.version ? ` ${embedded.version}` : ''}, inside ${shipped.name}`,
				`Licence: ${embedded.license}`, `Source: ${embedded.source}`, THIN, '', ...embedded.copyright, '', MIT_PERMISSION);
		}
		for (const licence of shipped.licenceTexts ?? []) {
			parts.push('', THIN, licence.title, THIN, '', read(path.join(COMMON_LICENSES, licence.file)));
		}
	}
	return `${parts.join('\n')}\n`;
}

function presentEmbedded(dir: string, shipped: ShippedPackage): (Embedded & { version: string | undefined })[] {
	return (shipped.embedded ?? []).flatMap(embedded => {
		const file = path.join(dir, embedded.marker.file);
		if (!fs.existsSync(file)) return [];
		const text = fs.readFileSync(file, 'utf8');
		if (!embedded.marker.pattern.test(text)) return [];
		return [{ ...embedded, version: embedded.readVersion?.(text) }];
	});
}

if (require.main === module) {
	fs.writeFileSync(path.join(ROOT, NOTICES_FILE), thirdPartyNotices());
	console.log(`${NOTICES_FILE}: ${SHIPPED.map(p => p.name).join(', ')}`);
}
