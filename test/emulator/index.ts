/**
 * A local stand-in for the batchAnalyze method, the OCR API's recognizeText and the IAM token
 * endpoint over real HTTP. It reads
 * the contract on its own (nothing from `src/`), so a misreading in either implementation shows up
 * as a failing test.
 */

import { Emulator, EmulatorOptions } from './api';
import { EmulatorServer } from './server';

export { DEFAULT_CREDENTIALS, DEFAULT_SERVICE_ACCOUNT_KEY, DEFAULT_SERVICE_ACCOUNT_KEY_FILE, FAULT_KINDS } from './api';
export type { Emulator, EmulatorOptions, FaultKind, FaultPlan, OcrAnswerStyle, RequestLogEntry, ServiceAccountKeyConfig } from './api';
export { IAM_TOKENS_PATH } from './iam';
export { OCR_MODELS } from './ocrContract';
export { METHOD_PATH, OCR_METHOD_PATH } from './server';
export { createTestServiceAccountKey } from './keys';
export type { AuthorizedKeyFile, TestServiceAccountKey } from './keys';

export function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
	return EmulatorServer.start(options);
}
