/**
 * A batch's results as files: JSON Lines (one normalized result per image), CSV (one row per
 * recognized line of text) or Markdown (a section per image). No `vscode` import: the caller
 * passes the translation function and reads results from the cache through `read`.
 *
 * Each format is produced one image at a time, so that a batch of thousands is written as it is
 * read and never held as one string. Every image of the run appears, also those that failed,
 * are still waiting, or whose result has left the cache since, each with a note saying so.
 */
import type { CachedResult } from '../cache/resultCache';
import { modelToMarkdown, type Translate } from './exportResults';
import { WORD_SEPARATOR } from '../results/text';
import type { FitView, FeatureView } from '../shared/protocol';
import type { TextAnnotation } from '../results/types';
import { compareLabels } from '../folderRuns/summaryModel';
import { countBatch, type BatchItem, type BatchRun, type BatchStatus } from '../folderRuns/types';

/** A cached result by key; undefined when it is no longer there. */
export type ResultReader = (key: string) => Promise<CachedResult | undefined>;

export type BatchExportFormat = 'jsonl' | 'csv' | 'markdown';

export const EXPORT_EXTENSIONS: Readonly<Record<BatchExportFormat, string>> = { jsonl: 'jsonl', csv: 'csv', markdown: 'md' };

/** `missing`: the image was analyzed, but its result is no longer in the cache (evicted, cleared, or the cache is off). */
export type ExportStatus = BatchStatus | 'missing';

/** One line of a JSON Lines export. */
export interface BatchRecord {
	/** Workspace-relative, as shown in the view. */
	path: string;
	uri: string;
	status: ExportStatus;
	/** Why there is no result: the failure, or a note for `missing` and `pending`. */
	error?: string;
	requestId?: string;
	analyzedAt?: string;
	fitted?: FitView;
	features?: FeatureView[];
}

const ENGLISH: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (match, i: string) => (args[Number(i)] === undefined ? match : String(args[Number(i)])));

/** Cache reads running ahead of the image being written. */
const READ_AHEAD = 8;

/** An image with what there is to export about it. */
interface Resolved {
	item: BatchItem;
	status: ExportStatus;
	result?: CachedResult;
	note?: string;
}

/** `yandex-vision-batch-2025-05-01-1530.jsonl`, in local time: sorts by date, never overwrites an earlier export of the day. */
export function exportFileName(format: BatchExportFormat, now: Date): string {
	const two = (n: number) => String(n).padStart(2, '0');
	const stamp = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}`;
	return `yandex-vision-batch-${stamp}.${EXPORT_EXTENSIONS[format]}`;
}

export async function* batchToJsonLines(run: BatchRun, read: ResultReader, t: Translate = ENGLISH): AsyncGenerator<string> {
	for await (const { item, status, result, note } of resolveItems(run, read, t)) {
		const requestId = result?.requestId ?? item.requestId;
		const record: BatchRecord = {
			path: item.label,
			uri: item.uri,
			status,
			...note !== undefined ? { error: note } : {},
			...requestId !== undefined ? { requestId } : {},
			...result ? { analyzedAt: result.analyzedAt, ...result.fitted ? { fitted: result.fitted } : {}, features: result.features } : {},
		};
		// JSON.stringify escapes line breaks inside strings, so each record stays on one line.
		yield `${JSON.stringify(record)}\n`;
	}
}

export const CSV_HEADER = ['path', 'page', 'block', 'line', 'text', 'confidence', 'status', 'note'] as const;

/**
 * RFC 4180 with CRLF line ends, after a byte order mark so that spreadsheets read non-Latin
 * text as UTF-8. Page, block and line count from 1. An image without text lines still has one
 * row, whose note says why.
 */
export async function* batchToCsv(run: BatchRun, read: ResultReader, t: Translate = ENGLISH): AsyncGenerator<string> {
	yield `\uFEFF${CSV_HEADER.join(',')}\r\n`;
	for await (const { item, status, result, note } of resolveItems(run, read, t)) {
		const row = (cells: { page?: number; block?: number; line?: number; text?: string; confidence?: number; note?: string }) => [
			csvText(item.label),
			cells.page === undefined ? '' : String(cells.page),
			cells.block === undefined ? '' : String(cells.block),
			cells.line === undefined ? '' : String(cells.line),
			csvText(cells.text ?? ''),
			cells.confidence === undefined ? '' : confidenceText(cells.confidence),
			status,
			csvText(cells.note ?? ''),
		].join(',') + '\r\n';
		if (!result) {
			yield row({ note: note ?? '' });
			continue;
		}
		const text = result.features.find(feature => feature.type === 'TEXT_DETECTION');
		if (!text) {
			yield row({ note: t('Text was not recognized in this batch.') });
		} else if (text.result.error) {
			yield row({ note: text.result.error.message || t('Text recognition failed.') });
		} else {
			const lines = textLines(text.result.textDetection);
			yield lines.length === 0 ? row({ note: t('No text found') }) : lines.map(row).join('');
		}
	}
}

/** A preamble naming the batch, then each image's results as the panel's Export writes them. */
export async function* batchToMarkdown(run: BatchRun, read: ResultReader, t: Translate = ENGLISH): AsyncGenerator<string> {
	const counts = countBatch(run);
	yield [
		t('Results of {0}, started {1}', escapeMarkdown(run.title), escapeMarkdown(run.startedAt)),
		t('{0} images: {1} done, {2} from cache, {3} failed', counts.total, counts.done, counts.cached, counts.failed),
	].join('\\\n') + '\n';
	for await (const { item, result, note, status } of resolveItems(run, read, t)) {
		if (result) {
			yield `\n${modelToMarkdown({ imageUri: item.uri, imageLabel: item.label, ...result }, t)}`;
			continue;
		}
		const heading = modelToMarkdown({ imageUri: item.uri, imageLabel: item.label, features: [], analyzedAt: '' }, t);
		const lines = status === 'failed' ? [`**${escapeMarkdown(t('The image could not be analyzed'))}**`] : [];
		if (note !== undefined) lines.push(escapeMarkdown(note));
		yield `\n${heading}\n${lines.map(line => `> ${line}`).join('\\\n')}\n`;
	}
}

/**
 * A text cell: quoted when it holds a separator, quote or line break, and, when it starts like a
 * formula (`=`, `+`, `-`, `@`, tab, carriage return), prefixed with `'` so that a spreadsheet
 * shows it instead of running it.
 */
