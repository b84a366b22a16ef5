/**
 * The results overlay in Chromium: how long a 2,000-word OCR result takes from arriving to being
 * painted, and how long a hover over one of its words takes to show. Everything is measured side
 * by side in one run, interleaved, with baselines (a 200-word result, the same result with a small
 * page image, a frame with no work, a hover over no word), because on a shared 2-core machine
 * only such comparisons hold still.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { InitPayload, ToWebview } from '../../src/shared/protocol';
import { mulberry32 } from '../support/random';
import { buildWebviewBundle, openWebviewPage, READY_REQUEST_ID, startWebviewServer, type WebviewAsset } from '../support/webviewPage';
import { launchChromium } from '../tools/chromium';
import type { Bench, BenchContext, BenchReport } from './bench';
import { benchProbeScript, type BenchProbe, type FrameSample } from './pageProbe';
import { blankPagePng, LINES_PER_BLOCK, MAX_BLOCKS, PAGE_HEIGHT, PAGE_WIDTH, syntheticOcr, WORDS_PER_LINE } from './syntheticOcr';
import { hoverPhases, parseTrace, renderPhases, TRACE_CATEGORIES } from './traceBreakdown';
import { webviewReport, type CpuTime, type HoverSeries, type RenderCase, type RenderRun, type TracedPass, type WebviewResults } from './webviewReport';

const VIEWPORT = { width: 1280, height: 800 };
const RENDER_RUNS = 12;
const HOVERS = 60;
const ROUNDS = 6;
const WARM_UP_HOVERS = 3;
const TRACED_HOVERS = 10;
const HOVER_TIMEOUT_MS = 2_000;
const TARGETS = { renderMs: 100, hoverMs: 16 };
const SMALL_IMAGE = { width: PAGE_WIDTH / 10, height: PAGE_HEIGHT / 10 };

type WithProbe = { __bench: BenchProbe };

interface Case extends RenderCase {
	message: ToWebview;
}

interface Target {
	x: number;
	y: number;
	word: number | undefined;
}

/** Opens the panel in a new page of a context, with the timing probe installed. */
type OpenPage = (context: BrowserContext) => Promise<Page>;

export const bench: Bench = { name: 'webview', run };

