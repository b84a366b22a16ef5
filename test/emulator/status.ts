/** google.rpc.Status values and the rejection that carries one out of the request pipeline. */

export const Code = {
	INVALID_ARGUMENT: 3,
	DEADLINE_EXCEEDED: 4,
	NOT_FOUND: 5,
	PERMISSION_DENIED: 7,
	RESOURCE_EXHAUSTED: 8,
	UNIMPLEMENTED: 12,
	INTERNAL: 13,
	UNAVAILABLE: 14,
	UNAUTHENTICATED: 16,
} as const;

/** A whole-request error answer: HTTP status, google.rpc.Status body, extra headers. */
export class Rejection extends Error {
	constructor(
		readonly httpStatus: number,
		readonly code: number,
		message: string,
		readonly headers: Readonly<Record<string, string>> = {},
	) {
		super(message);
	}

	/** Top-level error bodies keep `details: []`, as the gateway writes them. */
	get body(): { code: number; message: string; details: unknown[] } {
		return { code: this.code, message: this.message, details: [] };
	}
}

export function invalidArgument(message: string): Rejection {
	return new Rejection(400, Code.INVALID_ARGUMENT, message);
}

/** The validator's wording: `Request validation error: <snake_case path>: <problem>`. */
export function validationError(path: string, problem: string): Rejection {
	return invalidArgument(`Request validation error: ${path}: ${problem}`);
}
