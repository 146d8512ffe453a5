import { SandboxFileStore } from '@shellgate/driver-sdk';
import type { SandboxFileStoreOptions, SandboxRecord } from '@shellgate/driver-sdk';

/** The driver's per-sandbox files: the SDK's token/state store with the SDK's record. */
export type SandboxStateStore = SandboxFileStore<SandboxRecord>;

/** The store under `stateDir`; tests pass a failing file system in `options`. */
export function createSandboxStateStore(stateDir: string, options: SandboxFileStoreOptions = {}): SandboxStateStore {
  return new SandboxFileStore<SandboxRecord>(stateDir, options);
}
