import { BlockList, isIP } from 'node:net';
import { Agent, Dispatcher, errors, ProxyAgent } from 'undici';
import { phrase, word, type Phrase } from '../../shared/phrase';
import { RpcCode, VisionError } from './errors';

/**
 * Which proxy, if any, carries a request, decided the way VS Code decides for its own requests:
 * the `http.proxy` setting wins; otherwise `https_proxy`/`HTTPS_PROXY` (then `http_proxy`/`HTTP_PROXY`)
 * for https targets and `http_proxy`/`HTTP_PROXY` for http targets. Hosts in `http.noProxy` go
 * direct; when that list is empty, `no_proxy`/`NO_PROXY` applies instead. Loopback targets are not
 * special: they go through a configured proxy unless a no-proxy entry names them.
 */
export interface ProxyOptions {
	/** The `http.proxy` setting, e.g. `http://user:password@proxy:3128`. Empty: the environment decides. */
	proxy?: string;
	/** `http.proxyStrictSSL`: false accepts any certificate from the proxy and from the service. Default true. */
	strictSSL?: boolean;
	/** `http.noProxy`: hosts reached directly (`example.com`, `.example.com`, `*.example.com`, `host:port`, IPs, CIDR ranges, `*`). */
	noProxy?: readonly string[];
	/** Where the proxy variables are read. Default `process.env`. */
	env?: NodeJS.ProcessEnv;
	keepAliveTimeout?: number;
	keepAliveMaxTimeout?: number;
	/** Connections per origin. */
	connections?: number;
}

/** Where a proxy URL came from: the setting or the environment variable that held it. */
export type ProxySource = 'http.proxy' | 'https_proxy' | 'HTTPS_PROXY' | 'http_proxy' | 'HTTP_PROXY';

export type Route =
	| { kind: 'direct' }
	| { kind: 'proxy'; proxy: URL; source: ProxySource }
	/** A proxy is configured but unusable; requests fail with `problem` rather than silently going direct. */
	| { kind: 'invalid'; source: ProxySource; problem: Phrase };

const SETTING: ProxySource = 'http.proxy';
const HTTPS_VARIABLES: readonly ProxySource[] = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];
const HTTP_VARIABLES: readonly ProxySource[] = ['http_proxy', 'HTTP_PROXY'];

/** The same keep-alive the client's own agent uses. */
const AGENT_DEFAULTS = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 16 };

type Candidate = Exclude<Route, { kind: 'direct' }>;

/** The options read once: proxies parsed, the no-proxy list compiled, the environment looked at. */
interface Plan {
	setting: Candidate | undefined;
	https: Candidate | undefined;
	http: Candidate | undefined;
	bypass: (hostname: string, port: number) => boolean;
}

function planOf(options: ProxyOptions): Plan {
	const env = options.env ?? process.env;
	const fromEnv = (names: readonly ProxySource[]): Candidate | undefined => {
		const name = names.find(n => env[n]?.trim());
		return name ? parseProxy(env[name]!, name) : undefined;
	};
	const configured = (options.noProxy ?? []).flatMap(splitList);
	return {
		setting: options.proxy?.trim() ? parseProxy(options.proxy, SETTING) : undefined,
		https: fromEnv(HTTPS_VARIABLES),
		http: fromEnv(HTTP_VARIABLES),
		// As in VS Code: entries in the setting replace the environment's list instead of adding to it.
		bypass: noProxyMatcher(configured.length > 0 ? configured : splitList(env.no_proxy || env.NO_PROXY || '')),
	};
}

function routeOf(target: URL, plan: Plan): Route {
	const candidate = plan.setting ?? (target.protocol === 'https:' ? plan.https : target.protocol === 'http:' ? plan.http : undefined);
	if (!candidate) return { kind: 'direct' };
	const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
	return plan.bypass(bareHost(target.hostname), port) ? { kind: 'direct' } : candidate;
}

/** The route a request to `url` takes with these options. */
export function selectRoute(url: string | URL, options: ProxyOptions = {}): Route {
	return routeOf(new URL(url), planOf(options));
}

