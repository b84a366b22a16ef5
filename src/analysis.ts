import * as vscode from 'vscode';
import type { CredentialKind, CredentialStore } from './auth';
import { offerNewCredentials, offerNewToken, readIamEndpoint } from './auth';
import { featureFor, readSettings, type FeatureKind, type Settings } from './config';
import { describeError, isAuthError } from './errorMessages';
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
}

/** Files larger than this are not even read: the service takes 1 MB. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/**
 * Runs analyses: credentials, settings, reading files, progress with Cancel, and turning outcomes
 * into results panels and messages.
 */
export class Analyzer implements vscode.Disposable {
	private client: { key: string; client: VisionClient; dispatcher: Dispatcher } | undefined;
	/** One connection pool for all of the extension's requests, rebuilt when the proxy settings change. */
	readonly network = new ProxyDispatchers();

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

		// A file that cannot be read fails alone; the others still go.
		const specs: (AnalyzeSpec | VisionError)[] = await Promise.all(uris.map(async uri => {
			try {
				const stat = await vscode.workspace.fs.stat(uri);
				if (stat.size > MAX_READ_BYTES) {
					return new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message: vscode.l10n.t('{0} is {1} MB; the service accepts images up to 1 MB.', label(uri), (stat.size / 1048576).toFixed(1)) });
				}
				return { content: await vscode.workspace.fs.readFile(uri), features };
			} catch (err) {
				return new VisionError({ kind: 'validation', code: RpcCode.INVALID_ARGUMENT, message: vscode.l10n.t('Cannot read {0}: {1}', label(uri), err instanceof Error ? err.message : String(err)) });
			}
		}));
		const sendable = specs.flatMap((spec, index) => spec instanceof VisionError ? [] : [{ spec, index }]);
		const outcomes: ItemOutcome[] = specs.map(spec => spec instanceof VisionError ? { status: 'failed', error: spec } : { status: 'failed', error: notRun() });
		specs.forEach(spec => spec instanceof VisionError && report());
		const sent = await analyzeAll(client, sendable.map(s => s.spec), { signal, onOutcome: report });
		sent.forEach((outcome, k) => {
			outcomes[sendable[k]!.index] = outcome;
		});

		const analyzedAt = new Date().toISOString();
		const reports = outcomes.map((outcome, index): ImageReport => {
			const uri = uris[index]!;
			if (outcome.status === 'done') {
				return {
					uri: uri.toString(),
					status: 'done',
					requestId: outcome.requestId,
					model: {
						imageUri: uri.toString(),
						imageLabel: label(uri),
						features: features.map((feature, f) => ({
							type: feature.type,
							model: feature.classificationConfig?.model ?? feature.textDetectionConfig?.model,
							result: outcome.result.results[f] ?? {},
						})),
						requestId: outcome.requestId,
						analyzedAt,
					},
				};
			}
			const cancelled = outcome.error.kind === 'cancelled';
			return {
				uri: uri.toString(),
				status: cancelled ? 'cancelled' : 'failed',
				error: `${label(uri)}: ${describeError(outcome.error)}`,
				requestId: outcome.error.requestId,
			};
		});
		const counts = { done: 0, failed: 0, cancelled: 0 };
		for (const r of reports) counts[r.status]++;
		this.log.info(`Analyzed ${uris.length} image(s) in ${Date.now() - started} ms: ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled`);
		for (const r of reports) if (r.status === 'failed') this.log.error(r.error!);
		void this.explain(credentialKind, outcomes, reports);
		return reports;
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
		this.network.dispose();
	}
}

function notRun(): VisionError {
	return new VisionError({ kind: 'cancelled', code: RpcCode.CANCELLED, message: 'Not sent.' });
}

/** Workspace-relative path when the file is in the workspace, else its name. */
export function label(uri: vscode.Uri): string {
	return vscode.workspace.asRelativePath(uri, false);
}
