/**
 * One request for several features, one of which fails: what a person sees in the results panel.
 * A language code the service does not know fails text recognition alone, so this workbench's user
 * settings ask for one.
 */
import * as assert from 'node:assert/strict';
import { recordingOf } from '../support/fixtures';
import { useSession } from './session';
import {
	closeAllEditors,
	expectNoErrorNotifications,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	quickPickRow,
	resultsPanel,
	waitUntil,
} from './workbench';

describe('Analyze Image… in the VS Code workbench, with an unknown OCR language in the settings', function () {
	this.timeout(60_000);
	const session = useSession({ signIn: true, userSettings: { 'yandexVision.ocr.languageCodes': ['zz'] } });

	it('shows the text recognition error with its code and request id next to the faces found', async () => {
		const { page, workbench, emulator } = session;
		emulator.clearLog();

		await pickFromContextMenu(page, await explorerItem(page, 'images/faces.jpg'), 'Analyze Image…');
		const text = quickPickRow(page, 'Recognize text');
		const faces = quickPickRow(page, 'Detect faces');
		await text.waitFor({ state: 'visible' });
		assert.equal(await text.getAttribute('aria-checked'), 'true', 'text recognition is picked to begin with');
		assert.equal(await faces.getAttribute('aria-checked'), 'false');
		await faces.click();
		await waitUntil(async () => (await faces.getAttribute('aria-checked')) === 'true', '"Detect faces" to be checked');
		await workbench.screenshot('analyze-image-features');
		await quickInputBox(page).press('Enter');

		const panel = await resultsPanel(page, 'images/faces.jpg');
		const [request] = emulator.log;
		assert.equal(emulator.log.length, 1, 'both features in one request');
		const ocrError = panel.locator('section[data-feature="TEXT_DETECTION"] .error');
		assert.equal(await ocrError.locator('.error-code').textContent(), 'Error 3 INVALID_ARGUMENT');
		assert.match((await ocrError.locator('.error-message').textContent()) ?? '', /\bzz\b/, 'the service\'s message names the language');
		assert.equal(await ocrError.locator('.error-request-id').textContent(), `Request ID: ${request.requestId}`);
		assert.equal(await panel.locator('polygon.word').count(), 0, 'no words drawn for the failed recognition');

		const recordedFaces = recordingOf('faces.jpg').faceDetection!.faces.length;
		await waitUntil(async () => (await panel.locator('polygon.face').count()) === recordedFaces, async () => `${recordedFaces} face outlines on the image; there are ${await panel.locator('polygon.face').count()}`);
		assert.equal(await panel.locator('section[data-feature="FACE_DETECTION"] .summary').textContent(), `Faces found: ${recordedFaces}`);
		await workbench.screenshot('analyze-image-feature-error');
		await expectNoErrorNotifications(page);
	});

	it('shows classification, faces and copies of one image as a person reads them', async () => {
		const { page, workbench, emulator } = session;
		const recording = recordingOf('faces.jpg');
		await closeAllEditors(page);
		emulator.clearLog();

		await pickFromContextMenu(page, await explorerItem(page, 'images/faces.jpg'), 'Analyze Image…');
		const rows = ['Recognize text', 'Classify', 'Detect faces', 'Find image copies'].map(label => quickPickRow(page, label));
		await rows[0]!.waitFor({ state: 'visible' });
		for (const [i, row] of rows.entries()) {
			const wanted = i > 0;
			if (((await row.getAttribute('aria-checked')) === 'true') !== wanted) await row.click();
			await waitUntil(async () => ((await row.getAttribute('aria-checked')) === 'true') === wanted, 'the feature pick to settle');
		}
		await quickInputBox(page).press('Enter');

		await waitUntil(async () => emulator.log.some(e => e.status === 200) || undefined, 'the request to be answered');
		const panel = await resultsPanel(page, 'images/faces.jpg');
		assert.equal(emulator.log.length, 1, 'three features in one request');
		const quality = [...recording.classification!.quality!].sort((a, b) => b.probability - a.probability);
		const bars = panel.locator('section[data-feature="CLASSIFICATION"] .bar-value');
		await waitUntil(async () => (await bars.count()) === quality.length || undefined, 'one bar per quality class');
		assert.deepEqual(await bars.allTextContents(), quality.map(p => `${Math.round(p.probability * 100)}%`), 'bars sorted, most probable first');

		const faces = recording.faceDetection!.faces.length;
		assert.equal(await panel.locator('.face-item').count(), faces);
		await panel.locator('.face-item').nth(1).hover();
		await waitUntil(async () => /\bhover\b/.test((await panel.locator('polygon.face').nth(1).getAttribute('class')) ?? '') || undefined, 'the hovered face to light up on the image');

		const copies = recording.imageCopySearch!;
		assert.equal(await panel.locator('.copy-list > li').count(), copies.topResults.length);
		assert.equal(await panel.locator('img.copy-image').count(), 0, 'no remote image is loaded unasked');
		await workbench.screenshot('analyze-image-all-features');
		await expectNoErrorNotifications(page);
	});
});
