/**
 * The user settings every test run starts from, plus extra ones given through the environment
 * (e.g. to point the extension at a local emulator). Used for code-server and desktop VS Code alike.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Keeps the workbench free of welcome pages, update checks and telemetry. */
export const QUIET_USER_SETTINGS: Readonly<Record<string, unknown>> = {
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.enableExperiments': false,
	'update.mode': 'none',
	'telemetry.telemetryLevel': 'off',
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'extensions.ignoreRecommendations': true,
	'security.workspace.trust.enabled': false,
	'git.enabled': false,
	// Tests count the requests their commands send; the suites about the result cache turn it on.
	'yandexVision.cache.maxMegabytes': 0,
	// The suites written for batchAnalyze read text with it, as before; the OCR API's suites switch the engine.
	'yandexVision.ocr.engine': 'batchAnalyze',
};

/** Extra user settings for a run, as a JSON object. */
export const USER_SETTINGS_ENV = 'YV_TEST_USER_SETTINGS';

/** Parses {@link USER_SETTINGS_ENV}; a malformed value fails the run instead of being ignored. */
export function userSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
	const raw = env[USER_SETTINGS_ENV];
	if (!raw) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch (error) {
		throw new Error(`${USER_SETTINGS_ENV} is not valid JSON (${(error as Error).message}): ${raw}`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new Error(`${USER_SETTINGS_ENV} must be a JSON object of settings, got: ${raw}`);
	}
	return parsed as Record<string, unknown>;
}

/** Writes `<userDataDir>/User/settings.json`: the quiet defaults with `extra` merged over them. */
export function writeUserSettings(userDataDir: string, extra: Record<string, unknown> = {}): void {
	const userDir = path.join(userDataDir, 'User');
	fs.mkdirSync(userDir, { recursive: true });
	fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...QUIET_USER_SETTINGS, ...extra }, undefined, '\t'));
}
