/**
 * Reading proto3 JSON as the services' gateways write it, for both contracts' normalizers:
 * - `null` anywhere means "default value", as proto3 JSON parsers read it.
 * - Field names are read in lowerCamelCase or, as proto3 parsers also accept, the proto's snake_case.
 * - int64 fields take decimal strings or JSON numbers; beyond ±Number.MAX_SAFE_INTEGER is an error
 *   rather than a silent loss of precision.
 * - Doubles take numbers or numeric strings. Non-finite values ("NaN", "Infinity") are errors: no
 *   confidence or probability can honestly be NaN. Finite values outside [0, 1] are kept as sent;
 *   clamping would hide a service fault behind a plausible number.
 * - Unknown fields are ignored so that newer services keep working.
 * - Error details are kept as sent, once an iterative walk has checked that they nest at most
 *   MAX_DETAILS_DEPTH levels: deeper ones would break whatever stores the result as JSON (the
 *   panel's state, the cache), and no google.rpc detail is that deep.
 * - Paths are built only for an error, while it unwinds: a large answer has tens of thousands of
 *   fields, and their paths are almost never needed.
 */
import { RpcCode, VisionError } from './errors';
import type { Polygon, Status, Vertex } from '../../results/types';

export type JsonObject = Readonly<Record<string, unknown>>;

/** A shape problem on its way up; each level it passes through adds its field name or index. */
export class ShapeError {
	/** Innermost first. */
	readonly trail: (string | number)[] = [];
	constructor(readonly problem: string) {}
}

const hasOwn = Object.prototype.hasOwnProperty;
const INT_PATTERN = /^-?\d+$/;
const NUMBER_PATTERN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** proto3 JSON spells non-finite doubles as these strings. */
const NON_FINITE: ReadonlySet<string> = new Set(['NaN', 'Infinity', '-Infinity']);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** google.rpc details (BadRequest, RetryInfo, …) nest a few levels; JSON.stringify fails at thousands. */
const MAX_DETAILS_DEPTH = 32;

/** Parses a google.rpc.Status body (error answers); undefined when it is not one. */
export function parseStatus(body: unknown): Status | undefined {
	if (!isObject(body) || (field(body, 'code') === undefined && field(body, 'message') === undefined)) {
		return undefined;
	}
	try {
		return status(body);
	} catch (err) {
		if (err instanceof ShapeError) return undefined;
		throw err;
	}
}

/** A Status in an error slot always means failure: code 0 there would read as success, so it becomes UNKNOWN. */
export function failure(o: JsonObject): Status {
	const s = status(o);
	return s.code === RpcCode.OK ? { ...s, code: RpcCode.UNKNOWN } : s;
}

export function status(o: JsonObject): Status {
	return {
		code: int32(o, 'code'),
		message: str(o, 'message'),
		// Details are google.protobuf.Any messages of any type: kept as sent, only their depth is checked.
		details: details(o),
	};
}

function details(o: JsonObject): unknown[] {
	const items = array(o, 'details');
	if (nestsDeeperThan(items, MAX_DETAILS_DEPTH)) throw shapeError(`nested more than ${MAX_DETAILS_DEPTH} levels deep`, 'details');
	return items.slice();
}

/** Whether arrays and objects in `value` nest more than `max` levels; iterative, so any depth is safe to measure. */
function nestsDeeperThan(value: unknown, max: number): boolean {
	if (typeof value !== 'object' || value === null) return false;
	const stack: { item: object; depth: number }[] = [{ item: value, depth: 0 }];
	while (stack.length > 0) {
		const { item, depth } = stack.pop()!;
		if (depth >= max) return true;
		for (const child of Array.isArray(item) ? item : Object.values(item)) {
			if (typeof child === 'object' && child !== null) stack.push({ item: child, depth: depth + 1 });
		}
	}
	return false;
}

// --- Fields ---------------------------------------------------------------------------------
// Each reader takes the containing object and the field's JSON name (plus its proto name when
// that differs); an error names the field by its JSON name.

/** An own field; `null` reads as absent (the default value). */
export function field(o: JsonObject, name: string, protoName?: string): unknown {
	if (hasOwn.call(o, name) && o[name] !== null) return o[name];
	if (protoName !== undefined && hasOwn.call(o, protoName) && o[protoName] !== null) return o[protoName];
	return undefined;
}

/** A message field, or undefined when absent. */
export function message<T>(o: JsonObject, name: string, read: (o: JsonObject) => T, protoName?: string): T | undefined {
	const value = field(o, name, protoName);
	if (value === undefined) return undefined;
	try {
		return read(asObject(value));
	} catch (err) {
		throw along(err, name);
	}
}

