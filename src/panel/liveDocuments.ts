/**
 * Long documents shown while they arrive: the panel opens once the service is working on the
 * document ("the service is reading 120 pages"), then fills as pages come ("page 37 of 120"), at
 * most a few times a second however fast they come; the finished result replaces it. A document
 * that fails or is cancelled half way keeps its pages, with the reason beside them.
 */
import * as vscode from 'vscode';
import type { ImageReport } from '../analysis/analyzer';
import { label } from '../analysis/analyzer';
import type { DocumentProgress } from '../analysis/engines';
import { RpcCode } from '../api/transport/errors';
import type { ResultsModel } from '../shared/protocol';
import type { ResultsPanels } from './resultsPanel';

/** Between two updates of one panel, at least. */
const UPDATE_INTERVAL_MS = 400;

interface Live {
	latest: ResultsModel;
	shownAt: number;
	timer: NodeJS.Timeout | undefined;
}

export class LiveDocuments {
	private readonly documents = new Map<string, Live>();
	private stoppedAll = false;

	constructor(private readonly panels: Pick<ResultsPanels, 'show' | 'get'>) {}

	progress(uri: vscode.Uri, progress: DocumentProgress): void {
		// A single page has nothing to fill in as it goes.
		if (this.stoppedAll || progress.total <= 1) return;
		const key = uri.toString();
		const model = partialModel(uri, progress);
		const live = this.documents.get(key);
		if (!live) {
			this.documents.set(key, { latest: model, shownAt: Date.now(), timer: undefined });
			this.panels.show(model, { preserveFocus: true });
			return;
		}
		live.latest = model;
		if (live.timer) return;
		const wait = live.shownAt + UPDATE_INTERVAL_MS - Date.now();
		if (wait <= 0) {
			this.show(key, live);
			return;
		}
		live.timer = setTimeout(() => this.show(key, live), wait);
	}

	/** A document that ended without a result: its pages stay, with why it stopped. */
	stopped(report: ImageReport): void {
		const live = this.documents.get(report.uri);
		if (!live) return;
		const { pending: _pending, ...rest } = live.latest;
		const cancelled = report.status === 'cancelled';
		this.panels.show({
			...rest,
			imageError: {
				code: cancelled ? RpcCode.CANCELLED : RpcCode.UNKNOWN,
				message: cancelled
					? vscode.l10n.t('Cancelled after {0} of {1} pages. Run the command again to read the rest: the service\'s work is not started again.', live.latest.pending?.pages ?? 0, live.latest.pending?.of ?? 0)
					: report.error ?? vscode.l10n.t('The document could not be read.'),
				details: [],
			},
		}, { preserveFocus: true });
	}

	/** No more updates: the run is over (its results are shown by the caller). */
	stop(): void {
		this.stoppedAll = true;
		for (const live of this.documents.values()) clearTimeout(live.timer);
	}

	private show(key: string, live: Live): void {
		live.timer = undefined;
		if (this.stoppedAll || !this.documents.has(key)) return;
		live.shownAt = Date.now();
		this.panels.show(live.latest, { preserveFocus: true });
	}
}

function partialModel(uri: vscode.Uri, progress: DocumentProgress): ResultsModel {
	return {
		imageUri: uri.toString(),
		imageLabel: label(uri),
		features: [{ type: 'TEXT_DETECTION', model: progress.model, result: { textDetection: { pages: [...progress.pages], engine: 'ocr-api' } } }],
		analyzedAt: new Date().toISOString(),
		pending: {
			pages: progress.pages.length,
			of: progress.total,
			...progress.pages.length === 0 && progress.waitedMs !== undefined ? { waitedMs: progress.waitedMs } : {},
		},
	};
}
