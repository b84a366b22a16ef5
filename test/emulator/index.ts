/**
 * A local stand-in for the batchAnalyze method over real HTTP. It reads the contract on its
 * own (nothing from `src/`), so a misreading in either implementation shows up as a failing test.
 */

import { Emulator, EmulatorOptions } from './api';
import { EmulatorServer } from './server';

export { DEFAULT_CREDENTIALS, FAULT_KINDS } from './api';
export type { Emulator, EmulatorOptions, FaultKind, FaultPlan, RequestLogEntry } from './api';

export function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
	return EmulatorServer.start(options);
}
