/**
 * The view in the Panel listing the images of the latest batch, grouped by status with failures
 * first, counts in the view's description. During a run it refreshes a few times a second at
 * most, and only the groups whose members changed.
 */
import * as vscode from 'vscode';
import { BATCH_VIEW_ID, Commands } from '../commands/commandIds';
import { batchItemOf, BatchSummaryModel, initiallyExpanded, refreshInterval, runState, splitPath, type GroupNode, type ItemNode, type SummaryNode } from './summaryModel';
import type { BatchCounts, BatchItem, BatchObserver, BatchRun, BatchStatus } from './types';

export class BatchSummaryView implements vscode.Disposable, BatchObserver {
	private readonly emitter = new vscode.EventEmitter<SummaryNode | SummaryNode[] | undefined>();
	private readonly view: vscode.TreeView<SummaryNode>;
	private model: BatchSummaryModel | undefined;
	private timer: NodeJS.Timeout | undefined;
	private lastRefresh = 0;

	/**
	 * `openItem` is what opening an image does; the tree's items run the `yandexVision.openBatchItem`
	 * command with their BatchItem, so keyboard, mouse and keybindings all go one way.
	 */
	constructor(private readonly options: { openItem(item: BatchItem): void }) {
		this.view = vscode.window.createTreeView<SummaryNode>(BATCH_VIEW_ID, {
			treeDataProvider: {
				onDidChangeTreeData: this.emitter.event,
				getChildren: node => this.children(node),
				getTreeItem: node => (node.kind === 'group' ? this.groupItem(node) : this.itemItem(node)),
				getParent: node => this.model?.parent(node),
			},
			showCollapseAll: true,
		});
	}

	get current(): BatchRun | undefined {
		return this.model?.run;
	}

	changed(run: BatchRun, item?: BatchItem): void {
		if (this.model?.run !== run) {
			this.model = new BatchSummaryModel(run);
			this.refreshNow(true);
			return;
		}
		this.model.record(item);
		// The end of a run is shown at once: the counts are final.
		if (item === undefined) this.refreshNow();
		else this.scheduleRefresh();
	}

	/** Shows the view: the failed images when there are any, so "Show Failed" lands on them. */
	async reveal(): Promise<void> {
		const model = this.model;
		if (!model) return;
		this.refreshNow();
		const group = model.groups()[0];
		if (group) await this.view.reveal(group, { select: true, focus: true, expand: group.status === 'failed' });
	}

	/**
	 * Opens an image as a click does. For the view's context menus, whose commands are given the
	 * tree node rather than the BatchItem.
	 */
	open(target: unknown): void {
		const item = batchItemOf(target);
		if (item) this.options.openItem(item);
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.view.dispose();
		this.emitter.dispose();
	}

	private children(node: SummaryNode | undefined): SummaryNode[] {
		const model = this.model;
		if (!model) return [];
		if (node === undefined) return model.groups();
		return node.kind === 'group' ? model.children(node) : [];
	}

	private scheduleRefresh(): void {
		if (this.timer || !this.model) return;
		const wait = this.lastRefresh + refreshInterval(this.model.run.items.length) - Date.now();
		if (wait <= 0) {
			this.refreshNow();
			return;
		}
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.refreshNow();
		}, wait);
	}

	/** `all`: the whole tree, as when another run replaces the one shown. */
	private refreshNow(all = false): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.lastRefresh = Date.now();
		const model = this.model;
		if (!model) return;
		const counts = model.counts();
		this.view.description = countsText(counts);
		// On the Panel's tab, where the description is not shown: how many need a look.
		this.view.badge = counts.failed > 0 ? { value: counts.failed, tooltip: vscode.l10n.t('{0} failed', counts.failed) } : undefined;
		this.view.message = stateText(model.run, counts);
		const changes = model.takeChanges();
		if (all || changes.all) this.emitter.fire(undefined);
		else if (changes.nodes.length > 0) this.emitter.fire(changes.nodes);
	}

	private groupItem(node: GroupNode): vscode.TreeItem {
		const count = this.model?.counts()[node.status] ?? 0;
		const expanded = initiallyExpanded(node.status, this.model?.run.items.length ?? 0);
		const item = new vscode.TreeItem(groupLabel(node.status, count), expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
		item.id = node.id;
		item.iconPath = statusIcon(node.status);
		item.contextValue = `yandexVisionBatchGroup.${node.status}`;
		return item;
	}

	private itemItem(node: ItemNode): vscode.TreeItem {
		const { item, status } = node;
		const { name, folder } = splitPath(item.label);
		const treeItem = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
		treeItem.id = node.id;
		// File decorations (source control, problems) follow the file; the icon says the status.
		treeItem.resourceUri = vscode.Uri.parse(item.uri);
		treeItem.iconPath = statusIcon(status);
		const state = statusText(status);
		treeItem.description = folder === '' ? state : `${folder} · ${state}`;
		treeItem.tooltip = tooltip(item, status);
		treeItem.contextValue = `yandexVisionBatchItem.${status}`;
		treeItem.command = { command: Commands.openBatchItem, title: vscode.l10n.t('Open Result'), arguments: [item] };
		return treeItem;
	}
}

