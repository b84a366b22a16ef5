/**
 * A sample image described as data (blocks of lines of words, drawn faces), turned into an HTML
 * page, drawn by the browser, and measured by the browser's own layout so the recorded boxes are
 * exactly where the pixels are.
 */

import type { Browser, Page } from 'playwright-core';
import type { Point, Rect } from './fixture-geometry';

/** One line of text: the line's confidence, its words, and words pushed to the right edge (prices). */
export type LineRow = readonly [confidence: number, text: string, right?: string];

export interface BlockSpec {
	/** Where the block sits and how its text looks; may rotate it with `transform`. */
	css: string;
	/** The one language tag the service puts on every word of the block's lines. */
	language: readonly [code: string, confidence: number];
	lines: readonly LineRow[];
}

export interface FaceSpec {
	cx: number;
	cy: number;
	rx: number;
	ry: number;
	skin: string;
	hair: string;
	shirt: string;
}

export interface Scene {
	/** File name in the fixtures folder; `.jpg` is written as JPEG, `.png` as PNG. */
	file: string;
	width: number;
	height: number;
	description: string;
	/** Page CSS: background, fonts. */
	css: string;
	/** Trusted markup drawn under the text (frames, paper); not measured. */
	backdrop?: string;
	faces?: readonly FaceSpec[];
	blocks: readonly BlockSpec[];
	entities?: readonly { name: string; text: string }[];
	/** `quality` model: low, medium, high (they sum to 1). */
	quality: readonly [low: number, medium: number, high: number];
	/** `moderation` model: independent probabilities. */
	moderation: { adult: number; gruesome: number; text: number; watermarks: number };
	copies?: {
		copyCount: number;
		topResults: readonly { imageUrl: string; pageUrl: string; title: string; description: string }[];
	};
}

export interface MeasuredWord {
	text: string;
	/** The word's box with its block's transform taken away. */
	layout: Rect;
	/** The word's axis-aligned box on screen, transform applied (to cross-check the geometry). */
	screen: Rect;
}

export interface MeasuredBlock {
	/** Computed CSS transform of the block, `none` when upright. */
	transform: string;
	/** The transform origin in page coordinates. */
	origin: Point;
	lines: { words: MeasuredWord[] }[];
}

export interface Measurement {
	blocks: MeasuredBlock[];
	faces: Rect[];
}

export interface RenderedScene {
	bytes: Buffer;
	measurement: Measurement;
}

export function isJpeg(file: string): boolean {
	return /\.jpe?g$/i.test(file);
}

export async function renderScene(browser: Browser, scene: Scene): Promise<RenderedScene> {
	return renderHtml(browser, scene, sceneHtml(scene), page => page.evaluate(measureInPage, 'body'));
}

/**
 * Draws a page of trusted markup at the frame's size, lets `measure` read its layout once the
 * fonts are in, and screenshots it as the frame's file type says.
 */
