/**
 * The results of one image as files: the normalized model as JSON, or Markdown with a section per
 * feature. No `vscode` import: the caller passes its translation function.
 *
 * Everything in the Markdown that came from the service or from web pages is escaped, so a
 * recognized word or a copy's title can never become a link, an image, HTML or a heading.
 */
import { RPC_CODE_NAMES, webUrl, type FeatureView, type ResultsModel } from '../shared/protocol';
import { annotationToMarkdown, wordLanguages, wordsInReadingOrder } from '../results/text';
import type { ClassificationAnnotation, FaceAnnotation, ImageCopySearchAnnotation, Status, TextAnnotation } from '../results/types';


/** `vscode.l10n.t`'s shape: an English template with `{0}`-style placeholders. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

export type ExportFormat = 'json' | 'markdown';

const ENGLISH: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (match, i: string) => (args[Number(i)] === undefined ? match : String(args[Number(i)])));

/** The model exactly, indented: what "Show JSON" shows and "Export…" writes as JSON. */
export function modelToJson(model: ResultsModel): string {
	return `${JSON.stringify(model, null, 2)}\n`;
}

/** `.md` and `.markdown` files get Markdown; anything else JSON. */
export function exportFormatOf(path: string): ExportFormat {
	return /\.(md|markdown)$/i.test(path) ? 'markdown' : 'json';
}

export function modelToMarkdown(model: ResultsModel, t: Translate = ENGLISH): string {
	const parts: string[] = [`# ${escapeInline(collapse(model.imageLabel)).replace(/#/g, '\\#')}`];
	const meta: string[] = [];
	if (model.analyzedAt) meta.push(t('Analyzed: {0}', escapeInline(model.analyzedAt)));
	if (model.requestId) meta.push(t('Request ID: {0}', code(model.requestId)));
	if (meta.length > 0) parts.push(meta.join('\\\n'));
	if (model.imageError) parts.push(errorMarkdown(model.imageError, model.requestId, t, t('The image could not be analyzed')));
	for (const feature of model.features) parts.push(featureMarkdown(feature, model.requestId, t));
	return `${parts.join('\n\n')}\n`;
}

function featureMarkdown(feature: FeatureView, requestId: string | undefined, t: Translate): string {
	const title = {
		TEXT_DETECTION: t('Text'),
		CLASSIFICATION: t('Classification'),
		FACE_DETECTION: t('Faces'),
		IMAGE_COPY_SEARCH: t('Copies on the web'),
	}[feature.type] ?? feature.type;
	const heading = `## ${title}${feature.model ? ` (${escapeInline(collapse(feature.model))})` : ''}`;
	const { result } = feature;
	if (result.error) return `${heading}\n\n${errorMarkdown(result.error, requestId, t)}`;
	switch (feature.type) {
		case 'TEXT_DETECTION':
			return `${heading}\n\n${textMarkdown(result.textDetection, t)}`;
		case 'CLASSIFICATION':
			return `${heading}\n\n${classificationMarkdown(result.classification, t)}`;
		case 'FACE_DETECTION':
			return `${heading}\n\n${facesMarkdown(result.faceDetection, t)}`;
		case 'IMAGE_COPY_SEARCH':
			return `${heading}\n\n${copiesMarkdown(result.imageCopySearch, t)}`;
		default:
			return heading;
	}
}

function textMarkdown(annotation: TextAnnotation | undefined, t: Translate): string {
	const text = annotation ? annotationToMarkdown(annotation).trimEnd() : '';
	if (!annotation || text === '') return `_${t('No text found')}_`;
	const parts: string[] = [];
	const languages = new Set<string>();
	for (const ref of wordsInReadingOrder(annotation)) {
		const block = annotation.pages[ref.page].blocks[ref.block];
		for (const language of wordLanguages(block, block.lines[ref.line].words[ref.word])) if (language.languageCode !== '') languages.add(language.languageCode);
	}
	if (languages.size > 0) parts.push(t('Languages: {0}', [...languages].map(escapeInline).join(', ')));
	parts.push(text);
	const entities = annotation.pages.flatMap(page => page.entities);
	if (entities.length > 0) {
		parts.push(`### ${t('Entities')}`);
		parts.push(entities.map(entity => `- **${escapeInline(collapse(entity.name))}**: ${escapeInline(collapse(entity.text))}`).join('\n'));
	}
	return parts.join('\n\n');
}

