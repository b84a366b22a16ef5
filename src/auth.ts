import * as vscode from 'vscode';
import { Commands } from './commands';
import type { Credentials } from './vision/credentials';

const IAM_TOKEN_KEY = 'yandexVision.iamToken';
const IAM_TOKEN_SET_AT_KEY = 'yandexVision.iamTokenSetAt';

/** The user's credentials, kept in SecretStorage only. */
export class CredentialStore {
	constructor(private readonly context: vscode.ExtensionContext) {}

	async get(): Promise<Credentials | undefined> {
		const token = await this.context.secrets.get(IAM_TOKEN_KEY);
		return token ? { iamToken: token } : undefined;
	}

	/** All secret strings currently stored, for redaction. */
	async secrets(): Promise<string[]> {
		const token = await this.context.secrets.get(IAM_TOKEN_KEY);
		return token ? [token] : [];
	}

	/** Asks for an IAM token in a password box and stores it. Resolves false if the user cancels. */
	async promptForIamToken(): Promise<boolean> {
		const token = await vscode.window.showInputBox({
			title: vscode.l10n.t('Yandex Vision: Set IAM Token'),
			prompt: vscode.l10n.t('Paste an IAM token (for example, the output of `yc iam create-token`). It is kept in VS Code\'s secret storage.'),
			placeHolder: 't1.…',
			password: true,
			ignoreFocusOut: true,
			validateInput: value => validateToken(value),
		});
		if (token === undefined) return false;
		await this.context.secrets.store(IAM_TOKEN_KEY, token.trim());
		await this.context.globalState.update(IAM_TOKEN_SET_AT_KEY, Date.now());
		return true;
	}

	async signOut(): Promise<boolean> {
		const had = (await this.context.secrets.get(IAM_TOKEN_KEY)) !== undefined;
		await this.context.secrets.delete(IAM_TOKEN_KEY);
		await this.context.globalState.update(IAM_TOKEN_SET_AT_KEY, undefined);
		return had;
	}

	/**
	 * Credentials for a request, or a prompt that leads to setting them. Resolves undefined when the
	 * user declines; the caller then stops quietly.
	 */
	async require(): Promise<Credentials | undefined> {
		const existing = await this.get();
		if (existing) return existing;
		const set = vscode.l10n.t('Set IAM Token');
		const choice = await vscode.window.showWarningMessage(
			vscode.l10n.t('Yandex Vision needs an IAM token to analyze images.'),
			{ modal: true, detail: vscode.l10n.t('Get one with `yc iam create-token` (Yandex Cloud CLI) and paste it. It is stored in VS Code\'s secret storage, never in settings or files.') },
			set,
		);
		if (choice !== set) return undefined;
		return (await this.promptForIamToken()) ? this.get() : undefined;
	}
}

export function validateToken(value: string): string | undefined {
	const token = value.trim();
	if (!token) return vscode.l10n.t('The token is empty.');
	if (!/^[\x21-\x7e]+$/.test(token)) return vscode.l10n.t('An IAM token has no spaces or line breaks.');
	return undefined;
}

/** Offers to replace a rejected token; used for 401 answers. */
export async function offerNewToken(message: string): Promise<void> {
	const replace = vscode.l10n.t('Set New Token');
	if ((await vscode.window.showErrorMessage(message, replace)) === replace) {
		await vscode.commands.executeCommand(Commands.setIamToken);
	}
}
