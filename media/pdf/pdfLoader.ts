/**
 * Loads the PDF bundle (dist/webview/pdf.js) the first time a PDF is shown, and never for an
 * image: pdf.js is several times the size of the panel's own script.
 *
 * It is added as a script element carrying the panel script's own nonce, so the CSP stays
 * `script-src 'nonce-…'` with nothing added. Adding it here rather than in the page's HTML keeps
 * that HTML one shell for every file, and the choice with the code that shows the file. A
 * dynamic import() would instead need a module build fetched with CORS and the nonce passed on
 * to it, which is more to go wrong for the same result.
 */
import { registeredPdfRenderer, type PdfRenderer } from './pdfApi';

/** Beside the panel's script: dist/webview.js → dist/webview/pdf.js. */
const PDF_BUNDLE = 'webview/pdf.js';

// Read while the panel's script first runs: document.currentScript is unset after that.
const panelScript = document.currentScript;

let loading: Promise<PdfRenderer> | undefined;

export function loadPdfRenderer(): Promise<PdfRenderer> {
	loading ??= new Promise<PdfRenderer>((resolve, reject) => {
		const ready = registeredPdfRenderer();
		if (ready) {
			resolve(ready);
			return;
		}
		if (!(panelScript instanceof HTMLScriptElement) || panelScript.src === '') {
			reject(new Error('the PDF reader cannot be located'));
			return;
		}
		const script = document.createElement('script');
		script.nonce = panelScript.nonce;
		script.src = new URL(PDF_BUNDLE, panelScript.src).href;
		script.addEventListener('load', () => {
			const renderer = registeredPdfRenderer();
			if (renderer) resolve(renderer);
			else reject(new Error('the PDF reader did not start'));
		}, { once: true });
		script.addEventListener('error', () => reject(new Error('the PDF reader could not be loaded')), { once: true });
		document.head.appendChild(script);
	});
	// A failed load is tried again for the next PDF rather than remembered.
	loading.catch(() => {
		loading = undefined;
	});
	return loading;
}
