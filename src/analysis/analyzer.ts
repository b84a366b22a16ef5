import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dispatcher } from 'undici';
import * as vscode from 'vscode';
import type { CredentialKind, CredentialStore } from '../credentials/credentialStore';
import { offerNewCredentials, offerNewToken, readIamEndpoint } from '../credentials/credentialStore';
import type { BatchItem, BatchObserver, BatchRun } from '../folderRuns/types';
import { SourceError, streamPipeline, type PipelineOutcome, type PipelineSource } from './pipeline';
import { ResultCache, type CachedResult } from '../cache/resultCache';
import { featureFor, readCacheMaxBytes, readSettings, type FeatureKind, type Settings } from '../settings/config';
import { describeError, describeFailure, isAuthError } from '../output/errorMessages';
import { ImageConverter } from '../images/converter/converter';
import type { FittedImage } from '../images/prepareImage';
import type { Log } from '../output/log';
import { ProxyDispatchers } from '../settings/proxySettings';
import { userAgent } from '../settings/userAgent';
import type { ResultsModel } from '../shared/protocol';
import { createVisionClient, type VisionClient } from '../api/batchAnalyze/client';
import { createOcrClient, type OcrClient } from '../api/ocr/client';
import { batchAnalyzeEngine, ocrApiEngine, type AnalysisEngine, type DocumentProgress, type OperationJournal } from './engines';
import { ocrApiLanguages } from './languages';
import { VisionError } from '../api/transport/errors';

/** What happened to one image; returned by the commands so callers (and tests) can see it. */
export interface ImageReport {
	uri: string;
	/** `cached`: the result of an earlier analysis of the same bytes with the same features; nothing was sent. */
	status: 'done' | 'cached' | 'failed' | 'cancelled';
	/** Set when failed: message with the request id. */
	error?: string;
	requestId?: string;
	model?: ResultsModel;
	/**
	 * What was done to the image to fit the service's limits, when anything was: its `note` reads
	 * like `resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB`. Results are in the original's pixels.
	 */
	fitted?: ResultsModel['fitted'];
}

/** How a batch pass ended, beyond what its items say. */
export interface BatchPass {
	cancelled: boolean;
	/** Refused or missing credentials were explained with an offer to set new ones. */
	credentialsExplained: boolean;
}

/**
 * Larger files are not read: a 48 MP uncompressed TIFF or BMP (≈ 144 MB) still is, anything
 * bigger is not a picture anyone analyzes whole.
 */
const MAX_READ_BYTES = 160 * 1024 * 1024;

/** Everything an analysis needs once credentials and settings are known. */
interface Session {
	credentialKind: CredentialKind;
	engine: AnalysisEngine;
	cache: ResultCache | undefined;
}

/** What a command asks beyond the features: the OCR API model to read text with, this time. */
export interface AnalysisChoice {
	ocrModel?: string;
}

/**
 * Runs analyses: credentials, settings, reading files, the result cache, progress with Cancel,
 * and turning outcomes into reports, batch items and messages.
 */
export class Analyzer implements vscode.Disposable {
	private client: { key: string; client: VisionClient; dispatcher: Dispatcher } | undefined;
	private ocrClient: { key: string; client: OcrClient; dispatcher: Dispatcher } | undefined;
	/** One connection pool for all of the extension's requests, rebuilt when the proxy settings change. */
	readonly network = new ProxyDispatchers();
	/** Decodes and re-encodes images in a worker thread; created on first need. */
	private converter: ImageConverter | undefined;
	/** Opened on first need, and again when its size setting changes. */
	private cacheState: { maxBytes: number; cache: Promise<ResultCache | undefined> } | undefined;

	/**
	 * `storage`: the extension's global storage; results are kept in its `results` folder.
	 * `journal`: the OCR API's recognitions in flight, kept across reloads.
	 */
	constructor(private readonly credentials: CredentialStore, private readonly log: Log, private readonly storage: vscode.Uri, private readonly journal?: OperationJournal) {}

