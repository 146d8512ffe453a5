import { DEFAULT_WORKSPACE, type GatewayStore, type SandboxRecord } from '../store/index.js';
import { throwIfProblems } from '@shellgate/driver-sdk';
import { SandboxReferenceNotFoundError } from './errors.js';

/**
 * The sandbox a `sandbox_id` field names (empty is INVALID_ARGUMENT): its id (metadata.id) first, else its name in
 * `workspace` (the default workspace when empty). Ids are UUIDs and names are at most 19
 * characters, so the two never collide.
 */
export async function resolveSandboxReference(store: GatewayStore, reference: string, workspace: string): Promise<SandboxRecord> {
  const inWorkspace = workspace || DEFAULT_WORKSPACE;
  // Upstream refuses an empty sandbox_id as INVALID_ARGUMENT, not NOT_FOUND.
  throwIfProblems('request', reference === '' ? [{ field: 'sandbox_id', reason: 'is required' }] : []);
  const record = (await store.getSandbox(reference)) ?? (await store.findSandboxByName(inWorkspace, reference));
  if (record !== undefined) return record;
  throw new SandboxReferenceNotFoundError(reference, inWorkspace);
}
