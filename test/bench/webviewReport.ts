/** The webview bench's measurements as a Markdown report. */
import type { MachineInfo } from './bench';
import { integer, ms, ratio, table } from './markdown';
import type { EventTiming, FrameSample, HoverSample, LongFrame, RenderSample } from './pageProbe';
import { summarize, type Summary } from './stats';
import type { FramePhases } from './traceBreakdown';

export interface CpuTime {
	scriptMs: number;
	styleMs: number;
	layoutMs: number;
	taskMs: number;
}

export interface RenderCase {
	label: string;
	blocks: number;
	words: number;
	image: { width: number; height: number };
}

export interface RenderRun {
	sample: RenderSample;
	/** Main-thread time from CDP over the render, up to the frame after it. */
	cpu: CpuTime;
	imageMs: number | undefined;
	longFrames: LongFrame[];
}

export interface HoverSeries {
	label: string;
	samples: HoverSample[];
	/** The pointer did not raise `pointerover` within the timeout. */
	missed: number;
	/** It did, but over another element than the one aimed at. */
	offTarget: number;
	/** Main-thread time from CDP over every mouse move of the series, warm-ups included; see `moves`. */
	cpu: CpuTime;
	moves: number;
	/** Chrome's own Event Timing for the same inputs; only entries of 16 ms or more exist. */
	eventTimings: EventTiming[];
	longFrames: LongFrame[];
}

export interface TracedPass {
	render: (FramePhases | undefined)[];
	hover: FramePhases[][];
}

export interface WebviewResults {
	machine: MachineInfo;
	chromium: string;
	viewport: { width: number; height: number };
	page: { width: number; height: number; linesPerBlock: number; wordsPerLine: number };
	targets: { renderMs: number; hoverMs: number };
	warmUpHovers: number;
	rounds: number;
	/** The first two cases are the ones hovered. */
	cases: RenderCase[];
	renders: RenderRun[][];
	bareFrames: FrameSample[];
	/** One per hovered case, then the hover over no word on the first case's page. */
	hovers: HoverSeries[];
	traced: TracedPass;
	supportedEntryTypes: string[];
}

