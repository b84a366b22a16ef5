/**
 * Errors of the network, the service and image files in Russian, as the extension words them
 * (src/output/errorMessages.ts: vscode.l10n.t over l10n/bundle.l10n.ru.json): real failures over
 * real HTTP and real files, every sentence of the extension's own translated — a message the
 * bundle lacks fails the test — and what the service wrote left as it wrote it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import * as path from 'node:path';
import { createVisionClient, VisionError, type BatchAnalyzeRequest, type VisionClientOptions } from '../../src/api/index';
import { createServiceAccountTokenSource, parseServiceAccountKey } from '../../src/api/auth/iamToken';
import { RPC_TO_HTTP } from '../../src/api/transport/http';
import { RpcCode } from '../../src/api/transport/errors';
import { ImageError } from '../../src/images/errors';
import { planImage } from '../../src/images/plan';
import { readHeader } from '../../src/images/header';
import { ENGLISH, word, type Translate } from '../../src/shared/phrase';
import { createTestServiceAccountKey, DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import { FIXTURES_DIR, fixtureBytes } from '../support/fixtures';

const BUNDLE = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, '..', '..', 'l10n', 'bundle.l10n.ru.json'), 'utf8')) as Record<string, string>;

/** vscode.l10n.t with the Russian bundle, strict: a message without its Russian fails. */
const russian: Translate = (message, ...args) => {
	const translated = BUNDLE[message];
	assert.ok(translated !== undefined, `l10n/bundle.l10n.ru.json has no Russian for ${JSON.stringify(message)}`);
	return ENGLISH(translated, ...args);
};

const REQUEST: BatchAnalyzeRequest = { analyzeSpecs: [{ content: fixtureBytes('latin-note.png'), features: [{ type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } }] }] };
const user = { iamToken: DEFAULT_CREDENTIALS.userIamToken };