	/** `onProgress`: a long document's pages as they arrive, before its report. */
	async analyze(uris: readonly vscode.Uri[], kinds: readonly FeatureKind[], title: string, choice: AnalysisChoice = {}, onProgress?: (uri: vscode.Uri, progress: DocumentProgress) => void): Promise<ImageReport[] | undefined> {
		if (uris.length === 0 || kinds.length === 0) return [];
		const session = await this.begin(uris[0]!, kinds, choice, uris.length > 1);
		if (!session) return undefined;
		if (session === 'folderRequired') return uris.map(uri => ({ uri: uri.toString(), status: 'failed', error: folderRequiredMessage() }));

		return withCancellableProgress(title, (signal, progress) => this.run(session, uris, signal, progress, undefined, onProgress));
	}

	/**
	 * Recognizes the text of one image with no progress notification of its own: the caller shows
	 * progress (the paste widget's) and cancels through `signal`. Failures are explained as for any
	 * analysis. `target` is a file, or bytes that are no file (a clipboard image: nothing is written,
	 * and the cache records no path); `scope` picks the resource settings for bytes.
	 */
	async recognizeText(target: vscode.Uri | { bytes: Uint8Array; name: string; scope?: vscode.Uri }, signal: AbortSignal, choice: AnalysisChoice = {}): Promise<ImageReport | undefined> {
		const uri = target instanceof vscode.Uri ? target : vscode.Uri.from({ scheme: 'untitled', path: target.name });
		const session = await this.begin(target instanceof vscode.Uri ? target : target.scope ?? uri, ['text'], choice);
		if (!session) return undefined;
		if (session === 'folderRequired') return { uri: uri.toString(), status: 'failed', error: folderRequiredMessage() };
		const source = target instanceof vscode.Uri ? this.source(uri) : bytesSource(target.bytes, target.name);
		const [report] = await this.run(session, [uri], signal, { report: () => undefined }, [source]);
		return report;
	}

	/**
	 * Analyzes `items` of `run` (all of a new run, or the failed ones again), updating them in
	 * place and telling `observer` of every change. Resolves undefined when nothing could start
	 * (no credentials, or no folder for a user account's token): then nothing changed.
	 */
	async analyzeBatch(run: BatchRun, items: readonly BatchItem[], observer: BatchObserver, title: string): Promise<BatchPass | undefined> {
		if (items.length === 0 || run.kinds.length === 0) return { cancelled: false, credentialsExplained: false };
		const session = await this.begin(vscode.Uri.parse(items[0]!.uri), run.kinds, {}, true);
		if (!session || session === 'folderRequired') return undefined;
		for (const item of items) resetItem(item);
		run.cancelled = false;
		delete run.finishedAt;
		observer.changed(run);

		return withCancellableProgress(title, (signal, progress) => this.runBatch(session, run, items, observer, signal, progress));
	}

	/** The result cache, or undefined when it is off (`yandexVision.cache.maxMegabytes` 0) or cannot be opened. */
	resultCache(): Promise<ResultCache | undefined> {
		const maxBytes = readCacheMaxBytes();
		if (this.cacheState?.maxBytes !== maxBytes) {
			const previous = this.cacheState?.cache;
			this.cacheState = { maxBytes, cache: this.openCache(maxBytes, previous) };
		}
		return this.cacheState.cache;
	}

	/**
	 * The cache for Clear Cache: the one in use, or, while the cache is off, the results an
	 * earlier setting kept (closed again by `release`).
	 */
	async cacheToClear(): Promise<{ cache: ResultCache; release(): Promise<void> } | undefined> {
		const inUse = await this.resultCache();
		if (inUse) return { cache: inUse, release: async () => undefined };
		const dir = this.cacheDir();
		if (!dir) return undefined;
		const cache = await ResultCache.open(dir, { warn: message => this.log.warn(message) });
		return { cache, release: () => cache.dispose() };
	}

