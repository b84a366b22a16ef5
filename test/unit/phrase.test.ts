import * as assert from 'node:assert/strict';
import { redact } from '../../src/api/auth/authorization';
import { VisionError } from '../../src/api/transport/errors';
import { userAgentOf } from '../../src/api/transport/userAgent';
import { ImageError } from '../../src/images/errors';
import { mapText, phrase, word, type Translate } from '../../src/shared/phrase';

/** Stands in for vscode.l10n.t with a bundle of two messages. */
const shouty: Translate = (message, ...args) => {
	const bundle: Record<string, string> = { 'Connection to {0} refused.': 'СОЕДИНЕНИЕ С {0} ОТКЛОНЕНО.', '{0} Gave up after {1} attempts.': '{0} ПОПЫТОК: {1}.' };
	return (bundle[message] ?? message).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
};

describe('phrases: sentences of code without vscode, worded where they are shown', () => {
	it('reads in English as written, and in another language through its translator, inner phrases first', () => {
		const refused = phrase('Connection to {0} refused.', '127.0.0.1:8080');
		const final = phrase('{0} Gave up after {1} attempts.', refused, 2);
		assert.equal(word(final), 'Connection to 127.0.0.1:8080 refused. Gave up after 2 attempts.');
		assert.equal(word(final, shouty), 'СОЕДИНЕНИЕ С 127.0.0.1:8080 ОТКЛОНЕНО. ПОПЫТОК: 2.');
	});

	it('shows text another party wrote as it is, placeholders and all', () => {
		const theirs = 'Quota {0} exceeded';
		assert.equal(word(theirs, shouty), theirs);
		assert.equal(word(phrase('{0} Gave up after {1} attempts.', theirs, 3), shouty), 'Quota {0} exceeded ПОПЫТОК: 3.');
	});

	it('masks a secret in every value, however deep, and leaves the messages and numbers alone', () => {
		const secret = 't1.secret-token-value';
		const echoed = phrase('{0} Gave up after {1} attempts.', phrase('Connection to {0} refused.', `host sent ${secret}`), 2);
		const masked = mapText(echoed, text => redact(text, [secret]));
		assert.equal(word(masked), 'Connection to host sent *** refused. Gave up after 2 attempts.');
		assert.ok(!JSON.stringify(masked).includes(secret));
	});

	it('keeps a VisionError\'s wording through copies, with its English as the message', () => {
		const err = new VisionError({ kind: 'network', code: 14, message: phrase('Connection to {0} refused.', 'h:1') }).with({ attempts: 2 });
		assert.equal(err.message, 'Connection to h:1 refused.');
		assert.equal(word(err.wording, shouty), 'СОЕДИНЕНИЕ С h:1 ОТКЛОНЕНО.');
		assert.equal(new VisionError({ kind: 'service', code: 3, message: 'Can\'t decode Image' }).wording, 'Can\'t decode Image');
	});

	it('keeps an ImageError\'s predicate as plain data, so that it crosses a worker thread', () => {
		const err = new ImageError('corrupt', phrase('is a corrupt PNG: {0}', phrase('its IHDR header gives an impossible size, {0}×{1}', 0, 5)));
		const copy = new ImageError(err.code, structuredClone(err.predicate));
		assert.equal(copy.sentence('a.png'), 'a.png is a corrupt PNG: its IHDR header gives an impossible size, 0×5. Open it in an image editor and save it again as JPEG or PNG.');
	});
});

describe('the User-Agent', () => {
	it('names the product, its version, VS Code\'s and the platform', () => {
		assert.equal(userAgentOf({ extensionVersion: '0.1.0', editorVersion: '1.100.2', platform: 'darwin', arch: 'arm64' }), 'yandex-vision-vscode/0.1.0 (VS Code 1.100.2; darwin arm64)');
	});

	it('lets nothing through that could break the header or add another', () => {
		const agent = userAgentOf({ extensionVersion: '1.0 (x)\r\nX-Injected: 1', editorVersion: '1.9)\nEvil: 1', platform: 'li nux', arch: '' });
		assert.equal(agent, 'yandex-vision-vscode/1.0xX-Injected1 (VS Code 1.9Evil:1; linux unknown)');
		assert.ok(/^[\x20-\x7e]+$/.test(agent));
	});
});