/** `direct` or `proxy http://host:port`, for the log: never the proxy's user name or password. */
export function describeRoute(url: string | URL, options: ProxyOptions = {}): string {
	const route = selectRoute(url, options);
	switch (route.kind) {
		case 'direct':
			return 'direct';
		case 'proxy':
			return `proxy ${proxyLabel(route.proxy)}`;
		case 'invalid':
			return `no route: ${word(route.problem)}`;
	}
}

/**
 * A dispatcher for the client's `dispatcher` option that sends each request direct or through the
 * proxy its target calls for, and turns failures of the proxy itself (refused, 407, a refused
 * CONNECT) into VisionErrors that name the proxy and where it was configured. The caller owns it:
 * `close()` it when the client is replaced.
 */
export function createDispatcher(options: ProxyOptions = {}): Dispatcher {
	return new ProxyRouter(planOf(options), options);
}

class ProxyRouter extends Dispatcher {
	private readonly direct: Agent;
	/** One ProxyAgent per proxy, made on first use; `dispatch` is the agent behind the interceptor that explains its errors. */
	private readonly proxies = new Map<string, { agent: ProxyAgent; dispatch: Dispatcher }>();
	private closed = false;

	constructor(private readonly plan: Plan, private readonly options: ProxyOptions) {
		super();
		this.direct = new Agent({ ...this.agentOptions(), ...(options.strictSSL === false ? { connect: { rejectUnauthorized: false } } : {}) });
	}

	override dispatch(request: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
		if (this.closed) return fail(handler, new errors.ClientClosedError());
		const target = new URL(String(request.origin));
		const route = routeOf(target, this.plan);
		switch (route.kind) {
			case 'direct':
				return this.direct.dispatch(request, handler);
			case 'proxy':
				return this.viaProxy(route).dispatch(request, handler);
			case 'invalid':
				// The problem names its source already; an environment variable can also be overridden.
				return fail(handler, new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message: route.source === SETTING ? route.problem : phrase('{0} Set http.proxy to override it.', route.problem) }));
		}
	}

	override close(): Promise<void>;
	override close(callback: () => void): void;
	override close(callback?: () => void): Promise<void> | void {
		this.closed = true;
		const done = Promise.all([this.direct.close(), ...[...this.proxies.values()].map(p => p.agent.close())]).then(() => undefined);
		if (!callback) return done;
		void done.then(callback, callback);
	}

	override destroy(): Promise<void>;
	override destroy(err: Error | null): Promise<void>;
	override destroy(callback: () => void): void;
	override destroy(err: Error | null, callback: () => void): void;
	override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
		const err = typeof errOrCallback === 'function' ? null : errOrCallback ?? null;
		const cb = typeof errOrCallback === 'function' ? errOrCallback : callback;
		this.closed = true;
		const done = Promise.all([this.direct.destroy(err), ...[...this.proxies.values()].map(p => p.agent.destroy(err))]).then(() => undefined);
		if (!cb) return done;
		void done.then(cb, cb);
	}

	private viaProxy(route: Extract<Route, { kind: 'proxy' }>): Dispatcher {
		const key = `${route.source} ${route.proxy.href}`;
		let entry = this.proxies.get(key);
		if (!entry) {
			const relaxed = this.options.strictSSL === false ? { rejectUnauthorized: false } : undefined;
			// ProxyAgent reads user:password from the URL and sends it as Proxy-Authorization.
			const agent = new ProxyAgent({ ...this.agentOptions(), uri: route.proxy.href, ...(relaxed ? { requestTls: relaxed, proxyTls: relaxed } : {}) });
			entry = { agent, dispatch: agent.compose(explainProxyErrors(route)) };
			this.proxies.set(key, entry);
		}
		return entry.dispatch;
	}

	private agentOptions(): typeof AGENT_DEFAULTS {
		return {
			keepAliveTimeout: this.options.keepAliveTimeout ?? AGENT_DEFAULTS.keepAliveTimeout,
			keepAliveMaxTimeout: this.options.keepAliveMaxTimeout ?? AGENT_DEFAULTS.keepAliveMaxTimeout,
			connections: this.options.connections ?? AGENT_DEFAULTS.connections,
		};
	}
}

