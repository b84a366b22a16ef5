import * as vscode from 'vscode';
import type { Dispatcher } from 'undici';
import { Commands, type CommandId } from '../commands/commandIds';
import type { Credentials } from '../api/auth/authorization';
import {
	createServiceAccountTokenSource,
	DEFAULT_IAM_ENDPOINT,
	KeyFileError,
	keySecrets,
	parseServiceAccountKey,
	type ServiceAccountKey,
	type ServiceAccountTokenSource,
} from '../api/auth/iamToken';

/** Where each kind of credentials lives in SecretStorage; only one is stored at a time. */
const SECRET_KEYS = {
	iamToken: 'yandexVision.iamToken',
	apiKey: 'yandexVision.apiKey',
	serviceAccountKey: 'yandexVision.serviceAccountKey',
} as const;

export type CredentialKind = keyof typeof SECRET_KEYS;

const KINDS = Object.keys(SECRET_KEYS) as CredentialKind[];
const IAM_TOKEN_SET_AT_KEY = 'yandexVision.iamTokenSetAt';
const HOUR_MS = 60 * 60 * 1000;
/** IAM tokens live at most 12 hours; a pasted one is at least as old as the time since it was set. */
export const IAM_TOKEN_LIFETIME_MS = 12 * HOUR_MS;
const IAM_TOKEN_WARNING_AGE_MS = 11 * HOUR_MS;

/** How service-account tokens are obtained; `dispatcher` lets a proxy carry the exchange. */
export interface TokenExchangeSettings {
	iamEndpoint: string;
	timeoutMs: number;
	dispatcher?: Dispatcher;
	/** The User-Agent of the token exchange, as of every request of the extension. */
	userAgent?: string;
}

export type CredentialStatus =
	| { kind: undefined }
	| { kind: 'iamToken'; setAt: number | undefined }
	| { kind: 'apiKey' }
	| { kind: 'serviceAccountKey'; keyId: string; serviceAccountId: string; tokenExpiresAt: number | undefined };

/**
 * The user's credentials, kept in SecretStorage only: a pasted IAM token (a user account's), a
 * service account's API key, or a service account's authorized key from which IAM tokens are minted.
 */
