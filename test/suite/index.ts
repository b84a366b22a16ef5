/**
 * The entry VS Code loads as `--extensionTestsPath`: runs every built `*.test.js` next to it
 * with mocha inside the extension host. Ends with a `N passed, N failed` line for CI and
 * rejects when a test failed or none ran, so an empty run never counts as a pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { formatSuiteSummary } from '../vscode/suiteSummary';

function findTests(dir: string): string[] {
	const files: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...findTests(full));
		else if (entry.name.endsWith('.test.js')) files.push(full);
	}
	return files.sort();
}

export function run(): Promise<void> {
	// YV_SUITE_GREP narrows a local run to some tests; CI never sets it.
	const grep = process.env.YV_SUITE_GREP;
	const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, forbidOnly: true, ...grep ? { grep } : {} });
	const files = findTests(__dirname);
	for (const file of files) mocha.addFile(file);

	return new Promise((resolve, reject) => {
		try {
			const runner = mocha.run(() => {
				const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
				console.log(formatSuiteSummary({ passed: passes, failed: failures, skipped: pending }));
				if (failures > 0) reject(new Error(`${failures} of ${passes + failures} extension-host tests failed.`));
				else if (passes === 0) reject(new Error(`No extension-host tests ran (found ${files.length} test files under ${__dirname}).`));
				else resolve();
			});
		} catch (error) {
			// A test file that throws while loading.
			reject(error);
		}
	});
}