/**
 * Errors before the request reached a socket come from getting through the proxy (connecting to
 * it, its answer to CONNECT); those are rewritten. Later errors concern the service and pass as
 * they are.
 */
function explainProxyErrors(route: Extract<Route, { kind: 'proxy' }>): Dispatcher.DispatcherComposeInterceptor {
	return dispatch => (request, handler) => {
		let started = false;
		const target = new URL(String(request.origin)).host;
		const explaining: Dispatcher.DispatchHandler = {
			onRequestStart: (controller, context) => {
				started = true;
				handler.onRequestStart?.(controller, context);
			},
			onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
			onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
			onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
			onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
			onResponseError: (controller, error) => handler.onResponseError?.(controller, started ? error : proxyError(error, route, target) ?? error),
		};
		return dispatch(request, explaining);
	};
}

const UNREACHABLE: Record<string, Phrase> = {
	ECONNREFUSED: phrase('connection refused'),
	EHOSTUNREACH: phrase('host unreachable'),
	ENETUNREACH: phrase('network unreachable'),
	EADDRNOTAVAIL: phrase('address not available'),
};

/** A VisionError naming the proxy for a failure to get through it, or undefined for any other error. */
export function proxyError(error: Error, route: Extract<Route, { kind: 'proxy' }>, target: string): VisionError | undefined {
	const proxy = proxyLabel(route.proxy);
	const check = hint(route.source);
	const network = (message: Phrase) => new VisionError({ kind: 'network', code: RpcCode.UNAVAILABLE, message, cause: error });
	const code = errorCode(error);
	const unreachable = code === undefined ? undefined : UNREACHABLE[code];
	if (unreachable) return network(phrase('Cannot connect to the proxy {0} ({1}). {2}', proxy, unreachable, check));
	switch (code) {
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return network(phrase('Cannot resolve the proxy host {0} (DNS). {1}', route.proxy.hostname, check));
		case 'ETIMEDOUT':
		case 'UND_ERR_CONNECT_TIMEOUT':
			return network(phrase('Connecting to the proxy {0} timed out. {1}', proxy, check));
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
			return network(phrase('The connection to {0} through the proxy {1} was closed while it was being set up. {2}', target, proxy, check));
		case 'UND_ERR_PRX_TLS':
			return network(phrase('The TLS certificate of the proxy {0} does not match its name. {1}', proxy, check));
	}
	// undici reports a refused CONNECT only in the message: "Proxy response (407) !== 200 when HTTP Tunneling".
	const refused = /^Proxy response \((\d{3})\)/.exec(error.message);
	if (!refused) return undefined;
	const status = Number(refused[1]);
	// Only the proxy sees a CONNECT, so a 401 is the proxy's too (tinyproxy answers wrong credentials with it).
	if (status === 407 || status === 401) {
		const sentCredentials = route.proxy.username !== '' || route.proxy.password !== '';
		return new VisionError({
			kind: 'protocol',
			code: RpcCode.PERMISSION_DENIED,
			httpStatus: status,
			message: sentCredentials
				? phrase('The proxy {0} rejected the user name and password (HTTP {1}). {2}', proxy, status, check)
				: phrase('The proxy {0} requires a user name and password (HTTP {1}); give them in the proxy URL, http://user:password@host:port. {2}', proxy, status, check),
			cause: error,
		});
	}
	const refusal = phrase('The proxy {0} did not open a connection to {1}: it answered HTTP {2}. {3}', proxy, target, status, check);
	// A proxy's 5xx says the service was out of its reach, which may pass; a 4xx is its policy.
	return status >= 500 || status === 429
		? network(refusal)
		: new VisionError({ kind: 'protocol', code: RpcCode.PERMISSION_DENIED, httpStatus: status, message: refusal, cause: error });
}

function hint(source: ProxySource): Phrase {
	return source === SETTING
		? phrase('Check the http.proxy setting.')
		: phrase('Check the {0} environment variable, or set http.proxy to override it.', source);
}

