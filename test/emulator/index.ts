/**
 * A local stand-in for the batchAnalyze method, the OCR API's recognizeText and its asynchronous
 * methods (recognizeTextAsync, getRecognition, the operation), and the IAM token endpoint over
 * real HTTP. It reads
 * the contract on its own (nothing from `src/`), so a misreading in either implementation shows up
 * as a failing test.
 */

import { Emulator, EmulatorOptions } from './api';
import { EmulatorServer } from './server';

export { DEFAULT_CREDENTIALS, DEFAULT_SERVICE_ACCOUNT_KEY, DEFAULT_SERVICE_ACCOUNT_KEY_FILE, FAULT_KINDS, METHOD_NAMES } from './api';
export type { Emulator, EmulatorOptions, FaultKind, FaultPlan, MethodName, OcrAnswerStyle, RequestLogEntry, ServiceAccountKeyConfig } from './api';
export { IAM_TOKENS_PATH } from './iam';
export { OCR_MODELS } from './ocrContract';
export { GET_RECOGNITION_PATH, METHOD_PATH, OCR_ASYNC_METHOD_PATH, OCR_METHOD_PATH, OPERATIONS_PATH } from './server';
export { createTestServiceAccountKey } from './keys';
export type { AuthorizedKeyFile, TestServiceAccountKey } from './keys';

export function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
	return EmulatorServer.start(options);
}
