/**
 * The OCR API's answer as it travels over REST: a server-streaming method through grpc-gateway,
 * so one JSON object per message, each followed by a newline, `{"result": …}` around each, and a
 * failure after the headers as an `{"error": google.rpc.Status}` object in the same stream.
 */

import { OcrAnswerStyle } from './api';
import { Json, JsonObject, message, int64, ocrAnnotationJson } from './proto3';
import { RecordedOcrAnnotation } from './recording';

/** The body: one `RecognizeTextResponse {textAnnotation, page}` per page, in the style asked for. */
export function ocrStreamBody(annotations: readonly RecordedOcrAnnotation[], style: OcrAnswerStyle = {}): Buffer {
	const lines = annotations.map((annotation, page) => {
		// `page` is written even when 0, as the service's own examples show it.
		const response = { ...message({ textAnnotation: ocrAnnotationJson(annotation) }), page: int64(page) ?? '0' };
		const framed = style.wrap === false ? response : { result: response };
		return JSON.stringify(style.names === 'proto' ? protoNames(framed) : framed);
	});
	return Buffer.from(lines.map(line => `${line}\n`).join(''), 'utf8');
}

/** What grpc-gateway writes into a stream that fails after the headers went out. */
export function streamErrorBody(code: number, text: string): Buffer {
	return Buffer.from(`${JSON.stringify({ error: { code, message: text, details: [] } })}\n`, 'utf8');
}

/** The same message with the proto field names (`text_annotation`, `bounding_box`, …). */
export function protoNames(value: Json): Json {
	if (Array.isArray(value)) return value.map(protoNames);
	if (value === null || typeof value !== 'object') return value;
	const out: JsonObject = {};
	for (const [key, item] of Object.entries(value)) out[key.replace(/[A-Z]/g, letter => `_${letter.toLowerCase()}`)] = protoNames(item);
	return out;
}

/**
 * Where to cut a stream so that it stops inside a page's message, never between two: the middle
 * of the message that holds the stream's middle byte.
 */
export function cutInsidePage(body: Buffer): number {
	const middle = Math.floor(body.length / 2);
	const start = middle === 0 ? 0 : body.lastIndexOf(0x0a, middle - 1) + 1;
	const newline = body.indexOf(0x0a, middle);
	const end = newline < 0 ? body.length : newline;
	return start + Math.max(1, Math.floor((end - start) / 2));
}
