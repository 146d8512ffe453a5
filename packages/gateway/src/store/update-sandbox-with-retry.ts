import { SandboxRecordNotFoundError, isVersionConflictError } from './errors.js';
import type { GatewayStore, SandboxRecord } from './gateway-store.js';

/** Attempts before a read-modify-write gives up on repeated version conflicts. */
export const DEFAULT_UPDATE_ATTEMPTS = 5;

export interface UpdateSandboxOptions {
  /** Attempts before giving up on repeated version conflicts; default DEFAULT_UPDATE_ATTEMPTS. */
  readonly attempts?: number;
  /**
   * The record the caller has just read, used for the first attempt instead of a read of
   * its own (a round trip on Postgres); a stale one costs only a version-conflict retry.
   */
  readonly current?: SandboxRecord;
}

/**
 * Read-modify-write of one sandbox under compare-and-set: reads the record, lets `mutate`
 * derive the next one from a private copy, and writes it at the version read. On a version
 * conflict it re-reads and calls `mutate` again, so `mutate` must be a pure function of its
 * input. Returning undefined from `mutate` means "nothing to change": no write happens.
 * Retries are immediate: conflicts come from other writers that already committed.
 * @returns the stored record after the write, or undefined when `mutate` chose not to write.
 * @throws SandboxRecordNotFoundError when the sandbox is gone; the last VersionConflictError
 * after `attempts` lost races.
 */
export async function updateSandboxWithRetry(
  store: GatewayStore,
  id: string,
  mutate: (current: SandboxRecord) => SandboxRecord | undefined,
  options: UpdateSandboxOptions = {},
): Promise<SandboxRecord | undefined> {
  let lastConflict: unknown;
  let known = options.current;
  for (let attempt = 0; attempt < Math.max(1, options.attempts ?? DEFAULT_UPDATE_ATTEMPTS); attempt += 1) {
    const current = known ?? (await store.getSandbox(id));
    known = undefined;
    if (current === undefined) throw new SandboxRecordNotFoundError(id);
    const version = current.sandbox.metadata?.resourceVersion ?? 0;
    const next = mutate(current);
    if (next === undefined) return undefined;
    try {
      return await store.updateSandbox(id, version, next);
    } catch (error) {
      if (!isVersionConflictError(error)) throw error;
      lastConflict = error;
    }
  }
  throw lastConflict;
}
