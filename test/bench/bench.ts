/**
 * What every bench module in this folder exports as `bench`, and what it is given. A bench
 * measures and reports; it never passes or fails on its numbers. It throws only when it could
 * not measure at all.
 */
import * as os from 'node:os';

export interface MachineInfo {
	cores: number;
	cpuModel: string;
	memoryGiB: number;
	os: string;
	node: string;
	/** 1, 5 and 15 minute load averages when the run started: how busy the machine already was. */
	loadAverage: number[];
}

export interface BenchContext {
	machine: MachineInfo;
	/** Progress for the person waiting; the report goes to stdout separately. */
	log(message: string): void;
}

export interface BenchReport {
	/** Markdown, starting with a level-2 heading. */
	markdown: string;
	/** Everything measured, raw samples included, for comparing runs. */
	data: unknown;
}

export interface Bench {
	/** File-name safe: the report goes to test-results/bench/<name>.md and .json. */
	name: string;
	run(context: BenchContext): Promise<BenchReport>;
}

export function isBench(value: unknown): value is Bench {
	if (typeof value !== 'object' || value === null) return false;
	const candidate = value as { name?: unknown; run?: unknown };
	return typeof candidate.name === 'string' && /^[\w-]+$/.test(candidate.name) && typeof candidate.run === 'function';
}

export function machineInfo(): MachineInfo {
	const cpus = os.cpus();
	return {
		cores: cpus.length,
		cpuModel: cpus[0]?.model.trim() ?? 'unknown',
		memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		node: process.version,
		loadAverage: os.loadavg().map(n => Math.round(n * 100) / 100),
	};
}
