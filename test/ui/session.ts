/**
 * What every UI test of the extension starts from: the emulator, a fresh copy of the test
 * workspace, and the workbench on it with the extension pointed at the emulator.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { prepareTestWorkspace, type TestWorkspace } from '../vscode/workspace';
import { OPEN_WORKBENCH_TIMEOUT_MS, openWorkbench, REPO_ROOT, setIamTokenFromPalette, type OpenWorkbenchOptions, type Workbench } from './workbench';

export interface SessionOptions extends Omit<OpenWorkbenchOptions, 'folder'> {
	/** Runs on the fresh workspace before the workbench opens, so the Explorer lists what it writes. */
	prepare?: (workspace: TestWorkspace) => void | Promise<void>;
	/** Runs once the workbench is open, before any test. */
	opened?: (workbench: Workbench) => Promise<void>;
	/** Sets the emulator's IAM token from the Command Palette before the tests. */
	signIn?: boolean;
}

export interface Session {
	readonly emulator: Emulator;
	readonly workspace: TestWorkspace;
	readonly workbench: Workbench;
	readonly page: Page;
}

/**
 * Opens a session in the `before` hook of the calling `describe` and closes it in its `after` hook.
 * When opening failed, each property throws, so each test says so rather than something stranger.
 */
export function useSession(options: SessionOptions = {}): Session {
	const { prepare, opened, signIn, userSettings, ...workbenchOptions } = options;
	let emulator: Emulator | undefined;
	let workspace: TestWorkspace | undefined;
	let workbench: Workbench | undefined;

	before(async function () {
		this.timeout(OPEN_WORKBENCH_TIMEOUT_MS);
		emulator = await startEmulator();
		workspace = prepareTestWorkspace(REPO_ROOT);
		await prepare?.(workspace);
		workbench = await openWorkbench({
			...workbenchOptions,
			folder: workspace.folder,
			userSettings: { 'yandexVision.endpoint': emulator.url, 'yandexVision.ocrApi.endpoint': emulator.ocrUrl, 'yandexVision.ocrApi.operationEndpoint': `${emulator.origin}/operations`, 'yandexVision.folderId': DEFAULT_CREDENTIALS.folderId, ...userSettings },
		});
		await opened?.(workbench);
		if (signIn) await setIamTokenFromPalette(workbench.page, DEFAULT_CREDENTIALS.userIamToken);
	});

	after(async () => {
		await workbench?.close();
		await emulator?.close();
		workspace?.dispose();
	});

	function present<T>(value: T | undefined): T {
		assert.ok(value, 'the workbench did not open');
		return value;
	}

	return {
		get emulator() {
			return present(emulator);
		},
		get workspace() {
			return present(workspace);
		},
		get workbench() {
			return present(workbench);
		},
		get page() {
			return present(workbench).page;
		},
	};
}
