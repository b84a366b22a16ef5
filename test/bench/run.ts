/**
 * `npm run bench`: runs every `*.bench.js` built next to this file (or only those whose name
 * contains one of the command-line arguments), prints each report and writes it to
 * test-results/bench/<name>.md and .json.
 *
 * Benches measure; they never fail on slow numbers. The exit code is non-zero only when a bench
 * could not run at all, or none matched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../support/fixtures';
import { isBench, machineInfo, type Bench } from './bench';

const RESULTS_DIR = path.join(path.dirname(path.dirname(FIXTURES_DIR)), 'test-results', 'bench');

function discoverBenches(filters: readonly string[]): Bench[] {
	const files = fs.readdirSync(__dirname).filter(name => name.endsWith('.bench.js')).sort();
	const benches: Bench[] = [];
	for (const file of files) {
		// Each bench is its own bundle; requiring it by path is how new ones join without a list to edit.
		const loaded: unknown = require(path.join(__dirname, file));
		const candidate = typeof loaded === 'object' && loaded !== null ? (loaded as { bench?: unknown }).bench : undefined;
		if (!isBench(candidate)) throw new Error(`${file} does not export a bench`);
		if (filters.length === 0 || filters.some(f => candidate.name.includes(f))) benches.push(candidate);
	}
	return benches;
}

async function main(): Promise<number> {
	const filters = process.argv.slice(2);
	const benches = discoverBenches(filters);
	if (benches.length === 0) {
		console.error(`No bench in ${__dirname}${filters.length > 0 ? ` matches ${filters.join(', ')}` : ''}.`);
		return 1;
	}
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	const started = Date.now();
	let failed = 0;
	for (const bench of benches) {
		const machine = machineInfo();
		const benchStarted = Date.now();
		try {
			const log = (message: string): void => console.error(`[bench +${((Date.now() - benchStarted) / 1000).toFixed(1)} s] ${message}`);
			const report = await bench.run({ machine, log });
			const seconds = (Date.now() - benchStarted) / 1000;
			const markdown = `${report.markdown.trimEnd()}\n\n_The ${bench.name} bench took ${seconds.toFixed(1)} s._\n`;
			fs.writeFileSync(path.join(RESULTS_DIR, `${bench.name}.md`), markdown);
			fs.writeFileSync(path.join(RESULTS_DIR, `${bench.name}.json`), `${JSON.stringify({ bench: bench.name, finishedAt: new Date().toISOString(), seconds, machine, results: report.data }, null, '\t')}\n`);
			console.log(markdown);
		} catch (error) {
			failed++;
			console.error(`[bench] ${bench.name} could not run:`, error);
		}
	}
	const total = (Date.now() - started) / 1000;
	console.error(`[bench] ${benches.length - failed} of ${benches.length} benches ran in ${total.toFixed(1)} s; reports in ${path.relative(process.cwd(), RESULTS_DIR) || '.'}`);
	return failed > 0 ? 1 : 0;
}

main().then(code => {
	process.exitCode = code;
}, error => {
	console.error(error);
	process.exitCode = 1;
});