export class CredentialStore implements vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<void>();
	/** Fires when the secrets to redact change: credentials set or deleted, a token minted. */
	readonly onDidChangeSecrets = this.changed.event;
	private parsedKey: { text: string; key: ServiceAccountKey } | undefined;
	private tokenSource: { text: string; settings: TokenExchangeSettings; source: ServiceAccountTokenSource } | undefined;
	/** Tokens minted this session, redacted wherever they might be echoed. */
	private minted: string[] = [];
	private warnedAboutAge = false;

	constructor(private readonly context: vscode.ExtensionContext) {}

	/** Which kind is stored, if any. */
	async kind(): Promise<CredentialKind | undefined> {
		return (await this.stored())?.kind;
	}

	/** The tokens minted this session; known at once, unlike what is stored. */
	mintedTokens(): readonly string[] {
		return this.minted;
	}

	/** All secret strings currently known, for redaction. */
	async secrets(): Promise<string[]> {
		const stored = await this.stored();
		const secrets = [...this.minted];
		if (stored?.kind === 'serviceAccountKey') {
			secrets.push(stored.value);
			try {
				secrets.push(...keySecrets(this.keyOf(stored.value)));
			} catch {
				// A stored key that no longer parses is reported when it is used.
			}
		} else if (stored) {
			secrets.push(stored.value);
		}
		return secrets;
	}

	/** Asks for an IAM token in a password box and stores it. Resolves false if the user cancels. */
	async promptForIamToken(): Promise<boolean> {
		const token = await vscode.window.showInputBox({
			title: vscode.l10n.t('Yandex Vision: Set IAM Token'),
			prompt: vscode.l10n.t('Paste an IAM token (for example, the output of "yc iam create-token"). It is kept in VS Code\'s secret storage.'),
			placeHolder: 't1.…',
			password: true,
			ignoreFocusOut: true,
			validateInput: value => validateToken(value),
		});
		if (token === undefined) return false;
		await this.store('iamToken', token.trim());
		await this.context.globalState.update(IAM_TOKEN_SET_AT_KEY, Date.now());
		return true;
	}

	/** Asks for a service account's API key in a password box and stores it. Resolves false if the user cancels. */
	async promptForApiKey(): Promise<boolean> {
		const key = await vscode.window.showInputBox({
			title: vscode.l10n.t('Yandex Vision: Set API Key'),
			prompt: vscode.l10n.t('Paste the secret of a service account\'s API key (from "yc iam api-key create"). It is kept in VS Code\'s secret storage.'),
			placeHolder: 'AQVN…',
			password: true,
			ignoreFocusOut: true,
			validateInput: value => validateApiKey(value),
		});
		if (key === undefined) return false;
		await this.store('apiKey', key.trim());
		return true;
	}

	/**
	 * Asks for an authorized key file, checks it and stores its JSON. Resolves the key, or undefined
	 * when the user cancels or the file is not a usable key (the reason is shown).
	 */
	async promptForServiceAccountKey(): Promise<ServiceAccountKey | undefined> {
		const [uri] = await vscode.window.showOpenDialog({
			title: vscode.l10n.t('Yandex Vision: choose a service account\'s authorized key (the JSON file of "yc iam key create")'),
			openLabel: vscode.l10n.t('Use This Key'),
			canSelectFiles: true,
			canSelectFolders: false,
			canSelectMany: false,
			filters: { [vscode.l10n.t('Authorized key (JSON)')]: ['json'], [vscode.l10n.t('All files')]: ['*'] },
		}) ?? [];
		if (!uri) return undefined;
		const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
		let text: string;
		try {
			text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
		} catch (err) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: cannot read {0}: {1}', name, err instanceof Error ? err.message : String(err)));
			return undefined;
		}
		let key: ServiceAccountKey;
		try {
			key = parseServiceAccountKey(text);
		} catch (err) {
			if (!(err instanceof KeyFileError)) throw err;
			const another = vscode.l10n.t('Choose Another File');
			const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Yandex Vision: {0} is not a usable service account key. {1}', name, err.message), another);
			return choice === another ? this.promptForServiceAccountKey() : undefined;
		}
		await this.store('serviceAccountKey', text);
		return key;
	}

	/** Deletes every stored secret. Resolves whether anything was stored. */
	async signOut(): Promise<boolean> {
		const had = (await this.stored()) !== undefined;
		for (const kind of KINDS) await this.context.secrets.delete(SECRET_KEYS[kind]);
		await this.context.globalState.update(IAM_TOKEN_SET_AT_KEY, undefined);
		this.forget();
		return had;
	}

	/**
	 * The kind of credentials for a request, after leading the user to set them when there are none
	 * and checking a pasted token's age. Resolves undefined when the user declines; the caller then
	 * stops quietly.
	 */
	async require(): Promise<CredentialKind | undefined> {
		const kind = await this.kind();
		if (kind === 'iamToken') return this.checkTokenAge();
		if (kind) return kind;
		const set = vscode.l10n.t('Set IAM Token');
		const choice = await vscode.window.showWarningMessage(
			vscode.l10n.t('Yandex Vision needs an IAM token to analyze images.'),
			{ modal: true, detail: vscode.l10n.t('Get one with "yc iam create-token" (Yandex Cloud CLI) and paste it. A service account can sign in instead: run "Yandex Vision: Set API Key" or "Yandex Vision: Set Service Account Key…". Credentials are kept in VS Code\'s secret storage, never in settings or files.') },
			set,
		);
		if (choice !== set) return undefined;
		return (await this.promptForIamToken()) ? 'iamToken' : undefined;
	}

	/**
	 * Credentials for each attempt, read afresh so that a change meanwhile is used at once. A
	 * service account's token is minted, cached and renewed here.
	 */
	provider(settings: TokenExchangeSettings): (signal?: AbortSignal) => Promise<Credentials> {
		return async signal => {
			const stored = await this.stored();
			switch (stored?.kind) {
				case undefined:
					throw new Error(vscode.l10n.t('No credentials are set. Run "Yandex Vision: Set IAM Token", "Yandex Vision: Set API Key" or "Yandex Vision: Set Service Account Key…".'));
				case 'iamToken':
					return { iamToken: stored.value, account: 'user' };
				case 'apiKey':
					return { apiKey: stored.value };
				case 'serviceAccountKey':
					return { iamToken: await this.tokenSourceFor(stored.value, settings).token(signal), account: 'service' };
			}
		};
	}

	/** The service refused the minted token: the next request mints a new one. */
	forgetMintedToken(): void {
		this.tokenSource?.source.invalidate();
	}

	/** What is stored, without any secret. */
	async status(): Promise<CredentialStatus> {
		const stored = await this.stored();
		switch (stored?.kind) {
			case undefined:
				return { kind: undefined };
			case 'iamToken': {
				const setAt = this.context.globalState.get<unknown>(IAM_TOKEN_SET_AT_KEY);
				return { kind: 'iamToken', setAt: typeof setAt === 'number' ? setAt : undefined };
			}
			case 'apiKey':
				return { kind: 'apiKey' };
			case 'serviceAccountKey': {
				const key = this.keyOf(stored.value);
				const current = this.tokenSource?.text === stored.value ? this.tokenSource.source.current : undefined;
				return { kind: 'serviceAccountKey', keyId: key.id, serviceAccountId: key.serviceAccountId, tokenExpiresAt: current?.expiresAt };
			}
		}
	}

	dispose(): void {
		this.changed.dispose();
	}

	private async stored(): Promise<{ kind: CredentialKind; value: string } | undefined> {
		for (const kind of KINDS) {
			const value = await this.context.secrets.get(SECRET_KEYS[kind]);
			if (value) return { kind, value };
		}
		return undefined;
	}

	/** Stores the new credentials first, then deletes the others: one kind is active at a time. */
	private async store(kind: CredentialKind, value: string): Promise<void> {
		await this.context.secrets.store(SECRET_KEYS[kind], value);
		for (const other of KINDS) if (other !== kind) await this.context.secrets.delete(SECRET_KEYS[other]);
		if (kind !== 'iamToken') await this.context.globalState.update(IAM_TOKEN_SET_AT_KEY, undefined);
		this.forget();
	}

	private forget(): void {
		this.parsedKey = undefined;
		this.tokenSource = undefined;
		this.minted = [];
		this.warnedAboutAge = false;
		this.changed.fire();
	}

	private keyOf(text: string): ServiceAccountKey {
		if (this.parsedKey?.text !== text) {
			try {
				this.parsedKey = { text, key: parseServiceAccountKey(text) };
			} catch (err) {
				throw new Error(vscode.l10n.t('The stored service account key cannot be used: {0} Set it again with "Yandex Vision: Set Service Account Key…".', err instanceof Error ? err.message : String(err)));
			}
		}
		return this.parsedKey.key;
	}

	private tokenSourceFor(text: string, settings: TokenExchangeSettings): ServiceAccountTokenSource {
		const current = this.tokenSource;
		if (current && current.text === text && current.settings.iamEndpoint === settings.iamEndpoint && current.settings.dispatcher === settings.dispatcher) {
			return current.source;
		}
		const source = createServiceAccountTokenSource(this.keyOf(text), {
			endpoint: settings.iamEndpoint,
			dispatcher: settings.dispatcher,
			timeoutMs: settings.timeoutMs,
			userAgent: settings.userAgent,
			onToken: token => {
				// A few recent ones: a token replaced a moment ago may still be in an answer being read.
				this.minted = [...this.minted.slice(-3), token.iamToken];
				this.changed.fire();
			},
		});
		this.tokenSource = { text, settings, source };
		return source;
	}

	/** A pasted token past 12 hours has expired: offer a new one instead of sending it. From 11 hours, warn once per session. */
	private async checkTokenAge(): Promise<CredentialKind | undefined> {
		const setAt = this.context.globalState.get<unknown>(IAM_TOKEN_SET_AT_KEY);
		if (typeof setAt !== 'number') return 'iamToken';
		const age = Date.now() - setAt;
		const set = vscode.l10n.t('Set New Token');
		if (age >= IAM_TOKEN_LIFETIME_MS) {
			const choice = await vscode.window.showWarningMessage(
				vscode.l10n.t('Yandex Vision: the IAM token has expired.'),
				{ modal: true, detail: vscode.l10n.t('It was set {0} ago, and IAM tokens live at most 12 hours. Get a new one with "yc iam create-token", or let a service account key have tokens renewed automatically ("Yandex Vision: Set Service Account Key…").', formatDuration(age)) },
				set,
			);
			if (choice !== set) return undefined;
			return (await this.promptForIamToken()) ? 'iamToken' : undefined;
		}
		if (age >= IAM_TOKEN_WARNING_AGE_MS && !this.warnedAboutAge) {
			this.warnedAboutAge = true;
			void vscode.window.showWarningMessage(
				vscode.l10n.t('Yandex Vision: the IAM token expires in about {0} (IAM tokens live at most 12 hours).', formatDuration(IAM_TOKEN_LIFETIME_MS - age)),
				set,
			).then(choice => {
				if (choice === set) void vscode.commands.executeCommand(Commands.setIamToken);
			});
		}
		return 'iamToken';
	}
}

