import * as assert from 'node:assert/strict';
import {
	batchItemOf,
	BatchSummaryModel,
	GROUP_ORDER,
	initiallyExpanded,
	refreshInterval,
	runState,
	splitPath,
	type GroupNode,
	type SummaryNode,
} from '../../src/folderRuns/summaryModel';
import type { BatchItem, BatchRun, BatchStatus } from '../../src/folderRuns/types';

function item(label: string, status: BatchStatus = 'pending', extra: Partial<BatchItem> = {}): BatchItem {
	return { uri: `file:///work/${label}`, label, status, ...extra };
}

function run(items: BatchItem[], extra: Partial<BatchRun> = {}): BatchRun {
	return { id: 7, title: 'scans', kinds: ['text'], startedAt: '2025-05-01T10:00:00.000Z', cancelled: false, items, ...extra };
}

/** What a user reads in the tree: group → file labels. */
function shown(model: BatchSummaryModel): Record<string, string[]> {
	return Object.fromEntries(model.groups().map(group => [group.status, model.children(group).map(node => node.item.label)]));
}

function allNodes(model: BatchSummaryModel): SummaryNode[] {
	return model.groups().flatMap((group): SummaryNode[] => [group, ...model.children(group)]);
}

function describeChanges(model: BatchSummaryModel): string[] | 'all' {
	const changes = model.takeChanges();
	return changes.all ? 'all' : changes.nodes.map(node => (node.kind === 'group' ? `group:${node.status}` : `item:${node.item.label}`));
}

describe('the batch summary model', () => {
	it('groups images by status with failures first, leaving out empty groups', () => {
		const model = new BatchSummaryModel(run([
			item('a.png', 'done'),
			item('b.png', 'failed', { error: 'b.png: Error 8 RESOURCE_EXHAUSTED' }),
			item('c.png', 'pending'),
			item('d.png', 'done'),
		]));
		assert.deepEqual(GROUP_ORDER, ['failed', 'done', 'cached', 'pending']);
		assert.deepEqual(shown(model), { failed: ['b.png'], done: ['a.png', 'd.png'], pending: ['c.png'] });
		assert.deepEqual(model.counts(), { total: 4, pending: 1, done: 2, cached: 0, failed: 1 });
	});

	it('sorts each group by path as people do: scan2 before scan10, case ignored', () => {
		const model = new BatchSummaryModel(run([item('scan10.png'), item('Scan3.png'), item('scan2.png'), item('docs/a.png')]));
		assert.deepEqual(shown(model).pending, ['docs/a.png', 'scan2.png', 'Scan3.png', 'scan10.png']);
	});

	it('moves an image to its new group and counts it there once recorded', () => {
		const images = [item('a.png'), item('b.png'), item('c.png')];
		const model = new BatchSummaryModel(run(images));
		model.takeChanges();
		images[1]!.status = 'done';
		// Not shown until recorded, so that the counts and groups the tree has agree.
		assert.deepEqual(shown(model), { pending: ['a.png', 'b.png', 'c.png'] });
		model.record(images[1]);
		assert.deepEqual(shown(model), { done: ['b.png'], pending: ['a.png', 'c.png'] });
		assert.equal(model.counts().done, 1);
		assert.equal(model.counts().pending, 2);
	});

	it('gives a moved image a new node and id, so one id is never under two groups', () => {
		const images = [item('a.png'), item('b.png')];
		const model = new BatchSummaryModel(run(images));
		const before = model.node(images[0]!);
		images[0]!.status = 'failed';
		model.record(images[0]);
		const after = model.node(images[0]!);
		assert.notEqual(after, before);
		assert.notEqual(after.id, before.id);
		assert.equal(model.parent(after), model.group('failed'));
		assert.equal(model.node(images[0]!), after, 'the same node while the image stays in its group');
		const ids = allNodes(model).map(node => node.id);
		assert.equal(new Set(ids).size, ids.length);
	});

	it('refreshes only the groups whose members changed, however many images changed', () => {
		const images = Array.from({ length: 5000 }, (_, i) => item(`img${i}.png`));
		const model = new BatchSummaryModel(run(images));
		images[0]!.status = 'done';
		model.record(images[0]);
		assert.equal(describeChanges(model), 'all', 'a group appearing changes the root');
		for (const image of images.slice(1, 3000)) {
			image.status = 'done';
			model.record(image);
		}
		assert.deepEqual(describeChanges(model), ['group:done', 'group:pending']);
		assert.deepEqual(describeChanges(model), [], 'nothing left after a refresh');
		assert.equal(model.hasChanges(), false);
	});

	it('refreshes a single image whose details changed within its group', () => {
		const images = [item('a.png', 'failed', { error: 'first reason' }), item('b.png', 'failed')];
		const model = new BatchSummaryModel(run(images));
		images[0]!.error = 'second reason';
		model.record(images[0]);
		assert.deepEqual(describeChanges(model), ['item:a.png']);
	});

	it('refreshes nothing when a run finishes without any image changing', () => {
		const images = Array.from({ length: 100 }, (_, i) => item(`img${i}.png`, 'done'));
		const r = run(images);
		const model = new BatchSummaryModel(r);
		r.finishedAt = '2025-05-01T10:05:00.000Z';
		model.record();
		assert.deepEqual(describeChanges(model), []);
		assert.equal(runState(r), 'finished');
	});

	it('picks up images reset for a retry when told about the whole run', () => {
		const images = [item('a.png', 'failed'), item('b.png', 'done'), item('c.png', 'failed')];
		const model = new BatchSummaryModel(run(images));
		for (const image of images) if (image.status === 'failed') image.status = 'pending';
		model.record();
		assert.equal(describeChanges(model), 'all', 'the failed group disappears and a waiting one appears');
		assert.deepEqual(shown(model), { done: ['b.png'], pending: ['a.png', 'c.png'] });
	});

	it('ignores images of another run', () => {
		const model = new BatchSummaryModel(run([item('a.png')]));
		model.record(item('a.png', 'done'));
		assert.deepEqual(shown(model), { pending: ['a.png'] });
		assert.equal(model.hasChanges(), false);
	});

	it('gives groups ids that stay the same through a run, so they keep their expanded state', () => {
		const images = [item('a.png')];
		const model = new BatchSummaryModel(run(images));
		const group: GroupNode = model.group('pending');
		images[0]!.status = 'done';
		model.record(images[0]);
		images[0]!.status = 'pending';
		model.record(images[0]);
		assert.equal(model.groups()[0], group);
		assert.equal(group.id, 'batch-7/pending');
	});
});

