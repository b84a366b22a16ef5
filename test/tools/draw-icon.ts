/**
 * Draws the extension's Marketplace icon, media/icon.png (128×128, transparent corners), from its
 * source media/icon-128.svg with headless Chromium.
 *
 *   npm run icon        (node esbuild.js --tests && node out/test/tools/draw-icon.js)
 *
 * Same machine, same bytes: run it twice and nothing changes.
 */

import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { launchChromium } from './chromium';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SOURCE = path.join(ROOT, 'media', 'icon-128.svg');
const TARGET = path.join(ROOT, 'media', 'icon.png');
const SIZE = 128;

async function main(): Promise<void> {
	const svg = await readFile(SOURCE, 'utf8');
	const browser = await launchChromium();
	try {
		const context = await browser.newContext({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
		const page = await context.newPage();
		await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent">${svg}</body></html>`, { waitUntil: 'load' });
		await writeFile(TARGET, await page.screenshot({ type: 'png', omitBackground: true }));
	} finally {
		await browser.close();
	}
	console.log(`${path.relative(ROOT, TARGET)}: drawn from ${path.relative(ROOT, SOURCE)}`);
}

main().catch(error => {
	console.error(error);
	process.exit(1);
});
