/** Decides which requests get a fault: the script first, then a seeded draw, so runs repeat exactly. */

import { FAULT_KINDS, FaultKind, FaultPlan, METHOD_NAMES, MethodName } from './api';
import { mulberry32 } from '../support/random';

/**
 * Left out by default: `stall` only ends quickly when the client has a timeout; `streamError`
 * belongs to the OCR streams and `operationError` to the asynchronous method (and leaving them
 * out keeps seeded draws of the other kinds as they were).
 */
const DEFAULT_KINDS = FAULT_KINDS.filter(kind => kind !== 'stall' && kind !== 'streamError' && kind !== 'operationError');

/** Whether the method can show the fault; the others never draw it. */
function shows(method: MethodName, kind: FaultKind): boolean {
	return kind !== 'operationError' || method === 'recognizeTextAsync';
}

export class FaultInjector {
	private readonly script: (FaultKind | 'ok')[];
	private readonly rate: number;
	private readonly kinds: readonly FaultKind[];
	private readonly methods: ReadonlySet<MethodName>;
	private readonly random: () => number;

	constructor(plan: FaultPlan = {}) {
		const rate = plan.rate ?? 0;
		if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be between 0 and 1, got ${rate}`);
		const kinds = plan.kinds ?? DEFAULT_KINDS;
		if (rate > 0 && kinds.length === 0) throw new RangeError('a fault rate needs at least one fault kind');
		for (const kind of [...kinds, ...(plan.script ?? [])]) {
			if (kind !== 'ok' && !FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind: ${String(kind)}`);
		}
		for (const method of plan.methods ?? []) {
			if (!METHOD_NAMES.includes(method)) throw new RangeError(`unknown method: ${String(method)} (known: ${METHOD_NAMES.join(', ')})`);
		}
		this.script = [...(plan.script ?? [])];
		this.rate = rate;
		this.kinds = [...kinds];
		this.methods = new Set(plan.methods ?? METHOD_NAMES);
		this.random = mulberry32(plan.seed ?? 1);
	}

	/** The fault for the method's next request, or undefined for a normal answer. */
	next(method: MethodName): FaultKind | undefined {
		if (!this.methods.has(method)) return undefined;
		const scripted = this.script.shift();
		if (scripted !== undefined) return scripted === 'ok' || !shows(method, scripted) ? undefined : scripted;
		const kinds = this.kinds.filter(kind => shows(method, kind));
		if (this.rate === 0 || kinds.length === 0 || this.random() >= this.rate) return undefined;
		return kinds[Math.floor(this.random() * kinds.length)];
	}
}
