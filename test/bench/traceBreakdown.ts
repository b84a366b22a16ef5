/**
 * Where a frame's time goes, read from a Chrome trace: the panel's script, then the browser's
 * style, layout, paint and compositing on the page's main thread, and rasterization on worker
 * threads. Tracing slows the browser down, so these are proportions to compare, not timings.
 */

export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'cc'];

export interface FramePhases {
	/** Event listeners, less the style and layout they forced. */
	scriptMs: number;
	styleMs: number;
	layoutMs: number;
	/** PrePaint and Paint: recording what to draw. */
	paintMs: number;
	/** Layerize and Commit: handing the frame to the compositor. */
	compositeMs: number;
	/** Raster tasks on worker threads until the next frame (or 200 ms); images are decoded here. */
	rasterMs: number;
}

interface TraceEvent {
	name: string;
	ts: number;
	dur: number;
	pid: number;
	tid: number;
	type: string | undefined;
}

const FRAME = 'ProxyMain::BeginMainFrame';
const RASTER_WINDOW_US = 200_000;

/** Complete ('X') events of a trace as Playwright's browser.stopTracing() returns it. */
export function parseTrace(buffer: Buffer): TraceEvent[] {
	const json: unknown = JSON.parse(buffer.toString('utf8'));
	const raw: unknown = Array.isArray(json) ? json : (json as { traceEvents?: unknown } | null)?.traceEvents;
	if (!Array.isArray(raw)) throw new Error('not a Chrome trace');
	const events: TraceEvent[] = [];
	for (const item of raw as unknown[]) {
		if (typeof item !== 'object' || item === null) continue;
		const e = item as { ph?: unknown; name?: unknown; ts?: unknown; dur?: unknown; pid?: unknown; tid?: unknown; args?: { data?: { type?: unknown } } };
		if (e.ph !== 'X' || typeof e.name !== 'string' || typeof e.ts !== 'number' || typeof e.dur !== 'number' || typeof e.pid !== 'number' || typeof e.tid !== 'number') continue;
		const type = e.args?.data?.type;
		events.push({ name: e.name, ts: e.ts, dur: e.dur, pid: e.pid, tid: e.tid, type: typeof type === 'string' ? type : undefined });
	}
	return events.sort((a, b) => a.ts - b.ts);
}

/** The longest window message task (the `init` message) and the first frame after it. */
export function renderPhases(events: readonly TraceEvent[]): FramePhases | undefined {
	const message = events.filter(e => e.name === 'HandlePostMessage' || (e.name === 'EventDispatch' && e.type === 'message')).sort((a, b) => b.dur - a.dur)[0];
	if (!message) return undefined;
	const thread = sameThread(events, message);
	const frame = thread.find(e => e.name === FRAME && e.ts >= message.ts + message.dur);
	if (!frame) return undefined;
	const handler = phasesIn(thread, message, true);
	const drawn = framePhases(events, thread, frame);
	return { ...drawn, scriptMs: handler.scriptMs + drawn.scriptMs, styleMs: handler.styleMs + drawn.styleMs, layoutMs: handler.layoutMs + drawn.layoutMs };
}

/** Every frame in which a `pointerover` was dispatched: one per hover. */
export function hoverPhases(events: readonly TraceEvent[]): FramePhases[] {
	const result: FramePhases[] = [];
	for (const over of events.filter(e => e.name === 'EventDispatch' && e.type === 'pointerover')) {
		const thread = sameThread(events, over);
		// Pointer input is aligned to frames: its listeners run inside the frame that then paints the change.
		const frame = thread.find(e => e.name === FRAME && contains(e, over));
		if (frame) result.push(framePhases(events, thread, frame));
	}
	return result;
}

function framePhases(events: readonly TraceEvent[], thread: readonly TraceEvent[], frame: TraceEvent): FramePhases {
	const phases = phasesIn(thread, frame, false);
	const next = thread.find(e => e.name === FRAME && e.ts > frame.ts + frame.dur);
	const until = Math.min(next ? next.ts : Number.POSITIVE_INFINITY, frame.ts + frame.dur + RASTER_WINDOW_US);
	const raster = events.filter(e => e.pid === frame.pid && e.tid !== frame.tid && e.name === 'RasterTask' && e.ts >= frame.ts && e.ts < until);
	return { ...phases, rasterMs: total(raster) };
}

/** `outerIsScript`: the outer event is itself a listener's task, rather than a frame that runs some. */
function phasesIn(thread: readonly TraceEvent[], outer: TraceEvent, outerIsScript: boolean): FramePhases {
	const inside = thread.filter(e => e !== outer && contains(outer, e));
	// Only the outermost of nested events with the same name (Paint nests in Paint, for one).
	const top = (names: readonly string[]): TraceEvent[] => inside.filter(e => names.includes(e.name) && !inside.some(o => o !== e && names.includes(o.name) && contains(o, e)));
	const listeners = outerIsScript ? [outer] : top(['EventDispatch', 'FireAnimationFrame', 'TimerFire', 'FunctionCall']);
	const style = top(['UpdateLayoutTree']);
	const layout = top(['Layout']);
	const forced = [...style, ...layout].filter(e => listeners.some(l => contains(l, e)));
	return {
		scriptMs: total(listeners) - total(forced),
		styleMs: total(style),
		layoutMs: total(layout),
		paintMs: total(top(['PrePaint', 'Paint'])),
		compositeMs: total(top(['Layerize', 'Commit'])),
		rasterMs: 0,
	};
}

function sameThread(events: readonly TraceEvent[], of: TraceEvent): TraceEvent[] {
	return events.filter(e => e.pid === of.pid && e.tid === of.tid);
}

function contains(outer: TraceEvent, inner: TraceEvent): boolean {
	return inner.ts >= outer.ts && inner.ts + inner.dur <= outer.ts + outer.dur;
}

/** Microseconds to milliseconds. */
function total(events: readonly TraceEvent[]): number {
	return events.reduce((sum, e) => sum + e.dur, 0) / 1000;
}
