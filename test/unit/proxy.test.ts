import * as assert from 'node:assert/strict';
import { request } from 'undici';
import { VisionError } from '../../src/api/transport/errors';
import { createDispatcher, describeRoute, noProxyMatcher, proxyError, selectRoute, type ProxyOptions, type Route } from '../../src/api/transport/proxy';

const SERVICE = 'https://vision.api.cloud.yandex.net/vision/v1/batchAnalyze';
const EMULATOR = 'http://127.0.0.1:8080/vision/v1/batchAnalyze';

function route(url: string, options: ProxyOptions): string {
	return describeRoute(url, { env: {}, ...options });
}

describe('proxy selection', () => {
	it('goes direct when nothing is configured', () => {
		assert.equal(route(SERVICE, {}), 'direct');
		assert.equal(route(SERVICE, { proxy: '   ', env: { HTTPS_PROXY: '' } }), 'direct', 'blank values count as unset');
	});

	it('uses the proxy setting for https and http targets, loopback included', () => {
		const options = { proxy: 'http://proxy.corp:3128' };
		assert.equal(route(SERVICE, options), 'proxy http://proxy.corp:3128');
		assert.equal(route(EMULATOR, options), 'proxy http://proxy.corp:3128');
		assert.equal(route('http://localhost:9000/', options), 'proxy http://proxy.corp:3128');
		assert.equal(route('http://[::1]:9000/', options), 'proxy http://proxy.corp:3128');
	});

	it('prefers the setting over the environment', () => {
		assert.equal(route(SERVICE, { proxy: 'http://setting:1', env: { HTTPS_PROXY: 'http://env:2', HTTP_PROXY: 'http://env:3' } }), 'proxy http://setting:1');
	});

	it('takes HTTPS_PROXY for https targets, falling back to HTTP_PROXY', () => {
		assert.equal(route(SERVICE, { env: { HTTPS_PROXY: 'http://secure:1', HTTP_PROXY: 'http://plain:2' } }), 'proxy http://secure:1');
		assert.equal(route(SERVICE, { env: { https_proxy: 'http://secure:1' } }), 'proxy http://secure:1');
		assert.equal(route(SERVICE, { env: { HTTP_PROXY: 'http://plain:2' } }), 'proxy http://plain:2');
	});

	it('takes only HTTP_PROXY for http targets', () => {
		assert.equal(route(EMULATOR, { env: { HTTPS_PROXY: 'http://secure:1' } }), 'direct');
		assert.equal(route(EMULATOR, { env: { HTTPS_PROXY: 'http://secure:1', http_proxy: 'http://plain:2' } }), 'proxy http://plain:2');
	});

	it('prefers the lowercase variable when both spellings are set', () => {
		assert.equal(route(SERVICE, { env: { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' } }), 'proxy http://lower:1');
		assert.equal(route(EMULATOR, { env: { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' } }), 'proxy http://lower:1');
	});

	it('reads a bare host:port as an http proxy and shows default ports', () => {
		assert.equal(route(SERVICE, { env: { HTTPS_PROXY: 'proxy.corp:8080' } }), 'proxy http://proxy.corp:8080');
		assert.equal(route(SERVICE, { proxy: 'http://proxy.corp' }), 'proxy http://proxy.corp:80');
		assert.equal(route(SERVICE, { proxy: 'https://proxy.corp/' }), 'proxy https://proxy.corp:443');
	});

	it('never shows the proxy credentials', () => {
		const shown = route(SERVICE, { proxy: 'http://alice:pa%40ss-w0rd@proxy.corp:3128' });
		assert.equal(shown, 'proxy http://proxy.corp:3128');
		for (const broken of ['http://alice:pa55-w0rd@proxy corp:3128', 'http://alice:pa55/w0rd@proxy corp:3128', 'alice:pa55@w0rd@proxy corp']) {
			const invalid = route(SERVICE, { proxy: broken });
			assert.match(invalid, /^no route: The proxy ".*proxy corp.*" from the http\.proxy setting is not a valid URL\.$/);
			assert.ok(!invalid.includes('pa55') && !invalid.includes('alice'), invalid);
		}
		const selected = selectRoute(SERVICE, { proxy: 'http://alice:secret@proxy.corp:3128', env: {} }) as Extract<Route, { kind: 'proxy' }>;
		assert.equal(selected.proxy.password, 'secret', 'the credentials are kept for the proxy itself');
	});

	it('refuses schemes it cannot speak instead of going direct', () => {
		assert.equal(route(SERVICE, { proxy: 'socks5://127.0.0.1:1080' }), 'no route: The proxy socks5://127.0.0.1:1080 from the http.proxy setting is not supported: use an http:// or https:// proxy.');
		assert.match(route(SERVICE, { env: { HTTPS_PROXY: 'ftp://x:1' } }), /from the HTTPS_PROXY environment variable is not supported/);
	});

	it('says where the proxy came from', () => {
		const source = (options: ProxyOptions) => (selectRoute(SERVICE, { env: {}, ...options }) as { source?: string }).source;
		assert.equal(source({ proxy: 'http://p:1' }), 'http.proxy');
		assert.equal(source({ env: { HTTPS_PROXY: 'http://p:1' } }), 'HTTPS_PROXY');
		assert.equal(source({ env: { http_proxy: 'http://p:1' } }), 'http_proxy');
	});
});

describe('no-proxy lists', () => {
	const proxy = 'http://proxy.corp:3128';

	it('http.noProxy sends matching hosts direct, for the setting and the environment alike', () => {
		assert.equal(route(SERVICE, { proxy, noProxy: ['yandex.net'] }), 'direct');
		assert.equal(route(SERVICE, { env: { HTTPS_PROXY: proxy }, noProxy: ['yandex.net'] }), 'direct');
		assert.equal(route(EMULATOR, { proxy, noProxy: ['127.0.0.1'] }), 'direct');
	});

	it('NO_PROXY applies when http.noProxy is empty, and is ignored when it is not (as VS Code does)', () => {
		assert.equal(route(SERVICE, { proxy, env: { NO_PROXY: 'cloud.yandex.net' } }), 'direct');
		assert.equal(route(SERVICE, { proxy, env: { no_proxy: 'example.com, .yandex.net' } }), 'direct');
		assert.equal(route(SERVICE, { proxy, noProxy: ['example.com'], env: { NO_PROXY: 'yandex.net' } }), `proxy ${proxy}`);
	});

	const cases: [entry: string, url: string, direct: boolean][] = [
		['yandex.net', 'https://yandex.net/', true],
		['yandex.net', 'https://vision.api.cloud.yandex.net/', true],
		['yandex.net', 'https://notyandex.net/', false],
		['.yandex.net', 'https://yandex.net/', true],
		['.yandex.net', 'https://api.yandex.net/', true],
		['*.yandex.net', 'https://api.yandex.net/', true],
		['YANDEX.NET', 'https://Api.Yandex.Net/', true],
		['*', 'https://anything.example/', true],
		['api.yandex.net:443', 'https://api.yandex.net/', true],
		['api.yandex.net:8443', 'https://api.yandex.net/', false],
		['api.yandex.net:8443', 'https://api.yandex.net:8443/', true],
		['127.0.0.1', 'http://127.0.0.1:8080/', true],
		['127.0.0.1', 'http://127.0.0.2:8080/', false],
		['127.0.0.1:8080', 'http://127.0.0.1:8080/', true],
		['127.0.0.1:9090', 'http://127.0.0.1:8080/', false],
		['10.0.0.0/8', 'https://10.20.30.40/', true],
		['10.0.0.0/8', 'https://11.0.0.1/', false],
		['10.0.0.0/8', 'https://ten.example/', false],
		['::1', 'http://[::1]:8080/', true],
		['[::1]:8080', 'http://[::1]:8080/', true],
		['[::1]:8080', 'http://[::1]:9090/', false],
		['fd00::/8', 'http://[fd12::5]/', true],
		['localhost', 'http://localhost:8080/', true],
		['localhost', 'http://127.0.0.1:8080/', false],
	];
	for (const [entry, url, direct] of cases) {
		it(`${entry} ${direct ? 'covers' : 'does not cover'} ${url}`, () => {
			assert.equal(route(url, { proxy, noProxy: [entry] }), direct ? 'direct' : `proxy ${proxy}`);
		});
	}

	it('splits entries on commas and spaces and ignores blanks', () => {
		const bypass = noProxyMatcher(['', ' example.com ', 'internal.corp']);
		assert.equal(bypass('a.internal.corp', 443), true);
		assert.equal(bypass('example.com', 80), true);
		assert.equal(bypass('example.org', 80), false);
		assert.equal(route(SERVICE, { proxy, noProxy: ['example.com, yandex.net'] }), 'direct');
		assert.equal(route(SERVICE, { proxy, env: { NO_PROXY: 'example.com yandex.net' } }), 'direct');
	});
});

describe('errors of getting through a proxy', () => {
	const proxied = (proxy: string, source: 'http.proxy' | 'HTTPS_PROXY' = 'http.proxy') => ({ kind: 'proxy' as const, proxy: new URL(proxy), source });
	const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
	const tunnel = (status: number) => coded('UND_ERR_ABORTED', `Proxy response (${status}) !== 200 when HTTP Tunneling`);

	it('names the proxy, not its credentials, when it cannot be reached', () => {
		const err = proxyError(coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:3128'), proxied('http://bob:hunter2@10.0.0.1:3128'), 'vision.api.cloud.yandex.net:443')!;
		assert.ok(err instanceof VisionError);
		assert.equal(err.kind, 'network');
		assert.equal(err.message, 'Cannot connect to the proxy http://10.0.0.1:3128 (connection refused). Check the http.proxy setting.');
		assert.equal(err.retryable, true);
	});

	it('points at the environment variable that configured the proxy', () => {
		const err = proxyError(coded('ENOTFOUND'), proxied('http://proxy.corp:3128', 'HTTPS_PROXY'), 'vision.api.cloud.yandex.net:443')!;
		assert.equal(err.message, 'Cannot resolve the proxy host proxy.corp (DNS). Check the HTTPS_PROXY environment variable, or set http.proxy to override it.');
	});

	it('a 407 asks for credentials, or says they were rejected, and is not retried', () => {
		const missing = proxyError(tunnel(407), proxied('http://proxy.corp:3128'), 'vision.api.cloud.yandex.net:443')!;
		assert.match(missing.message, /^The proxy http:\/\/proxy\.corp:3128 requires a user name and password \(HTTP 407\); give them in the proxy URL/);
		assert.equal(missing.retryable, false);
		const rejected = proxyError(tunnel(407), proxied('http://bob:hunter2@proxy.corp:3128'), 'vision.api.cloud.yandex.net:443')!;
		assert.equal(rejected.message, 'The proxy http://proxy.corp:3128 rejected the user name and password (HTTP 407). Check the http.proxy setting.');
		assert.equal(rejected.kind, 'protocol');
	});

	it('a refused CONNECT gives the status; a 5xx is retried, a 403 is not', () => {
		const gateway = proxyError(tunnel(502), proxied('http://proxy.corp:3128'), 'vision.api.cloud.yandex.net:443')!;
		assert.equal(gateway.message, 'The proxy http://proxy.corp:3128 did not open a connection to vision.api.cloud.yandex.net:443: it answered HTTP 502. Check the http.proxy setting.');
		assert.equal(gateway.retryable, true);
		const forbidden = proxyError(tunnel(403), proxied('http://proxy.corp:3128'), 'vision.api.cloud.yandex.net:443')!;
		assert.match(forbidden.message, /answered HTTP 403\./);
		assert.equal(forbidden.retryable, false);
	});

	it('leaves other errors, TLS ones included, as they are', () => {
		assert.equal(proxyError(new Error('timeout'), proxied('http://proxy.corp:3128'), 'x:443'), undefined);
		assert.equal(proxyError(coded('DEPTH_ZERO_SELF_SIGNED_CERT'), proxied('http://proxy.corp:3128'), 'x:443'), undefined);
	});
});

describe('the proxy dispatcher', () => {
	it('fails requests with an unusable proxy setting, and after close, without connecting anywhere', async () => {
		const invalid = createDispatcher({ proxy: 'socks5://127.0.0.1:1', env: {} });
		await assert.rejects(request('http://127.0.0.1:1/', { dispatcher: invalid }), (err: VisionError) => {
			assert.ok(err instanceof VisionError);
			assert.equal(err.kind, 'validation');
			assert.match(err.message, /^The proxy socks5:\/\/127\.0\.0\.1:1 from the http\.proxy setting is not supported: use an http:\/\/ or https:\/\/ proxy\.$/);
			return true;
		});
		await invalid.close();
		const closed = createDispatcher({ env: {} });
		await closed.close();
		await assert.rejects(request('http://127.0.0.1:1/', { dispatcher: closed }), { code: 'UND_ERR_CLOSED' });
	});
});
