/**
 * The extension speaks English and Russian: every manifest `%key%`, every `vscode.l10n.t` message
 * and every string of the results panel has a Russian translation that keeps its placeholders, and
 * no translation is left behind for a string the code no longer uses.
 *
 * Messages are found with the TypeScript parser, so calls that span lines, `import { l10n }` and
 * the `{ message, comment }` form are all seen.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { WEBVIEW_STRINGS } from '../../src/shared/strings';

const ROOT = findRoot();

/** Names that stay as they are in Russian: the product and file formats. */
const NAMES = ['Yandex Vision', 'Vision', 'JSON', 'Markdown'];

/** True when a string holds nothing to translate: only names, placeholders and punctuation. */
function nothingToTranslate(english: string): boolean {
	let rest = english.replace(/\{\d+\}/g, '');
	for (const name of NAMES) rest = rest.split(name).join('');
	return !/\p{L}/u.test(rest);
}

/**
 * Calls whose message is not a literal, each with where its messages come from; any other such
 * call is an error, because no extractor can tell what it shows.
 */
const DYNAMIC_CALLS: readonly { file: string; call: string; source: string }[] = [
	{ file: 'src/panel/resultsPanel.ts', call: 'vscode.l10n.t(english)', source: 'the English values of WEBVIEW_STRINGS' },
	{ file: 'src/panel/resultsPanel.ts', call: 'vscode.l10n.t(message, ...args)', source: 'the `t(…)` calls of src/export/exportResults.ts (its Translate)' },
	{ file: 'src/export/exportBatch.ts', call: 'vscode.l10n.t(message, ...args)', source: 'the `t(…)` calls of src/export/exportResults.ts and src/export/batchFormats.ts (their Translate)' },
	{ file: 'src/output/errorMessages.ts', call: 'vscode.l10n.t(message, ...args)', source: 'the `phrase(…)` calls of src/api and src/images, and the `t(…)` calls of src/images/errors.ts' },
	{ file: 'src/shared/phrase.ts', call: 't(wording.message, ...args)', source: 'the `phrase(…)` calls of src/api and src/images' },
];

export interface Message {
	/** The bundle key: the message, plus `/comment` for the `{ message, comment }` form. */
	key: string;
	/** The English text. */
	message: string;
	/** `src/credentials/credentialStore.ts:85` */
	where: string;
	/** How many arguments the call passes after the message; undefined when they are spread. */
	argCount: number | undefined;
}

export interface Extraction {
	messages: Message[];
	/** Translation calls whose message is not a literal, with the call as written. */
	dynamic: { file: string; line: number; call: string }[];
	/** Expressions that glue a translated string to another translated string or to English text. */
	concatenations: string[];
}

/**
 * Every translation call in `files`: `vscode.l10n.t(…)` (through `import * as vscode`),
 * `l10n.t(…)` (through `import { l10n } from 'vscode'`, renamed or not), calls of a function
 * declared with the type `Translate` (the translator src/export/exportResults.ts takes), and
 * `phrase(…)` of src/shared/phrase.ts, whose messages the extension translates when it shows them.
 */
