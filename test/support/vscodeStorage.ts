/**
 * Where the VS Code running these tests keeps its files, found from inside its extension host
 * (Linux only: it reads /proc). The user data directory — settings, logs, the extensions' global
 * and workspace storage — is a `--user-data-dir` argument of one of the extension host's
 * ancestors (code-server's or desktop VS Code's main process). Under code-server the workbench
 * runs in Chromium, which keeps the workbench's own storage — the secret store among it — in
 * its profile: the Chromium that shares this run's private TMPDIR (see test/vscode/codeServer.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface VsCodeStorage {
	userDataDir: string;
	/** code-server's private directory of the run (the user data directory's parent), when it is code-server. */
	codeServerRunDir: string | undefined;
	/** The profile of the browser showing the workbench; code-server only. */
	browserProfile: string | undefined;
}

export function findVsCodeStorage(): VsCodeStorage {
	let userDataDir: string | undefined;
	let codeServer = false;
	for (const pid of ancestors(process.pid)) {
		const args = commandLine(pid);
		if (args.some(arg => /code-server[\\/]out[\\/]node[\\/]entry/.test(arg))) codeServer = true;
		userDataDir ??= valueOf(args, '--user-data-dir');
	}
	if (!userDataDir) throw new Error('No ancestor of the extension host was started with --user-data-dir.');
	return {
		userDataDir,
		codeServerRunDir: codeServer ? path.dirname(userDataDir) : undefined,
		browserProfile: codeServer ? findBrowserProfile() : undefined,
	};
}

/** The Chromium main process started with this run's TMPDIR, and its --user-data-dir. */
function findBrowserProfile(): string | undefined {
	const tmp = process.env.TMPDIR;
	if (!tmp) return undefined;
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const args = commandLine(Number(name));
		if (!args[0]?.includes('chrom') || args.some(arg => arg.startsWith('--type='))) continue;
		const profile = valueOf(args, '--user-data-dir');
		if (profile && environment(Number(name)).get('TMPDIR') === tmp) return profile;
	}
	return undefined;
}

function ancestors(pid: number): number[] {
	const chain: number[] = [];
	for (let current = pid; current > 1 && chain.length < 12; current = parentOf(current)) chain.push(current);
	return chain;
}

function parentOf(pid: number): number {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// After "pid (comm) state": the parent's pid; comm may hold spaces and parentheses.
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return 0;
	}
}

function commandLine(pid: number): string[] {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
	} catch {
		return [];
	}
}

function environment(pid: number): Map<string, string> {
	const env = new Map<string, string>();
	try {
		for (const entry of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
			const eq = entry.indexOf('=');
			if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
		}
	} catch {
		// Gone, or not ours to read.
	}
	return env;
}

/** `--name value` or `--name=value`. */
function valueOf(args: readonly string[], name: string): string | undefined {
	for (let i = 0; i < args.length; i++) {
		if (args[i] === name) return args[i + 1];
		if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
	}
	return undefined;
}
