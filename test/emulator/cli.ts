/**
 * `npm run emulator`: runs the emulator until SIGINT/SIGTERM, printing its URLs, the test
 * credentials it accepts and one line per request (never the Authorization value).
 */

import {
	DEFAULT_CREDENTIALS, DEFAULT_SERVICE_ACCOUNT_KEY, DEFAULT_SERVICE_ACCOUNT_KEY_FILE, EmulatorOptions, FAULT_KINDS, FaultKind, METHOD_NAMES, MethodName, RequestLogEntry,
} from './api';
import { EmulatorServer } from './server';

const USAGE = `Usage: npm run emulator -- [options]
  --port <n>            port to listen on (default 0: any free port)
  --host <address>      address to listen on (default 127.0.0.1)
  --latency <ms>        delay before each answer
  --rps <n>             batchAnalyze requests per second before 429 (default: unlimited)
  --ocr-rps <n>         OCR recognizeText requests per second before 429
                        (default: unlimited; the real service allows 1)
  --ocr-async-rps <n>   recognizeTextAsync requests per second before 429
                        (default: unlimited; the real service allows 10)
  --operation-rps <n>   GET /operations/{id} requests per second (real: 50)
  --get-recognition-rps <n>
                        getRecognition requests per second (real: 50)
  --ocr-processing-ms <ms>
                        how long an asynchronous recognition takes (default 0)
  --ocr-processing-ms-per-page <ms>
                        and how much longer for each page (default 0)
  --operation-ttl-ms <ms>
                        how long a finished operation is kept (default 3 days)
  --fault-rate <0..1>   share of requests that get a fault
  --faults <kinds>      comma-separated: ${FAULT_KINDS.join(',')}
                        (without --fault-rate, every request gets one;
                        streamError breaks OCR streams, and is a 500 elsewhere;
                        operationError fails async operations)
  --fault-methods <m>   comma-separated methods the faults aim at (default all):
                        ${METHOD_NAMES.join(',')}
  --seed <n>            seed for the fault draw (default 1)
  --stall-ms <ms>       how long a stall holds a request (default 30000)
  --fixtures <dir>      folder of *.recording.json (default test/fixtures)`;

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): EmulatorOptions {
	const options: EmulatorOptions = {};
	const faults: NonNullable<EmulatorOptions['faults']> = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		if (!match) throw new UsageError(`unexpected argument: ${arg}`);
		const name = match[1];
		if (name === 'help') throw new UsageError('');
		const value = match[2] ?? argv[++i];
		if (value === undefined) throw new UsageError(`--${name} needs a value`);
		switch (name) {
			case 'port': options.port = integer(name, value); break;
			case 'host': options.host = value; break;
			case 'latency': options.latencyMs = integer(name, value); break;
			case 'rps': options.requestsPerSecond = integer(name, value); break;
			case 'ocr-rps': options.ocrRequestsPerSecond = integer(name, value); break;
			case 'ocr-async-rps': options.ocrAsyncRequestsPerSecond = integer(name, value); break;
			case 'operation-rps': options.operationRequestsPerSecond = integer(name, value); break;
			case 'get-recognition-rps': options.getRecognitionRequestsPerSecond = integer(name, value); break;
			case 'ocr-processing-ms': options.ocrProcessingMs = integer(name, value); break;
			case 'ocr-processing-ms-per-page': options.ocrProcessingMsPerPage = integer(name, value); break;
			case 'operation-ttl-ms': options.operationTtlMs = integer(name, value); break;
			case 'fault-rate': faults.rate = number(name, value); break;
			case 'faults': faults.kinds = value.split(',').filter(Boolean).map(faultKind); break;
			case 'fault-methods': faults.methods = value.split(',').filter(Boolean).map(methodName); break;
			case 'seed': faults.seed = integer(name, value); break;
			case 'stall-ms': options.stallMs = integer(name, value); break;
			case 'fixtures': options.fixturesDir = value; break;
			default: throw new UsageError(`unknown option: --${name}`);
		}
	}
	if (faults.kinds && faults.rate === undefined) faults.rate = 1;
	if (Object.keys(faults).length > 0) options.faults = faults;
	return options;
}

