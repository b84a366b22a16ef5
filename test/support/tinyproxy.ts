/**
 * Runs Debian's tinyproxy for a test: its own config and log in a temp directory, listening on
 * 127.0.0.1 at a free port, in the foreground so stopping it is killing one child process.
 * Its log says which requests passed through it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface TinyproxyOptions {
	/** Demands `Proxy-Authorization: Basic` with these credentials (answers 407 otherwise). */
	basicAuth?: { user: string; password: string };
}

export interface Tinyproxy {
	/** `http://127.0.0.1:<port>`, without credentials. */
	readonly url: string;
	readonly port: number;
	/** Request lines received since start or the last `clearLog()`: `CONNECT 127.0.0.1:4567`, `GET http://…/`. */
	requests(): string[];
	clearLog(): void;
	close(): Promise<void>;
}

export const TINYPROXY_MISSING = 'tinyproxy is not installed; the proxy tests need it: sudo apt-get install tinyproxy (or run .ci/install-deps.sh)';

const SEARCH_PATH = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** The tinyproxy executable, or an error saying how to install it. */
export function findTinyproxy(): string {
	const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_PATH];
	for (const dir of dirs) {
		const candidate = path.join(dir, 'tinyproxy');
		try {
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {
			// Not in this directory.
		}
	}
	throw new Error(TINYPROXY_MISSING);
}

export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
	const executable = findTinyproxy();
	// The port is free when asked for but may be taken before tinyproxy binds it: try a few.
	let lastError: unknown;
	for (let attempt = 0; attempt < 5; attempt++) {
		try {
			return await launch(executable, await freePort(), options);
		} catch (err) {
			lastError = err;
		}
	}
	throw lastError;
}

async function launch(executable: string, port: number, options: TinyproxyOptions): Promise<Tinyproxy> {
	const dir = mkdtempSync(path.join(tmpdir(), 'yv-tinyproxy-'));
	const logFile = path.join(dir, 'tinyproxy.log');
	const config = [
		`Port ${port}`,
		'Listen 127.0.0.1',
		'Timeout 30',
		`LogFile "${logFile}"`,
		// Connect is the level that logs each request line.
		'LogLevel Connect',
		`PidFile "${path.join(dir, 'tinyproxy.pid')}"`,
		'MaxClients 50',
		'Allow 127.0.0.1',
		...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
		'',
	].join('\n');
	const configFile = path.join(dir, 'tinyproxy.conf');
	writeFileSync(configFile, config);
	writeFileSync(logFile, '');

	const child = spawn(executable, ['-d', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);

	const cleanUp = async () => {
		process.removeListener('exit', killOnExit);
		await stop(child, exited);
		rmSync(dir, { recursive: true, force: true });
	};

	try {
		await waitUntilListening(port, exited, () => `${output}${readLog(logFile)}`);
	} catch (err) {
		await cleanUp();
		throw err;
	}

	let skipLines = 0;
	const lines = () => readLog(logFile).split('\n');
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests: () => lines().slice(skipLines).flatMap(line => {
			const match = /Request \(file descriptor \d+\): (.*?)(?: HTTP\/\d\.\d)?$/.exec(line);
			return match ? [match[1]!] : [];
		}),
		clearLog: () => {
			skipLines = lines().length - 1;
		},
		close: cleanUp,
	};
}

function readLog(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

async function waitUntilListening(port: number, exited: Promise<number | null>, diagnostics: () => string): Promise<void> {
	let gone: number | null | undefined;
	void exited.then(code => (gone = code));
	const deadline = Date.now() + 5_000;
	while (Date.now() < deadline) {
		if (gone !== undefined) throw new Error(`tinyproxy exited (code ${gone}) before listening on port ${port}:\n${diagnostics()}`);
		if (await accepts(port)) return;
		await new Promise(resolve => setTimeout(resolve, 25));
	}
	throw new Error(`tinyproxy did not listen on port ${port} within 5 s:\n${diagnostics()}`);
}

function accepts(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = createConnection({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
	await exited;
	clearTimeout(timer);
}
