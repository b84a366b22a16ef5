/**
 * The walkthrough as a new user meets it: the extension installed from its .vsix into a fresh
 * profile ($YV_UI_VSIX, see `npm run test:installed`), in a 1440×900 window. It opens by itself on
 * the first activation, once; the Welcome page lists it; each step's button runs its command.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { useSession } from './session';
import { INSTALLED_VSIX_ENV, installedVsix, runCommand, waitUntil } from './workbench';

const WALKTHROUGH = 'yandex-vision-tools.yandex-vision#yandexVision.gettingStarted';
const TAB = /^\s*Walkthrough: Yandex Vision\s*$/;

function vsixOrFail(): string {
	const vsix = installedVsix();
	if (!vsix) throw new Error(`The walkthrough opens by itself only for an installed copy: set ${INSTALLED_VSIX_ENV} (npm run test:installed).`);
	return vsix;
}

describe('the walkthrough of the installed extension', function () {
	this.timeout(60_000);
	const session = useSession({
		vsix: vsixOrFail(),
		viewport: { width: 1440, height: 900 },
		userSettings: { 'workbench.welcomePage.walkthroughs.openOnInstall': true },
	});

	function walkthroughTab(page: Page): Locator {
		return page.locator('.tabs-container .tab', { hasText: TAB });
	}

	function step(page: Page, id: string): Locator {
		return page.locator(`.gettingStartedSlideDetails button.getting-started-step[data-step-id="${WALKTHROUGH}#${id}"]`);
	}

	/** The markdown beside the steps: the open step's media file, shown in a webview. */
	function media(page: Page) {
		return page.locator('.getting-started-media iframe.webview.ready').contentFrame().locator('iframe#active-frame').contentFrame();
	}

	/** Opens the step (a click on a collapsed one) and waits for its media to show `heading`, as a person reads it. */
	async function openStep(page: Page, id: string, heading: string): Promise<Locator> {
		const container = step(page, id);
		if ((await container.getAttribute('aria-expanded')) !== 'true') {
			await container.click();
			await waitUntil(async () => (await container.getAttribute('aria-expanded')) === 'true', `the step ${id} to expand`);
		}
		await media(page).locator('h1', { hasText: heading }).waitFor({ state: 'visible', timeout: 15_000 });
		return container;
	}

	function button(container: Locator, label: string): Locator {
		return container.locator('a.monaco-button', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) });
	}

	/**
	 * Clicks the step's button and expects its command's quick input, by title; closes it with Escape.
	 * Just after a step opens, the walkthrough takes the focus back once, which closes a quick input
	 * that came up in the meantime: a second click then shows it, as it would for a person.
	 */
	async function expectStepQuickInput(page: Page, id: string, heading: string, label: string, title: RegExp): Promise<void> {
		const container = await openStep(page, id, heading);
		const widget = page.locator('.quick-input-widget');
		const shown = async () => (await widget.isVisible()) && title.test((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '');
		let attempts = 0;
		await waitUntil(async () => {
			if (attempts++ % 10 === 0) await button(container, label).click();
			if (!(await shown())) return false;
			// Still open a moment later: not closed again by the walkthrough.
			await page.waitForTimeout(500);
			return shown();
		}, async () => `"${label}" to open its quick input; it shows "${await widget.locator('.quick-input-title').textContent().catch(() => '')}" (${await session.workbench.screenshot('walkthrough-quick-input-failed')})`);
		await page.keyboard.press('Escape');
		await widget.waitFor({ state: 'hidden' });
	}

	it('opens by itself on the first activation after install, with its four steps and what each sign-in needs beside them', async () => {
		const { page, workbench } = session;
		await walkthroughTab(page).waitFor({ state: 'visible', timeout: 30_000 });
		for (const id of ['signIn', 'recognizeImage', 'analyzeFolder', 'settings']) await step(page, id).waitFor({ state: 'visible' });
		assert.equal((await step(page, 'signIn').getAttribute('aria-expanded')), 'true', 'the first step is open');
		// The step's media: media/walkthrough/sign-in.md, shown in a webview beside the steps.
		await media(page).locator('h1', { hasText: 'Three ways to sign in' }).waitFor({ state: 'visible', timeout: 15_000 });
		assert.deepEqual(await media(page).locator('h2').allTextContents(), ['IAM token — your own account', 'API key — a service account', 'Service account key — tokens renewed for you']);
		await workbench.screenshot('walkthrough-1440x900');
	});

	it('runs each step\'s command from its button', async () => {
		const { page } = session;
		await walkthroughTab(page).click();
		const signIn = 'Three ways to sign in';
		await expectStepQuickInput(page, 'signIn', signIn, 'Set IAM Token', /Set IAM Token/);
		await expectStepQuickInput(page, 'signIn', signIn, 'Set API Key', /Set API Key/);
		await expectStepQuickInput(page, 'signIn', signIn, 'Set Service Account Key…', /authorized key/);
		const recognize = 'Recognize the text of an image';
		await expectStepQuickInput(page, 'recognizeImage', recognize, 'Recognize Text', /choose an image/);
		await expectStepQuickInput(page, 'recognizeImage', recognize, 'Recognize Text With…', /recognize text with which model/);
		await expectStepQuickInput(page, 'analyzeFolder', 'Analyze a whole folder', 'Analyze Folder…', /analyze the images of a folder/);

		await button(await openStep(page, 'settings', 'The settings that matter'), 'Open Settings').click();
		const search = page.locator('.settings-editor .settings-header .suggest-input-container .view-lines');
		await waitUntil(async () => /@ext:yandex-vision-tools\.yandex-vision/.test((await search.textContent().catch(() => '')) ?? ''),
			async () => `the Settings editor filtered to the extension; its search box shows "${await search.textContent().catch(() => '')}"`);
		await page.locator('.settings-editor .setting-item-contents', { hasText: 'Folder Id' }).first().waitFor({ state: 'visible' });
	});

	it('stays closed in the next window: it opened once', async () => {
		const { page, workbench, workspace } = session;
		// Another folder, so that no editor of this one is restored; the same profile, so the same global state.
		await page.goto(workbench.server.workbenchUrl({ folder: path.join(workspace.folder, 'documents') }));
		await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
		// A command of the extension runs: it has activated again.
		await runCommand(page, 'Yandex Vision: Show Log');
		await page.locator('.part.panel .monaco-editor').first().waitFor({ state: 'visible' });
		await page.waitForTimeout(2_000);
		assert.deepEqual(await page.locator('.tabs-container .tab').allInnerTexts(), [], 'no editor opened, no walkthrough among them');
	});

	it('is listed on the Welcome page, which opens it', async () => {
		const { page, workbench } = session;
		await runCommand(page, 'Help: Welcome');
		// The Welcome page may open on a walkthrough it has not shown yet ("Go Back" leads to the list);
		// the list holds the first few walkthroughs, and "More…" offers them all.
		const back = page.locator('.gettingStartedSlideDetails .prev-button');
		const more = page.locator('.gettingStartedSlideCategories .see-all-walkthroughs');
		const entry = page.locator(`.gettingStartedSlideCategories button.getting-started-category[x-dispatch="selectCategory:${WALKTHROUGH}"]`);
		// Both slides are in the page; the one shown is the one inside the window.
		const width = page.viewportSize()?.width ?? 0;
		const onScreen = async (locator: Locator) => {
			const box = (await locator.isVisible()) ? await locator.boundingBox() : null;
			return !!box && box.x >= 0 && box.x + box.width <= width;
		};
		await waitUntil(async () => {
			if ((await onScreen(entry)) || (await onScreen(more))) return true;
			if (await onScreen(back)) await back.click();
			return false;
		}, 'the Welcome page\'s walkthroughs');
		await workbench.screenshot('walkthrough-welcome-page');
		if (await onScreen(entry)) {
			assert.match(await entry.innerText(), /Get Started with Yandex Vision/);
			await entry.click();
		} else {
			await more.click();
			await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Yandex Vision' }).click();
		}
		await step(page, 'signIn').waitFor({ state: 'visible' });
	});
});
