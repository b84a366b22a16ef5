/**
 * Draws every recording's polygons over its image, to check by eye that the boxes sit on the
 * pixels: blocks blue, lines green, words red, faces and words of an entity magenta, table cells
 * orange; a dot marks each polygon's first vertex (top-left) and a smaller one its second
 * (bottom-left). The batchAnalyze answer goes to `<image>.polygons.png`, each OCR model's to
 * `<image>.<model>.polygons.png`.
 *
 *   node out/test/tools/draw-fixture-polygons.js <fixtures folder> <output folder>
 */

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RecordedOcrAnnotation, RecordedPolygon, Recording } from '../emulator/recording';
import { launchChromium } from './chromium';

const COLORS = { block: '#1a56db', line: '#0e9f6e', word: '#e02424', face: '#d61f9d', cell: '#ff8a00' };

async function main(): Promise<void> {
	const [fixturesArg, outArg] = process.argv.slice(2);
	if (!fixturesArg || !outArg) throw new Error('usage: draw-fixture-polygons <fixtures folder> <output folder>');
	const fixtures = path.resolve(fixturesArg);
	const out = path.resolve(outArg);
	await mkdir(out, { recursive: true });
	const browser = await launchChromium();
	try {
		for (const name of (await readdir(fixtures)).filter(n => n.endsWith('.recording.json')).sort()) {
			const recording = JSON.parse(await readFile(path.join(fixtures, name), 'utf8')) as Recording;
			if (recording.mimeType === 'application/pdf') {
				// A browser draws no PDF in an <img>; the webview's PDF tests screenshot its pages with their boxes.
				console.log(`${recording.image}: skipped, a PDF (see test-results/screenshots/webview-pdf-two-pages.png)`);
				continue;
			}
			const image = await readFile(path.join(fixtures, recording.image));
			const imageUrl = `data:${recording.mimeType};base64,${image.toString('base64')}`;
			const drawings: [suffix: string, shapes: string[]][] = [];
			if (recording.textDetection || recording.faceDetection) drawings.push(['', batchShapes(recording)]);
			for (const [model, pages] of Object.entries(recording.ocr ?? {})) drawings.push([`.${model}`, pages.flatMap(ocrShapes)]);
			for (const [suffix, shapes] of drawings) {
				const context = await browser.newContext({ viewport: { width: recording.width, height: recording.height }, deviceScaleFactor: 1 });
				const page = await context.newPage();
				await page.setContent(overlayHtml(recording, imageUrl, shapes), { waitUntil: 'load' });
				const target = path.join(out, recording.image.replace(/\.[a-z]+$/, `${suffix}.polygons.png`));
				await writeFile(target, await page.screenshot({ type: 'png' }));
				await context.close();
				console.log(target);
			}
		}
	} finally {
		await browser.close();
	}
}

function batchShapes(recording: Recording): string[] {
	const shapes: string[] = [];
	for (const page of recording.textDetection?.pages ?? []) {
		for (const block of page.blocks) {
			shapes.push(polygon(block.boundingBox, COLORS.block, 3));
			for (const line of block.lines) {
				shapes.push(polygon(line.boundingBox, COLORS.line, 2));
				for (const word of line.words) shapes.push(polygon(word.boundingBox, word.entityIndex >= 0 ? COLORS.face : COLORS.word, 1));
			}
		}
	}
	for (const face of recording.faceDetection?.faces ?? []) shapes.push(polygon(face.boundingBox, COLORS.face, 3));
	return shapes;
}

function ocrShapes(page: RecordedOcrAnnotation): string[] {
	const shapes: string[] = [];
	for (const table of page.tables) {
		shapes.push(polygon(table.boundingBox, COLORS.cell, 4));
		for (const cell of table.cells) shapes.push(polygon(cell.boundingBox, COLORS.cell, 2));
	}
	for (const block of page.blocks) {
		shapes.push(polygon(block.boundingBox, COLORS.block, 3));
		for (const line of block.lines) {
			shapes.push(polygon(line.boundingBox, COLORS.line, 2));
			for (const word of line.words) shapes.push(polygon(word.boundingBox, word.entityIndex >= 0 ? COLORS.face : COLORS.word, 1));
		}
	}
	return shapes;
}

function overlayHtml(recording: Recording, imageUrl: string, shapes: readonly string[]): string {
	return `<!doctype html><html><head><style>html, body { margin: 0; } img, svg { position: absolute; left: 0; top: 0; }</style></head><body>
<img src="${imageUrl}" width="${recording.width}" height="${recording.height}">
<svg xmlns="http://www.w3.org/2000/svg" width="${recording.width}" height="${recording.height}">${shapes.join('\n')}</svg>
</body></html>`;
}

function polygon(p: RecordedPolygon, color: string, width: number): string {
	const points = p.vertices.map(v => `${v.x},${v.y}`).join(' ');
	const [first, second] = p.vertices;
	return `<polygon points="${points}" fill="none" stroke="${color}" stroke-width="${width}" stroke-opacity="0.8"/>`
		+ `<circle cx="${first.x}" cy="${first.y}" r="${width + 2}" fill="${color}"/>`
		+ `<circle cx="${second.x}" cy="${second.y}" r="${width + 0.5}" fill="${color}"/>`;
}

main().catch((err: unknown) => {
	console.error(err);
	process.exit(1);
});
