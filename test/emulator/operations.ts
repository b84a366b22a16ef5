/**
 * The OCR API's asynchronous recognitions as Operation resources (yandex/cloud/operation/
 * operation.proto), in memory. Each keeps only what its answers need: who submitted it, when it
 * is done, and the recording its pages are read from or the error it ends with — never the file,
 * so thousands of them cost little. Kept until `ttlMs` after they are done, as the service keeps
 * results for 3 days; the clock can be moved forward so tests need not wait.
 */

import { randomBytes } from 'node:crypto';
import { RecognizedDocument } from './ocr';
import { JsonObject } from './proto3';

export const DEFAULT_OPERATION_TTL_MS = 3 * 24 * 60 * 60 * 1000;

/** What the service's own answers carry. */
const DESCRIPTION = 'OCR async recognition';
/** google.protobuf.Empty, the method's declared response, packed in an Any as proto3 JSON writes it. */
const EMPTY_RESPONSE = { '@type': 'type.googleapis.com/google.protobuf.Empty', value: {} };
/** A full sweep of expired operations at most this often (operations' clock). */
const SWEEP_EVERY_MS = 1000;
const ID_LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ID_ALPHABET = `${ID_LETTERS}0123456789`;

/** What getRecognition answers once the operation is done. */
export type OperationOutcome =
	| { kind: 'pages'; document: RecognizedDocument }
	| { kind: 'error'; code: number; message: string };

export interface StoredOperation {
	readonly id: string;
	/** The account that submitted it: the only one that may see it. */
	readonly createdBy: string;
	readonly createdAt: number;
	readonly doneAt: number;
	readonly outcome: OperationOutcome;
}

export class OperationStore {
	private readonly operations = new Map<string, StoredOperation>();
	private offsetMs = 0;
	private sweptAt = 0;

	/** The operations' clock: real time, moved forward by `advance`. */
	now(): number {
		return Date.now() + this.offsetMs;
	}

	advance(ms: number): void {
		if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`the clock only moves forward: got ${ms} ms`);
		this.offsetMs += ms;
	}

	get size(): number {
		return this.operations.size;
	}

	create(fields: Omit<StoredOperation, 'id'>, ttlMs: number): StoredOperation {
		this.sweep(ttlMs);
		let id = newOperationId();
		while (this.operations.has(id)) id = newOperationId();
		const operation = { id, ...fields };
		this.operations.set(id, operation);
		return operation;
	}

	/** The operation, unless it is unknown or has expired. */
	get(id: string, ttlMs: number): StoredOperation | undefined {
		this.sweep(ttlMs);
		const operation = this.operations.get(id);
		if (operation && isExpired(operation, this.now(), ttlMs)) {
			this.operations.delete(id);
			return undefined;
		}
		return operation;
	}

	private sweep(ttlMs: number): void {
		const now = this.now();
		if (now - this.sweptAt < SWEEP_EVERY_MS) return;
		this.sweptAt = now;
		for (const [id, operation] of this.operations) if (isExpired(operation, now, ttlMs)) this.operations.delete(id);
	}
}

export function isDone(operation: StoredOperation, now: number): boolean {
	return now >= operation.doneAt;
}

function isExpired(operation: StoredOperation, now: number, ttlMs: number): boolean {
	return now >= operation.doneAt + ttlMs;
}

/**
 * The Operation as the gateway writes it, unset fields included as the service's examples show
 * them (`done: false`, `metadata: null`); once done, exactly one of `error` and `response`.
 */
export function operationJson(operation: StoredOperation, now: number): JsonObject {
	const done = isDone(operation, now);
	const json: JsonObject = {
		id: operation.id,
		description: DESCRIPTION,
		createdAt: timestamp(operation.createdAt),
		createdBy: operation.createdBy,
		modifiedAt: timestamp(done ? operation.doneAt : operation.createdAt),
		done,
		metadata: null,
	};
	if (!done) return json;
	const { outcome } = operation;
	if (outcome.kind === 'error') json.error = { code: outcome.code, message: outcome.message, details: [] };
	else json.response = EMPTY_RESPONSE;
	return json;
}

/** RFC 3339 in UTC as proto3 JSON writes a Timestamp: fractions of a second only when there are any. */
function timestamp(ms: number): string {
	return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** 20 lowercase letters and digits, starting with a letter, as the service's IDs. */
function newOperationId(): string {
	const bytes = randomBytes(20);
	let id = ID_LETTERS[bytes[0] % ID_LETTERS.length];
	for (let i = 1; i < bytes.length; i++) id += ID_ALPHABET[bytes[i] % ID_ALPHABET.length];
	return id;
}
