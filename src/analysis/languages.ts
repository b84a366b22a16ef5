/** Which languages go with an OCR API request, from the settings and what the model can do. */
import { OCR_MODEL_LANGUAGES, OCR_MODELS, type OcrModel } from '../api/ocr/types';

/**
 * The languages sent to the OCR API with `model`: `*` where the setting asks for it and the model
 * detects languages; otherwise the codes set (those of batchAnalyze when the setting is `*`),
 * kept to the languages a model reads when it reads only some — and those when none is left.
 */
export function ocrApiLanguages(model: string, settings: { languageCodes: readonly string[]; ocrApi: { languageCodes: readonly string[] } }): string[] {
	const known = OCR_MODELS.find((name): name is OcrModel => name === model);
	const info = known ? OCR_MODEL_LANGUAGES[known] : undefined;
	const set = settings.ocrApi.languageCodes.filter(code => typeof code === 'string' && code.trim() !== '').map(code => code.trim());
	const detect = set.length === 0 || set.includes('*');
	if (detect && (!info || info.detects)) return ['*'];
	const codes = detect ? [...settings.languageCodes] : set;
	if (!info?.only) return codes.length > 0 ? codes.slice(0, 8) : ['ru', 'en'];
	const readable = codes.filter(code => info.only!.includes(code.toLowerCase()));
	return readable.length > 0 ? readable : [...info.only];
}
