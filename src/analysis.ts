import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CredentialKind, CredentialStore } from './auth';
import { offerNewCredentials, offerNewToken, readIamEndpoint } from './auth';
import { featureFor, readSettings, type FeatureKind, type Settings } from './config';
import { describeError, isAuthError } from './errorMessages';
import { ImageConverter } from './images/converter';
import { ImageError } from './images/errors';
import { mapResultToOriginal } from './images/mapping';
import { SERVICE_LIMITS } from './images/plan';
import { prepareImage, summarizeFit, type FitSummary, type FittedImage } from './images/prepare';
import type { Log } from './log';
import { ProxyDispatchers } from './network';
import type { ResultsModel } from './shared/protocol';
import { analyzeAll, type ItemOutcome } from './vision/batcher';
import type { Dispatcher } from 'undici';
import { createVisionClient, type VisionClient } from './vision/client';
import { RpcCode, VisionError } from './vision/errors';
import type { AnalyzeSpec, Feature } from './vision/types';

/** What happened to one image; returned by the commands so callers (and tests) can see it. */
export interface ImageReport {
	uri: string;
	status: 'done' | 'failed' | 'cancelled';
	/** Set when failed: message with the request id. */
	error?: string;
	requestId?: string;
	model?: ResultsModel;
	/**
	 * What was done to the image to fit the service's limits, when anything was: its `note` reads
	 * like `resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB`. Results are in the original's pixels.
	 */
	fitted?: FitSummary;
}

/**
 * Larger files are not read: a 48 MP uncompressed TIFF or BMP (≈ 144 MB) still is, anything
 * bigger is not a picture anyone analyzes whole.
 */
const MAX_READ_BYTES = 160 * 1024 * 1024;
/** Files read and fitted at once: bounds the memory that several large originals would take together. */
const PREPARE_CONCURRENCY = 2;
/** Names whose files go as they are when small enough; anything else is converted. */
const SENDABLE_NAME = /\.(jpe?g|png|pdf)$/i;

/** One image, ready to send or failed before anything was sent. */
type Prepared =
	| { spec: AnalyzeSpec; fitted: FittedImage | undefined }
	/** `sentence`: the whole message, naming the file, for errors that are about the file itself. */
	| { error: VisionError; sentence?: string };

/**
 * Runs analyses: credentials, settings, reading files, progress with Cancel, and turning outcomes
 * into results panels and messages.
 */
export class Analyzer implements vscode.Disposable {
	private client: { key: string; client: VisionClient; dispatcher: Dispatcher } | undefined;
	/** One connection pool for all of the extension's requests, rebuilt when the proxy settings change. */
	readonly network = new ProxyDispatchers();
	/** Decodes and re-encodes images in a worker thread; created on first need. */
	private converter: ImageConverter | undefined;

	constructor(private readonly credentials: CredentialStore, private readonly log: Log) {}

