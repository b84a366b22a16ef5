/**
 * A two-page PDF recognized in real VS Code against the local emulator: the results panel shows
 * both pages, drawn by pdf.js, with each page's word boxes on its words.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { Recording } from '../emulator/recording';
import { recordingOf } from '../support/fixtures';
import { useSession } from './session';
import {
	expectBoxOver,
	expectNoErrorNotifications,
	explorerItem,
	pickFromContextMenu,
	resultsPanel,
	waitUntil,
} from './workbench';

const PDF = 'images/two-pages.pdf';

type RecordedPage = NonNullable<Recording['textDetection']>['pages'][number];

function wordsOf(page: RecordedPage): string[] {
	return page.blocks.flatMap(block => block.lines.flatMap(line => line.words.map(word => word.text)));
}

describe('a two-page PDF in the VS Code workbench', function () {
	this.timeout(90_000);
	const session = useSession({ signIn: true });

	it('Recognize Text shows both pages with their own word boxes, and a word of page 2 selects in the text', async () => {
		const { page, workbench, workspace, emulator } = session;
		assert.ok(workspace.images.includes(PDF), `the workspace holds ${PDF}`);
		emulator.clearLog();

		await pickFromContextMenu(page, await explorerItem(page, PDF), 'Recognize Text');
		const panel = await resultsPanel(page, PDF);
		await waitUntil(async () => (await panel.locator('.pdf-page.drawn > canvas.pdf-canvas').count()) === 2 || undefined,
			async () => `both pages drawn; found ${await panel.locator('.pdf-page.drawn').count()} drawn, note: ${await panel.locator('.pdf-unavailable').textContent({ timeout: 100 }).catch(() => 'none')}; browser: ${workbench.problems.join('\n')}`);

		const recording = recordingOf('two-pages.pdf');
		const pages = recording.textDetection?.pages ?? [];
		assert.equal(pages.length, 2);
		for (const [p, recorded] of pages.entries()) {
			assert.equal(await panel.locator(`svg.page-regions[data-page="${p}"] polygon.word`).count(), wordsOf(recorded).length, `a box per word of page ${p + 1}`);
		}
		assert.equal(await panel.locator('#text-pane span.word').count(), wordsOf(pages[0]).length + wordsOf(pages[1]).length);
		assert.deepEqual(emulator.log.map(entry => [entry.status, entry.matches]), [[200, ['exact two-pages.recording.json']]], 'one request, answered from the PDF\'s recording');

		await expectWordOnPage(panel, recording, 0, 0);
		await workbench.screenshot('pdf-two-pages');

		const terms = wordsOf(pages[0]).length;
		const word = panel.locator(`polygon.word[data-word="${terms}"]`);
		await word.scrollIntoViewIfNeeded();
		// Measured before it is selected: a selected box has a wider stroke.
		await expectWordOnPage(panel, recording, 1, 0);
		await word.click();
		await waitUntil(async () => (await word.getAttribute('class'))?.split(' ').includes('selected'), 'the clicked word of page 2 to be selected');
		assert.deepEqual(await panel.locator('#text-pane span.word.selected').allTextContents(), ['Terms']);
		await workbench.screenshot('pdf-two-pages-second-selected');

		const refused = workbench.problems.filter(problem => /refused|content security policy/i.test(problem));
		assert.deepEqual(refused, [], 'the panel\'s CSP refused nothing');
		await expectNoErrorNotifications(page);
	});
});

/** Word `index` of page `pageIndex` lies on the recorded box, scaled to the page as drawn. */
async function expectWordOnPage(panel: FrameLocator, recording: Recording, pageIndex: number, index: number): Promise<void> {
	const pages = recording.textDetection?.pages ?? [];
	const before = pages.slice(0, pageIndex).reduce((n, p) => n + wordsOf(p).length, 0);
	const word = pages[pageIndex].blocks.flatMap(b => b.lines.flatMap(l => l.words))[index];
	const shown = await panel.locator(`.pdf-page[data-page="${pageIndex}"]`).boundingBox();
	const polygon = await panel.locator(`polygon.word[data-word="${before + index}"]`).boundingBox();
	assert.ok(shown && polygon, 'the page and the word\'s box are on screen');
	const scale = shown.width / pages[pageIndex].width;
	expectBoxOver(polygon, word.boundingBox.vertices, shown, { x: scale, y: scale }, `the box of "${word.text}" sits on its word on page ${pageIndex + 1}`);
}
