/**
 * The extension in Russian: code-server with `--locale ru` and a stand-in Russian language pack
 * that translates none of VS Code's own strings. VS Code's menus and dialogs therefore stay
 * English, but `vscode.env.language` is `ru`: the extension's manifest (package.nls.ru.json) and
 * messages (l10n/bundle.l10n.ru.json) apply, the results panel gets its strings in Russian, and so
 * do the details of what went wrong.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULT_CREDENTIALS } from '../emulator';
import { recordingOf } from '../support/fixtures';
import { useSession } from './session';
import {
	clearNotifications,
	expectNoErrorNotifications,
	expectToast,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	resultsPanel,
	runCommand,
	waitUntil,
} from './workbench';

const IMAGE = 'images/cyrillic-sign.jpg';

/** Run in the page: true once the open context menu and everything around it is fully opaque. */
const FULLY_SHOWN_MENU = `(() => {
	let element = document.querySelector('.context-view .monaco-menu');
	if (!element) return false;
	for (; element; element = element.parentElement) if (getComputedStyle(element).opacity !== '1') return false;
	return true;
})()`;

describe('the extension in a Russian workbench (code-server --locale ru)', function () {
	this.timeout(60_000);
	const session = useSession({
		locale: 'ru',
		opened: async workbench => {
			registerStandInLanguagePack(workbench.server.runDir, 'ru');
			// The page asks the server for its language when it loads.
			await workbench.page.reload();
			await workbench.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
			// The language VS Code's web workbench was loaded with, read by everything that asks for it.
			const language = await workbench.page.evaluate('globalThis._VSCODE_NLS_LANGUAGE');
			assert.equal(language, 'ru', 'VS Code runs in Russian');
		},
	});

	it('lists the commands by their Russian titles and answers in Russian when a token is set', async () => {
		const { page } = session;
		await setIamTokenInRussian(page);
		const box = quickInputBox(page);
		await page.keyboard.press('F1');
		await box.fill('>Yandex Vision: Задать');
		// Each row shows the Russian title, and VS Code adds the English one below it for searching.
		const labels = page.locator('.quick-input-list .monaco-list-row .label-name');
		const expected = ['Yandex Vision: Задать API-ключ', 'Yandex Vision: Задать IAM-токен', 'Yandex Vision: Задать ключ сервисного аккаунта…'];
		await waitUntil(async () => {
			const texts = (await labels.allTextContents()).map(text => text.trim());
			return expected.every(e => texts.includes(e));
		}, async () => `the three "Задать" commands in the Command Palette; it shows ${JSON.stringify(await labels.allTextContents())}`);
		await session.workbench.screenshot('russian-command-palette');
		await page.keyboard.press('Escape');
		assert.equal(session.emulator.log.length, 0, 'setting a token sends nothing to the service');
	});

	it('«Распознать текст» in the Explorer opens the results panel in Russian', async () => {
		const { page } = session;
		// As the test above left it, and so also when it runs alone.
		await setIamTokenInRussian(page);
		session.emulator.clearLog();
		const words = recordingOf('cyrillic-sign.jpg').textDetection!.pages.flatMap(p => p.blocks.flatMap(b => b.lines.flatMap(l => l.words)));

		// The context menu as a person sees it, before picking from it.
		const item = await explorerItem(page, IMAGE);
		await item.click({ button: 'right' });
		const entries = page.locator('.context-view .monaco-menu .action-item .action-label');
		await entries.filter({ hasText: /^Распознать текст$/ }).waitFor({ state: 'visible', timeout: 10_000 });
		const menu = (await entries.allTextContents()).map(text => text.trim()).filter(Boolean);
		for (const entry of ['Распознать текст', 'Распознать текст моделью…', 'Классифицировать изображение', 'Найти лица', 'Найти копии изображения', 'Анализ изображения…']) {
			assert.ok(menu.includes(entry), `the context menu has «${entry}»; it shows ${JSON.stringify(menu)}`);
		}
		assert.ok(!menu.includes('Recognize Text'), 'the English title is not shown');
		// Once its fade-in is over, so the screenshot shows the menu as it stays.
		await waitUntil(async () => (await page.evaluate(FULLY_SHOWN_MENU)) === true, 'the context menu to finish fading in');
		await session.workbench.screenshot('russian-context-menu');
		await page.keyboard.press('Escape');

		await pickFromContextMenu(page, await explorerItem(page, IMAGE), 'Распознать текст');
		const panel = await resultsPanel(page, IMAGE);
		assert.equal(await panel.locator('html').getAttribute('lang'), 'ru', 'the panel is told the display language');
		const text = async (selector: string) => (await panel.locator(selector).first().textContent())?.trim();
		assert.equal(await text('#show-json'), 'Показать JSON');
		assert.equal(await text('#export'), 'Экспорт…');
		assert.equal(await text('#insert'), 'Вставить весь текст');
		assert.equal(await text('#copy'), 'Копировать весь текст');
		assert.equal(await text('#open-markdown'), 'Открыть как Markdown');
		assert.equal(await text('#selection-status'), `Слов: ${words.length}`);
		const heading = panel.locator('section[data-feature="TEXT_DETECTION"] .section-title');
		// The heading's own text, without the model's tag after it.
		assert.equal(await heading.evaluate(element => element.firstChild?.textContent), 'Текст');
		assert.equal(await heading.locator('.tag').getAttribute('title'), 'Модель: page');
		assert.equal(await text('.text-meta'), 'Языки: русский (ru)', 'language names come in Russian too');
		const [request] = session.emulator.log;
		assert.ok(request?.requestId, 'the service answered with a request id');
		assert.match((await text('.header .meta')) ?? '', new RegExp(`^Дата анализа: .+ · Идентификатор запроса: ${request.requestId}$`));

		const word = panel.locator('polygon.word[data-word="0"]');
		await word.click();
		await waitUntil(async () => (await text('#selection-status')) === `Выбрано слов: 1 из ${words.length}`,
			async () => `«Выбрано слов: 1 из ${words.length}» after clicking a word; the panel says «${await text('#selection-status')}»`);
		assert.equal(await text('#insert'), 'Вставить выбранное');
		await word.hover();
		const tooltip = panel.locator('#tooltip');
		await tooltip.waitFor({ state: 'visible' });
		assert.match((await tooltip.innerText()).replace(/\s+/g, ' '), new RegExp(`^${words[0].text} Достоверность: \\d+\\s?% Язык: ru$`));
		await session.workbench.screenshot('russian-results-panel');
		await expectNoErrorNotifications(page);
	});

	it('says what went wrong in Russian: a broken image, and a token the service refuses, with the request id', async () => {
		const { page } = session;
		await setIamTokenInRussian(page);
		await clearNotifications(page);
		session.emulator.clearLog();

		// The file ends inside its header: said before anything is sent, every word of it the extension's.
		await pickFromContextMenu(page, await explorerItem(page, 'images/broken.jpg'), 'Распознать текст');
		const broken = await expectToast(page, 'Yandex Vision: images/broken.jpg: обрезанный файл JPEG');
		assert.equal((await broken.locator('.notification-list-item-message').textContent())?.trim(),
			'Yandex Vision: images/broken.jpg: обрезанный файл JPEG: он заканчивается после 637 байт, до заголовка кадра, в котором указан размер изображения. Файл обрезан: скопируйте или скачайте его заново.');
		assert.equal(session.emulator.log.length, 0, 'a broken file is not sent');
		await session.workbench.screenshot('russian-broken-image');
		await clearNotifications(page);

		// The service's own words stay as it wrote them; what the extension says around them is Russian.
		await setIamTokenInRussian(page, 't1.refused-by-the-service');
		await pickFromContextMenu(page, await explorerItem(page, 'images/receipt.png'), 'Распознать текст');
		const refused = await expectToast(page, 'Yandex Vision: IAM-токен недействителен или истек.');
		const [request] = session.emulator.log;
		assert.equal(request?.status, 401, 'the service refused the token');
		assert.equal((await refused.locator('.notification-list-item-message').textContent())?.trim(),
			`Yandex Vision: IAM-токен недействителен или истек. The token is invalid or has expired. (идентификатор запроса ${request.requestId})`);
		await session.workbench.screenshot('russian-refused-token');
		await clearNotifications(page);
		await setIamTokenInRussian(page);
	});
});