async function failure(promise: Promise<unknown>): Promise<VisionError> {
	try {
		await promise;
	} catch (err) {
		assert.ok(err instanceof VisionError, `a VisionError, got ${String(err)}`);
		return err;
	}
	assert.fail('the call succeeded');
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

function close(server: Server | ReturnType<typeof createTcpServer>): Promise<void> {
	return new Promise(resolve => server.close(() => resolve()));
}

describe('errors in Russian', function () {
	this.timeout(30_000);
	let emulator: Emulator;

	before(async () => {
		emulator = await startEmulator({ stallMs: 5_000 });
	});
	after(async () => {
		await emulator.close();
	});
	beforeEach(() => {
		emulator.configure({ faults: {} });
	});

	async function analyze(options: Partial<VisionClientOptions> = {}): Promise<VisionError> {
		const client = createVisionClient({ endpoint: emulator.url, credentials: user, folderId: DEFAULT_CREDENTIALS.folderId, retry: { baseDelayMs: 10, maxDelayMs: 20 }, requestsPerSecond: 1000, ...options });
		try {
			return await failure(client.batchAnalyze(REQUEST));
		} finally {
			await client.close();
		}
	}

	describe('the network', () => {
		it('a refused connection, given up after two attempts', async () => {
			const server = createServer();
			const port = await listen(server);
			await close(server);
			const err = await analyze({ endpoint: `http://127.0.0.1:${port}/vision/v1/batchAnalyze`, retry: { maxAttempts: 2, baseDelayMs: 10 } });
			assert.equal(word(err.wording, russian), `127.0.0.1:${port} отказал в соединении. Проверьте параметр конечной точки и что сервер запущен. Запрос не удался после 2 попыток.`);
			assert.equal(err.message, `Connection to 127.0.0.1:${port} refused. Check the endpoint setting and that the server is running. Gave up after 2 attempts.`, 'the English stays as it was');
		});

		it('no answer within the timeout', async () => {
			emulator.configure({ faults: { script: ['stall'] } });
			const err = await analyze({ timeoutMs: 300, retry: { maxAttempts: 1 } });
			assert.match(word(err.wording, russian), /^Полный ответ от 127\.0\.0\.1:\d+ не получен за 0\.3 с\. Проверьте сеть или прокси; если сервис просто отвечает медленно, увеличьте время ожидания в параметрах\.$/);
		});

		it('a connection reset before the answer', async () => {
			emulator.configure({ faults: { script: ['reset'] } });
			const err = await analyze({ retry: { maxAttempts: 1 } });
			assert.match(word(err.wording, russian), /^Соединение с 127\.0\.0\.1:\d+ закрылось до получения ответа\. Проверьте параметр конечной точки, сеть или прокси\.$/);
		});

		it('a name that does not resolve (or, without a resolver, the timeout)', async () => {
			const err = await analyze({ endpoint: 'https://vision.invalid/vision/v1/batchAnalyze', timeoutMs: 3_000, retry: { maxAttempts: 1 } });
			const text = word(err.wording, russian);
			if (err.kind === 'timeout') assert.match(text, /^Полный ответ от vision\.invalid не получен за 3 с\./);
			else assert.equal(text, 'Не удается найти адрес vision.invalid (DNS). Проверьте параметр конечной точки, сеть или прокси.');
		});

		it('a TLS handshake refused', async () => {
			// A server that answers a TLS hello with plain text.
			const sockets = new Set<Socket>();
			const server = createTcpServer(socket => {
				sockets.add(socket);
				socket.on('error', () => undefined);
				socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
			});
			const port = await listen(server);
			try {
				const err = await analyze({ endpoint: `https://127.0.0.1:${port}/vision/v1/batchAnalyze`, retry: { maxAttempts: 1 } });
				assert.match(word(err.wording, russian), new RegExp(`^Ошибка TLS при обращении к 127\\.0\\.0\\.1:${port} \\([A-Z_]+\\): защищенное соединение или его сертификат отклонены\\.`));
			} finally {
				for (const socket of sockets) socket.destroy();
				await close(server);
			}
		});
	});

	describe('the service', () => {
		it('quota: a 429 whose Retry-After is longer than the client waits keeps the service\'s words and says when to retry', async () => {
			emulator.configure({ faults: { script: ['http429'] } });
			const err = await analyze({ retry: { maxAttempts: 3, maxRetryAfterMs: 100 } });
			assert.equal(err.httpStatus, 429);
			assert.equal(word(err.wording, russian), 'Too many requests (injected by the emulator) Сервис просит повторить запрос через 1 с.');
		});

		it('unavailable twice: the service\'s words, then that it gave up', async () => {
			emulator.configure({ faults: { script: ['http503', 'http503'] } });
			const err = await analyze({ retry: { maxAttempts: 2, baseDelayMs: 10 } });
			assert.equal(word(err.wording, russian), 'Service unavailable (injected by the emulator) Запрос не удался после 2 попыток.');
		});

		it('a proxy\'s HTML page instead of the service', async () => {
			emulator.configure({ faults: { script: ['html502'] } });
			const err = await analyze({ retry: { maxAttempts: 1 } });
			assert.match(word(err.wording, russian), /^HTTP 502 от прокси или шлюза перед сервисом( \(«.+»\))?\.$/);
		});

		it('each error code without a message of its own says what the code means', async () => {
			let code = 0;
			const server = createServer((_request, response) => {
				response.writeHead(RPC_TO_HTTP[code]!, { 'content-type': 'application/json', 'x-request-id': 'req-1' }).end(JSON.stringify({ code }));
			});
			const port = await listen(server);
			const expected: [RpcCode, string][] = [
				[RpcCode.INVALID_ARGUMENT, 'Сервис ответил HTTP 400: некорректный запрос (INVALID_ARGUMENT).'],
				[RpcCode.UNAUTHENTICATED, 'Сервис ответил HTTP 401: учетные данные не приняты (UNAUTHENTICATED).'],
				[RpcCode.PERMISSION_DENIED, 'Сервис ответил HTTP 403: доступ запрещен (PERMISSION_DENIED): возможно, у аккаунта нет нужной роли в каталоге.'],
				[RpcCode.NOT_FOUND, 'Сервис ответил HTTP 404: по запросу ничего не найдено (NOT_FOUND).'],
				[RpcCode.RESOURCE_EXHAUSTED, 'Сервис ответил HTTP 429: квота исчерпана (RESOURCE_EXHAUSTED).'],
				[RpcCode.INTERNAL, 'Сервис ответил HTTP 500: внутренняя ошибка сервиса (INTERNAL).'],
				[RpcCode.UNAVAILABLE, 'Сервис ответил HTTP 503: сервис временно недоступен (UNAVAILABLE).'],
				[RpcCode.DEADLINE_EXCEEDED, 'Сервис ответил HTTP 504: сервис не успел ответить вовремя (DEADLINE_EXCEEDED).'],
			];
			try {
				for (const [rpc, russianText] of expected) {
					code = rpc;
					const err = await analyze({ endpoint: `http://127.0.0.1:${port}/vision/v1/batchAnalyze`, retry: { maxAttempts: 1 } });
					assert.equal(err.code, rpc);
					assert.equal(err.requestId, 'req-1');
					assert.equal(word(err.wording, russian), russianText);
				}
			} finally {
				await close(server);
			}
		});

		it('a service account key the IAM service refuses: its words inside the extension\'s Russian', async () => {
			const unknown = createTestServiceAccountKey();
			const key = parseServiceAccountKey(unknown.json);
			const source = createServiceAccountTokenSource(key, { endpoint: emulator.iamUrl });
			const err = await failure(source.token());
			assert.equal(err.kind, 'credentials');
			const text = word(err.wording, russian);
			assert.ok(text.startsWith(`Сервис IAM отклонил ключ сервисного аккаунта ${key.id} («`), text);
			assert.ok(text.endsWith(`»). Проверьте, что это действующий ключ сервисного аккаунта ${key.serviceAccountId}: удаленный ключ или файл другого ключа не принимаются.`), text);
		});
	});

	describe('image files', () => {
		function refusal(bytes: Uint8Array): ImageError {
			try {
				const plan = planImage(readHeader(bytes));
				assert.equal(plan.action, 'refuse');
				return (plan as { error: ImageError }).error;
			} catch (err) {
				assert.ok(err instanceof ImageError, String(err));
				return err;
			}
		}

		it('empty, cut short, corrupt, not an image, an unsupported format, too many pages: each a Russian sentence naming the file', () => {
			const png = fixtureBytes('receipt.png');
			const corrupt = Buffer.from(png);
			corrupt.write('XXXX', 12, 'latin1');
			const cases: [string, Uint8Array, string][] = [
				['empty.png', new Uint8Array(0), 'empty.png: пустой файл (0 байт). Если файл еще сохраняется или скачивается, повторите попытку, когда это закончится.'],
				['cut.png', png.subarray(0, 20), 'cut.png: обрезанный файл PNG: он заканчивается после 20 байт, до заголовка IHDR, в котором указан размер изображения. Файл обрезан: скопируйте или скачайте его заново.'],
				['chunk.png', corrupt, 'chunk.png: поврежденный файл PNG: его первый блок — не IHDR, заголовок с размером изображения. Откройте файл в графическом редакторе и сохраните заново в формате JPEG или PNG.'],
				['page.png', Buffer.from('<!DOCTYPE html><html><body>Not found</body></html>'), 'page.png: HTML-страница, а не изображение'],
				['photo.heic', Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), 'photo.heic: изображение HEIC, а такие здесь не преобразуются; экспортируйте его в JPEG (на Mac или iPhone: «Фото» → «Экспортировать» или формат камеры «Наиболее совместимый»)'],
			];
			for (const [name, bytes, expected] of cases) assert.equal(refusal(bytes).sentence(name, russian), expected);
		});

		it('a PDF over the page limit and one over the size limit', () => {
			const long = planImage({ format: 'pdf', orientation: 1, bytes: 2_000_000, pages: 12 });
			assert.equal(long.action === 'refuse' && long.error.sentence('report.pdf', russian), 'report.pdf: размер 1.9 МБ, страниц: 12; сервис читает PDF не больше 1 МБ и не длиннее 8 стр. — разделите файл');
			const pages = planImage({ format: 'pdf', orientation: 1, bytes: 500_000, pages: 12 });
			assert.equal(pages.action === 'refuse' && pages.error.sentence('report.pdf', russian), 'report.pdf: страниц: 12; сервис читает не больше 8 — разделите файл');
			assert.equal(pages.action === 'refuse' && pages.error.sentence('report.pdf'), 'report.pdf has 12 pages; the service reads at most 8 — split it', 'the English stays as it was');
		});
	});
});