async function run(context: BenchContext): Promise<BenchReport> {
	const images = [{ width: PAGE_WIDTH, height: PAGE_HEIGHT }, SMALL_IMAGE];
	const imagePath = (image: { width: number; height: number }): string => `/media/page-${image.width}x${image.height}.png`;
	const cases = [
		renderCase('2,000 words', MAX_BLOCKS, images[0], imagePath(images[0])),
		renderCase('200 words', MAX_BLOCKS / 10, images[0], imagePath(images[0])),
		renderCase('2,000 words', MAX_BLOCKS, images[1], imagePath(images[1])),
	];
	const assets = new Map<string, WebviewAsset>(images.map(image => [imagePath(image), { contentType: 'image/png', body: blankPagePng(image.width, image.height) }]));

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-webview-'));
	const cleanups: (() => Promise<void>)[] = [];
	try {
		const server = await startWebviewServer({ bundlePath: await buildWebviewBundle(tmp), assets });
		cleanups.push(() => server.close());
		const browser = await launchChromium();
		cleanups.push(() => browser.close());
		const pageErrors: string[] = [];
		const openPage: OpenPage = async ctx => {
			const page = await openWebviewPage(ctx, server.origin, { initScripts: [benchProbeScript()] });
			page.on('pageerror', error => pageErrors.push(error.message));
			return page;
		};
		const newContext = (): Promise<BrowserContext> => browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });

		context.log(`webview: ${cases.length} render cases, ${RENDER_RUNS} runs + 1 warm-up each, alternating`);
		const renders = await measureRenders(cases, newContext, openPage);
		context.log(`webview: 3 hover series of ${HOVERS} and ${HOVERS} bare frames, in ${ROUNDS} alternating rounds`);
		const hovers = await measureHovers(cases.slice(0, 2), newContext, openPage);
		context.log('webview: a traced pass');
		const traced = await tracedPass(browser, cases.slice(0, 2), newContext, openPage);
		if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.join('; ')}`);

		const results: WebviewResults = {
			machine: context.machine,
			chromium: browser.version(),
			viewport: VIEWPORT,
			page: { width: PAGE_WIDTH, height: PAGE_HEIGHT, linesPerBlock: LINES_PER_BLOCK, wordsPerLine: WORDS_PER_LINE },
			targets: TARGETS,
			warmUpHovers: WARM_UP_HOVERS,
			rounds: ROUNDS,
			cases: cases.map(({ message: _message, ...c }) => c),
			renders,
			bareFrames: hovers.bareFrames,
			hovers: hovers.series,
			traced,
			supportedEntryTypes: hovers.supportedEntryTypes,
		};
		return { markdown: webviewReport(results), data: results };
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup();
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

function renderCase(label: string, blocks: number, image: { width: number; height: number }, imageSrc: string): Case {
	const { annotation, wordCount } = syntheticOcr(blocks);
	const payload: InitPayload = {
		model: {
			imageUri: 'file:///workspace/scans/page.png',
			imageLabel: 'scans/page.png',
			features: [{ type: 'TEXT_DETECTION', model: 'page', result: { textDetection: annotation } }],
			analyzedAt: '2025-11-24T08:00:00.000Z',
			requestId: 'a1b2c3d4-0000-4000-8000-000000000001',
		},
		imageSrc,
		strings: {},
		selection: [],
	};
	return { label, blocks, words: wordCount, image, message: { type: 'init', inReplyTo: READY_REQUEST_ID, payload } };
}

/** Hands the message over, renders it, and checks that every word was drawn. */
async function renderIn(page: Page, c: Case, between?: () => Promise<void>): Promise<RenderRun['sample']> {
	await page.evaluate(message => (globalThis as unknown as WithProbe).__bench.stage(message), c.message);
	await between?.();
	const sample = await page.evaluate(words => (globalThis as unknown as WithProbe).__bench.render(words), c.words);
	if (sample.wordPolygons !== c.words || sample.paneWords !== c.words) {
		throw new Error(`${c.label}: ${sample.wordPolygons} word polygons and ${sample.paneWords} words in the text pane, ${c.words} expected`);
	}
	return sample;
}

/** A fresh page for every run, the cases alternating so that a noisy moment hits them alike. */
async function measureRenders(cases: readonly Case[], newContext: () => Promise<BrowserContext>, openPage: OpenPage): Promise<RenderRun[][]> {
	const contexts = await Promise.all(cases.map(() => newContext()));
	const runs: RenderRun[][] = cases.map(() => []);
	try {
		for (let i = 0; i <= RENDER_RUNS; i++) {
			for (const [k, c] of cases.entries()) {
				const page = await openPage(contexts[k]);
				const cdp = await contexts[k].newCDPSession(page);
				await cdp.send('Performance.enable');
				let before: CpuTime | undefined;
				const sample = await renderIn(page, c, async () => {
					await settle(page);
					before = await cpuTime(cdp);
				});
				const cpu = subtract(await cpuTime(cdp), before ?? zeroCpu());
				const after = await page.evaluate(() => (globalThis as unknown as WithProbe).__bench.afterRender());
				// The first run of each case warms caches and the JIT.
				if (i > 0) runs[k].push({ sample, cpu, imageMs: after.imageMs, longFrames: after.longFrames });
				await cdp.detach();
				await page.close();
			}
		}
	} finally {
		for (const ctx of contexts) await ctx.close();
	}
	return runs;
}

/**
 * Word hovers on both result sizes, hovers over no word and bare frames, in rounds that alternate
 * between them. Hovers are real input (CDP mouse events): they go through hit testing and the
 * browser's input queue as a user's do.
 */
async function measureHovers(cases: readonly Case[], newContext: () => Promise<BrowserContext>, openPage: OpenPage): Promise<{ series: HoverSeries[]; bareFrames: FrameSample[]; supportedEntryTypes: string[] }> {
	const contexts = await Promise.all(cases.map(() => newContext()));
	try {
		const pages: Page[] = [];
		const cdps: CDPSession[] = [];
		for (const [k, c] of cases.entries()) {
			const page = await openPage(contexts[k]);
			await renderIn(page, c);
			await page.evaluate(() => (globalThis as unknown as WithProbe).__bench.afterRender());
			const cdp = await contexts[k].newCDPSession(page);
			await cdp.send('Performance.enable');
			pages.push(page);
			cdps.push(cdp);
		}
		const random = mulberry32(7);
		const wordTargets: Target[][] = [];
		for (const page of pages) wordTargets.push(await hoverableWords(page, HOVERS + WARM_UP_HOVERS, random));
		const header = await headerTargets(pages[0]);
		const series: HoverSeries[] = [...cases.map(c => emptySeries(`Hover on a word, ${c.label}`)), emptySeries(`Hover on no word, ${cases[0].label}`)];
		const bareFrames: FrameSample[] = [];
		const perRound = HOVERS / ROUNDS;

		for (let round = 0; round < ROUNDS; round++) {
			const warmUp = round === 0 ? WARM_UP_HOVERS : 0;
			const from = round === 0 ? 0 : WARM_UP_HOVERS + round * perRound;
			for (const k of cases.keys()) {
				await hoverSeries(pages[k], cdps[k], series[k], wordTargets[k].slice(from, WARM_UP_HOVERS + (round + 1) * perRound), warmUp, header[0]);
			}
			// Back and forth between the title and the line under it: each move raises `pointerover`, and the panel has nothing to do.
			const headerMoves = Array.from({ length: warmUp + perRound }, (_, i) => header[(i + 1) % 2]);
			await hoverSeries(pages[0], cdps[0], series[cases.length], headerMoves, warmUp, header[0]);
			await settle(pages[0]);
			for (let i = 0; i < perRound; i++) bareFrames.push(await pages[0].evaluate(() => (globalThis as unknown as WithProbe).__bench.bareFrame()));
		}

		// Chrome's own reports, matched to the hovers by the input's timestamp.
		for (const [i, s] of series.entries()) {
			const page = pages[i < cases.length ? i : 0];
			const { eventTimings, longFrames } = await page.evaluate(() => {
				const probe = (globalThis as unknown as WithProbe).__bench;
				return { eventTimings: probe.eventTimings(), longFrames: probe.longFrames() };
			});
			s.eventTimings = eventTimings.filter(e => s.samples.some(h => Math.abs(h.timeStamp - e.startTime) < 0.5));
			s.longFrames = longFrames.filter(f => s.samples.some(h => f.startTime <= h.timeStamp + h.queuedMs + h.nextFrameMs && f.startTime + f.duration >= h.timeStamp));
		}
		const supportedEntryTypes = await pages[0].evaluate(() => (globalThis as unknown as WithProbe).__bench.supportedEntryTypes);
		return { series, bareFrames, supportedEntryTypes };
	} finally {
		for (const ctx of contexts) await ctx.close();
	}
}

/** Moves the mouse over `targets` one by one from `start`, measuring each `pointerover` after the warm-up ones. */
async function hoverSeries(page: Page, cdp: CDPSession, into: HoverSeries, targets: readonly Target[], warmUp: number, start: Target): Promise<void> {
	await page.bringToFront();
	await page.mouse.move(start.x, start.y);
	await settle(page);
	const before = await cpuTime(cdp);
	for (const [i, target] of targets.entries()) {
		await page.evaluate(() => (globalThis as unknown as WithProbe).__bench.armHover());
		await page.mouse.move(target.x, target.y);
		const sample = await page.evaluate(timeout => (globalThis as unknown as WithProbe).__bench.hoverResult(timeout), HOVER_TIMEOUT_MS);
		if (i < warmUp) continue;
		if (sample === null) into.missed++;
		else if (sample.word !== target.word) into.offTarget++;
		else into.samples.push(sample);
	}
	const spent = subtract(await cpuTime(cdp), before);
	into.cpu = { scriptMs: into.cpu.scriptMs + spent.scriptMs, styleMs: into.cpu.styleMs + spent.styleMs, layoutMs: into.cpu.layoutMs + spent.layoutMs, taskMs: into.cpu.taskMs + spent.taskMs };
	into.moves += targets.length;
}

/** One render and a few hovers per result size under Chrome tracing, broken down by phase. */
async function tracedPass(browser: Browser, cases: readonly Case[], newContext: () => Promise<BrowserContext>, openPage: OpenPage): Promise<TracedPass> {
	const traced: TracedPass = { render: [], hover: [] };
	for (const c of cases) {
		const ctx = await newContext();
		try {
			const page = await openPage(ctx);
			await browser.startTracing(page, { categories: TRACE_CATEGORIES });
			let trace: Buffer;
			try {
				await renderIn(page, c, () => settle(page));
				await page.evaluate(() => (globalThis as unknown as WithProbe).__bench.afterRender());
				const targets = await hoverableWords(page, TRACED_HOVERS, mulberry32(11));
				for (const target of targets) {
					await page.mouse.move(target.x, target.y);
					await settle(page);
				}
			} finally {
				trace = await browser.stopTracing();
			}
			const events = parseTrace(trace);
			traced.render.push(renderPhases(events));
			traced.hover.push(hoverPhases(events));
		} finally {
			await ctx.close();
		}
	}
	return traced;
}

function emptySeries(label: string): HoverSeries {
	return { label, samples: [], missed: 0, offTarget: 0, cpu: zeroCpu(), moves: 0, eventTimings: [], longFrames: [] };
}

/** Two frames and a short pause, so loading and earlier input do not spill into a measurement. */
async function settle(page: Page): Promise<void> {
	await page.evaluate(async () => {
		const probe = (globalThis as unknown as WithProbe).__bench;
		await probe.bareFrame();
		await probe.bareFrame();
	});
	await page.waitForTimeout(30);
}

/**
 * `count` distinct words spread over the page, in shuffled order, whose centre is on screen and
 * hits the word's own polygon.
 */
async function hoverableWords(page: Page, count: number, random: () => number): Promise<Target[]> {
	const candidates = await page.evaluate(() => {
		type Box = { left: number; top: number; width: number; height: number };
		type Polygon = { getAttribute(name: string): string | null; getBoundingClientRect(): Box };
		const d = (globalThis as unknown as { document: { documentElement: { clientWidth: number; clientHeight: number }; querySelectorAll(s: string): Iterable<Polygon>; elementFromPoint(x: number, y: number): unknown } }).document;
		const found: { x: number; y: number; word: number }[] = [];
		for (const polygon of d.querySelectorAll('polygon.word')) {
			const r = polygon.getBoundingClientRect();
			const x = r.left + r.width / 2;
			const y = r.top + r.height / 2;
			if (r.width < 3 || r.height < 3 || x < 0 || y < 0 || x >= d.documentElement.clientWidth || y >= d.documentElement.clientHeight) continue;
			if (d.elementFromPoint(x, y) === polygon) found.push({ x, y, word: Number(polygon.getAttribute('data-word')) });
		}
		return found;
	});
	if (candidates.length < count) throw new Error(`only ${candidates.length} words can be hovered at ${VIEWPORT.width}×${VIEWPORT.height}; ${count} needed`);
	const step = candidates.length / count;
	const picked: Target[] = Array.from({ length: count }, (_, i) => candidates[Math.floor(i * step)]);
	for (let i = picked.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[picked[i], picked[j]] = [picked[j], picked[i]];
	}
	return picked;
}

/** Points on the panel's title and on the line under it: text with no hover behaviour of its own. */
async function headerTargets(page: Page): Promise<[Target, Target]> {
	const boxes = await Promise.all(['header .title', 'header .meta'].map(selector => page.locator(selector).boundingBox()));
	const [title, meta] = boxes.map(box => {
		if (!box) throw new Error('the panel header is not shown');
		return { x: box.x + Math.min(20, box.width / 2), y: box.y + box.height / 2, word: undefined };
	});
	return [title, meta];
}

/** Main-thread time the browser accounts for itself, from CDP's Performance domain. */
async function cpuTime(cdp: CDPSession): Promise<CpuTime> {
	const { metrics } = await cdp.send('Performance.getMetrics');
	const value = (name: string): number => (metrics.find(m => m.name === name)?.value ?? 0) * 1000;
	return { scriptMs: value('ScriptDuration'), styleMs: value('RecalcStyleDuration'), layoutMs: value('LayoutDuration'), taskMs: value('TaskDuration') };
}

function subtract(after: CpuTime, before: CpuTime): CpuTime {
	return { scriptMs: after.scriptMs - before.scriptMs, styleMs: after.styleMs - before.styleMs, layoutMs: after.layoutMs - before.layoutMs, taskMs: after.taskMs - before.taskMs };
}

function zeroCpu(): CpuTime {
	return { scriptMs: 0, styleMs: 0, layoutMs: 0, taskMs: 0 };
}