/** A repeated message field; absent is empty. */
export function list<T>(o: JsonObject, name: string, read: (o: JsonObject, index: number) => T, protoName?: string): T[] {
	const items = array(o, name, protoName);
	const out: T[] = new Array(items.length);
	let i = 0;
	try {
		for (; i < items.length; i++) {
			// A repeated message field holds messages; null is not one.
			out[i] = read(asObject(items[i]), i);
		}
	} catch (err) {
		throw along(along(err, i), name);
	}
	return out;
}

export function array(o: JsonObject, name: string, protoName?: string): readonly unknown[] {
	const value = field(o, name, protoName);
	if (value === undefined) return [];
	if (!Array.isArray(value)) throw shapeError(`expected an array, got ${describe(value)}`, name);
	return value;
}

export function arrayLength(o: JsonObject, name: string): number {
	return array(o, name).length;
}

export function int64(o: JsonObject, name: string, protoName?: string): number {
	return integer(field(o, name, protoName), name, 'an int64', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

export function int32(o: JsonObject, name: string): number {
	return integer(field(o, name), name, 'an int32', INT32_MIN, INT32_MAX);
}

export function integer(value: unknown, name: string, what: string, min: number, max: number): number {
	let n: number;
	if (value === undefined) {
		return 0;
	} else if (typeof value === 'number') {
		n = value;
	} else if (typeof value === 'string' && INT_PATTERN.test(value)) {
		n = Number(value);
	} else {
		throw shapeError(`expected ${what}, got ${describe(value)}`, name);
	}
	if (!Number.isInteger(n)) throw shapeError(`expected ${what}, got ${describe(value)}`, name);
	// A decimal string beyond the safe range converts to a number beyond it too, so this catches precision loss.
	if (n < min || n > max) throw shapeError(`${what} out of the supported range [${min}, ${max}]: ${describe(value)}`, name);
	return n === 0 ? 0 : n; // no -0
}

export function double(o: JsonObject, name: string): number {
	const value = field(o, name);
	let n: number;
	if (typeof value === 'number') {
		n = value;
	} else if (value === undefined) {
		return 0;
	} else if (typeof value === 'string' && (NUMBER_PATTERN.test(value) || NON_FINITE.has(value))) {
		n = Number(value);
	} else {
		throw shapeError(`expected a number, got ${describe(value)}`, name);
	}
	if (!Number.isFinite(n)) throw shapeError(`expected a finite number, got ${describe(value)}`, name);
	return n === 0 ? 0 : n;
}

export function str(o: JsonObject, name: string, protoName?: string): string {
	const value = field(o, name, protoName);
	if (typeof value === 'string') return value;
	if (value === undefined) return '';
	throw shapeError(`expected a string, got ${describe(value)}`, name);
}

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
	if (!isObject(value)) throw new ShapeError(`expected an object, got ${describe(value)}`);
	return value;
}

// --- Errors ---------------------------------------------------------------------------------

export function shapeError(problem: string, name: string): ShapeError {
	const err = new ShapeError(problem);
	err.trail.push(name);
	return err;
}

/** Runs `read`, adding `key` to the path of a shape error that comes out of it. */
export function within<T>(key: string, read: () => T): T {
	try {
		return read();
	} catch (err) {
		throw along(err, key);
	}
}

export function along(err: unknown, key: string | number): unknown {
	if (err instanceof ShapeError) err.trail.push(key);
	return err;
}

export function toVisionError(err: unknown): unknown {
	if (!(err instanceof ShapeError)) return err;
	let path = '';
	for (let i = err.trail.length - 1; i >= 0; i--) {
		const key = err.trail[i];
		path += typeof key === 'number' ? `[${key}]` : path === '' ? key : `.${key}`;
	}
	if (path === '') path = 'response';
	return new VisionError({ kind: 'protocol', code: RpcCode.INTERNAL, path, message: `${path}: ${err.problem}` });
}

/** A short, safe rendering of an unexpected value for an error message. */
export function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	switch (typeof value) {
		case 'string':
			return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
		case 'number':
		case 'boolean':
			return String(value);
		case 'object':
			return 'an object';
		default:
			return typeof value;
	}
}

// --- Geometry, the same message in both contracts --------------------------------------------

/** A `boundingBox` field; absent is a polygon without vertices. */
export function boundingBox(o: JsonObject): Polygon {
	return message(o, 'boundingBox', polygon, 'bounding_box') ?? { vertices: [] };
}

function polygon(o: JsonObject): Polygon {
	return { vertices: list(o, 'vertices', vertex) };
}

function vertex(o: JsonObject): Vertex {
	return { x: int64(o, 'x'), y: int64(o, 'y') };
}