	private async openCache(maxBytes: number, previous: Promise<ResultCache | undefined> | undefined): Promise<ResultCache | undefined> {
		// One instance at a time owns the folder's index.
		await previous?.then(cache => cache?.dispose()).catch(err => this.log.warn(`Result cache: closing failed: ${messageOf(err)}`));
		if (maxBytes === 0) return undefined;
		const dir = this.cacheDir();
		if (!dir) {
			this.log.warn(`Result cache: off, the extension's storage (${this.storage.toString()}) is not on this machine's disk.`);
			return undefined;
		}
		try {
			// Creates the folder when needed.
			return await ResultCache.open(dir, { maxBytes, warn: message => this.log.warn(message) });
		} catch (err) {
			this.log.error(`Result cache: cannot open ${dir}, analyzing without it: ${messageOf(err)}`);
			return undefined;
		}
	}

	private cacheDir(): string | undefined {
		return this.storage.scheme === 'file' ? path.join(this.storage.fsPath, 'results') : undefined;
	}

	/** Credentials, settings and the client; undefined when there are no credentials (the user was asked). */
	private async begin(scope: vscode.Uri, kinds: readonly FeatureKind[], choice: AnalysisChoice = {}, manyImages = false): Promise<Session | 'folderRequired' | undefined> {
		const credentialKind = await this.credentials.require();
		if (!credentialKind) return undefined;
		this.log.setSecrets(await this.credentials.secrets());
		const settings = readSettings(scope);
		// A user account's token bills a folder; checked here so that nothing is read or sent without one.
		if (credentialKind === 'iamToken' && !settings.folderId) {
			this.folderRequired();
			return 'folderRequired';
		}
		return { credentialKind, engine: this.engineFor(kinds, settings, choice, manyImages), cache: await this.resultCache() };
	}

	/**
	 * Text alone goes to the engine the settings name (the OCR API unless set otherwise); a request
	 * with other features goes to batchAnalyze, which answers them all in one request.
	 */
	private engineFor(kinds: readonly FeatureKind[], settings: Settings, choice: AnalysisChoice, manyImages: boolean): AnalysisEngine {
		const textOnly = kinds.length === 1 && kinds[0] === 'text';
		if (textOnly && (settings.textEngine === 'ocr-api' || choice.ocrModel !== undefined)) {
			const model = choice.ocrModel ?? settings.ocrApi.model;
			return ocrApiEngine(this.ocrClientFor(settings), { model, languageCodes: ocrApiLanguages(model, settings), manyImages }, this.journal);
		}
		return batchAnalyzeEngine(this.clientFor(settings), kinds.map(kind => featureFor(kind, settings)));
	}

	private async run(
		session: Session,
		uris: readonly vscode.Uri[],
		signal: AbortSignal,
		progress: vscode.Progress<{ message?: string; increment?: number }>,
		sources: readonly PipelineSource[] = uris.map(uri => this.source(uri)),
		onProgress?: (uri: vscode.Uri, progress: DocumentProgress) => void,
	): Promise<ImageReport[]> {
		const started = Date.now();
		const step = 100 / uris.length;
		let finished = 0;
		const reports = new Array<ImageReport>(uris.length);
		const errors: VisionError[] = [];
		await streamPipeline(sources, {
			...this.pipelineOptions(session, signal),
			onFitted: (index, fitted) => this.logFit(sources[index]!.name, fitted),
			onProgress: (index, document) => {
				if (uris.length === 1) progress.report({ message: documentProgress(document) });
				onProgress?.(uris[index]!, document);
			},
			onOutcome: (index, outcome) => {
				const uri = uris[index]!;
				if (outcome.status === 'cached') this.log.info(`${sources[index]!.name}: from cache, analyzed ${outcome.result.analyzedAt}${outcome.result.requestId ? ` (request id ${outcome.result.requestId})` : ''}`);
				if (outcome.status === 'failed') errors.push(outcome.error);
				reports[index] = reportOf(uri, outcome, sources[index]!.name);
				progress.report({ increment: step, message: uris.length > 1 ? vscode.l10n.t('{0} of {1} images', ++finished, uris.length) : undefined });
			},
		});
		const counts = { done: 0, cached: 0, failed: 0, cancelled: 0 };
		for (const r of reports) counts[r.status]++;
		this.log.info(`Analyzed ${uris.length} image(s) in ${Date.now() - started} ms: ${counts.done} done, ${counts.cached} from cache, ${counts.failed} failed, ${counts.cancelled} cancelled`);
		for (const r of reports) if (r.status === 'failed') this.log.error(r.error!);
		void this.explain(session.credentialKind, errors, reports);
		return reports;
	}