function groupLabel(status: BatchStatus, count: number): string {
	switch (status) {
		case 'failed':
			return vscode.l10n.t('Failed ({0})', count);
		case 'done':
			return vscode.l10n.t('Done ({0})', count);
		case 'cached':
			return vscode.l10n.t('From cache ({0})', count);
		case 'pending':
			return vscode.l10n.t('Waiting ({0})', count);
	}
}

function statusText(status: BatchStatus): string {
	switch (status) {
		case 'failed':
			return vscode.l10n.t('failed');
		case 'done':
			return vscode.l10n.t('analyzed');
		case 'cached':
			return vscode.l10n.t('from cache');
		case 'pending':
			return vscode.l10n.t('waiting');
	}
}

function statusIcon(status: BatchStatus): vscode.ThemeIcon {
	switch (status) {
		case 'failed':
			return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
		case 'done':
			return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
		case 'cached':
			return new vscode.ThemeIcon('database');
		case 'pending':
			return new vscode.ThemeIcon('loading~spin');
	}
}

function tooltip(item: BatchItem, status: BatchStatus): string {
	const lines = [item.label];
	switch (status) {
		case 'failed':
			lines.push(item.error ?? vscode.l10n.t('The image could not be analyzed'));
			break;
		case 'done':
			lines.push(vscode.l10n.t('Analyzed. Click to open the result.'));
			break;
		case 'cached':
			lines.push(vscode.l10n.t('Already analyzed: the result came from the result cache. Click to open it.'));
			break;
		case 'pending':
			lines.push(vscode.l10n.t('Waiting to be analyzed.'));
			break;
	}
	// A failed image's error names its request already.
	if (item.requestId && status !== 'failed') lines.push(vscode.l10n.t('Request ID: {0}', item.requestId));
	return lines.join('\n');
}

/** E.g. "27 done · 3 failed": only what there is. */
function countsText(counts: BatchCounts): string {
	return countParts(counts).join(' · ');
}

/** `27 done`, `3 failed`: the counts that are not zero, in the groups' order. */
export function countParts(counts: BatchCounts): string[] {
	const parts: string[] = [];
	if (counts.done > 0) parts.push(vscode.l10n.t('{0} done', counts.done));
	if (counts.cached > 0) parts.push(vscode.l10n.t('{0} from cache', counts.cached));
	if (counts.failed > 0) parts.push(vscode.l10n.t('{0} failed', counts.failed));
	if (counts.pending > 0) parts.push(vscode.l10n.t('{0} waiting', counts.pending));
	return parts;
}

function stateText(run: BatchRun, counts: BatchCounts): string {
	switch (runState(run)) {
		case 'running':
			return vscode.l10n.t('{0}: analyzing, {1} of {2} images', run.title, counts.total - counts.pending, counts.total);
		case 'cancelled':
			return vscode.l10n.t('{0}: cancelled', run.title);
		case 'finished':
			return vscode.l10n.t('{0}: {1} images', run.title, counts.total);
	}
}
