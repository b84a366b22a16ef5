/**
 * Starts real VS Code as code-server on 127.0.0.1 and headless Chromium to show its workbench.
 * Shared by the extension-host test launcher and the UI tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CodeServerInstall } from './install-code-server';
import { writeUserSettings } from './userSettings';

/** Flags that work for Debian's Chromium in a container with no GPU and no network but the local one. */
export const CHROMIUM_ARGS: readonly string[] = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/**
 * Known noise of code-server offline, left out of the output: the marketplace query to open-vsx.org
 * and the missing `vsda` module (signing for Microsoft's marketplace); neither matters to tests.
 */
export const HARMLESS_LOG = /open-vsx\.org|\/node_modules\/vsda\//;

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export interface StartCodeServerOptions {
	install: CodeServerInstall;
	/** Environment of code-server, and so of the extension host. Defaults to this process's. */
	env?: NodeJS.ProcessEnv;
	/** Merged over the quiet defaults into the user's settings.json. */
	userSettings?: Record<string, unknown>;
	/** Display language of the workbench, e.g. `ru`. */
	locale?: string;
	/** Port on 127.0.0.1; default 0, any free port. */
	port?: number;
	/**
	 * Workspace Trust as VS Code ships it: a folder not yet trusted opens in Restricted Mode. Off by
	 * default, so that every other run is trusted without a prompt.
	 */
	workspaceTrust?: boolean;
}

export interface WorkbenchUrlOptions {
	folder?: string;
	extensionDevelopmentPaths?: readonly string[];
	extensionTestsPath?: string;
}

export interface CodeServerRun {
	/** `http://127.0.0.1:PORT` */
	readonly origin: string;
	/** Private to this run, removed by {@link stop}: temp files, settings, extensions. */
	readonly runDir: string;
	/** Environment for the run's other processes (Chromium), with the run's private temp and XDG dirs. */
	readonly childEnv: NodeJS.ProcessEnv;
	workbenchUrl(options: WorkbenchUrlOptions): string;
	/** The last lines code-server printed, for failure messages. */
	logTail(lines?: number): string;
	stop(): Promise<void>;
}

/** Starts code-server in its own process group, on the given or a free port, with a private temp dir. */
export async function startCodeServer(options: StartCodeServerOptions): Promise<CodeServerRun> {
	const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yv-vscode-'));
	const dirs = {
		tmp: path.join(runDir, 'tmp'),
		config: path.join(runDir, 'config'),
		data: path.join(runDir, 'data'),
		cache: path.join(runDir, 'cache'),
		userData: path.join(runDir, 'user-data'),
		extensions: path.join(runDir, 'extensions'),
	};
	for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
	writeUserSettings(dirs.userData, options.userSettings);

	// Without these, code-server and Chromium leave sockets and config in $HOME and /tmp.
	const childEnv: NodeJS.ProcessEnv = {
		...(options.env ?? process.env),
		TMPDIR: dirs.tmp,
		XDG_CONFIG_HOME: dirs.config,
		XDG_DATA_HOME: dirs.data,
		XDG_CACHE_HOME: dirs.cache,
		XDG_RUNTIME_DIR: dirs.tmp,
	};
	const args = [
		options.install.entry,
		'--bind-addr', `127.0.0.1:${options.port ?? 0}`,
		'--auth', 'none',
		'--config', path.join(dirs.config, 'code-server.yaml'),
		'--user-data-dir', dirs.userData,
		'--extensions-dir', dirs.extensions,
		'--disable-telemetry',
		'--disable-update-check',
		...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
		'--disable-getting-started-override',
		'--ignore-last-opened',
		...(options.locale ? ['--locale', options.locale] : []),
	];
	const child = spawn(process.execPath, args, {
		cwd: runDir,
		env: childEnv,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});

	const group = new ProcessGroup(child);
	const log = new LineLog(path.join(runDir, 'code-server.log'));
	child.stdout?.on('data', (chunk: Buffer) => log.append(chunk));
	child.stderr?.on('data', (chunk: Buffer) => log.append(chunk));
	child.on('error', error => log.append(Buffer.from(`could not run ${process.execPath}: ${error.message}\n`)));

	const removeRunDir = () => fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
	let port: number;
	try {
		port = await waitForPort(child, log);
		await waitForHealth(`http://127.0.0.1:${port}/healthz`);
	} catch (error) {
		await group.stop();
		log.close();
		const message = `code-server did not start: ${(error as Error).message}\n${log.tail(30)}`;
		removeRunDir();
		throw new Error(message);
	}

	const origin = `http://127.0.0.1:${port}`;
	const authority = `127.0.0.1:${port}`;
	const remoteUri = (file: string) => `vscode-remote://${authority}${path.resolve(file).split('/').map(encodeURIComponent).join('/')}`;

	return {
		origin,
		runDir,
		childEnv,
		workbenchUrl({ folder, extensionDevelopmentPaths = [], extensionTestsPath }) {
			// The same payload VS Code's own browser integration tests use.
			const payload: [string, string][] = [
				...extensionDevelopmentPaths.map((p): [string, string] => ['extensionDevelopmentPath', remoteUri(p)]),
				...(extensionTestsPath ? [['extensionTestsPath', remoteUri(extensionTestsPath)] as [string, string]] : []),
				['skipWelcome', 'true'],
				['skipReleaseNotes', 'true'],
				// Below `info` the extension host's console output is filtered away.
				['logLevel', 'info'],
			];
			const query = new URLSearchParams();
			if (folder) query.set('folder', path.resolve(folder));
			query.set('payload', JSON.stringify(payload));
			return `${origin}/?${query.toString()}`;
		},
		logTail: (lines = 30) => log.tail(lines),
		async stop() {
			await group.stop();
			log.close();
			removeRunDir();
		},
	};
}