	private async runBatch(
		session: Session,
		run: BatchRun,
		items: readonly BatchItem[],
		observer: BatchObserver,
		signal: AbortSignal,
		progress: vscode.Progress<{ message?: string; increment?: number }>,
	): Promise<BatchPass> {
		const started = Date.now();
		const step = 100 / items.length;
		let finished = 0;
		let failed = 0;
		const errors: VisionError[] = [];
		progress.report({ message: batchProgress(0, items.length, 0) });
		await streamPipeline(items.map(item => this.source(vscode.Uri.parse(item.uri), item.label)), {
			...this.pipelineOptions(session, signal),
			onFitted: (index, fitted) => this.logFit(items[index]!.label, fitted),
			onOutcome: (index, outcome) => {
				const item = items[index]!;
				applyOutcome(item, outcome);
				if (outcome.status === 'failed') errors.push(outcome.error);
				if (item.status === 'failed') {
					failed++;
					if (outcome.status !== 'failed' || outcome.error.kind !== 'cancelled') this.log.error(item.error!);
				}
				finished++;
				observer.changed(run, item);
				progress.report({ increment: step, message: batchProgress(finished, items.length, failed) });
			},
		});
		run.cancelled = signal.aborted;
		run.finishedAt = new Date().toISOString();
		observer.changed(run);
		const counts = { done: 0, cached: 0, failed: 0, pending: 0 };
		for (const item of items) counts[item.status]++;
		this.log.info(`Batch "${run.title}": ${items.length} image(s) in ${Date.now() - started} ms: ${counts.done} done, ${counts.cached} from cache, ${counts.failed} failed${run.cancelled ? ' (cancelled)' : ''}`);
		return { cancelled: run.cancelled, credentialsExplained: await this.explainCredentials(session.credentialKind, errors) };
	}

	private pipelineOptions(session: Session, signal: AbortSignal) {
		return {
			engine: session.engine,
			fitter: this.images(),
			cache: session.cache,
			signal,
			// Refused credentials fail every image the same way: one request is enough to know.
			isFatal: (error: VisionError) => error.kind === 'credentials' || isAuthError(error),
			onWarning: (message: string) => this.log.warn(message),
		};
	}

	/** One file, read through VS Code's file system so that remote and virtual workspaces work too. */
	private source(uri: vscode.Uri, name = label(uri)): PipelineSource {
		return {
			name,
			read: async signal => {
				let stat: vscode.FileStat;
				let bytes: Uint8Array;
				try {
					stat = await vscode.workspace.fs.stat(uri);
					if (stat.size > MAX_READ_BYTES) {
						throw new SourceError(vscode.l10n.t('{0} is {1} MB; files over {2} MB are not read. Export a smaller copy to analyze.', name, (stat.size / 1048576).toFixed(0), MAX_READ_BYTES / 1048576));
					}
					signal.throwIfAborted();
					bytes = await vscode.workspace.fs.readFile(uri);
				} catch (err) {
					if (err instanceof SourceError || signal.aborted) throw err;
					throw new SourceError(unreadable(name, err), { cause: err });
				}
				return { bytes, file: { uri: uri.toString(), size: stat.size, mtime: stat.mtime } };
			},
		};
	}

	/** `photo.jpg: resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB (over 1 MB; JPEG q85 1.2 MB, JPEG q80 0.93 MB; 410 ms)`. */
	private logFit(name: string, fitted: FittedImage): void {
		this.log.info(`${name}: ${fitted.note} (${fitted.reasons.join(', ')}; ${fitted.attempts.join(', ')}; ${Math.round(fitted.ms)} ms)`);
	}

