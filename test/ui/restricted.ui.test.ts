/**
 * An untrusted folder, as Workspace Trust leaves it: VS Code opens it in Restricted Mode. The
 * extension still works there, as its manifest declares ("limited"), and the folder's own
 * settings cannot redirect what it sends nor raise or lower what its user set.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CREDENTIALS } from '../emulator';
import { startDecoy, type Decoy } from '../support/hostileNetwork';
import { useSession } from './session';
import {
	expectToast,
	explorerItem,
	pickFromContextMenu,
	quickInputBox,
	quickPickRow,
	resultsPanel,
	setIamTokenFromPalette,
} from './workbench';

describe('an untrusted folder in Restricted Mode, in the VS Code workbench', function () {
	this.timeout(90_000);
	let decoy: Decoy | undefined;
	before(async () => {
		decoy = await startDecoy();
	});

	after(async () => {
		await decoy?.close();
	});

	const session = useSession({
		// What a cloned repository could carry: every address pointed elsewhere, and a limit that
		// would stop Analyze Folder… if a folder's settings could set it.
		prepare: workspace => {
			assert.ok(decoy, 'the decoy is listening');
			fs.mkdirSync(path.join(workspace.folder, '.vscode'));
			fs.writeFileSync(path.join(workspace.folder, '.vscode', 'settings.json'), JSON.stringify({
				'yandexVision.endpoint': `${decoy.url}/vision/v1/batchAnalyze`,
				'yandexVision.iamEndpoint': `${decoy.url}/iam/v1/tokens`,
				'yandexVision.folderId': 'b1gdecoyfolder0000001',
				'yandexVision.folder.maxImages': 1,
				'http.proxy': decoy.url,
			}, null, '\t'));
		},
		workspaceTrust: true,
		userSettings: {
			'security.workspace.trust.enabled': true,
			// Not asked: a folder nobody trusted stays in Restricted Mode, as after "No, I don't trust the authors".
			'security.workspace.trust.startupPrompt': 'never',
		},
	});

	it('opens the folder in Restricted Mode, and the extension\'s commands still work there', async () => {
		const { page } = session;
		await page.locator('[id="status.workspaceTrust"]').waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
			const items = await page.locator('.statusbar-item').allInnerTexts();
			throw new Error(`No Restricted Mode indicator in the status bar; it shows: ${JSON.stringify(items)}`);
		});
		assert.match(await page.locator('[id="status.workspaceTrust"]').innerText(), /Restricted Mode/);

		await setIamTokenFromPalette(page, DEFAULT_CREDENTIALS.userIamToken);
		session.emulator.clearLog();
		await pickFromContextMenu(page, await explorerItem(page, 'images/receipt.png'), 'Recognize Text');
		const panel = await resultsPanel(page, 'images/receipt.png', 60_000);
		assert.ok(await panel.locator('polygon.word').count() > 0, 'the words are drawn');
		assert.equal(session.emulator.log.filter(entry => entry.path.endsWith('batchAnalyze')).length, 1, 'sent to the endpoint the user set');
		assert.deepEqual(decoy?.connections, [], 'nothing reached the address the folder\'s settings gave');
	});

	it('Analyze Folder… ignores the folder\'s own limit, and sends nothing to its addresses', async () => {
		const { page } = session;
		session.emulator.clearLog();
		await pickFromContextMenu(page, await explorerItem(page, 'images'), 'Analyze Folder…');
		await quickPickRow(page, 'Recognize text').waitFor({ state: 'visible', timeout: 10_000 });
		await page.keyboard.press('Enter');
		await quickInputBox(page).waitFor({ state: 'hidden', timeout: 10_000 });

		// With the folder's maxImages of 1 applied, nothing would have been sent.
		await expectToast(page, 'Yandex Vision: 10 images: 8 done, 2 failed', 60_000);
		const sent = session.emulator.log.filter(entry => entry.path.endsWith('batchAnalyze'));
		assert.ok(sent.length > 0 && sent.every(entry => entry.status === 200), 'sent to the emulator');
		assert.deepEqual(decoy?.connections, [], 'nothing reached the decoy');
		await session.workbench.screenshot('restricted-mode-folder');
	});
});
