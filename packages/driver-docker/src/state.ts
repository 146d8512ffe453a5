import { SandboxFileStore } from '@shellgate/driver-sdk';
import type { SandboxRecord } from '@shellgate/driver-sdk';

/** The driver's per-sandbox files: the SDK's token/state store with the SDK's record. */
export type SandboxStateStore = SandboxFileStore<SandboxRecord>;

/** The store under `stateDir`. */
export function createSandboxStateStore(stateDir: string): SandboxStateStore {
  return new SandboxFileStore<SandboxRecord>(stateDir);
}