	private images(): ImageConverter {
		// Beside this bundle: dist/imageProcess.js with native libvips in dist/node_modules/@img/ (a
		// platform's package only), dist/imageWorker.js with wasm-vips in dist/vips/ (see esbuild.js).
		const nativePath = path.join(__dirname, 'imageProcess.js');
		this.converter ??= new ImageConverter({
			nativePath: fs.existsSync(nativePath) ? nativePath : undefined,
			wasm: {
				workerPath: path.join(__dirname, 'imageWorker.js'),
				vipsPath: path.join(__dirname, 'vips', 'vips-node.js'),
			},
			log: line => this.log.info(line),
		});
		return this.converter;
	}

	/** One message for what failed; refused credentials lead to setting new ones. */
	private async explain(credentialKind: CredentialKind, errors: readonly VisionError[], reports: readonly ImageReport[]): Promise<void> {
		if (await this.explainCredentials(credentialKind, errors)) return;
		const failed = reports.filter(r => r.status === 'failed');
		if (failed.length === 0) {
			if (reports.some(r => r.status === 'cancelled')) void vscode.window.showInformationMessage(vscode.l10n.t('Yandex Vision: cancelled.'));
			return;
		}
		const showLog = vscode.l10n.t('Show Log');
		const message = failed.length === 1
			? vscode.l10n.t('Yandex Vision: {0}', failed[0]!.error!)
			: vscode.l10n.t('Yandex Vision: {0} of {1} images failed. First: {2}', failed.length, reports.length, failed[0]!.error!);
		if ((await vscode.window.showErrorMessage(message, showLog)) === showLog) this.log.show();
	}

	/** When credentials were missing or refused, says so and offers new ones; resolves whether it did. */
	private async explainCredentials(credentialKind: CredentialKind, errors: readonly VisionError[]): Promise<boolean> {
		// No token could be had (e.g. the key was refused at the token endpoint): nothing was sent.
		const credentialsFailure = errors.find(e => e.kind === 'credentials');
		if (credentialsFailure) {
			await offerNewCredentials(credentialKind, vscode.l10n.t('Yandex Vision: {0}', describeError(credentialsFailure)));
			return true;
		}
		const authFailure = errors.find(isAuthError);
		if (!authFailure) return false;
		switch (credentialKind) {
			case 'iamToken':
				await offerNewToken(vscode.l10n.t('Yandex Vision: the IAM token is invalid or has expired. {0}', describeError(authFailure)));
				break;
			case 'apiKey':
				await offerNewCredentials(credentialKind, vscode.l10n.t('Yandex Vision: the API key was refused: it may have been deleted, or it is not a service account\'s key. {0}', describeError(authFailure)));
				break;
			case 'serviceAccountKey':
				this.credentials.forgetMintedToken();
				await offerNewCredentials(credentialKind, vscode.l10n.t('Yandex Vision: the service account\'s IAM token was refused. The service account may lack the ai.vision.user role, or its key was deleted. {0}', describeError(authFailure)));
				break;
		}
		return true;
	}

	private clientFor(settings: Settings): VisionClient {
		const iamEndpoint = readIamEndpoint();
		const key = JSON.stringify([settings.endpoint, settings.folderId, settings.requestsPerSecond, settings.timeoutMs, settings.dataLogging, iamEndpoint]);
		const dispatcher = this.network.get();
		if (this.client?.key === key && this.client.dispatcher === dispatcher) return this.client.client;
		void this.client?.client.close();
		this.log.info(`Requests to ${settings.endpoint}: ${this.network.describe(settings.endpoint)}`);
		const client = createVisionClient({
			dispatcher,
			endpoint: settings.endpoint,
			// Sent only with a user account's token; the client leaves it out for service accounts.
			folderId: settings.folderId,
			requestsPerSecond: settings.requestsPerSecond,
			timeoutMs: settings.timeoutMs,
			dataLogging: settings.dataLogging,
			userAgent: userAgent(),
			// Asked before every attempt, so credentials replaced meanwhile are used at once.
			credentials: this.credentials.provider({ iamEndpoint, timeoutMs: settings.timeoutMs, dispatcher, userAgent: userAgent() }),
			onEvent: event => this.log.request(event),
		});
		this.client = { key, client, dispatcher };
		return client;
	}

