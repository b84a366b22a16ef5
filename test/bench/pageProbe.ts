/**
 * Timing code that runs inside the webview page, installed before the panel's own script as
 * `globalThis.__bench`. Every time is `performance.now()` in the page, so the round trips to
 * the browser are never part of a measurement.
 *
 * "Painted" means: the browser has run style, layout and paint for the first frame that shows the
 * change and handed that frame to the compositor. It is observed as a requestAnimationFrame
 * callback (the frame's rendering starts right after it) followed by a task posted from that
 * callback, which can only run once the frame's rendering work on the main thread is done.
 * Rasterizing and showing the frame happen on other threads and are not included. "Next frame"
 * is a second requestAnimationFrame, the usual double-rAF reading, which adds the wait for the
 * following vsync.
 */

export interface LongFrame {
	startTime: number;
	duration: number;
	blockingDuration: number;
}

export interface EventTiming {
	name: string;
	startTime: number;
	duration: number;
	processingStart: number;
	processingEnd: number;
}

export interface RenderSample {
	/** From posting `init` to the window until its first `message` listener: cloning it across and queueing. */
	deliveryMs: number;
	/** The panel's own `message` listener: everything it does synchronously with `init`. */
	handlerMs: number;
	/** Until every word polygon was in the document. */
	wordsMs: number;
	paintedMs: number;
	nextFrameMs: number;
	wordPolygons: number;
	paneWords: number;
	/** performance.now() when `init` was posted. */
	startedAt: number;
}

export interface AfterRender {
	/** From posting `init` until the page image had loaded and decoded; not part of the overlay. */
	imageMs: number | undefined;
	/** Long animation frames (over 50 ms) that overlap the render, as the browser saw them. */
	longFrames: LongFrame[];
}

export interface HoverSample {
	/** `data-word` of the element the pointer entered, if it is a word. */
	word: number | undefined;
	target: string;
	/** The event's timeStamp, which Event Timing entries also carry as their startTime. */
	timeStamp: number;
	/** From the event's timeStamp to the first listener: waiting in the input queue. */
	queuedMs: number;
	/** Window capture to window bubble listener of `pointerover`: the panel's own handler. */
	handlerMs: number;
	/** From the first listener to the frame with the change painted. */
	paintedMs: number;
	nextFrameMs: number;
	/** For words: the polygon and text are highlighted and the tooltip shows the word's text. */
	applied: boolean | undefined;
}

export interface FrameSample {
	paintedMs: number;
	nextFrameMs: number;
}

export interface BenchProbe {
	supportedEntryTypes: string[];
	/** Keeps the message in the page, so that handing it over is not part of the next render. */
	stage(message: unknown): void;
	/** Posts the staged message to the panel's window, as VS Code delivers it, and waits until it is painted. */
	render(expectedWords: number): Promise<RenderSample>;
	/** Waits for the page image and for the browser's frame reports of the last render. */
	afterRender(): Promise<AfterRender>;
	/** The next `pointerover` is measured; hoverResult() gives its sample. */
	armHover(): void;
	hoverResult(timeoutMs: number): Promise<HoverSample | null>;
	bareFrame(): Promise<FrameSample>;
	longFrames(): LongFrame[];
	eventTimings(): EventTiming[];
}

/** Source for page.addInitScript. */
export function benchProbeScript(): string {
	return `(${installBenchProbe.toString()})()`;
}

// The Node-side type check has no DOM library; these are the few browser APIs used below.
interface ProbeElement {
	tagName: string;
	hidden: boolean;
	textContent: string | null;
	classList: { contains(name: string): boolean };
	getAttribute(name: string): string | null;
	querySelector(selector: string): ProbeElement | null;
	decode?(): Promise<void>;
}

interface ProbeEntry {
	name: string;
	entryType: string;
	startTime: number;
	duration: number;
	blockingDuration?: number;
	processingStart?: number;
	processingEnd?: number;
}

