/**
 * One panel per image gathers what was asked of it: a feature run on an image whose panel is open
 * adds its section, the same feature run again replaces its own, and each keeps when it was
 * analyzed (and its request id). No `vscode` here.
 */
import type { FeatureView, ResultsModel } from '../shared/protocol';

/** `next` shown in the panel that holds `shown`, both of the same image. */
export function mergeResults(shown: ResultsModel, next: ResultsModel): ResultsModel {
	const before = stamped(shown);
	// A whole image that failed this time replaces nothing: what was there stays beside the error.
	if (next.imageError) return { ...next, features: before };
	const incoming = stamped(next);
	const features = [
		...before.map(feature => incoming.find(other => other.type === feature.type) ?? feature),
		...incoming.filter(feature => !before.some(old => old.type === feature.type)),
	];
	return { ...next, features };
}

/** Whether `next` brings text of its own, so a selection of the words shown before no longer applies. */
export function bringsText(next: ResultsModel): boolean {
	return next.features.some(feature => feature.type === 'TEXT_DETECTION');
}

/** Each feature with the time and request id of the analysis that gave it. */
function stamped(model: ResultsModel): FeatureView[] {
	return model.features.map(feature => {
		const requestId = feature.requestId ?? model.requestId;
		return { ...feature, analyzedAt: feature.analyzedAt ?? model.analyzedAt, ...requestId !== undefined ? { requestId } : {} };
	});
}