describe('the batch summary view’s wording helpers', () => {
	it('splits a workspace-relative path into the file name and its folder', () => {
		assert.deepEqual(splitPath('docs/scans/page 1.png'), { name: 'page 1.png', folder: 'docs/scans' });
		assert.deepEqual(splitPath('cover.jpg'), { name: 'cover.jpg', folder: '' });
		assert.deepEqual(splitPath('C:\\other\\x.png'), { name: 'x.png', folder: 'C:\\other' });
	});

	it('refreshes at most 5 times a second, less often for thousands of images', () => {
		for (const total of [1, 412, 1000, 5000, 100000]) assert.ok(refreshInterval(total) >= 200, `${total} images`);
		assert.equal(refreshInterval(412), 200);
		assert.equal(refreshInterval(5000), 1000);
		assert.equal(refreshInterval(100000), 1000, 'still updates every second');
	});

	it('opens failures always, results of small runs, and never the waiting list', () => {
		assert.equal(initiallyExpanded('failed', 5000), true);
		assert.equal(initiallyExpanded('done', 12), true);
		assert.equal(initiallyExpanded('cached', 12), true);
		assert.equal(initiallyExpanded('done', 412), false);
		assert.equal(initiallyExpanded('pending', 3), false);
	});

	it('tells a running, a finished and a cancelled run apart', () => {
		assert.equal(runState(run([])), 'running');
		assert.equal(runState(run([], { finishedAt: '2025-05-01T10:05:00.000Z' })), 'finished');
		assert.equal(runState(run([], { finishedAt: '2025-05-01T10:05:00.000Z', cancelled: true })), 'cancelled');
	});

	it('finds the image in what a click or a context menu passes to a command', () => {
		const image = item('a.png', 'failed');
		const model = new BatchSummaryModel(run([image]));
		assert.equal(batchItemOf(image), image);
		assert.equal(batchItemOf(model.node(image)), image);
		assert.equal(batchItemOf(model.group('failed')), undefined);
		assert.equal(batchItemOf({ uri: 'file:///x', label: 'x', status: 'exploded' }), undefined);
		assert.equal(batchItemOf('file:///x'), undefined);
		assert.equal(batchItemOf(null), undefined);
	});
});