function number(name: string, value: string): number {
	const parsed = Number(value);
	if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new UsageError(`--${name} wants a non-negative number, got ${value}`);
	return parsed;
}

function integer(name: string, value: string): number {
	const parsed = number(name, value);
	if (!Number.isInteger(parsed)) throw new UsageError(`--${name} wants a whole number, got ${value}`);
	return parsed;
}

function faultKind(value: string): FaultKind {
	const kind = FAULT_KINDS.find(k => k === value);
	if (!kind) throw new UsageError(`unknown fault kind: ${value} (known: ${FAULT_KINDS.join(', ')})`);
	return kind;
}

function methodName(value: string): MethodName {
	const method = METHOD_NAMES.find(m => m === value);
	if (!method) throw new UsageError(`unknown method: ${value} (known: ${METHOD_NAMES.join(', ')})`);
	return method;
}

function formatEntry(entry: Readonly<RequestLogEntry>): string {
	return [
		`#${entry.seq}`,
		entry.method,
		entry.path,
		entry.status === 0 ? 'no answer' : String(entry.status),
		entry.fault ? `fault=${entry.fault}` : '',
		`request-id=${entry.requestId}`,
		entry.clientRequestId ? `client-request-id=${entry.clientRequestId}` : '',
		entry.specCount !== undefined ? `specs=${entry.specCount}` : '',
		entry.model ? `model=${entry.model}` : '',
		entry.folderId ? `folder=${entry.folderId}` : '',
		entry.operationId ? `operation=${entry.operationId}` : '',
		entry.keyId ? `key-id=${entry.keyId}` : '',
	].filter(Boolean).join(' ');
}

async function main(): Promise<void> {
	let options: EmulatorOptions;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (err) {
		if (!(err instanceof UsageError)) throw err;
		if (!err.message) {
			console.log(USAGE);
			return;
		}
		console.error(`emulator: ${err.message}`);
		console.error(USAGE);
		process.exitCode = 2;
		return;
	}
	const emulator = await EmulatorServer.start(options, { onRequestDone: entry => console.log(formatEntry(entry)) });
	console.log(`Yandex Vision emulator: ${emulator.url}`);
	console.log(`OCR API (recognizeText): ${emulator.ocrUrl}`);
	console.log(`OCR API, asynchronous:   ${emulator.ocrAsyncUrl}, ${emulator.getRecognitionUrl}?operationId=…`);
	console.log(`Operations:              ${emulator.operationsUrl}/{id}`);
	console.log(`Recordings: ${emulator.recordingCount} from ${emulator.fixturesDir}`);
	console.log('Test credentials (accepted only by this emulator):');
	console.log(`  user account:    Authorization: Bearer ${DEFAULT_CREDENTIALS.userIamToken}, folderId ${DEFAULT_CREDENTIALS.folderId}`);
	console.log(`                   (OCR API: the folder in the header x-folder-id: ${DEFAULT_CREDENTIALS.folderId})`);
	console.log(`  service account: Authorization: Bearer ${DEFAULT_CREDENTIALS.serviceAccountIamToken}`);
	console.log(`  API key:         Authorization: Api-Key ${DEFAULT_CREDENTIALS.apiKey}`);
	console.log(`  authorized key:  ${DEFAULT_SERVICE_ACCOUNT_KEY_FILE} (key ${DEFAULT_SERVICE_ACCOUNT_KEY.id}); IAM endpoint ${emulator.iamUrl}`);
	console.log('Press Ctrl+C to stop.');

	const stop = (signal: NodeJS.Signals): void => {
		console.log(`${signal}: stopping`);
		void emulator.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

if (require.main === module) {
	main().catch(err => {
		console.error('emulator:', err instanceof Error ? err.message : err);
		process.exit(1);
	});
}