	private ocrClientFor(settings: Settings): OcrClient {
		const iamEndpoint = readIamEndpoint();
		const { endpoint, operationEndpoint, requestsPerSecond } = settings.ocrApi;
		const key = JSON.stringify([endpoint, operationEndpoint, settings.folderId, requestsPerSecond, settings.timeoutMs, settings.dataLogging, iamEndpoint]);
		const dispatcher = this.network.get();
		if (this.ocrClient?.key === key && this.ocrClient.dispatcher === dispatcher) return this.ocrClient.client;
		void this.ocrClient?.client.close();
		this.log.info(`Requests to ${endpoint}: ${this.network.describe(endpoint)}`);
		const client = createOcrClient({
			dispatcher,
			endpoint,
			operationEndpoint,
			// Sent as x-folder-id with a user account's token only.
			folderId: settings.folderId,
			requestsPerSecond,
			timeoutMs: settings.timeoutMs,
			dataLogging: settings.dataLogging,
			userAgent: userAgent(),
			credentials: this.credentials.provider({ iamEndpoint, timeoutMs: settings.timeoutMs, dispatcher, userAgent: userAgent() }),
			onEvent: event => this.log.request(event),
		});
		this.ocrClient = { key, client, dispatcher };
		return client;
	}

	/** Nothing is sent: a user account's token needs a folder to bill. */
	private folderRequired(): void {
		const message = folderRequiredMessage();
		this.log.error(message);
		const openSettings = vscode.l10n.t('Open Settings');
		void vscode.window.showErrorMessage(message, openSettings).then(choice => {
			if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'yandexVision.folderId');
		});
	}

	dispose(): void {
		void this.client?.client.close();
		this.client = undefined;
		void this.ocrClient?.client.close();
		this.ocrClient = undefined;
		void this.converter?.dispose();
		this.converter = undefined;
		// Writes the cache's pending index changes.
		void this.cacheState?.cache.then(cache => cache?.dispose()).catch(err => this.log.warn(`Result cache: closing failed: ${messageOf(err)}`));
		this.cacheState = undefined;
		this.network.dispose();
	}
}

/** Bytes held in memory, such as a pasted image: with no `file`, the cache keeps no path for them. */
function bytesSource(bytes: Uint8Array, name: string): PipelineSource {
	return {
		name,
		read: async signal => {
			signal.throwIfAborted();
			if (bytes.length > MAX_READ_BYTES) {
				throw new SourceError(vscode.l10n.t('{0} is {1} MB; files over {2} MB are not read. Export a smaller copy to analyze.', name, (bytes.length / 1048576).toFixed(0), MAX_READ_BYTES / 1048576));
			}
			return { bytes };
		},
	};
}

function folderRequiredMessage(): string {
	return vscode.l10n.t('Yandex Vision: a folder ID is required with a user account\'s IAM token — set yandexVision.folderId.');
}

/** What the panel shows for a result: the result and where its image is. */
export function modelOf(uri: vscode.Uri, result: CachedResult, imageLabel = label(uri)): ResultsModel {
	return { imageUri: uri.toString(), imageLabel, ...result };
}

function reportOf(uri: vscode.Uri, outcome: PipelineOutcome, name = label(uri)): ImageReport {
	switch (outcome.status) {
		case 'done':
		case 'cached': {
			const { fitted, requestId } = outcome.result;
			return {
				uri: uri.toString(),
				status: outcome.status,
				...requestId !== undefined ? { requestId } : {},
				model: modelOf(uri, outcome.result, name),
				...fitted ? { fitted } : {},
			};
		}
		case 'failed': {
			const cancelled = outcome.error.kind === 'cancelled';
			return {
				uri: uri.toString(),
				status: cancelled ? 'cancelled' : 'failed',
				error: describeFailure(name, outcome.error, outcome.sentence),
				...outcome.error.requestId !== undefined ? { requestId: outcome.error.requestId } : {},
			};
		}
	}
}

