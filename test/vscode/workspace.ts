/**
 * A fresh copy of the test workspace for each run: `test/workspace/` plus the sample images
 * of `test/fixtures/` under `images/` (and those of the OCR API's models under `documents/`), so tests may change files without touching the repository.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff', '.heic', '.pdf']);

export interface TestWorkspace {
	readonly folder: string;
	/** Image files copied from the fixtures, relative to `folder`, e.g. `images/receipt.jpg`. */
	readonly images: readonly string[];
	dispose(): void;
}

export function prepareTestWorkspace(root: string): TestWorkspace {
	const template = path.join(root, 'test', 'workspace');
	if (!fs.existsSync(template)) throw new Error(`The test workspace template ${template} is missing.`);
	const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yv-workspace-')), 'workspace');
	fs.cpSync(template, folder, { recursive: true });

	const fixtures = path.join(root, 'test', 'fixtures');
	const images: string[] = [];
	for (const relative of listFiles(fixtures)) {
		if (!IMAGE_EXTENSIONS.has(path.extname(relative).toLowerCase())) continue;
		const place = path.join(isOcrApiSample(path.join(fixtures, relative)) ? 'documents' : 'images', relative);
		const target = path.join(folder, place);
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.copyFileSync(path.join(fixtures, relative), target);
		images.push(place);
	}
	fs.mkdirSync(path.join(folder, 'images'), { recursive: true });

	return {
		folder,
		images,
		dispose: () => fs.rmSync(path.dirname(folder), { recursive: true, force: true, maxRetries: 3 }),
	};
}

/**
 * The samples recorded for the OCR API's models (tables, forms, handwriting…) go under
 * `documents/`, apart from the photos and pages under `images/` that the batch suites count.
 */
function isOcrApiSample(image: string): boolean {
	const recording = image.replace(/\.\w+$/, '.recording.json');
	if (!fs.existsSync(recording)) return false;
	return (JSON.parse(fs.readFileSync(recording, 'utf8')) as { ocr?: unknown }).ocr !== undefined;
}

function listFiles(dir: string, prefix = ''): string[] {
	if (!fs.existsSync(dir)) return [];
	const files: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const relative = path.join(prefix, entry.name);
		if (entry.isDirectory()) files.push(...listFiles(path.join(dir, entry.name), relative));
		else if (entry.isFile()) files.push(relative);
	}
	return files.sort();
}