export function extractMessages(files: readonly { path: string; text: string }[]): Extraction {
	const result: Extraction = { messages: [], dynamic: [], concatenations: [] };
	for (const file of files) {
		const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
		const isTranslation = translationCallMatcher(source);
		const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

		const visit = (node: ts.Node): void => {
			if (ts.isCallExpression(node) && isTranslation(node)) {
				const literal = literalMessage(node.arguments[0]);
				if (literal === undefined) {
					result.dynamic.push({ file: file.path, line: lineOf(node), call: node.getText(source).replace(/\s+/g, ' ') });
				} else {
					const rest = node.arguments.slice(1);
					result.messages.push({
						...literal,
						where: `${file.path}:${lineOf(node)}`,
						argCount: rest.some(ts.isSpreadElement) ? undefined : rest.length,
					});
				}
			}
			const glued = gluedTranslation(node, isTranslation);
			if (glued) result.concatenations.push(`${file.path}:${lineOf(node)}: ${node.getText(source).replace(/\s+/g, ' ')}`);
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	return result;
}

/** A predicate for the translation calls of one file, from its imports and declarations. */
function translationCallMatcher(source: ts.SourceFile): (call: ts.CallExpression) => boolean {
	const vscodeNamespaces = new Set<string>();
	const l10nNames = new Set<string>();
	const translators = new Set<string>();
	const visit = (node: ts.Node): void => {
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === 'vscode') {
			const bindings = node.importClause?.namedBindings;
			if (bindings && ts.isNamespaceImport(bindings)) vscodeNamespaces.add(bindings.name.text);
			if (bindings && ts.isNamedImports(bindings)) {
				for (const element of bindings.elements) {
					if ((element.propertyName ?? element.name).text === 'l10n') l10nNames.add(element.name.text);
				}
			}
		}
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /(^|\/)shared\/phrase$/.test(node.moduleSpecifier.text)) {
			const bindings = node.importClause?.namedBindings;
			if (bindings && ts.isNamedImports(bindings)) {
				for (const element of bindings.elements) {
					if ((element.propertyName ?? element.name).text === 'phrase') translators.add(element.name.text);
				}
			}
		}
		if ((ts.isParameter(node) || ts.isVariableDeclaration(node)) && ts.isIdentifier(node.name)
			&& node.type && ts.isTypeReferenceNode(node.type) && ts.isIdentifier(node.type.typeName) && node.type.typeName.text === 'Translate') {
			translators.add(node.name.text);
		}
		ts.forEachChild(node, visit);
	};
	visit(source);

	return call => {
		const callee = call.expression;
		if (ts.isIdentifier(callee)) return translators.has(callee.text);
		if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 't') return false;
		const owner = callee.expression;
		if (ts.isIdentifier(owner)) return l10nNames.has(owner.text);
		return ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n'
			&& ts.isIdentifier(owner.expression) && vscodeNamespaces.has(owner.expression.text);
	};
}

/** A literal message argument and its bundle key, as VS Code looks it up; undefined when not literal. */
function literalMessage(argument: ts.Expression | undefined): { key: string; message: string } | undefined {
	if (!argument) return undefined;
	if (ts.isStringLiteralLike(argument)) return { key: argument.text, message: argument.text };
	if (!ts.isObjectLiteralExpression(argument)) return undefined;
	let message: string | undefined;
	let comment = '';
	for (const property of argument.properties) {
		if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
		const value = property.initializer;
		if (property.name.text === 'message') {
			if (!ts.isStringLiteralLike(value)) return undefined;
			message = value.text;
		} else if (property.name.text === 'comment') {
			// VS Code joins an array of comments with nothing between them.
			if (ts.isStringLiteralLike(value)) comment = value.text;
			else if (ts.isArrayLiteralExpression(value) && value.elements.every(ts.isStringLiteralLike)) comment = value.elements.map(e => (e as ts.StringLiteralLike).text).join('');
			else return undefined;
		}
	}
	if (message === undefined) return undefined;
	return { key: comment === '' ? message : `${message}/${comment}`, message };
}

/**
 * True for `a + b` and template literals that put a translated string next to another one or next
 * to English words: a sentence built from pieces, which no translator can reorder. Markdown
 * punctuation between translated cells (`| ${t('Class')} | ${t('Probability')} |`) is fine.
 */