interface ProbeGlobal {
	__bench: BenchProbe;
	postMessage(message: unknown, targetOrigin: string): void;
	performance: { now(): number };
	requestAnimationFrame(callback: () => void): number;
	setTimeout(callback: () => void, ms: number): number;
	addEventListener(type: string, listener: (event: { target: unknown; timeStamp: number }) => void, options?: { capture: boolean }): void;
	MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(value: unknown): void } };
	PerformanceObserver: (new (callback: (list: { getEntries(): ProbeEntry[] }) => void) => { observe(options: { type: string; buffered?: boolean; durationThreshold?: number }): void })
		& { supportedEntryTypes?: readonly string[] };
	document: {
		querySelector(selector: string): ProbeElement | null;
		querySelectorAll(selector: string): { length: number };
	};
}

function installBenchProbe(): void {
	const w = globalThis as unknown as ProbeGlobal;
	const now = (): number => w.performance.now();
	const frame = (): Promise<void> => new Promise(resolve => w.requestAnimationFrame(() => resolve()));

	const channel = new w.MessageChannel();
	const afterTaskQueue: (() => void)[] = [];
	channel.port1.onmessage = () => afterTaskQueue.shift()?.();
	const afterTask = (): Promise<void> => new Promise(resolve => {
		afterTaskQueue.push(resolve);
		channel.port2.postMessage(0);
	});

	const supportedEntryTypes = [...(w.PerformanceObserver.supportedEntryTypes ?? [])];
	const longFrames: LongFrame[] = [];
	const eventTimings: EventTiming[] = [];
	if (supportedEntryTypes.includes('long-animation-frame')) {
		new w.PerformanceObserver(list => {
			for (const e of list.getEntries()) longFrames.push({ startTime: e.startTime, duration: e.duration, blockingDuration: e.blockingDuration ?? 0 });
		}).observe({ type: 'long-animation-frame', buffered: true });
	}
	if (supportedEntryTypes.includes('event')) {
		// 16 ms is the lowest threshold the browser accepts: every entry is a hover that missed the frame budget.
		new w.PerformanceObserver(list => {
			for (const e of list.getEntries()) {
				eventTimings.push({ name: e.name, startTime: e.startTime, duration: e.duration, processingStart: e.processingStart ?? 0, processingEnd: e.processingEnd ?? 0 });
			}
		}).observe({ type: 'event', buffered: true, durationThreshold: 16 });
	}

	const isElement = (value: unknown): value is ProbeElement => typeof value === 'object' && value !== null && typeof (value as { getAttribute?: unknown }).getAttribute === 'function';
	const wordOf = (target: unknown): number | undefined => {
		if (!isElement(target) || !target.classList.contains('word')) return undefined;
		const index = Number(target.getAttribute('data-word'));
		return Number.isInteger(index) ? index : undefined;
	};
	const hoverApplied = (word: number): boolean => {
		const polygon = w.document.querySelector(`polygon.word[data-word="${word}"]`);
		const span = w.document.querySelector(`#text-pane .word[data-word="${word}"]`);
		const tooltip = w.document.querySelector('#tooltip');
		return polygon !== null && span !== null && tooltip !== null
			&& polygon.classList.contains('hover') && span.classList.contains('hover')
			&& !tooltip.hidden && tooltip.querySelector('.tooltip-text')?.textContent === span.textContent;
	};

	let staged: unknown;
	let rendering: { receivedAt: number; handledAt: number } | undefined;
	let handled: (() => void) | undefined;
	let handledListener = false;
	let lastRender: { startedAt: number; endedAt: number } | undefined;
	// Installed before the panel's script, so it is the first `message` listener.
	w.addEventListener('message', () => {
		if (rendering) rendering.receivedAt = now();
	});

	let armed = false;
	let measuring: { sample: HoverSample; start: number; handled: boolean } | undefined;
	let hoverDone: ((sample: HoverSample) => void) | undefined;
	let hoverPending: Promise<HoverSample> | undefined;
	w.addEventListener('pointerover', event => {
		if (!armed) return;
		armed = false;
		const start = now();
		const word = wordOf(event.target);
		const sample: HoverSample = {
			word,
			target: isElement(event.target) ? `${event.target.tagName.toLowerCase()}${word === undefined ? '' : `[data-word="${word}"]`}` : String(event.target),
			timeStamp: event.timeStamp,
			queuedMs: start - event.timeStamp,
			handlerMs: Number.NaN,
			paintedMs: Number.NaN,
			nextFrameMs: Number.NaN,
			applied: undefined,
		};
		const current = { sample, start, handled: false };
		measuring = current;
		// Bound now: should this hover outlast its timeout, it must not answer for the next one.
		const done = hoverDone;
		// Every listener of this input (pointerover, mouseover, pointermove…) runs before this frame's rAF.
		void frame().then(afterTask).then(() => {
			sample.paintedMs = now() - start;
			if (word !== undefined) sample.applied = hoverApplied(word);
			return frame();
		}).then(() => {
			sample.nextFrameMs = now() - start;
			if (measuring === current) measuring = undefined;
			done?.(sample);
		});
	}, { capture: true });
	w.addEventListener('pointerover', () => {
		if (!measuring || measuring.handled) return;
		measuring.handled = true;
		measuring.sample.handlerMs = now() - measuring.start;
	});

	w.__bench = {
		supportedEntryTypes,
		stage(message) {
			staged = message;
		},
		async render(expectedWords) {
			if (staged === undefined) throw new Error('nothing staged to render');
			const count = (selector: string): number => w.document.querySelectorAll(selector).length;
			if (!handledListener) {
				// Added after the panel's own listener, so it runs right after it.
				handledListener = true;
				w.addEventListener('message', () => {
					if (rendering) rendering.handledAt = now();
					handled?.();
				});
			}
			const current = { receivedAt: Number.NaN, handledAt: Number.NaN };
			rendering = current;
			const done = new Promise<void>(resolve => {
				handled = resolve;
			});
			const startedAt = now();
			w.postMessage(staged, '*');
			await done;
			handled = undefined;
			rendering = undefined;
			let wordsAt = current.handledAt;
			if (count('polygon.word') < expectedWords) {
				// Rendered over several frames: the frame in whose rAF the last word is seen paints it.
				for (;;) {
					await frame();
					if (count('polygon.word') >= expectedWords) break;
					if (now() - startedAt > 10_000) throw new Error(`${count('polygon.word')} of ${expectedWords} word polygons after 10 s`);
				}
				wordsAt = now();
			} else {
				await frame();
			}
			await afterTask();
			const paintedMs = now() - startedAt;
			await frame();
			const nextFrameMs = now() - startedAt;
			lastRender = { startedAt, endedAt: startedAt + nextFrameMs };
			return {
				deliveryMs: current.receivedAt - startedAt,
				handlerMs: current.handledAt - current.receivedAt,
				wordsMs: wordsAt - startedAt,
				paintedMs,
				nextFrameMs,
				wordPolygons: count('polygon.word'),
				paneWords: count('#text-pane .word'),
				startedAt,
			};
		},
		async afterRender() {
			const render = lastRender;
			if (!render) throw new Error('nothing rendered yet');
			let imageMs: number | undefined;
			const image = w.document.querySelector('img.image');
			if (image?.decode) {
				try {
					await image.decode();
					imageMs = now() - render.startedAt;
				} catch {
					imageMs = undefined;
				}
			}
			// Long-animation-frame entries are reported some time after their frame.
			await frame();
			await frame();
			await new Promise<void>(resolve => w.setTimeout(resolve, 50));
			return {
				imageMs,
				longFrames: longFrames.filter(f => f.startTime < render.endedAt && f.startTime + f.duration > render.startedAt),
			};
		},
		armHover() {
			armed = true;
			hoverPending = new Promise(resolve => {
				hoverDone = resolve;
			});
		},
		hoverResult(timeoutMs) {
			const pending = hoverPending;
			if (!pending) return Promise.resolve(null);
			return Promise.race([pending, new Promise<null>(resolve => w.setTimeout(() => resolve(null), timeoutMs))]).then(sample => {
				armed = false;
				hoverPending = undefined;
				hoverDone = undefined;
				return sample;
			});
		},
		async bareFrame() {
			const start = now();
			await frame();
			await afterTask();
			const paintedMs = now() - start;
			await frame();
			return { paintedMs, nextFrameMs: now() - start };
		},
		longFrames: () => [...longFrames],
		eventTimings: () => [...eventTimings],
	};
}
