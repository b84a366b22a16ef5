/**
 * Reading a request body the way a proto3 JSON parser does, shared by the methods: both the
 * lowerCamelCase JSON name and the proto field name are accepted, `null` means "not set",
 * unknown fields and wrong JSON types are rejected, bytes are base64 (standard or URL-safe).
 */

import { Rejection, invalidArgument } from './status';

/** The body as a JSON object, or 400 code 3 as the gateway answers unreadable JSON. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
	let json: unknown;
	try {
		json = JSON.parse(body.toString('utf8'));
	} catch (err) {
		throw invalidArgument(`Invalid JSON payload: ${err instanceof Error ? err.message : String(err)}`);
	}
	if (!isObject(json)) throw invalidArgument('Invalid JSON payload: the request body must be a JSON object');
	return json;
}

/**
 * Maps each present field to its proto name; `null` values are dropped as proto3 JSON says.
 * `hint` is added to the message about an unknown field.
 */
export function readFields(
	object: Record<string, unknown>, path: string, messageName: string, protoNames: readonly string[], hint?: (key: string) => string | undefined,
): Map<string, unknown> {
	const fields = new Map<string, unknown>();
	for (const [key, value] of Object.entries(object)) {
		const protoName = protoNames.find(name => name === key || lowerCamel(name) === key);
		if (protoName === undefined) {
			const extra = hint?.(key);
			throw invalidArgument(`Invalid JSON payload: unknown field "${key}" in ${messageName}${path ? ` at ${path}` : ''}${extra ? ` (${extra})` : ''}`);
		}
		if (fields.has(protoName)) {
			throw invalidArgument(`Invalid JSON payload: field ${join(path, protoName)} is given twice (as "${protoName}" and "${lowerCamel(protoName)}")`);
		}
		fields.set(protoName, value);
	}
	for (const [name, value] of fields) if (value === null) fields.delete(name);
	return fields;
}

export function readRepeated<T>(value: unknown, path: string, readElement: (element: unknown, path: string) => T): T[] {
	if (value === undefined) return [];
	if (!Array.isArray(value)) throw wrongType(path, 'an array');
	return value.map((element, i) => {
		if (element === null) throw wrongType(`${path}[${i}]`, 'a value (null is not allowed in a repeated field)');
		return readElement(element, `${path}[${i}]`);
	});
}

export function readString(value: unknown, path: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw wrongType(path, 'a string');
	return value;
}

export function readRequiredString(value: unknown, path: string): string {
	return readString(value, path) ?? '';
}

const STANDARD_BASE64 = /^[A-Za-z0-9+/]*$/;
const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]*$/;

/** The base64 text as sent, once it is known to decode. */
export function readBytes(value: unknown, path: string): string | undefined {
	const text = readString(value, path);
	if (text === undefined) return undefined;
	const unpadded = text.replace(/={1,2}$/, '');
	const alphabetOk = STANDARD_BASE64.test(unpadded) || URL_SAFE_BASE64.test(unpadded);
	const lengthOk = unpadded.length === text.length ? text.length % 4 !== 1 : text.length % 4 === 0;
	if (!alphabetOk || !lengthOk) throw invalidArgument(`Invalid JSON payload: ${path}: invalid base64 data`);
	return text;
}

export function asObject(value: unknown, path: string): Record<string, unknown> {
	if (!isObject(value)) throw wrongType(path, 'an object');
	return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function wrongType(path: string, expected: string): Rejection {
	return invalidArgument(`Invalid JSON payload: ${path}: expected ${expected}`);
}

export function lowerCamel(protoName: string): string {
	return protoName.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function join(path: string, name: string): string {
	return path ? `${path}.${name}` : name;
}
