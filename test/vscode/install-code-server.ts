/**
 * Installs code-server (VS Code's server, extension host and web workbench) from the npm
 * registry into the git-ignored `.vscode-test/code-server/`, outside package.json, so a plain
 * `npm install` stays light and the tests get a real VS Code where the VS Code download server
 * is out of reach.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** code-server 4.100.3 is VS Code 1.100.3, the newest line that still runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';

/** The @vscode/ripgrep version pinned by code-server's shrinkwrap, and the prebuilt it asks for. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_PREBUILT = 'v13.0.0-10';

export interface CodeServerInstall {
	/** The install prefix, `<root>/.vscode-test/code-server`. */
	dir: string;
	/** code-server's Node entry point, run with the current `node`. */
	entry: string;
}

type Log = (line: string) => void;
const logToStderr: Log = line => process.stderr.write(`${line}\n`);

export function codeServerInstallDir(root: string): string {
	return path.join(root, '.vscode-test', 'code-server');
}

function entryOf(dir: string): string {
	return path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function markerOf(dir: string): string {
	return path.join(dir, '.installed-version');
}

/** The install in `dir` if it finished completely, otherwise undefined. */
export function findCodeServer(root: string): CodeServerInstall | undefined {
	const dir = codeServerInstallDir(root);
	const entry = entryOf(dir);
	try {
		if (fs.readFileSync(markerOf(dir), 'utf8').trim() === CODE_SERVER_VERSION && fs.existsSync(entry)) {
			return { dir, entry };
		}
	} catch {
		// No marker: never installed, or an install that did not finish.
	}
	return undefined;
}

/** Returns the cached install at once, or installs it (≈1 minute, ≈300 MB). */
export async function installCodeServer(root: string, log: Log = logToStderr): Promise<CodeServerInstall> {
	const cached = findCodeServer(root);
	if (cached) return cached;

	const prerequisites = checkPrerequisites();
	const dir = codeServerInstallDir(root);
	// Install into a private staging folder and rename at the end, so an interrupted or
	// concurrent install never leaves a half-built copy where the tests look.
	const staging = `${dir}.partial-${process.pid}`;
	const tmp = path.join(staging, '.tmp');
	const logFile = path.join(path.dirname(dir), 'code-server-install.log');
	fs.rmSync(staging, { recursive: true, force: true });
	fs.mkdirSync(tmp, { recursive: true });

	const started = Date.now();
	log(`Installing code-server ${CODE_SERVER_VERSION} into ${dir} (once; about a minute)…`);
	try {
		seedRipgrepCache(tmp, prerequisites.rg);
		const env: NodeJS.ProcessEnv = {
			...process.env,
			// @vscode/ripgrep looks for its download in os.tmpdir() first.
			TMPDIR: tmp,
			// code-server's postinstall refuses to run as root without it.
			npm_config_unsafe_perm: 'true',
			// node-pty's postinstall runs `npx node-gyp`, which `yes=false` in an npmrc refuses.
			npm_config_yes: 'true',
			npm_config_audit: 'false',
			npm_config_fund: 'false',
			npm_config_update_notifier: 'false',
		};
		// node-gyp downloads Node's headers unless told where the installed ones are.
		if (!env.npm_config_nodedir && prerequisites.nodedir) env.npm_config_nodedir = prerequisites.nodedir;

		const code = await runLogged(
			'npm',
			['install', '--no-save', '--no-package-lock', '--foreground-scripts', '--prefix', staging, `code-server@${CODE_SERVER_VERSION}`],
			{ cwd: staging, env },
			logFile,
		);
		if (code !== 0) {
			throw new Error(`npm install code-server@${CODE_SERVER_VERSION} exited with ${code}.\n` +
				`Last lines of ${logFile}:\n${tail(logFile, 30)}`);
		}
		const rgBinary = path.join(staging, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
		for (const expected of [entryOf(staging), rgBinary]) {
			if (!fs.existsSync(expected)) {
				throw new Error(`code-server install is incomplete: ${expected} is missing. See ${logFile}.`);
			}
		}
		fs.rmSync(tmp, { recursive: true, force: true });
		fs.writeFileSync(markerOf(staging), `${CODE_SERVER_VERSION}\n`);
		publish(staging, root);
	} catch (error) {
		fs.rmSync(staging, { recursive: true, force: true });
		throw error;
	}
	log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
	const installed = findCodeServer(root);
	if (!installed) throw new Error(`code-server was installed but ${dir} does not hold a complete copy.`);
	return installed;
}

/** Moves the finished install into place, unless a concurrent run got there first. */
function publish(staging: string, root: string): void {
	if (findCodeServer(root)) {
		fs.rmSync(staging, { recursive: true, force: true });
		return;
	}
	const dir = codeServerInstallDir(root);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(staging, dir);
}

interface Prerequisites { rg: string; nodedir: string | undefined }

/** Checks everything the install needs up front and names the fix for all that is missing at once. */
function checkPrerequisites(): Prerequisites {
	const problems: string[] = [];
	const packages = new Set<string>();

	const nodeMajor = Number(process.versions.node.split('.')[0]);
	if (nodeMajor !== 20) {
		problems.push(`code-server ${CODE_SERVER_VERSION} needs Node 20; this is Node ${process.versions.node}.`);
	}
	if (os.platform() !== 'linux' || ripgrepTarget() === undefined) {
		problems.push(`The offline code-server install supports Linux on x64 and arm64; this is ${os.platform()} ${os.arch()}. ` +
			'Set VSCODE_TEST_DESKTOP=1 to test with desktop VS Code instead.');
	}
	const rg = which('rg');
	if (!rg) {
		problems.push('ripgrep (rg) is not installed; @vscode/ripgrep would otherwise download it from GitHub.');
		packages.add('ripgrep');
	}
	if (!['/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'].some(h => fs.existsSync(h))) {
		problems.push('The Kerberos headers (gssapi/gssapi.h) are missing; the `kerberos` module is built from source.');
		packages.add('libkrb5-dev');
	}
	for (const [tool, pkg] of [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']] as const) {
		if (!which(tool)) {
			problems.push(`${tool} is not installed; node-pty and kerberos are compiled with node-gyp.`);
			packages.add(pkg);
		}
	}
	const nodedir = findNodeHeaders();
	if (!process.env.npm_config_nodedir && !nodedir) {
		problems.push(`Node's C headers were not found next to ${process.execPath} (include/node/node.h); ` +
			'node-gyp would try to download them. Install Node from a package that ships them, or set npm_config_nodedir.');
	}
	if (!which('npm')) problems.push('npm is not on PATH.');

	if (problems.length > 0) {
		const fix = packages.size > 0
			? `\nFix: run .ci/install-deps.sh, or: ${isRoot() ? '' : 'sudo '}apt-get install -y ${[...packages].join(' ')}`
			: '';
		throw new Error(`Cannot install code-server ${CODE_SERVER_VERSION}:\n- ${problems.join('\n- ')}${fix}`);
	}
	return { rg: rg as string, nodedir };
}

function ripgrepTarget(): string | undefined {
	switch (os.arch()) {
		case 'x64': return 'x86_64-unknown-linux-musl';
		case 'arm64': return 'aarch64-unknown-linux-musl';
		default: return undefined;
	}
}

/** Puts a tarball of the system's `rg` where @vscode/ripgrep's postinstall looks before downloading. */
function seedRipgrepCache(tmp: string, rg: string): void {
	const cacheDir = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
	fs.mkdirSync(cacheDir, { recursive: true });
	const tarball = path.join(cacheDir, `ripgrep-${RIPGREP_PREBUILT}-${ripgrepTarget()}.tar.gz`);
	const real = fs.realpathSync(rg);
	const staged = path.join(tmp, 'rg-binary');
	fs.mkdirSync(staged, { recursive: true });
	fs.copyFileSync(real, path.join(staged, 'rg'));
	const result = spawnSync('tar', ['-czf', tarball, '-C', staged, 'rg'], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`Could not pack ${real} for @vscode/ripgrep: ${result.stderr || result.error?.message}`);
	fs.rmSync(staged, { recursive: true, force: true });
}

function findNodeHeaders(): string | undefined {
	const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function which(command: string): string | undefined {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const candidate = path.join(dir, command);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// Not in this PATH entry.
		}
	}
	return undefined;
}

function isRoot(): boolean {
	return typeof process.getuid === 'function' && process.getuid() === 0;
}

function runLogged(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, logFile: string): Promise<number> {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'w');
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { ...options, stdio: ['ignore', out, out] });
		// The log descriptor is only needed by the child; the parent's copy can go now.
		fs.closeSync(out);
		child.on('error', error => reject(new Error(`Could not run ${command}: ${error.message}`)));
		child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
	});
}

function tail(file: string, lines: number): string {
	try {
		return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}