export async function renderHtml<T>(
	browser: Browser,
	frame: Pick<Scene, 'file' | 'width' | 'height'>,
	html: string,
	measure: (page: Page) => Promise<T>,
): Promise<{ bytes: Buffer; measurement: T }> {
	const context = await browser.newContext({
		viewport: { width: frame.width, height: frame.height },
		deviceScaleFactor: 1,
	});
	try {
		const page = await context.newPage();
		await page.setContent(html, { waitUntil: 'load' });
		await page.evaluate(async () => {
			await (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready;
		});
		const measurement = await measure(page);
		const bytes = isJpeg(frame.file)
			? await page.screenshot({ type: 'jpeg', quality: 90, animations: 'disabled', caret: 'hide' })
			: await page.screenshot({ type: 'png', animations: 'disabled', caret: 'hide' });
		return { bytes, measurement };
	} finally {
		await context.close();
	}
}

export function sceneHtml(scene: Scene): string {
	const faces = scene.faces && scene.faces.length > 0 ? facesSvg(scene.width, scene.height, scene.faces) : '';
	const blocks = scene.blocks.map(blockHtml).join('\n');
	return `<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body { margin: 0; padding: 0; width: ${scene.width}px; height: ${scene.height}px; overflow: hidden; }
.block { position: absolute; }
.line { white-space: pre; }
.line.split { display: flex; justify-content: space-between; }
svg { position: absolute; left: 0; top: 0; }
${scene.css}
</style></head><body>
${scene.backdrop ?? ''}
${faces}
${blocks}
</body></html>`;
}

export function blockHtml(block: BlockSpec): string {
	return `<div class="block" data-block style="${escapeHtml(block.css)}">${block.lines.map(lineHtml).join('')}</div>`;
}

function lineHtml(row: LineRow): string {
	const [, text, right] = row;
	if (right === undefined) return `<div class="line" data-line>${wordsHtml(text)}</div>`;
	return `<div class="line split" data-line><span>${wordsHtml(text)}</span><span>${wordsHtml(right)}</span></div>`;
}

function wordsHtml(text: string): string {
	return splitWords(text).map(word => `<span data-word>${escapeHtml(word)}</span>`).join(' ');
}

/** Words as the service splits them: on spaces. */
export function splitWords(text: string): string[] {
	return text.split(' ').filter(word => word.length > 0);
}

export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Cartoon heads: hair, shoulders, a face ellipse (the one measured), eyes, brows, nose, mouth. */
function facesSvg(width: number, height: number, faces: readonly FaceSpec[]): string {
	const heads = faces.map(f => {
		const eyeY = f.cy - f.ry * 0.12;
		const eyeDx = f.rx * 0.38;
		const eyeR = f.rx * 0.12;
		const mouthY = f.cy + f.ry * 0.45;
		const mouthDx = f.rx * 0.35;
		return `<g>
<ellipse cx="${f.cx}" cy="${f.cy + f.ry * 1.55}" rx="${f.rx * 1.5}" ry="${f.ry * 0.75}" fill="${f.shirt}"/>
<ellipse cx="${f.cx}" cy="${f.cy - f.ry * 0.18}" rx="${f.rx * 1.08}" ry="${f.ry * 0.92}" fill="${f.hair}"/>
<ellipse data-face cx="${f.cx}" cy="${f.cy}" rx="${f.rx}" ry="${f.ry}" fill="${f.skin}"/>
<path d="M ${f.cx - f.rx * 0.95} ${f.cy - f.ry * 0.3} Q ${f.cx} ${f.cy - f.ry * 1.15} ${f.cx + f.rx * 0.95} ${f.cy - f.ry * 0.3} Q ${f.cx} ${f.cy - f.ry * 0.7} ${f.cx - f.rx * 0.95} ${f.cy - f.ry * 0.3} Z" fill="${f.hair}"/>
<ellipse cx="${f.cx - eyeDx}" cy="${eyeY}" rx="${eyeR * 1.5}" ry="${eyeR}" fill="#ffffff"/>
<ellipse cx="${f.cx + eyeDx}" cy="${eyeY}" rx="${eyeR * 1.5}" ry="${eyeR}" fill="#ffffff"/>
<circle cx="${f.cx - eyeDx}" cy="${eyeY}" r="${eyeR * 0.7}" fill="#2b1d14"/>
<circle cx="${f.cx + eyeDx}" cy="${eyeY}" r="${eyeR * 0.7}" fill="#2b1d14"/>
<path d="M ${f.cx - eyeDx * 1.5} ${eyeY - eyeR * 2} Q ${f.cx - eyeDx} ${eyeY - eyeR * 2.8} ${f.cx - eyeDx * 0.5} ${eyeY - eyeR * 2}" stroke="${f.hair}" stroke-width="${eyeR * 0.6}" fill="none" stroke-linecap="round"/>
<path d="M ${f.cx + eyeDx * 0.5} ${eyeY - eyeR * 2} Q ${f.cx + eyeDx} ${eyeY - eyeR * 2.8} ${f.cx + eyeDx * 1.5} ${eyeY - eyeR * 2}" stroke="${f.hair}" stroke-width="${eyeR * 0.6}" fill="none" stroke-linecap="round"/>
<path d="M ${f.cx} ${eyeY + eyeR} L ${f.cx - eyeR * 0.8} ${f.cy + f.ry * 0.22} L ${f.cx + eyeR * 0.4} ${f.cy + f.ry * 0.22}" stroke="#8a5a3c" stroke-width="${eyeR * 0.35}" fill="none" stroke-linejoin="round"/>
<path d="M ${f.cx - mouthDx} ${mouthY} Q ${f.cx} ${mouthY + f.ry * 0.25} ${f.cx + mouthDx} ${mouthY}" stroke="#8e2f2f" stroke-width="${eyeR * 0.5}" fill="none" stroke-linecap="round"/>
</g>`;
	}).join('\n');
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${heads}\n</svg>`;
}

/**
 * Runs inside the page (serialized by Playwright, so it must stay self-contained). Reads every
 * word's box twice: as laid out (block transform switched off — transforms never move layout)
 * and as shown on screen. Boxes are relative to the element `root` selects: the body for an
 * image, one page for a PDF.
 */
export function measureInPage(root: string): Measurement {
	interface DomRect { left: number; top: number; right: number; bottom: number }
	interface DomElement {
		getBoundingClientRect(): DomRect;
		querySelectorAll(selector: string): ArrayLike<DomElement>;
		textContent: string | null;
		style: { transform: string };
	}
	interface DomWindow {
		document: { querySelector(selector: string): DomElement | null };
		getComputedStyle(element: DomElement): { transform: string; transformOrigin: string };
	}
	const win = globalThis as unknown as DomWindow;
	const container = win.document.querySelector(root);
	if (!container) throw new Error(`nothing matches ${root}`);
	const origin = container.getBoundingClientRect();
	const plain = (r: DomRect): Rect => ({ left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top });

	const blocks = Array.from(container.querySelectorAll('[data-block]')).map((block): MeasuredBlock => {
		const style = win.getComputedStyle(block);
		const transform = style.transform;
		const [originX, originY] = style.transformOrigin.split(' ').map(v => parseFloat(v));
		const lines = Array.from(block.querySelectorAll('[data-line]')).map(line => Array.from(line.querySelectorAll('[data-word]')));
		const screen = lines.map(words => words.map(word => plain(word.getBoundingClientRect())));
		const inlineTransform = block.style.transform;
		block.style.transform = 'none';
		const box = block.getBoundingClientRect();
		const measured = lines.map((words, i) => ({
			words: words.map((word, j): MeasuredWord => ({
				text: word.textContent ?? '',
				layout: plain(word.getBoundingClientRect()),
				screen: screen[i][j],
			})),
		}));
		block.style.transform = inlineTransform;
		return { transform, origin: { x: box.left - origin.left + originX, y: box.top - origin.top + originY }, lines: measured };
	});
	const faces = Array.from(container.querySelectorAll('[data-face]')).map(face => plain(face.getBoundingClientRect()));
	return { blocks, faces };
}