function gluedTranslation(node: ts.Node, isTranslation: (call: ts.CallExpression) => boolean): boolean {
	const translated = (e: ts.Expression): boolean => {
		const inner = unparenthesized(e);
		return ts.isCallExpression(inner) && isTranslation(inner);
	};
	// Codicons such as `$(eye)` are icons, not words.
	const hasWords = (text: string): boolean => /\p{L}/u.test(text.replace(/\$\([\w~-]+\)/g, ''));

	if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken
		&& !(ts.isBinaryExpression(node.parent) && node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
		const operands: ts.Expression[] = [];
		const flatten = (e: ts.Expression): void => {
			const inner = unparenthesized(e);
			if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken) {
				flatten(inner.left);
				flatten(inner.right);
			} else {
				operands.push(inner);
			}
		};
		flatten(node);
		const count = operands.filter(translated).length;
		return count >= 2 || (count === 1 && operands.some(e => ts.isStringLiteralLike(e) && hasWords(e.text)));
	}
	if (ts.isTemplateExpression(node)) {
		const texts = [node.head.text, ...node.templateSpans.map(span => span.literal.text)];
		const spans = node.templateSpans.map(span => translated(span.expression));
		if (!spans.some(Boolean)) return false;
		if (texts.some(hasWords)) return true;
		// Two translated pieces with nothing or only spaces between them.
		return spans.some((isTranslated, i) => isTranslated && spans[i + 1] === true && texts[i + 1].trim() === '');
	}
	return false;
}

function unparenthesized(e: ts.Expression): ts.Expression {
	return ts.isParenthesizedExpression(e) ? unparenthesized(e.expression) : e;
}

/** `{0}`, `{1}`… in a message, sorted, with repeats. */
function placeholders(text: string): string[] {
	return [...text.matchAll(/\{\d+\}/g)].map(m => m[0]).sort();
}

/**
 * What a translation must carry over unchanged: codicons `$(…)`, code spans, setting and role
 * ids (`yandexVision.folderId`, `ai.vision.user`) and Yandex Cloud CLI commands (`yc iam …`).
 */
function literalTokens(text: string): string[] {
	const tokens = [
		...text.matchAll(/\$\([\w~-]+\)/g),
		...text.matchAll(/`[^`]+`/g),
		...text.matchAll(/\b[a-z][A-Za-z]+(?:\.[a-z][A-Za-z]+)+\b/g),
		...text.matchAll(/\byc(?: [a-z][a-z-]*)+/g),
	].map(m => m[0]);
	return [...new Set(tokens)].sort();
}

/** Every TypeScript file under `dir`, with its path relative to the repository (`src/auth.ts`). */
export function sourceFiles(dir: string): { path: string; text: string }[] {
	const files: { path: string; text: string }[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...sourceFiles(full));
		else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push({ path: path.relative(ROOT, full).split(path.sep).join('/'), text: fs.readFileSync(full, 'utf8') });
	}
	return files.sort((a, b) => a.path.localeCompare(b.path));
}

function readJson(relative: string): unknown {
	return JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8'));
}

function readStrings(relative: string): Record<string, string> {
	const value = readJson(relative);
	assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${relative} is a JSON object`);
	const entries = Object.entries(value);
	const notStrings = entries.filter(([, v]) => typeof v !== 'string').map(([k]) => k);
	assert.deepEqual(notStrings, [], `${relative}: these keys do not map to a string`);
	return Object.fromEntries(entries) as Record<string, string>;
}

/** Every `%key%` string anywhere in package.json. */
function manifestKeys(): Set<string> {
	const keys = new Set<string>();
	const walk = (value: unknown): void => {
		if (typeof value === 'string') {
			const match = /^%([^%]+)%$/.exec(value);
			if (match) keys.add(match[1]);
		} else if (Array.isArray(value)) {
			value.forEach(walk);
		} else if (typeof value === 'object' && value !== null) {
			Object.values(value).forEach(walk);
		}
	};
	walk(readJson('package.json'));
	return keys;
}

function findRoot(): string {
	for (const start of [__dirname, process.cwd()]) {
		for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
			if (fs.existsSync(path.join(dir, 'package.nls.json')) && fs.existsSync(path.join(dir, 'src', 'shared', 'strings.ts'))) return dir;
		}
	}
	throw new Error(`package.nls.json not found above ${__dirname} or ${process.cwd()}`);
}

