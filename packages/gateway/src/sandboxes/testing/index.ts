/**
 * Test doubles for the sandbox layer (not part of the package door): fake drivers behind
 * the DriverDirectory port, a recording logger, and a harness on a real SQLite store.
 */
export {
  FakeDriverClient,
  backendNotReadyStatus,
  backendReadyStatus,
  backendStoppedStatus,
  provisioningStatus,
} from './fake-driver-client.js';
export type { FakeDriverCall, FakeDriverMethod, HeldCalls } from './fake-driver-client.js';
export { FakeDriverDirectory } from './fake-driver-directory.js';
export type { FakeDriverSpec } from './fake-driver-directory.js';
export { RecordingLogger } from '@shellgate/driver-sdk/testing';
export type { RecordedLogLine } from '@shellgate/driver-sdk/testing';
export { createSandboxHarness, nextChange, nextPhase } from './sandbox-harness.js';
export type { SandboxHarness, SandboxHarnessOptions } from './sandbox-harness.js';