/** `http://host:port`: the proxy without credentials or path. */
function proxyLabel(proxy: URL): string {
	const port = proxy.port || (proxy.protocol === 'https:' ? '443' : '80');
	return `${proxy.protocol}//${proxy.hostname}:${port}`;
}

function parseProxy(value: string, source: ProxySource): Candidate {
	const text = value.trim();
	// Like curl, a bare host:port means an http proxy.
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
	let url: URL;
	try {
		url = new URL(withScheme);
	} catch {
		return { kind: 'invalid', source, problem: phrase('The proxy "{0}" from {1} is not a valid URL.', withoutCredentials(text), describeSource(source)) };
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return { kind: 'invalid', source, problem: phrase('The proxy {0} from {1} is not supported: use an http:// or https:// proxy.', `${url.protocol}//${url.host}`, describeSource(source)) };
	}
	return { kind: 'proxy', proxy: url, source };
}

function describeSource(source: ProxySource): Phrase {
	return source === SETTING ? phrase('the http.proxy setting') : phrase('the {0} environment variable', source);
}

/** Drops everything up to the last `@` from something that did not even parse as a URL: a password may hold any character. */
function withoutCredentials(text: string): string {
	return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, '$1');
}

function splitList(value: string): string[] {
	return value.split(/[\s,]+/).map(entry => entry.trim().toLowerCase()).filter(entry => entry !== '');
}

function bareHost(hostname: string): string {
	return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * Compiles no-proxy entries: `*` (everything), `example.com` (it and its subdomains, also written
 * `.example.com` or `*.example.com`), `host:port`, IPv4 and IPv6 addresses (`[::1]:8080` with a
 * port), and CIDR ranges (`10.0.0.0/8`). Names are not resolved: an IP entry matches IP targets.
 */
export function noProxyMatcher(entries: readonly string[]): (hostname: string, port: number) => boolean {
	const tests: ((hostname: string, port: number) => boolean)[] = [];
	for (const raw of entries) {
		const entry = raw.trim().toLowerCase();
		if (entry === '') continue;
		if (entry === '*') return () => true;
		const { host, port } = splitPort(entry);
		const samePort = (p: number) => port === undefined || port === p;
		const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
		const family = isIP(cidr ? cidr[1]! : host);
		if (family !== 0) {
			const list = new BlockList();
			const type = family === 4 ? 'ipv4' : 'ipv6';
			if (cidr) {
				const prefix = Number(cidr[2]);
				if (prefix > (family === 4 ? 32 : 128)) continue;
				list.addSubnet(cidr[1]!, prefix, type);
			} else {
				list.addAddress(host, type);
			}
			tests.push((hostname, p) => samePort(p) && isIP(hostname) === family && list.check(hostname, type));
			continue;
		}
		const domain = host.replace(/^\*?\./, '').replace(/\.$/, '');
		if (domain === '' || domain.includes('*')) continue;
		tests.push((hostname, p) => samePort(p) && (hostname === domain || hostname.endsWith(`.${domain}`)));
	}
	return (hostname, port) => tests.some(test => test(hostname, port));
}

function splitPort(entry: string): { host: string; port?: number } {
	const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
	if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
	// A bare IPv6 address (or range) has colons of its own and no port.
	if (isIP(entry.split('/')[0]!) === 6) return { host: entry };
	const withPort = /^(.+):(\d+)$/.exec(entry);
	return withPort ? { host: withPort[1]!, port: Number(withPort[2]) } : { host: entry };
}

function errorCode(error: unknown): string | undefined {
	for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		e = (e as { cause?: unknown }).cause;
	}
	return undefined;
}

/** Reports an error the way undici's own dispatchers do, in whichever handler style the caller uses. */
function fail(handler: Dispatcher.DispatchHandler, error: Error): false {
	if (handler.onRequestStart && handler.onResponseError) {
		handler.onResponseError(settledController(error), error);
	} else if (handler.onError) {
		handler.onError(error);
	} else {
		throw error;
	}
	return false;
}

function settledController(reason: Error): Dispatcher.DispatchController {
	return {
		aborted: true,
		paused: false,
		reason,
		abort: () => undefined,
		pause: () => undefined,
		resume: () => undefined,
	};
}
