/**
 * A 4 MB phone photo stored on its side (EXIF orientation 6), recognized from the Explorer in real
 * VS Code against the emulator: the results panel says what was done to it, shows it upright, and
 * draws each word's box over that word of the picture as displayed.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { Recording } from '../emulator/recording';
import { loadVips } from '../emulator/decode';
import { recordingOf } from '../support/fixtures';
import { nativeConverterProcesses } from '../support/processes';
import { writeFittingSamples, type FittingSamples } from '../support/fittingSamples';
import { useSession } from './session';
import {
	expectBoxOver,
	expectNoErrorNotifications,
	explorerItem,
	installedVsix,
	REPO_ROOT,
	pickFromContextMenu,
	resultsPanel,
	waitUntil,
} from './workbench';

describe('a fitted photo\'s results in the VS Code workbench', function () {
	this.timeout(90_000);
	let samples: FittingSamples | undefined;
	const session = useSession({
		signIn: true,
		// Before the workbench opens, so the Explorer lists them from the start.
		prepare: async workspace => {
			samples = await writeFittingSamples(await loadVips(), path.join(workspace.folder, 'images', 'generated'));
		},
	});

	it('the photo on its side: the note says it was turned upright and resized, and the boxes lie over the words of the upright picture', async () => {
		const { page, emulator } = session;
		assert.ok(samples);
		const { photo } = samples;
		const label = `images/generated/${photo.name}`;
		await pickFromContextMenu(page, await explorerItem(page, label), 'Recognize Text');
		const panel = await resultsPanel(page, label, 60_000);

		const note = panel.locator('header.header .fit-note');
		await note.waitFor({ state: 'visible' });
		const { width, height } = photo.upright;
		assert.match(await note.textContent() ?? '',
			new RegExp(`^Turned upright \\(EXIF orientation 6\\) · resized ${width}×${height} → \\d+×2560 · [\\d.]+ MB → 0\\.\\d+ MB · boxes shown on the original$`));

		const image = panel.locator('img.image');
		await waitUntil(async () => image.evaluate(img => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), 'the photo to load in the panel');
		const shown = await image.boundingBox();
		assert.ok(shown, 'the photo is on screen');
		// Upright, as the note says: the browser turns it by its EXIF orientation, as the boxes were.
		assert.ok(Math.abs(shown.width / shown.height - width / height) < 0.01, `shown ${shown.width}×${shown.height}, upright ${width}×${height}`);

		const recording = recordingOf(photo.source);
		const words = recording.textDetection!.pages[0]!.blocks.flatMap(b => b.lines).flatMap(l => l.words);
		assert.equal(await panel.locator('polygon.word').count(), words.length, 'a box per recorded word');
		for (const index of [0, Math.floor(words.length / 2), words.length - 1]) {
			await expectBoxOverWord(panel, recording, index, shown);
		}
		const file = await session.workbench.screenshot('fitted-orientation-6');
		assert.ok(file.endsWith('fitted-orientation-6.png'));
		assert.equal(emulator.log.filter(entry => entry.path.endsWith('batchAnalyze')).length, 1, 'one request');
		assert.match(emulator.log.find(entry => entry.path.endsWith('batchAnalyze'))?.matches?.[0] ?? '', /orientation=1 .*receipt\.recording\.json$/, 'the emulator was sent the upright receipt');
		// Fitted by native libvips, in the converter's process of the copy under test (a platform's
		// .vsix carries its own); the universal .vsix has none and fits with wasm-vips.
		const vsix = installedVsix();
		const universal = vsix !== undefined && !/-(win32|darwin|linux|alpine)-\w+-[\d.]+\.vsix$/.test(vsix);
		const converters = nativeConverterProcesses().filter(p => vsix
			? !p.script.startsWith(REPO_ROOT) && /yandex-vision-[\w.-]+[\\/]dist[\\/]imageProcess\.js$/.test(p.script)
			: p.script === path.join(REPO_ROOT, 'dist', 'imageProcess.js'));
		assert.equal(converters.length, universal ? 0 : 1, `${universal ? 'no' : 'one'} native converter from the ${vsix ? path.basename(vsix) : 'repository'}: ${JSON.stringify(nativeConverterProcesses())}`);
		await expectNoErrorNotifications(page);
	});
});

/**
 * The word's box on screen covers the recorded word mapped onto the picture as displayed: the
 * recording's pixels scaled to the original upright photo, and that to its size on screen.
 */
async function expectBoxOverWord(panel: FrameLocator, recording: Recording, index: number, shown: { x: number; y: number; width: number; height: number }): Promise<void> {
	const word = recording.textDetection!.pages[0]!.blocks.flatMap(b => b.lines).flatMap(l => l.words)[index]!;
	const box = await panel.locator(`polygon.word[data-word="${index}"]`).boundingBox();
	assert.ok(box, `the box of "${word.text}" is on screen`);
	expectBoxOver(box, word.boundingBox.vertices, shown, { x: shown.width / recording.width, y: shown.height / recording.height }, `the box of "${word.text}" lies over the word`);
}