/** One line per problem, for failure messages a developer can work from. */
function list(lines: readonly string[]): string {
	return lines.map(line => `\n  ${line}`).join('');
}

/** Each translation that changes `extract(english)`, as `"english" → "russian"`. */
function mismatches(pairs: readonly [string, string][], extract: (text: string) => string[]): string[] {
	return pairs
		.filter(([english, russian]) => JSON.stringify(extract(english)) !== JSON.stringify(extract(russian)))
		.map(([english, russian]) => `${JSON.stringify(english)} has ${extract(english).join(' ') || 'none'}, its translation ${JSON.stringify(russian)} has ${extract(russian).join(' ') || 'none'}`);
}

describe('the extractor of translated messages', () => {
	const extract = (text: string) => extractMessages([{ path: 'src/sample.ts', text }]);

	it('finds calls that span lines, through either import of vscode, and the comment form', () => {
		const found = extract([
			"import * as vscode from 'vscode';",
			"import { l10n as loc } from 'vscode';",
			'vscode.l10n.t(',
			"\t'Copied {0} words from {1}.',",
			'\twords, label);',
			"loc.t(`Open`);",
			"vscode.l10n.t({ message: 'Fit', comment: ['zoom ', 'button'], args: [] });",
			"other.l10n.t('Not ours');",
		].join('\n'));
		assert.deepEqual(found.messages.map(m => [m.key, m.where, m.argCount]), [
			['Copied {0} words from {1}.', 'src/sample.ts:3', 2],
			['Open', 'src/sample.ts:6', 0],
			['Fit/zoom button', 'src/sample.ts:7', 0],
		]);
		assert.deepEqual(found.dynamic, []);
	});

	it('finds the phrases of code without vscode, which are translated when shown', () => {
		const found = extract([
			"import { phrase as say } from '../../shared/phrase';",
			"const refused = (host: string) => say('Connection to {0} refused.', host);",
			"const other = phrase('Not imported');",
		].join('\n'));
		assert.deepEqual(found.messages.map(m => [m.key, m.argCount]), [['Connection to {0} refused.', 1]]);
	});

	it('finds the calls of a translator typed Translate, and reports messages that are not literal', () => {
		const found = extract([
			"import * as vscode from 'vscode';",
			"function section(t: Translate, name: string) { return t('Faces found: {0}', name) + t(name); }",
			'vscode.l10n.t(english);',
		].join('\n'));
		assert.deepEqual(found.messages.map(m => m.key), ['Faces found: {0}']);
		assert.deepEqual(found.dynamic.map(d => `${d.line}: ${d.call}`), ['2: t(name)', '3: vscode.l10n.t(english)']);
	});

	it('flags sentences glued from translated pieces or English words, not icons or Markdown cells', () => {
		const found = extract([
			"import * as vscode from 'vscode';",
			"const a = vscode.l10n.t('Copied') + ' ' + vscode.l10n.t('words');",
			"const b = `${vscode.l10n.t('Found')} ${vscode.l10n.t('faces')}`;",
			"const c = `${vscode.l10n.t('Found')} in the image`;",
			"const d = `$(eye) ${vscode.l10n.t('Quick OCR')}`;",
			"const e = `| ${vscode.l10n.t('Class')} | ${vscode.l10n.t('Probability')} |`;",
			"const f = vscode.l10n.t('Name') + ': ' + name;",
		].join('\n'));
		assert.deepEqual(found.concatenations.map(c => c.split(':')[1]), ['2', '3', '4']);
	});
});

