/** Every command the extension contributes; package.json lists the same ids. */
export const Commands = {
	recognizeText: 'yandexVision.recognizeText',
	recognizeTextWith: 'yandexVision.recognizeTextWith',
	classifyImage: 'yandexVision.classifyImage',
	detectFaces: 'yandexVision.detectFaces',
	findImageCopies: 'yandexVision.findImageCopies',
	analyzeImage: 'yandexVision.analyzeImage',
	quickOcr: 'yandexVision.quickOcr',
	setIamToken: 'yandexVision.setIamToken',
	setApiKey: 'yandexVision.setApiKey',
	setServiceAccountKey: 'yandexVision.setServiceAccountKey',
	showCredentials: 'yandexVision.showCredentials',
	signOut: 'yandexVision.signOut',
	selectClassificationModel: 'yandexVision.selectClassificationModel',
	showLog: 'yandexVision.showLog',
	analyzeFolder: 'yandexVision.analyzeFolder',
	retryFailed: 'yandexVision.retryFailed',
	exportBatch: 'yandexVision.exportBatch',
	openBatchItem: 'yandexVision.openBatchItem',
	searchText: 'yandexVision.searchText',
	clearCache: 'yandexVision.clearCache',
	recognizeImageLink: 'yandexVision.recognizeImageLink',
} as const;

export type CommandId = typeof Commands[keyof typeof Commands];

/** The webview panel type, also the serializer's key. */
export const RESULTS_VIEW_TYPE = 'yandexVision.results';

/** Context key set while the active tab shows an image the service can read. */
export const ACTIVE_IMAGE_CONTEXT = 'yandexVision.activeTabIsImage';

/** The Explorer view listing the last batch's images; shown while this context key is set. */
export const BATCH_VIEW_ID = 'yandexVision.batchResults';
export const HAS_BATCH_CONTEXT = 'yandexVision.hasBatch';

/** VS Code's built-in image preview. */
export const IMAGE_PREVIEW_VIEW_TYPE = 'imagePreview.previewEditor';

/** What the commands accept: sent as is (JPEG, PNG, PDF) or converted first; HEIC/AVIF get a message saying how to convert them. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.pdf', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.svg', '.heic', '.heif', '.avif'] as const;