export function validateToken(value: string): string | undefined {
	const token = value.trim();
	if (!token) return vscode.l10n.t('The token is empty.');
	if (!/^[\x21-\x7e]+$/.test(token)) return vscode.l10n.t('An IAM token has no spaces or line breaks.');
	return undefined;
}

export function validateApiKey(value: string): string | undefined {
	const key = value.trim();
	if (!key) return vscode.l10n.t('The API key is empty.');
	if (key.startsWith('{')) return vscode.l10n.t('This looks like a JSON file. For an authorized key file, use "Yandex Vision: Set Service Account Key…"; from an API key\'s JSON, paste only its "secret".');
	if (!/^[\x21-\x7e]+$/.test(key)) return vscode.l10n.t('An API key has no spaces or line breaks.');
	if (key.startsWith('t1.')) return vscode.l10n.t('This looks like an IAM token; use "Yandex Vision: Set IAM Token" for it.');
	return undefined;
}

/** The user-settings IAM token endpoint: application-scoped, so a workspace cannot choose where keys are sent. */
export function readIamEndpoint(): string {
	const inspected = vscode.workspace.getConfiguration('yandexVision').inspect<string>('iamEndpoint');
	return (inspected?.globalValue ?? inspected?.defaultValue ?? '').trim() || DEFAULT_IAM_ENDPOINT;
}

