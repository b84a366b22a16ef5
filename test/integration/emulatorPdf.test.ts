/**
 * The two-page sample PDF from the file to the answer: read as a 2-page PDF, sent as it is, and
 * answered by the emulator with one text page per PDF page, each in its own pixels.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readHeader } from '../../src/images/header';
import { planImage } from '../../src/images/plan';
import { prepareImage, type Fitter } from '../../src/images/prepareImage';
import { createVisionClient, wordsInReadingOrder, type Feature, type VisionClient } from '../../src/api/index';
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from '../emulator';
import type { Recording } from '../emulator/recording';
import { checkRecording } from '../emulator/recordingShape';
import { FIXTURES_DIR, fixtureBytes, recordingOf } from '../support/fixtures';

const PDF = 'two-pages.pdf';
const OCR: Feature = { type: 'TEXT_DETECTION', textDetectionConfig: { languageCodes: ['en'] } };

/** A PDF is never fitted: a fitter that is called fails the test. */
const NO_FITTING: Fitter = {
	fit: () => Promise.reject(new Error('the PDF was sent to the converter')),
};

function recordedPageWords(recording: Recording): string[][] {
	return (recording.textDetection?.pages ?? []).map(page => page.blocks.flatMap(b => b.lines.flatMap(l => l.words.map(w => w.text))));
}

describe('the two-page sample PDF against the emulator', function () {
	let emulator: Emulator;
	let client: VisionClient;
	const bytes = fixtureBytes(PDF);
	const recording = recordingOf(PDF);

	before(async () => {
		emulator = await startEmulator();
		client = createVisionClient({
			endpoint: emulator.url,
			credentials: { iamToken: DEFAULT_CREDENTIALS.userIamToken },
			folderId: DEFAULT_CREDENTIALS.folderId,
			requestsPerSecond: 1000,
		});
	});
	after(async () => {
		await client.close();
		await emulator.close();
	});
	beforeEach(() => emulator.clearLog());

	it('has a recording the emulator accepts, naming the PDF by its bytes', () => {
		const checked = checkRecording(JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'two-pages.recording.json'), 'utf8')));
		assert.ok('recording' in checked, 'problem' in checked ? checked.problem : '');
		assert.equal(recording.mimeType, 'application/pdf');
		assert.equal(recording.image, PDF);
		assert.ok(bytes.length <= 1_048_576, `${bytes.length} bytes is within the service's 1 MB`);
		assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
	});

	it('is read as a 2-page PDF and planned to be sent as it is', async () => {
		const header = readHeader(bytes);
		assert.equal(header.format, 'pdf');
		assert.equal(header.pages, 2);
		assert.deepEqual(planImage(header), { action: 'send', mimeType: 'application/pdf' });
		const prepared = await prepareImage(bytes, NO_FITTING);
		assert.equal(prepared.mimeType, 'application/pdf');
		assert.equal(prepared.fitted, undefined, 'nothing was fitted');
		assert.ok(Buffer.from(prepared.bytes).equals(bytes), 'the bytes sent are the file\'s own');
	});

	it('answers text detection with both pages, their sizes and their words as recorded', async () => {
		const response = await client.batchAnalyze({ analyzeSpecs: [{ content: bytes, mimeType: 'application/pdf', features: [OCR] }] });
		assert.deepEqual(emulator.log.map(entry => entry.matches), [['exact two-pages.recording.json']], 'matched by its bytes');
		const text = response.results[0]?.results[0]?.textDetection;
		assert.ok(text, 'a text detection result');
		assert.equal(text.pages.length, 2, 'one page per PDF page');
		assert.deepEqual(text.pages.map(p => [p.width, p.height]), [[560, 792], [792, 560]], 'an upright page, then a landscape one');
		assert.deepEqual(text.pages.map(page => page.blocks.flatMap(b => b.lines.flatMap(l => l.words.map(w => w.text)))), recordedPageWords(recording));
		assert.deepEqual(text, recording.textDetection, 'every box, confidence and language as recorded');

		const [first, second] = recordedPageWords(recording);
		assert.deepEqual(first.slice(0, 2), ['Invoice', '2041']);
		assert.deepEqual(second.slice(0, 3), ['Terms', 'of', 'delivery']);
		const refs = wordsInReadingOrder(text);
		assert.equal(refs.length, first.length + second.length);
		assert.deepEqual(refs.filter(r => r.page === 1).map(r => r.text), second, 'the second page\'s words follow the first\'s in reading order');
	});

	it('keeps each page\'s boxes inside that page and its entity on that page', async () => {
		const response = await client.batchAnalyze({ analyzeSpecs: [{ content: bytes, features: [OCR] }] });
		const pages = response.results[0]?.results[0]?.textDetection?.pages ?? [];
		for (const [p, page] of pages.entries()) {
			for (const word of page.blocks.flatMap(b => b.lines.flatMap(l => l.words))) {
				for (const { x, y } of word.boundingBox.vertices) {
					assert.ok(x >= 0 && x <= page.width && y >= 0 && y <= page.height, `"${word.text}" on page ${p + 1} at (${x}, ${y}) lies inside ${page.width}×${page.height}`);
				}
			}
		}
		assert.deepEqual(pages.map(p => p.entities), [[], [{ name: 'email', text: 'orders@northwind.example' }]]);
		const email = pages[1]?.blocks.flatMap(b => b.lines.flatMap(l => l.words)).find(w => w.entityIndex === 0);
		assert.equal(email?.text, 'orders@northwind.example');
	});

	it('answers classification for the PDF and finds no faces in it', async () => {
		const response = await client.batchAnalyze({
			analyzeSpecs: [{
				content: bytes,
				features: [{ type: 'CLASSIFICATION', classificationConfig: { model: 'quality' } }, { type: 'FACE_DETECTION' }],
			}],
		});
		const [classification, faces] = response.results[0]?.results ?? [];
		assert.deepEqual(classification?.classification?.properties.map(p => p.name), ['low', 'medium', 'high']);
		assert.deepEqual(faces?.faceDetection, { faces: [] });
	});
});
