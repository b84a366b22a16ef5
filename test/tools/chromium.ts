/**
 * The headless Chromium that draws the sample images: Debian's own build, with everything that
 * could reach the network or vary between runs switched off.
 */

import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../vscode/codeServer';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		args: [...CHROMIUM_ARGS],
	});
}