/** Offers to replace a rejected token; used for 401 answers. */
export async function offerNewToken(message: string): Promise<void> {
	const replace = vscode.l10n.t('Set New Token');
	if ((await vscode.window.showErrorMessage(message, replace)) === replace) {
		await vscode.commands.executeCommand(Commands.setIamToken);
	}
}

/** Shows a credentials problem with the action that replaces the credentials of that kind. */
export async function offerNewCredentials(kind: CredentialKind | undefined, message: string): Promise<void> {
	if (kind === 'iamToken') return offerNewToken(message);
	const [action, command]: [string, CommandId] = kind === 'apiKey'
		? [vscode.l10n.t('Set API Key'), Commands.setApiKey]
		: [vscode.l10n.t('Set Service Account Key…'), Commands.setServiceAccountKey];
	if ((await vscode.window.showErrorMessage(message, action)) === action) {
		await vscode.commands.executeCommand(command);
	}
}

/** "Yandex Vision: Show Credentials": what is in use, and the commands that change it. Resolves the kind in use. */
export async function showCredentials(store: CredentialStore): Promise<CredentialKind | undefined> {
	let status: CredentialStatus;
	try {
		status = await store.status();
	} catch (err) {
		void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
		return store.kind();
	}
	type Item = vscode.QuickPickItem & { command?: CommandId };
	const actions: Item[] = [
		{ label: '', kind: vscode.QuickPickItemKind.Separator },
		{ label: `$(account) ${vscode.l10n.t('Set IAM Token')}`, description: vscode.l10n.t('a user account\'s token, valid up to 12 hours'), command: Commands.setIamToken },
		{ label: `$(key) ${vscode.l10n.t('Set API Key')}`, description: vscode.l10n.t('a service account\'s API key'), command: Commands.setApiKey },
		{ label: `$(file) ${vscode.l10n.t('Set Service Account Key…')}`, description: vscode.l10n.t('an authorized key file; tokens are renewed automatically'), command: Commands.setServiceAccountKey },
	];
	if (status.kind) actions.push({ label: `$(sign-out) ${vscode.l10n.t('Sign Out')}`, description: vscode.l10n.t('delete the stored credentials'), command: Commands.signOut });
	const items: Item[] = [describeStatus(status), ...actions];
	const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Yandex Vision: credentials') });
	if (picked?.command) await vscode.commands.executeCommand(picked.command);
	return status.kind;
}

function describeStatus(status: CredentialStatus): vscode.QuickPickItem {
	switch (status.kind) {
		case undefined:
			return { label: `$(circle-slash) ${vscode.l10n.t('No credentials are set')}`, detail: vscode.l10n.t('Choose one of the ways to sign in below.') };
		case 'iamToken':
			return {
				label: `$(account) ${vscode.l10n.t('IAM token of a user account')}`,
				description: status.setAt === undefined ? undefined : vscode.l10n.t('set {0} ago', formatDuration(Date.now() - status.setAt)),
				detail: vscode.l10n.t('Requests name the folder of the yandexVision.folderId setting. The token expires at most 12 hours after it was created.'),
			};
		case 'apiKey':
			return {
				label: `$(key) ${vscode.l10n.t('API key of a service account')}`,
				detail: vscode.l10n.t('Requests are billed to the service account\'s folder.'),
			};
		case 'serviceAccountKey':
			return {
				label: `$(key) ${vscode.l10n.t('Authorized key {0} of service account {1}', status.keyId, status.serviceAccountId)}`,
				detail: status.tokenExpiresAt === undefined
					? vscode.l10n.t('IAM tokens are obtained when needed and renewed automatically.')
					: vscode.l10n.t('The current IAM token is valid until {0}; it is renewed automatically.', new Date(status.tokenExpiresAt).toLocaleString()),
			};
	}
}

function formatDuration(ms: number): string {
	const minutes = Math.max(1, Math.round(ms / 60_000));
	if (minutes < 60) return vscode.l10n.t('{0} min', minutes);
	const hours = Math.floor(minutes / 60);
	const rest = minutes % 60;
	return rest === 0 ? vscode.l10n.t('{0} h', hours) : vscode.l10n.t('{0} h {1} min', hours, rest);
}