/** Headless Debian Chromium driven by playwright-core; `YV_CHROMIUM_PATH` overrides the binary. */
export async function launchChromium(env: NodeJS.ProcessEnv, handleSignals = true): Promise<Browser> {
	const executablePath = process.env.YV_CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!fs.existsSync(executablePath)) {
		throw new Error(`Chromium not found at ${executablePath}. Run .ci/install-deps.sh (apt-get install -y chromium) or set YV_CHROMIUM_PATH.`);
	}
	return chromium.launch({
		executablePath,
		headless: true,
		args: [...CHROMIUM_ARGS],
		env,
		handleSIGINT: handleSignals,
		handleSIGTERM: handleSignals,
		handleSIGHUP: handleSignals,
	});
}

/** Collects the page's errors (the last 40) for failure messages. */
export function collectPageProblems(page: Page): string[] {
	const problems: string[] = [];
	const keep = (line: string) => {
		problems.push(line);
		if (problems.length > 40) problems.shift();
	};
	page.on('pageerror', error => keep(`page error: ${error.message}`));
	page.on('console', message => {
		const { url } = message.location();
		const line = `console error: ${message.text()}${url ? ` (${url})` : ''}`;
		if (message.type() === 'error' && !HARMLESS_LOG.test(line)) keep(line);
	});
	return problems;
}

/** Kills the whole process group, also if this process exits without calling {@link stop}. */
class ProcessGroup {
	private readonly exited: Promise<void>;
	private readonly killOnExit = () => this.signal('SIGKILL');

	constructor(private readonly child: ChildProcess) {
		this.exited = new Promise(resolve => {
			if (child.exitCode !== null || child.signalCode !== null) resolve();
			else child.once('exit', () => resolve());
		});
		process.on('exit', this.killOnExit);
	}

	async stop(): Promise<void> {
		this.signal('SIGTERM');
		const timer = new Promise<'timeout'>(resolve => setTimeout(resolve, STOP_GRACE_MS, 'timeout').unref());
		await Promise.race([this.exited, timer]);
		// The leader may be gone while its helpers (extension host, pty host) linger in the group.
		this.signal('SIGKILL');
		await Promise.race([this.exited, timer]);
		process.off('exit', this.killOnExit);
	}

	private signal(signal: NodeJS.Signals): void {
		if (this.child.pid === undefined) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// ESRCH: the group is already gone.
		}
	}
}

/** Keeps code-server's output in a file and the last lines in memory. */
class LineLog {
	private readonly lines: string[] = [];
	private partial = '';
	private readonly fd: number;

	constructor(file: string) {
		this.fd = fs.openSync(file, 'a');
	}

	append(chunk: Buffer): void {
		try {
			fs.writeSync(this.fd, chunk);
		} catch {
			// Closed after stop(); late output is of no interest.
		}
		const text = this.partial + chunk.toString('utf8');
		const parts = text.split('\n');
		this.partial = parts.pop() ?? '';
		this.lines.push(...parts);
		if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
	}

	tail(count: number): string {
		return [...this.lines, this.partial].filter(Boolean).slice(-count).join('\n');
	}

	contains(pattern: RegExp): RegExpMatchArray | undefined {
		for (const line of this.lines) {
			const match = line.match(pattern);
			if (match) return match;
		}
		return undefined;
	}

	close(): void {
		try {
			fs.closeSync(this.fd);
		} catch {
			// Already closed.
		}
	}
}

/** code-server binds port 0 and prints the port it got. */
function waitForPort(child: ChildProcess, log: LineLog): Promise<number> {
	const pattern = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/;
	return new Promise((resolve, reject) => {
		const done = (error: Error | undefined, port?: number) => {
			clearInterval(poll);
			clearTimeout(timer);
			child.off('exit', onExit);
			if (error) reject(error);
			else resolve(port as number);
		};
		const onExit = (code: number | null, signal: NodeJS.Signals | null) => done(new Error(`it exited with ${code ?? signal}`));
		const poll = setInterval(() => {
			const match = log.contains(pattern);
			if (match) done(undefined, Number(match[1]));
		}, 50);
		const timer = setTimeout(() => done(new Error(`no "HTTP server listening" line within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
		child.once('exit', onExit);
	});
}

async function waitForHealth(url: string): Promise<void> {
	const deadline = Date.now() + STARTUP_TIMEOUT_MS;
	let last = '';
	while (Date.now() < deadline) {
		try {
			const response = await fetch(url);
			if (response.ok) return;
			last = `HTTP ${response.status}`;
		} catch (error) {
			last = (error as Error).message;
		}
		await new Promise(resolve => setTimeout(resolve, 100));
	}
	throw new Error(`${url} did not answer (${last})`);
}
