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

/** The HTTP status the gateway answers a code with (google/rpc/code.proto's mapping). */
export function httpStatusOf(code: number): number {
	switch (code) {
		case Code.INVALID_ARGUMENT: return 400;
		case Code.DEADLINE_EXCEEDED: return 504;
		case Code.NOT_FOUND: return 404;
		case Code.PERMISSION_DENIED: return 403;
		case Code.RESOURCE_EXHAUSTED: return 429;
		case Code.UNIMPLEMENTED: return 501;
		case Code.UNAVAILABLE: return 503;
		case Code.UNAUTHENTICATED: return 401;
		default: return 500;
	}
}

export function invalidArgument(message: string): Rejection {
	return new Rejection(400, Code.INVALID_ARGUMENT, message);
}

/** The validator's wording: `Request validation error: <snake_case path>: <problem>`. */
export function validationError(path: string, problem: string): Rejection {
	return invalidArgument(`Request validation error: ${path}: ${problem}`);
}