/** "Yandex Vision: Задать IAM-токен" from the Command Palette, typed into its password box. */
async function setIamTokenInRussian(page: Page, token: string = DEFAULT_CREDENTIALS.userIamToken): Promise<void> {
	// runCommand retries until the extension's commands are registered.
	await runCommand(page, 'Yandex Vision: Задать IAM-токен');
	const box = quickInputBox(page);
	await box.waitFor({ state: 'visible' });
	assert.equal(await box.getAttribute('type'), 'password', 'the token box hides what is typed');
	const title = page.locator('.quick-input-widget .quick-input-title');
	assert.equal((await title.textContent())?.trim(), 'Yandex Vision: Задать IAM-токен', 'the input box has the command\'s Russian title');
	await box.pressSequentially(token);
	await page.keyboard.press('Enter');
	await expectToast(page, 'Yandex Vision: IAM-токен сохранен в хранилище секретов.');
}

/**
 * code-server takes a display language only when a language pack for it is installed; without one,
 * `--locale ru` leaves VS Code and `vscode.env.language` in English. This registers a pack, as an
 * installed one is listed in `<user-data>/languagepacks.json`, whose translations of VS Code's own
 * strings are empty, so VS Code falls back to English for them.
 */
function registerStandInLanguagePack(runDir: string, locale: string): void {
	const userData = path.join(runDir, 'user-data');
	assert.ok(fs.existsSync(userData), `code-server's user data directory ${userData} exists`);
	const translations = path.join(runDir, `vscode.${locale}.i18n.json`);
	fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
	const pack = {
		hash: `stand-in-${locale}`,
		label: locale,
		extensions: [{ extensionIdentifier: { id: `test.language-pack-${locale}` }, version: '0.0.0' }],
		translations: { vscode: translations },
	};
	fs.writeFileSync(path.join(userData, 'languagepacks.json'), JSON.stringify({ [locale]: pack }));
}
