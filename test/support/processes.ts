/**
 * The native image converter's processes running on this machine, found by their command line in
 * /proc (Linux): which extension's copy started them, and from which process. What the tests use
 * to see that an image was fitted natively, in a process of its own.
 */
import * as fs from 'node:fs';

export interface ConverterProcess {
	pid: number;
	ppid: number;
	/** The script it runs: <extension>/dist/imageProcess.js. */
	script: string;
}

export function nativeConverterProcesses(): ConverterProcess[] {
	if (process.platform !== 'linux') throw new Error('nativeConverterProcesses reads /proc: Linux only');
	const found: ConverterProcess[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			const script = args.find(arg => /[\\/]imageProcess\.js$/.test(arg));
			if (!script) continue;
			const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
			found.push({ pid: Number(entry), ppid, script });
		} catch {
			// Ended while being read.
		}
	}
	return found;
}