	async analyze(uris: readonly vscode.Uri[], kinds: readonly FeatureKind[], title: string): Promise<ImageReport[] | undefined> {
		if (uris.length === 0 || kinds.length === 0) return [];
		const credentialKind = await this.credentials.require();
		if (!credentialKind) return undefined;
		this.log.setSecrets(await this.credentials.secrets());
		const settings = readSettings(uris[0]);
		// A user account's token bills a folder; checked here so that nothing is read or sent without one.
		if (credentialKind === 'iamToken' && !settings.folderId) return this.folderRequired(uris);
		const features = kinds.map(kind => featureFor(kind, settings));
		const client = this.clientFor(settings);

		return vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title, cancellable: true },
			async (progress, token) => {
				const controller = new AbortController();
				const cancel = token.onCancellationRequested(() => controller.abort());
				try {
					return await this.run(client, credentialKind, uris, features, controller.signal, progress);
				} finally {
					cancel.dispose();
				}
			},
		);
	}

	private async run(
		client: VisionClient,
		credentialKind: CredentialKind,
		uris: readonly vscode.Uri[],
		features: Feature[],
		signal: AbortSignal,
		progress: vscode.Progress<{ message?: string; increment?: number }>,
	): Promise<ImageReport[]> {
		const started = Date.now();
		const step = 100 / uris.length;
		let finished = 0;
		const report = () => progress.report({ increment: step, message: uris.length > 1 ? vscode.l10n.t('{0} of {1} images', ++finished, uris.length) : undefined });

		// libvips takes a moment to load: started now when any file will need it, while the others are read.
		if (uris.some(uri => !SENDABLE_NAME.test(uri.path))) this.images().warm();

		// A file that cannot be read or fitted fails alone; the others still go.
		const prepared = await mapLimited(uris, PREPARE_CONCURRENCY, uri => this.prepare(uri, features, signal));
		const sendable = prepared.flatMap((item, index) => 'spec' in item ? [{ spec: item.spec, index }] : []);
		const outcomes: ItemOutcome[] = prepared.map(item => 'error' in item ? { status: 'failed', error: item.error } : { status: 'failed', error: notRun() });
		prepared.forEach(item => 'error' in item && report());
		const sent = await analyzeAll(client, sendable.map(s => s.spec), { signal, onOutcome: report });
		sent.forEach((outcome, k) => {
			outcomes[sendable[k]!.index] = outcome;
		});

		const analyzedAt = new Date().toISOString();
		const reports = outcomes.map((outcome, index): ImageReport => {
			const uri = uris[index]!;
			const item = prepared[index]!;
			const fitted = 'spec' in item ? item.fitted : undefined;
			if (outcome.status === 'done') {
				return {
					uri: uri.toString(),
					status: 'done',
					requestId: outcome.requestId,
					model: {
						imageUri: uri.toString(),
						imageLabel: label(uri),
						features: features.map((feature, f) => {
							const result = outcome.result.results[f] ?? {};
							return {
								type: feature.type,
								model: feature.classificationConfig?.model ?? feature.textDetectionConfig?.model,
								// Boxes come in the sent image's pixels; the panel draws on the original.
								result: fitted ? mapResultToOriginal(result, fitted.geometry) : result,
							};
						}),
						requestId: outcome.requestId,
						analyzedAt,
						...fitted ? { fitted: summarizeFit(fitted) } : {},
					},
					...fitted ? { fitted: summarizeFit(fitted) } : {},
				};
			}
			const cancelled = outcome.error.kind === 'cancelled';
			return {
				uri: uri.toString(),
				status: cancelled ? 'cancelled' : 'failed',
				error: ('sentence' in item ? item.sentence : undefined) ?? `${label(uri)}: ${describeError(outcome.error)}`,
				requestId: outcome.error.requestId,
				...fitted ? { fitted: summarizeFit(fitted) } : {},
			};
		});
		const counts = { done: 0, failed: 0, cancelled: 0 };
		for (const r of reports) counts[r.status]++;
		this.log.info(`Analyzed ${uris.length} image(s) in ${Date.now() - started} ms: ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled`);
		for (const r of reports) if (r.status === 'failed') this.log.error(r.error!);
		void this.explain(credentialKind, outcomes, reports);
		return reports;
	}

	/** Reads one file and fits it to the service's limits when it does not meet them as it is. */
	private async prepare(uri: vscode.Uri, features: Feature[], signal: AbortSignal): Promise<Prepared> {
		const name = label(uri);
		try {
			const stat = await vscode.workspace.fs.stat(uri);
			if (stat.size > MAX_READ_BYTES) {
				const message = vscode.l10n.t('{0} is {1} MB; files over {2} MB are not read. Export a smaller copy to analyze.', name, (stat.size / 1048576).toFixed(0), MAX_READ_BYTES / 1048576);
				return { error: new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message }), sentence: message };
			}
			if (stat.size > SERVICE_LIMITS.fileBytes) this.images().warm();
			if (signal.aborted) return { error: notRun() };
			// Through VS Code's file system, so remote and virtual workspaces work too.
			const bytes = await vscode.workspace.fs.readFile(uri);
			const image = await prepareImage(bytes, this.images(), { signal, handOver: true });
			if (image.fitted) this.logFit(name, image.fitted);
			return { spec: { content: image.bytes, features }, fitted: image.fitted };
		} catch (err) {
			if (err instanceof ImageError) {
				const message = err.sentence(name);
				const kind = err.code === 'cancelled' ? 'cancelled' : 'validation';
				return { error: new VisionError({ kind, code: kind === 'cancelled' ? RpcCode.CANCELLED : RpcCode.INVALID_ARGUMENT, message, cause: err }), sentence: message };
			}
			return { error: new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message: vscode.l10n.t('Cannot read {0}: {1}', name, err instanceof Error ? err.message : String(err)) }) };
		}
	}

	/** `photo.jpg: resized 4000×3000 → 2560×1920, 4.9 MB → 0.93 MB (over 1 MB; JPEG q85 1.2 MB, JPEG q80 0.93 MB; 410 ms)`. */
	private logFit(name: string, fitted: FittedImage): void {
		this.log.info(`${name}: ${fitted.note} (${fitted.reasons.join(', ')}; ${fitted.attempts.join(', ')}; ${Math.round(fitted.ms)} ms)`);
	}

	private images(): ImageConverter {
		// Beside this bundle: dist/imageWorker.js, and wasm-vips copied to dist/vips/ (see esbuild.js).
		this.converter ??= new ImageConverter({
			workerPath: path.join(__dirname, 'imageWorker.js'),
			vipsPath: path.join(__dirname, 'vips', 'vips-node.js'),
		});
		return this.converter;
	}

	/** One message for what failed; refused credentials lead to setting new ones. */
	private async explain(credentialKind: CredentialKind, outcomes: readonly ItemOutcome[], reports: readonly ImageReport[]): Promise<void> {
		const failed = reports.filter(r => r.status === 'failed');
		const errors = outcomes.flatMap(o => o.status === 'failed' ? [o.error] : []);
		// No token could be had (e.g. the key was refused at the token endpoint): nothing was sent.
		const credentialsFailure = errors.find(e => e.kind === 'credentials');
		if (credentialsFailure) {
			await offerNewCredentials(credentialKind, vscode.l10n.t('Yandex Vision: {0}', describeError(credentialsFailure)));
			return;
		}
		const authFailure = errors.find(isAuthError);
		if (authFailure) {
			switch (credentialKind) {
				case 'iamToken':
					await offerNewToken(vscode.l10n.t('Yandex Vision: the IAM token is invalid or has expired. {0}', describeError(authFailure)));
					return;
				case 'apiKey':
					await offerNewCredentials(credentialKind, vscode.l10n.t('Yandex Vision: the API key was refused: it may have been deleted, or it is not a service account\'s key. {0}', describeError(authFailure)));
					return;
				case 'serviceAccountKey':
					this.credentials.forgetMintedToken();
					await offerNewCredentials(credentialKind, vscode.l10n.t('Yandex Vision: the service account\'s IAM token was refused. The service account may lack the ai.vision.user role, or its key was deleted. {0}', describeError(authFailure)));
					return;
			}
		}
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
			// Asked before every attempt, so credentials replaced meanwhile are used at once.
			credentials: this.credentials.provider({ iamEndpoint, timeoutMs: settings.timeoutMs, dispatcher }),
			onEvent: event => this.log.request(event),
		});
		this.client = { key, client, dispatcher };
		return client;
	}

	/** Nothing is sent: a user account's token needs a folder to bill. */
	private folderRequired(uris: readonly vscode.Uri[]): ImageReport[] {
		const message = vscode.l10n.t('Yandex Vision: a folder ID is required with a user account\'s IAM token — set yandexVision.folderId.');
		this.log.error(message);
		const openSettings = vscode.l10n.t('Open Settings');
		void vscode.window.showErrorMessage(message, openSettings).then(choice => {
			if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'yandexVision.folderId');
		});
		return uris.map(uri => ({ uri: uri.toString(), status: 'failed', error: message }));
	}

	dispose(): void {
		void this.client?.client.close();
		this.client = undefined;
		void this.converter?.dispose();
		this.converter = undefined;
		this.network.dispose();
	}
}

/** `map` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const lane = async (): Promise<void> => {
		while (next < items.length) {
			const index = next++;
			results[index] = await map(items[index]!);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
	return results;
}

function notRun(): VisionError {
	return new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: 'Not sent.' });
}

/** Workspace-relative path when the file is in the workspace, else its name. */
export function label(uri: vscode.Uri): string {
	return vscode.workspace.asRelativePath(uri, false);
}