export function webviewReport(r: WebviewResults): string {
	const [big, small, bigSmallImage] = r.cases;
	const render = r.renders.map(runs => summarize(runs.map(run => run.sample.paintedMs)));
	const renderNext = r.renders.map(runs => summarize(runs.map(run => run.sample.nextFrameMs)));
	const bare = summarize(r.bareFrames.map(f => f.paintedMs));
	const hover = r.hovers.map(s => s.samples.length > 0 ? summarize(s.samples.map(h => h.paintedMs)) : undefined);
	const { renderMs, hoverMs } = r.targets;

	const verdict = (s: Summary | undefined, target: number): string => s ? `${s.median <= target ? 'met' : 'not met'} / ${s.p95 <= target ? 'met' : 'not met'}` : 'no samples';
	const row = (what: string, result: string, s: Summary | undefined, target: number | undefined): string[] => [
		what, result, s ? String(s.n) : '0', ms(s?.median), ms(s?.p95), s ? `${ms(s.min)} – ${ms(s.max)}` : '–',
		target === undefined ? 'baseline' : `≤ ${target} ms`, target === undefined ? '–' : verdict(s, target),
	];
	const withImage = (c: RenderCase): string => `${c.label}, ${c.image.width}×${c.image.height} image`;
	const measurements = table(
		['Measurement', 'Result', 'n', 'Median', 'p95', 'Min – max', 'Target', 'Met (median / p95)'],
		[
			row('Render: `init` posted → overlay painted', withImage(big), render[0], renderMs),
			row('Render: `init` posted → overlay painted', withImage(small), render[1], undefined),
			row('Render: `init` posted → overlay painted', withImage(bigSmallImage), render[2], undefined),
			row('Render: `init` posted → the frame after it begins (double rAF)', withImage(big), renderNext[0], renderMs),
			row('Bare frame: nothing changed → painted', `idle page, ${big.label}`, bare, undefined),
			row('Hover: pointer enters a word → highlight and tooltip painted', big.label, hover[0], hoverMs),
			row('Hover: pointer enters a word → highlight and tooltip painted', small.label, hover[1], undefined),
			row('Hover on no word: pointer enters header text → painted', big.label, hover[2], undefined),
		],
		['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
	);

	const m = (a: Summary | undefined): number => a?.median ?? Number.NaN;
	const ratios = table(
		['Side by side (medians of this run)', 'Value'],
		[
			[`Render: ${big.label} ÷ ${small.label}`, ratio(m(render[0]), m(render[1]))],
			[`Render: ${big.label} − ${small.label}`, ms(m(render[0]) - m(render[1]))],
			[`Render: ${big.label} ÷ bare frame`, ratio(m(render[0]), bare.median)],
			[`Render: ${big.image.width}×${big.image.height} ÷ ${bigSmallImage.image.width}×${bigSmallImage.image.height} image (${big.label})`, ratio(m(render[0]), m(render[2]))],
			[`Hover: ${big.label} ÷ ${small.label}`, ratio(m(hover[0]), m(hover[1]))],
			[`Hover: ${big.label} ÷ no word`, ratio(m(hover[0]), m(hover[2]))],
			[`Hover: ${big.label} − no word`, ms(m(hover[0]) - m(hover[2]))],
		],
		['l', 'r'],
	);

	const median = (values: readonly number[]): number => values.length > 0 ? summarize(values).median : Number.NaN;
	const renderColumn = (runs: readonly RenderRun[]): string[] => {
		const ends = runs.filter(run => run.longFrames.length > 0)
			.map(run => Math.max(...run.longFrames.map(f => f.startTime + f.duration)) - run.sample.startedAt);
		return [
			ms(median(runs.map(run => run.sample.deliveryMs))),
			ms(median(runs.map(run => run.sample.handlerMs))),
			'–',
			ms(median(runs.map(run => run.sample.nextFrameMs))),
			ms(median(runs.map(run => run.cpu.scriptMs))),
			ms(median(runs.map(run => run.cpu.styleMs))),
			ms(median(runs.map(run => run.cpu.layoutMs))),
			ms(median(runs.map(run => run.cpu.taskMs))),
			`${ends.length} of ${runs.length} runs${ends.length > 0 ? `; it ends at ${ms(median(ends))}` : ''}`,
			'–',
			ms(median(runs.flatMap(run => run.imageMs === undefined ? [] : [run.imageMs]))),
		];
	};
	const hoverColumn = (s: HoverSeries): string[] => {
		const timed = new Set(s.eventTimings.map(e => e.startTime.toFixed(1)));
		const longest = s.eventTimings.reduce((max, e) => Math.max(max, e.duration), 0);
		const perMove = (totalMs: number): string => s.moves > 0 ? ms(totalMs / s.moves) : '–';
		return [
			'–',
			ms(median(s.samples.map(h => h.handlerMs))),
			ms(median(s.samples.map(h => h.queuedMs))),
			ms(median(s.samples.map(h => h.nextFrameMs))),
			perMove(s.cpu.scriptMs),
			perMove(s.cpu.styleMs),
			perMove(s.cpu.layoutMs),
			perMove(s.cpu.taskMs),
			`${s.longFrames.length} frames${s.longFrames.length > 0 ? `, longest ${ms(Math.max(...s.longFrames.map(f => f.duration)))}` : ''}`,
			`${timed.size} of ${s.samples.length}${timed.size > 0 ? `, longest ${ms(longest)}` : ''}`,
			'–',
		];
	};
	const breakdown = table(
		['In the page and from CDP (medians)', `Render ${big.label}`, `Render ${small.label}`, `Render ${big.label}, small image`, `Hover ${big.label}`, `Hover ${small.label}`, 'Hover on no word'],
		[
			'Delivery: `init` posted → first `message` listener (structured clone, queue)',
			'The panel\'s listeners (`message`; `pointerover`)',
			'Input queue: event timestamp → first listener',
			'Until the following frame begins (double rAF)',
			'CPU, script (CDP, per run / per hover)',
			'CPU, style (CDP)',
			'CPU, layout (CDP)',
			'CPU, all main-thread tasks (CDP)',
			'Long animation frames over 50 ms (LoAF)',
			`Event Timing: hovers at ≥ ${hoverMs} ms from input to next paint`,
			'Page image loaded and decoded (not part of the overlay)',
		].map((label, i) => [label, ...[...r.renders.map(renderColumn), ...r.hovers.map(hoverColumn)].map(column => column[i])]),
		['l', 'r', 'r', 'r', 'r', 'r', 'r'],
	);

	const phaseMedian = (phases: readonly (FramePhases | undefined)[], key: keyof FramePhases): string => {
		const values = phases.flatMap(p => p === undefined ? [] : [p[key]]);
		return values.length > 0 ? ms(summarize(values).median) : '–';
	};
	const phaseColumns = [...r.traced.render.map(p => [p]), ...r.traced.hover];
	const phases: [keyof FramePhases, string][] = [
		['scriptMs', 'Script: the panel\'s listeners, less forced style and layout'],
		['styleMs', 'Style recalculation'],
		['layoutMs', 'Layout'],
		['paintMs', 'Pre-paint and paint (recording)'],
		['compositeMs', 'Layerize and commit'],
		['rasterMs', 'Raster on worker threads, images decoded there (until the next frame)'],
	];
	const traced = table(
		[`Traced pass (one render, ${r.traced.hover[0]?.length ?? 0} hovers; medians)`, `Render ${big.label}`, `Render ${small.label}`, `Hover ${big.label}`, `Hover ${small.label}`],
		phases.map(([key, label]) => [label, ...phaseColumns.map(column => phaseMedian(column, key))]),
		['l', 'r', 'r', 'r', 'r'],
	);

	const anomalies = r.hovers.flatMap(s => [
		s.missed > 0 ? `${s.label}: ${s.missed} moves raised no \`pointerover\` in time and were left out.` : '',
		s.offTarget > 0 ? `${s.label}: ${s.offTarget} moves landed on another element and were left out.` : '',
		s.samples.some(h => h.applied === false) ? `${s.label}: ${s.samples.filter(h => h.applied === false).length} hovers were painted without the highlight or tooltip in place.` : '',
	]).filter(line => line !== '');
	const { machine } = r;
	const runs = r.renders[0].length;

	return [
		'## Webview: results overlay',
		'',
		`Chromium ${r.chromium} (headless, software rendering), ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; `
		+ `load average ${machine.loadAverage.join(' / ')} when the run started. Viewport ${r.viewport.width}×${r.viewport.height} at 1×.`,
		'',
		`The result: ${integer(big.words)} words (${big.blocks} blocks × ${r.page.linesPerBlock} lines × ${r.page.wordsPerLine} words, Latin and Cyrillic, seeded) on a `
		+ `${r.page.width}×${r.page.height} page; the baseline is the first ${small.blocks} blocks (${integer(small.words)} words) of the same page. `
		+ `Renders: a fresh page each run, the cases alternating, one warm-up run each, ${runs} measured. `
		+ `Hovers: real mouse input over distinct on-screen words, the series alternating in ${r.rounds} rounds after ${r.warmUpHovers} warm-up hovers. `
		+ `p95 is nearest-rank: with ${runs} runs it is the slowest.`,
		'',
		measurements,
		'',
		ratios,
		'',
		breakdown,
		'',
		traced,
		'',
		'How to read it:',
		'- **Painted**: the browser has run style, layout and paint for the first frame that contains the change and handed it to the compositor: '
		+ 'observed as a `requestAnimationFrame` callback followed by a task posted from it, which runs only after that frame\'s main-thread work. '
		+ 'Rasterizing and showing the frame happen on other threads afterwards. The **double rAF** reading waits for the following frame to begin: '
		+ 'one more vsync at least, and for a render also the rasterizing of the first frame, which here includes decoding the page image '
		+ '(compare the small-image case).',
		'- **Render** starts when the page posts the `init` message to its own window, as VS Code delivers it (structured clone, then a `message` task), '
		+ 'and ends when every word polygon exists and that frame is painted. The page image loads in parallel and is not waited for.',
		'- **Hover** starts in the first `pointerover` listener (window, capture phase) of a real mouse move onto a word polygon and ends when the frame '
		+ 'with the word highlighted in the overlay and in the text, and its tooltip filled in, is painted; every hover is checked for that. '
		+ 'Pointer input waits in the input queue for the next frame first (the input queue row); that wait is the browser\'s, not the panel\'s.',
		'- **Bare frame** is the same end point from an idle page with nothing changed, the floor under the render figure; '
		+ '**hover on no word** is the same input path with nothing for the panel to do, the floor under the hover figure.',
		'- CDP rows are the browser\'s main-thread accounting (Performance.getMetrics), per render run or averaged per mouse move. '
		+ `Event Timing has entries only for events of ${hoverMs} ms or more, from the input\'s timestamp to the next presented frame, so it includes the input queue; `
		+ `Long Animation Frames only for frames over 50 ms. Available in this browser: ${['event', 'long-animation-frame'].map(t => `${t} ${r.supportedEntryTypes.includes(t) ? 'yes' : 'no'}`).join(', ')}. `
		+ 'The traced pass is a separate, slower run under Chrome tracing: read it as proportions.',
		'- The targets are marked from this run\'s numbers, for reading only: the bench never passes or fails.',
		...(anomalies.length > 0 ? ['', 'Anomalies:', ...anomalies.map(a => `- ${a}`)] : []),
		'',
	].join('\n');
}
