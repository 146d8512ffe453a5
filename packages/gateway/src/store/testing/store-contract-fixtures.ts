import assert from 'node:assert/strict';

import { Sandbox, SandboxPhase } from '@shellgate/api';

import { DesiredState } from '../gateway-store.js';
import type { GatewayStore, SandboxRecord } from '../gateway-store.js';
import type { StoreClock } from '../sqlite-gateway-store.js';

/** Opens a fresh, empty store (its own file or database) on `clock`; closing it cleans up. */
export type OpenContractStore = (clock: StoreClock) => Promise<ContractStore>;

/** A store under contract test plus whatever removes it afterwards. */
export interface ContractStore {
  readonly store: GatewayStore;
  /** Opens a second instance on the same data, as another replica would (Postgres only). */
  readonly openPeer?: (() => Promise<GatewayStore>) | undefined;
  /** Closes the store and removes its file or database. */
  dispose(): Promise<void>;
}

export const CONTRACT_NOW_MS = 1_750_000_000_000;

export function makeRecord(id: string, name: string, workspace = 'default', labels: Record<string, string> = {}): SandboxRecord {
  return {
    sandbox: Sandbox.fromPartial({
      metadata: { id, name, workspace, labels, annotations: { note: 'n' } },
      spec: { command: ['sleep', 'infinity'], environment: { A: '1' }, template: { image: 'alpine:3' } },
      status: { phase: SandboxPhase.SANDBOX_PHASE_PROVISIONING, conditions: [{ type: 'Ready', status: 'False', reason: 'Starting' }] },
    }),
    driver: 'docker',
    desiredState: DesiredState.Running,
    missingSinceMs: undefined,
  };
}

export function names(records: readonly SandboxRecord[]): string[] {
  return records.map((record) => `${record.sandbox.metadata!.workspace}/${record.sandbox.metadata!.name}`);
}

export async function rejectsWith(promise: Promise<unknown>, name: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.name, name);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}