function resetItem(item: BatchItem): void {
	item.status = 'pending';
	delete item.error;
	delete item.requestId;
	delete item.cacheKey;
}

/**
 * A batch item ends done (its result in the cache), cached, or failed with a sentence naming
 * the file. A result with a failed feature is not kept, so its image counts as failed: retrying
 * it may succeed.
 */
function applyOutcome(item: BatchItem, outcome: PipelineOutcome): void {
	resetItem(item);
	switch (outcome.status) {
		case 'done':
		case 'cached': {
			const requestId = outcome.status === 'done' ? outcome.requestId : outcome.result.requestId;
			if (requestId !== undefined) item.requestId = requestId;
			const failedFeature = outcome.result.features.find(feature => feature.result.error);
			if (failedFeature?.result.error) {
				const { code, message } = failedFeature.result.error;
				item.status = 'failed';
				item.error = vscode.l10n.t('{0}: {1} failed: {2}', item.label, failedFeature.type, describeError(new VisionError({ kind: 'service', code, message, requestId })));
				return;
			}
			item.status = outcome.status;
			if (outcome.status === 'cached' || outcome.stored) item.cacheKey = outcome.cacheKey;
			return;
		}
		case 'failed':
			item.status = 'failed';
			if (outcome.error.requestId !== undefined) item.requestId = outcome.error.requestId;
			item.error = outcome.error.kind === 'cancelled'
				? vscode.l10n.t('{0}: cancelled before it was analyzed', item.label)
				: describeFailure(item.label, outcome.error, outcome.sentence);
			return;
	}
}

/** A progress notification whose Cancel button aborts `signal`. */
function withCancellableProgress<T>(title: string, work: (signal: AbortSignal, progress: vscode.Progress<{ message?: string; increment?: number }>) => Promise<T>): Thenable<T> {
	return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
		const controller = new AbortController();
		const cancel = token.onCancellationRequested(() => controller.abort());
		try {
			return await work(controller.signal, progress);
		} finally {
			cancel.dispose();
		}
	});
}

/** `page 37 of 120` as pages arrive; before that, how long the service has been reading. */
function documentProgress(progress: DocumentProgress): string {
	if (progress.pages.length > 0) return vscode.l10n.t('page {0} of {1}', progress.pages.length, progress.total);
	const seconds = Math.round((progress.waitedMs ?? 0) / 1000);
	return progress.total > 1
		? vscode.l10n.t('the service is reading {0} pages ({1} s)', progress.total, seconds)
		: vscode.l10n.t('the service is reading the image ({0} s)', seconds);
}

/** `37 / 412 images, 3 failed`. */
function batchProgress(finished: number, total: number, failed: number): string {
	return failed === 0
		? vscode.l10n.t('{0} / {1} images', finished, total)
		: vscode.l10n.t('{0} / {1} images, {2} failed', finished, total, failed);
}

/**
 * Why a file could not be read, in the user's terms: a file deleted or moved while a batch ran,
 * one without read permission; anything else with the file system's own words.
 */
function unreadable(name: string, err: unknown): string {
	const code = err instanceof vscode.FileSystemError ? err.code : '';
	const message = messageOf(err);
	if (code === 'FileNotFound' || /\bENOENT\b/.test(message)) {
		return vscode.l10n.t('{0} no longer exists: it was deleted or moved after it was chosen.', name);
	}
	if (code === 'NoPermissions' || /\b(EACCES|EPERM)\b/.test(message)) {
		return vscode.l10n.t('Cannot read {0}: permission denied. Check that your user account can read the file.', name);
	}
	if (code === 'FileIsADirectory' || /\bEISDIR\b/.test(message)) {
		return vscode.l10n.t('{0} is a folder, not an image. Use Analyze Folder… for the images in it.', name);
	}
	return vscode.l10n.t('Cannot read {0}: {1}', name, message);
}

function messageOf(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

/** Workspace-relative path when the file is in the workspace, else its name. */
export function label(uri: vscode.Uri): string {
	return vscode.workspace.asRelativePath(uri, false);
}
