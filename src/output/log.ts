import * as vscode from 'vscode';
import type { RequestEvent } from '../api/transport/callWithRetries';
import { redact } from '../api/auth/authorization';

/**
 * The "Yandex Vision" output channel. Everything written passes through redaction of the current
 * secrets, so even an error message that echoes a token cannot put it in the log.
 */
export class Log implements vscode.Disposable {
	private readonly channel = vscode.window.createOutputChannel('Yandex Vision', { log: true });
	private secrets: readonly string[] = [];

	setSecrets(secrets: readonly string[]): void {
		this.secrets = secrets;
	}

	/** Adds to the secrets at once, e.g. a token minted for a request whose errors may echo it. */
	addSecrets(secrets: readonly string[]): void {
		this.secrets = [...new Set([...this.secrets, ...secrets])];
	}

	info(message: string): void {
		this.channel.info(redact(message, this.secrets));
	}

	warn(message: string): void {
		this.channel.warn(redact(message, this.secrets));
	}

	error(message: string): void {
		this.channel.error(redact(message, this.secrets));
	}

	show(): void {
		this.channel.show(true);
	}

	/** One line per attempt: ids, timing, status. */
	request(event: RequestEvent): void {
		const ids = `client-request-id=${event.clientRequestId}${event.requestId ? ` request-id=${event.requestId}` : ''}`;
		switch (event.type) {
			case 'attempt':
				this.channel.debug(`${event.method} attempt ${event.attempt}: ${event.specs} image(s), ${ids}`);
				break;
			case 'success':
				this.info(`${event.method} OK in ${event.elapsedMs} ms (attempt ${event.attempt}, ${event.specs} image(s)), ${ids}`);
				break;
			case 'retry':
				this.warn(`${event.method} attempt ${event.attempt} failed${event.httpStatus ? ` (HTTP ${event.httpStatus})` : ''}: ${event.error}; retrying in ${event.delayMs} ms, ${ids}`);
				break;
			case 'failure':
				this.error(`${event.method} failed after ${event.attempt} attempt(s)${event.httpStatus ? ` (HTTP ${event.httpStatus})` : ''}: ${event.error}, ${ids}`);
				break;
		}
	}

	dispose(): void {
		this.channel.dispose();
	}
}
