/**
 * What the batch summary view shows, without VS Code: one group per status ("Failed (3)",
 * "Done (27)", …) in an order that puts failures first, the images of each group sorted by path,
 * and which nodes a change makes stale, so that a run of thousands refreshes only the groups
 * whose members changed.
 *
 * Tree ids carry the status: an image moving from "Waiting" to "Done" becomes a new node with a
 * new id, so VS Code never sees one id under two parents while both groups are being refreshed.
 */
import { countBatch, type BatchCounts, type BatchItem, type BatchRun, type BatchStatus } from './types';

/** Failed first, where they need attention; what is still waiting last. */
export const GROUP_ORDER: readonly BatchStatus[] = ['failed', 'done', 'cached', 'pending'];

export interface GroupNode {
	kind: 'group';
	/** Unique in the view, stable for the run: keeps the group's expanded state across refreshes. */
	id: string;
	status: BatchStatus;
}

export interface ItemNode {
	kind: 'item';
	id: string;
	/** The group it is listed in: the status last recorded, which the live item may have left already. */
	status: BatchStatus;
	item: BatchItem;
}

export type SummaryNode = GroupNode | ItemNode;

/** What to tell the tree: everything, or only these nodes (each with its children). */
export interface SummaryChanges {
	all: boolean;
	nodes: SummaryNode[];
}

/**
 * The image a command was given: a BatchItem (a click on an image runs the open command with it)
 * or a node of the view (what VS Code passes to commands of the view's context menus).
 */
export function batchItemOf(value: unknown): BatchItem | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const node = value as { kind?: unknown; item?: unknown };
	return node.kind === 'item' ? batchItemOf(node.item) : isBatchItem(value) ? value : undefined;
}

function isBatchItem(value: object): value is BatchItem {
	const item = value as Partial<Record<keyof BatchItem, unknown>>;
	return typeof item.uri === 'string' && typeof item.label === 'string'
		&& (item.status === 'pending' || item.status === 'done' || item.status === 'cached' || item.status === 'failed');
}

/** Paths compared as people sort them: `scan2` before `scan10`, case ignored. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareLabels(a: BatchItem, b: BatchItem): number {
	return collator.compare(a.label, b.label) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

/** A workspace-relative path as file name and folder (`''` at the root). */
export function splitPath(label: string): { name: string; folder: string } {
	const cut = Math.max(label.lastIndexOf('/'), label.lastIndexOf('\\'));
	return cut < 0 ? { name: label, folder: '' } : { name: label.slice(cut + 1), folder: label.slice(0, cut) };
}

/**
 * Milliseconds between refreshes during a run: at most 5 per second, fewer for large runs, where
 * an expanded group of thousands is sent to the tree again on each refresh.
 */
export function refreshInterval(total: number): number {
	return Math.min(1000, Math.max(200, Math.round(total / 5)));
}

/**
 * Whether a group starts expanded: failures always; done and cached images while a run is small
 * enough to read through; the waiting list never, it only empties.
 */
export function initiallyExpanded(status: BatchStatus, total: number): boolean {
	switch (status) {
		case 'failed':
			return true;
		case 'done':
		case 'cached':
			return total <= 100;
		case 'pending':
			return false;
	}
}

export type RunState = 'running' | 'finished' | 'cancelled';

export function runState(run: BatchRun): RunState {
	if (run.finishedAt === undefined) return 'running';
	return run.cancelled ? 'cancelled' : 'finished';
}

export class BatchSummaryModel {
	/** The run's items by path, sorted once: a run's list of images never changes, only their statuses. */
	private readonly sorted: readonly BatchItem[];
	private readonly indexOf = new Map<BatchItem, number>();
	/** Each item's status as last recorded: what groups and counts show until the next refresh. */
	private readonly recorded = new Map<BatchItem, BatchStatus>();
	private readonly groupNodes: ReadonlyMap<BatchStatus, GroupNode>;
	private readonly itemNodes = new Map<BatchItem, ItemNode>();
	private counted: BatchCounts;

	private dirtyAll = false;
	private readonly dirtyGroups = new Set<BatchStatus>();
	private readonly dirtyItems = new Set<BatchItem>();

	constructor(readonly run: BatchRun) {
		run.items.forEach((item, index) => {
			this.indexOf.set(item, index);
			this.recorded.set(item, item.status);
		});
		this.sorted = [...run.items].sort(compareLabels);
		this.groupNodes = new Map(GROUP_ORDER.map(status => [status, { kind: 'group', id: `batch-${run.id}/${status}`, status }]));
		this.counted = countBatch(run);
	}

	/** Counts as recorded, matching the groups shown. */
	counts(): BatchCounts {
		return { ...this.counted };
	}

	/** The groups that have images, in GROUP_ORDER. */
	groups(): GroupNode[] {
		return GROUP_ORDER.filter(status => this.counted[status] > 0).map(status => this.group(status));
	}

	group(status: BatchStatus): GroupNode {
		return this.groupNodes.get(status)!;
	}

	children(group: GroupNode): ItemNode[] {
		const nodes: ItemNode[] = [];
		for (const item of this.sorted) {
			if (this.recorded.get(item) === group.status) nodes.push(this.node(item));
		}
		return nodes;
	}

	parent(node: SummaryNode): GroupNode | undefined {
		return node.kind === 'item' ? this.group(node.status) : undefined;
	}

	/** The node listing `item` in its recorded group; a new one once it has moved. */
	node(item: BatchItem): ItemNode {
		const status = this.recorded.get(item) ?? item.status;
		const existing = this.itemNodes.get(item);
		if (existing && existing.status === status) return existing;
		const created: ItemNode = { kind: 'item', id: `batch-${this.run.id}/${status}/${this.indexOf.get(item) ?? -1}`, status, item };
		this.itemNodes.set(item, created);
		return created;
	}

	/**
	 * Records a change: `item`'s new state, or with no item any number of items (a run restarting
	 * its failed images, or finishing).
	 */
	record(item?: BatchItem): void {
		if (item === undefined) {
			for (const each of this.run.items) this.recordItem(each, false);
		} else if (this.recorded.has(item)) {
			this.recordItem(item, true);
		}
	}

	/** What changed since the last call, for one refresh of the tree. */
	takeChanges(): SummaryChanges {
		const changes: SummaryChanges = this.dirtyAll
			? { all: true, nodes: [] }
			: {
				all: false,
				nodes: [
					...GROUP_ORDER.filter(status => this.dirtyGroups.has(status)).map(status => this.group(status)),
					// Items in a refreshed group come along with it.
					...[...this.dirtyItems].filter(item => !this.dirtyGroups.has(this.recorded.get(item)!)).map(item => this.node(item)),
				],
			};
		this.dirtyAll = false;
		this.dirtyGroups.clear();
		this.dirtyItems.clear();
		return changes;
	}

	hasChanges(): boolean {
		return this.dirtyAll || this.dirtyGroups.size > 0 || this.dirtyItems.size > 0;
	}

	private recordItem(item: BatchItem, told: boolean): void {
		const before = this.recorded.get(item)!;
		const after = item.status;
		if (before === after) {
			// Same group, new details (a retried image failing again with another reason).
			if (told) this.dirtyItems.add(item);
			return;
		}
		this.recorded.set(item, after);
		this.counted[before]--;
		this.counted[after]++;
		// A group appearing or disappearing changes the root's children.
		if (this.counted[before] === 0 || this.counted[after] === 1) this.dirtyAll = true;
		this.dirtyGroups.add(before);
		this.dirtyGroups.add(after);
	}
}
