import type { DriverClient } from '../client/driver-client.js';
import { ErrorCode, isShellgateError } from '../errors.js';
import type { SandboxMirror } from './sandbox-mirror.js';

/** Told about each change as it happens, so a sweep that fails half-way still counts what it did. */
export interface ListingHooks {
  /** A sandbox the listing had and the mirror did not. */
  onAdded(sandboxId: string): void;
  /** A sandbox the listing omitted and GetSandbox confirmed NOT_FOUND. */
  onPruned(sandboxId: string): void;
  reportProblem(problem: string): void;
}

/**
 * One ListSandboxes sweep, as the gateway's reconciler does it: upsert every listed sandbox,
 * then re-check each mirrored sandbox the listing omitted with GetSandbox and forget it
 * only on NOT_FOUND. Entries the watch touched after the sweep began are left alone.
 * Rejects (leaving the rest of the mirror as it was) when a call fails any other way.
 */
export async function reconcileListing(
  driver: DriverClient,
  mirror: SandboxMirror,
  hooks: ListingHooks,
): Promise<void> {
  const startedAt = mirror.watchSequence;
  const listed = await driver.listSandboxes();
  const listedIds = new Set<string>();
  for (const sandbox of listed) {
    if (sandbox.id === '') {
      hooks.reportProblem('ListSandboxes returned a sandbox without an id');
      continue;
    }
    listedIds.add(sandbox.id);
    const isNew = !mirror.sandboxes.has(sandbox.id);
    if (mirror.upsertFromList(sandbox, startedAt) && isNew) hooks.onAdded(sandbox.id);
  }
  for (const sandboxId of [...mirror.sandboxes.keys()]) {
    if (listedIds.has(sandboxId)) continue;
    try {
      mirror.upsertFromList(await driver.getSandbox(sandboxId), startedAt);
      hooks.reportProblem(`ListSandboxes omitted ${sandboxId}, but GetSandbox still returns it`);
    } catch (error) {
      if (!isShellgateError(error) || error.code !== ErrorCode.NotFound) throw error;
      if (mirror.removeFromList(sandboxId, startedAt)) hooks.onPruned(sandboxId);
    }
  }
}
