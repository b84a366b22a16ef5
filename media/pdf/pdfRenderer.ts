/**
 * Entry of dist/webview/pdf.js: draws PDF pages with pdf.js. The panel loads it only for a PDF
 * (see pdfLoader.ts); it registers itself and does nothing else until asked.
 *
 * - The legacy build of pdf.js: the modern one calls Map.prototype.getOrInsertComputed and
 *   Uint8Array.prototype.toHex, which VS Code 1.100's webviews (Chromium 132) do not have.
 * - pdf.js parses in a worker. A webview may start workers only from its own origin, and the
 *   extension's files are served from another, so the worker's script is fetched (the CSP's
 *   `connect-src` allows the extension's resources) and started from a blob: URL (`worker-src
 *   blob:`).
 * - Nothing is compiled from strings (`isEvalSupported: false`), so the CSP needs no
 *   'unsafe-eval'; and no WebAssembly (`useWasm: false`), so none of 'wasm-unsafe-eval' either:
 *   the rare JPEG 2000 image inside a PDF is left out rather than the policy weakened.
 */
import { getDocument, GlobalWorkerOptions, VerbosityLevel, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { registerPdfRenderer, type PageRender, type PdfDocumentHandle, type PdfRenderer } from './pdfApi';

/** CSS pixels per PDF point: 100 % shows a page at 96 dpi, as PDF viewers do. */
const CSS_PIXELS_PER_POINT = 96 / 72;
/** A worker that never answers (it failed to start in a way no event reports) is given up on. */
const OPEN_TIMEOUT_MS = 30_000;

/** Beside this bundle in dist/webview/, copied there by esbuild.js. */
const WORKER_FILE = 'pdf.worker.mjs';

// Read while this script runs: afterwards document.currentScript is another script or none.
const ownScript = document.currentScript;
const workerUrl = new URL(WORKER_FILE, ownScript instanceof HTMLScriptElement && ownScript.src !== '' ? ownScript.src : document.baseURI).href;

interface StartedWorker {
	/** Rejects when the worker fails to load or throws. */
	failed: Promise<never>;
}

let started: Promise<StartedWorker> | undefined;

/** One worker for the webview's lifetime, shared by every document it opens. */
function startWorker(): Promise<StartedWorker> {
	started ??= (async () => {
		const response = await fetch(workerUrl);
		if (!response.ok) throw new Error(`the PDF reader's worker could not be loaded (HTTP ${response.status})`);
		const source = URL.createObjectURL(new Blob([await response.text()], { type: 'text/javascript' }));
		const worker = new Worker(source, { type: 'module', name: 'pdf.js' });
		const failed = new Promise<never>((_, reject) => {
			worker.addEventListener('error', event => {
				started = undefined;
				reject(new Error(event.message || 'the PDF reader\'s worker failed to start'));
			}, { once: true });
		});
		// Keeps an unobserved failure from being reported as unhandled; open() observes it.
		failed.catch(() => undefined);
		GlobalWorkerOptions.workerPort = worker;
		return { failed };
	})();
	started.catch(() => {
		started = undefined;
	});
	return started;
}

async function open(bytes: Uint8Array): Promise<PdfDocumentHandle> {
	const { failed } = await startWorker();
	const task = getDocument({
		data: bytes,
		isEvalSupported: false,
		useWasm: false,
		enableXfa: false,
		verbosity: VerbosityLevel.ERRORS,
	});
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error('the PDF reader did not answer')), OPEN_TIMEOUT_MS);
	});
	try {
		const pdf = await Promise.race([task.promise, failed, timeout]);
		const pages = await Promise.race([Promise.all(Array.from({ length: pdf.numPages }, (_, i) => pdf.getPage(i + 1))), failed, timeout]);
		return {
			pageSizes: pages.map(page => {
				const { width, height } = page.getViewport({ scale: CSS_PIXELS_PER_POINT });
				return { width, height };
			}),
			render: (index, deviceWidth) => renderPage(pages[index], deviceWidth),
			destroy: () => void task.destroy(),
		};
	} catch (err) {
		void task.destroy();
		throw err;
	} finally {
		clearTimeout(timer);
	}
}

function renderPage(page: PDFPageProxy | undefined, deviceWidth: number): PageRender {
	if (!page) return { done: Promise.reject(new Error('no such page')), cancel: () => undefined };
	const natural = page.getViewport({ scale: 1 });
	const viewport = page.getViewport({ scale: deviceWidth / natural.width });
	const canvas = document.createElement('canvas');
	canvas.width = Math.max(1, Math.round(viewport.width));
	canvas.height = Math.max(1, Math.round(viewport.height));
	const task = page.render({ canvas, viewport });
	return { done: task.promise.then(() => canvas), cancel: () => task.cancel() };
}

const renderer: PdfRenderer = { open };
registerPdfRenderer(renderer);
