/**
 * The last line the extension-host suite prints, `N passed, N failed[, N skipped]`. Runners
 * insist on seeing it: VS Code reports exit code 0 when the extension host dies mid-run, so an
 * exit code alone can pass a suite that never finished.
 */

export interface SuiteSummary {
	passed: number;
	failed: number;
	skipped: number;
}

const SUMMARY_LINE = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

export function formatSuiteSummary({ passed, failed, skipped }: SuiteSummary): string {
	return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

export function parseSuiteSummary(line: string): SuiteSummary | undefined {
	const match = SUMMARY_LINE.exec(line.trim());
	if (!match) return undefined;
	return { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3] ?? 0) };
}

/** Why a run that exited with 0 must still count as failed, or undefined when it truly passed. */
export function problemWithPassingRun(summary: SuiteSummary | undefined): string | undefined {
	if (!summary) {
		return 'the suite never printed its "N passed, N failed" line: the extension host crashed, or the suite did not load.';
	}
	if (summary.failed > 0) return `${summary.failed} tests failed.`;
	if (summary.passed === 0) return 'no tests ran.';
	return undefined;
}

/** Finds the summary line in output that arrives in arbitrary chunks. */
export class SuiteSummaryWatcher {
	private partial = '';
	private found: SuiteSummary | undefined;

	get summary(): SuiteSummary | undefined {
		return this.found ?? parseSuiteSummary(this.partial);
	}

	feed(chunk: string | Buffer): void {
		const lines = (this.partial + chunk.toString()).split('\n');
		this.partial = lines.pop() ?? '';
		for (const line of lines) {
			const summary = parseSuiteSummary(line);
			if (summary) this.found = summary;
		}
	}
}