function classificationMarkdown(annotation: ClassificationAnnotation | undefined, t: Translate): string {
	const properties = [...(annotation?.properties ?? [])].sort((a, b) => b.probability - a.probability);
	if (properties.length === 0) return `_${t('The service returned no classes.')}_`;
	const rows = properties.map(p => `| ${escapeInline(collapse(p.name))} | ${percent(p.probability)} |`);
	return [`| ${t('Class')} | ${t('Probability')} |`, '| :--- | ---: |', ...rows].join('\n');
}

function facesMarkdown(annotation: FaceAnnotation | undefined, t: Translate): string {
	const faces = annotation?.faces ?? [];
	if (faces.length === 0) return `_${t('No faces found')}_`;
	const lines = faces.map((face, i) => {
		const xs = face.boundingBox.vertices.map(v => v.x);
		const ys = face.boundingBox.vertices.map(v => v.y);
		if (xs.length === 0) return `${i + 1}. ${t('Face {0}', i + 1)}`;
		const x = Math.min(...xs);
		const y = Math.min(...ys);
		return `${i + 1}. ${t('Face {0}: {1} × {2} px at ({3}, {4})', i + 1, Math.max(...xs) - x, Math.max(...ys) - y, x, y)}`;
	});
	return [t('Faces found: {0}', faces.length), lines.join('\n')].join('\n\n');
}

function copiesMarkdown(annotation: ImageCopySearchAnnotation | undefined, t: Translate): string {
	const copyCount = annotation?.copyCount ?? 0;
	const results = annotation?.topResults ?? [];
	if (copyCount === 0 && results.length === 0) return `_${t('No copies of this image were found.')}_`;
	const parts = [t('Copies found: {0}', copyCount)];
	if (results.length > 0) {
		parts.push(results.map((match, i) => {
			const lines = [`${i + 1}. **${escapeInline(collapse(match.title)) || t('Untitled page')}**`];
			if (match.description !== '') lines.push(`   ${escapeInline(collapse(match.description))}`);
			if (match.pageUrl !== '') lines.push(`   ${t('Page: {0}', link(match.pageUrl))}`);
			if (match.imageUrl !== '') lines.push(`   ${t('Image: {0}', link(match.imageUrl))}`);
			return lines.join('\\\n');
		}).join('\n'));
	}
	return parts.join('\n\n');
}

function errorMarkdown(error: Status, requestId: string | undefined, t: Translate, title?: string): string {
	const lines: string[] = [];
	if (title !== undefined) lines.push(`> **${escapeInline(title)}**`);
	const name = RPC_CODE_NAMES[error.code];
	lines.push(`> ${t('Error {0}', name === undefined ? String(error.code) : `${error.code} ${name}`)}${error.message !== '' ? `: ${escapeInline(collapse(error.message))}` : ''}`);
	if (requestId) lines.push(`> ${t('Request ID: {0}', code(requestId))}`);
	return lines.join('\\\n');
}

/** An autolink for a web address (its serialized form has no spaces, `<` or `>`); anything else as escaped text. */
function link(address: string): string {
	const url = webUrl(address);
	return url ? `<${url.href}>` : escapeInline(collapse(address));
}

/** A code span that no backtick run inside `text` can close early. */
function code(text: string): string {
	const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
	const fence = '`'.repeat(longest + 1);
	return `${fence} ${collapse(text)} ${fence}`;
}

function percent(probability: number): string {
	return `${Math.round((Number.isFinite(probability) ? probability : 0) * 100)} %`;
}

function collapse(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/**
 * What Markdown (with GFM and math) interprets inside a line, and what would start a heading, list
 * or quote at the beginning of one (the text may open a continuation line).
 */
function escapeInline(text: string): string {
	return text
		.replace(/[\\`*_[\]<>&|~$]/g, '\\$&')
		.replace(/^[#+=-]/, '\\$&')
		.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}