describe('localization: English and Russian', () => {
	const nls = readStrings('package.nls.json');
	const nlsRu = readStrings('package.nls.ru.json');
	const bundleRu = readStrings('l10n/bundle.l10n.ru.json');
	const extraction = extractMessages(sourceFiles(path.join(ROOT, 'src')));
	const webviewEnglish = Object.values(WEBVIEW_STRINGS) as string[];
	/** English text by bundle key, for every message of src/ and the results panel. */
	const englishOf = new Map([...extraction.messages.map((m): [string, string] => [m.key, m.message]), ...webviewEnglish.map((e): [string, string] => [e, e])]);
	/** Russian next to English, for the keys the code uses. */
	const pairs = Object.entries(bundleRu).flatMap(([key, russian]): [string, string][] => {
		const english = englishOf.get(key);
		return english === undefined ? [] : [[english, russian]];
	});

	describe('the manifest (package.json, package.nls*.json)', () => {
		const used = manifestKeys();

		it('has an English string for every %key% of package.json, and none unused', () => {
			assert.ok(used.size > 0, 'package.json uses %keys%');
			const missing = [...used].filter(key => !(key in nls));
			const unused = Object.keys(nls).filter(key => !used.has(key));
			assert.deepEqual(missing, [], `package.nls.json lacks these keys used in package.json:${list(missing)}`);
			assert.deepEqual(unused, [], `package.nls.json has keys package.json does not use:${list(unused)}`);
		});

		it('has a Russian string for every %key% of package.json, and none unused', () => {
			const missing = [...used].filter(key => !(key in nlsRu));
			const unused = Object.keys(nlsRu).filter(key => !used.has(key));
			assert.deepEqual(missing, [], `package.nls.ru.json lacks these keys used in package.json:${list(missing)}`);
			assert.deepEqual(unused, [], `package.nls.ru.json has keys package.json does not use:${list(unused)}`);
		});

		it('translates every string into Russian, keeping code spans and setting names', () => {
			const pairs = Object.keys(nls).filter(key => key in nlsRu).map((key): [string, string] => [nls[key], nlsRu[key]]);
			const untranslated = Object.keys(nls).filter(key => key in nlsRu && (nlsRu[key].trim() === '' || (nlsRu[key] === nls[key] && !nothingToTranslate(nls[key]))));
			assert.deepEqual(untranslated, [], `package.nls.ru.json: empty or still English:${list(untranslated)}`);
			const changed = mismatches(pairs, literalTokens);
			assert.deepEqual(changed, [], `package.nls.ru.json changes what must stay as it is:${list(changed)}`);
		});
	});

	describe('the code and the results panel (l10n/bundle.l10n.ru.json)', () => {
		it('finds the messages of every way src/ calls the translator', () => {
			// Guards the extractor itself: a parser change that found nothing would pass every test below.
			const keys = new Set(extraction.messages.map(m => m.key));
			for (const expected of ['Yandex Vision: recognizing text…', 'Set IAM Token', 'Open Settings', 'Classification']) {
				assert.ok(keys.has(expected), `the message ${JSON.stringify(expected)} is found in src/`);
			}
			assert.ok(extraction.messages.some(m => m.where.startsWith('src/export/exportResults.ts:')), 'the Translate calls of src/export/exportResults.ts are found');
			assert.ok(extraction.messages.length > 80, `found ${extraction.messages.length} translation calls`);
		});

		it('has a Russian translation for every message of src/ and of the results panel', () => {
			const missing = new Map<string, string>();
			for (const message of extraction.messages) if (!(message.key in bundleRu)) missing.set(message.key, message.where);
			for (const english of webviewEnglish) if (!(english in bundleRu)) missing.set(english, 'src/shared/strings.ts (WEBVIEW_STRINGS)');
			const lines = [...missing].map(([key, where]) => `${JSON.stringify(key)}  (${where})`);
			assert.deepEqual(lines, [], `l10n/bundle.l10n.ru.json lacks ${lines.length} message(s); add them with their Russian:${list(lines)}`);
		});

		it('has no translation for a message the code no longer uses', () => {
			const stale = Object.keys(bundleRu).filter(key => !englishOf.has(key)).map(key => JSON.stringify(key));
			assert.deepEqual(stale, [], `l10n/bundle.l10n.ru.json has keys no code uses; remove them or fix the English they were made for:${list(stale)}`);
		});

		it('keeps exactly the placeholders of each English message', () => {
			const changed = mismatches(pairs, placeholders);
			assert.deepEqual(changed, [], `translations with other placeholders than their English:${list(changed)}`);
		});

		it('keeps codicons, setting names and CLI commands as they are', () => {
			const changed = mismatches(pairs, literalTokens);
			assert.deepEqual(changed, [], `translations that change what must stay as it is:${list(changed)}`);
		});

		it('translates every message: none empty, none left in English', () => {
			const untranslated = pairs
				.filter(([english, russian]) => russian.trim() === '' || (russian === english && !nothingToTranslate(english)))
				.map(([english]) => JSON.stringify(english));
			assert.deepEqual(untranslated, [], `empty or still English in l10n/bundle.l10n.ru.json:${list(untranslated)}`);
		});

		it('words a button or title that does what a command does as the command\'s Russian title', () => {
			const wrong = Object.entries(nls)
				.filter(([key, english]) => key.startsWith('command.') && key in nlsRu && english in bundleRu && bundleRu[english] !== nlsRu[key])
				.map(([key, english]) => `${JSON.stringify(english)} is ${JSON.stringify(bundleRu[english])} in the bundle but ${JSON.stringify(nlsRu[key])} as ${key}`);
			assert.deepEqual(wrong, [], `the same action named in two ways:${list(wrong)}`);
		});

		it('names the commands by their Russian titles where a message tells the user to run one', () => {
			const titles = Object.entries(nls).filter(([key]) => key.startsWith('command.')).map(([key, english]) => [`Yandex Vision: ${english}`, `Yandex Vision: ${nlsRu[key]}`]);
			const wrong: string[] = [];
			for (const [english, russian] of pairs) {
				for (const [title, ruTitle] of titles) {
					if (english.includes(`"${title}"`) && !russian.includes(`«${ruTitle}»`)) wrong.push(`${JSON.stringify(russian)} should name «${ruTitle}»`);
				}
			}
			assert.deepEqual(wrong, [], `translations that name a command otherwise than the Command Palette does:${list(wrong)}`);
		});
	});

	describe('the calls in src/', () => {
		it('pass the translator a literal message, except where the messages are listed elsewhere', () => {
			const unexpected = extraction.dynamic
				.filter(d => !DYNAMIC_CALLS.some(allowed => allowed.file === d.file && allowed.call === d.call))
				.map(d => `${d.file}:${d.line}: ${d.call}`);
			assert.deepEqual(unexpected, [], `translation calls whose message no extractor can see; pass a literal:${list(unexpected)}`);
			const gone = DYNAMIC_CALLS.filter(allowed => !extraction.dynamic.some(d => d.file === allowed.file && d.call === allowed.call)).map(a => `${a.file}: ${a.call}`);
			assert.deepEqual(gone, [], `listed dynamic calls no longer in the code; update DYNAMIC_CALLS:${list(gone)}`);
		});

		it('pass an argument for every placeholder of the message', () => {
			const wrong = extraction.messages
				.filter(m => m.argCount !== undefined)
				.filter(m => {
					const indexes = placeholders(m.key).map(p => Number(p.slice(1, -1)));
					return (indexes.length === 0 ? 0 : Math.max(...indexes) + 1) !== m.argCount;
				})
				.map(m => `${m.where}: ${JSON.stringify(m.key)} with ${m.argCount} argument(s)`);
			assert.deepEqual(wrong, [], `translation calls whose arguments do not match their placeholders:${list(wrong)}`);
		});

		it('never build a sentence by gluing translated pieces together or to English words', () => {
			assert.deepEqual(extraction.concatenations, [], `glued strings; make each one message with placeholders:${list(extraction.concatenations)}`);
		});
	});
});