export function csvText(value: string): string {
	const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return guarded !== value || /[",;\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** The recognized lines with text, in reading order, numbered from 1. */
function textLines(annotation: TextAnnotation | undefined): { page: number; block: number; line: number; text: string; confidence: number | undefined }[] {
	const rows: { page: number; block: number; line: number; text: string; confidence: number | undefined }[] = [];
	annotation?.pages.forEach((page, p) => page.blocks.forEach((block, b) => block.lines.forEach((line, l) => {
		// The words that the panel and the plain text show: empty ones are skipped everywhere.
		const text = line.words.filter(word => word.text.trim() !== '').map(word => word.text).join(WORD_SEPARATOR);
		if (text !== '') rows.push({ page: p + 1, block: b + 1, line: l + 1, text, confidence: line.confidence });
	})));
	return rows;
}

/** Empty where the engine gives no confidence (the OCR API). */
function confidenceText(confidence: number | undefined): string {
	return confidence !== undefined && Number.isFinite(confidence) ? String(Number(confidence.toFixed(4))) : '';
}

/**
 * The run's images sorted by path, each with its cached result or the reason there is none.
 * Reads run a few images ahead of the one being written, in order.
 */
async function* resolveItems(run: BatchRun, read: ResultReader, t: Translate): AsyncGenerator<Resolved> {
	const items = [...run.items].sort(compareLabels);
	const pending: Promise<Resolved>[] = [];
	let next = 0;
	while (next < items.length || pending.length > 0) {
		while (next < items.length && pending.length < READ_AHEAD) pending.push(resolveItem(items[next++]!, read, t));
		yield await pending.shift()!;
	}
}

async function resolveItem(item: BatchItem, read: ResultReader, t: Translate): Promise<Resolved> {
	switch (item.status) {
		case 'failed':
			return { item, status: 'failed', note: item.error ?? t('The image could not be analyzed') };
		case 'pending':
			return { item, status: 'pending', note: t('Not analyzed yet: the batch is still running.') };
		case 'done':
		case 'cached':
			break;
	}
	const missing: Resolved = { item, status: 'missing', note: t('The result is no longer in the result cache. Analyze the image again to export it.') };
	if (item.cacheKey === undefined) return missing;
	try {
		const result = await read(item.cacheKey);
		return result ? { item, status: item.status, result } : missing;
	} catch (err) {
		return { item, status: 'missing', note: t('The result could not be read from the result cache: {0}', err instanceof Error ? err.message : String(err)) };
	}
}

/** Text from the batch or the service, shown as itself in Markdown: nothing in it becomes markup. */
function escapeMarkdown(text: string): string {
	return text
		.replace(/\s+/g, ' ')
		.trim()
		.replace(/[\\`*_[\]<>&|~$]/g, '\\$&')
		.replace(/^[#+=-]/, '\\$&')
		.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}
