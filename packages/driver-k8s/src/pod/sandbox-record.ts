import { toContainerLabels } from '@shellgate/container-engine';
import { DriverSandbox } from '@shellgate/driver-sdk';
import type { V1Secret } from '@kubernetes/client-node';

import { SANDBOX_SECRET_RECORD_KEY, SANDBOX_SECRET_TOKEN_KEY, toSandboxObjectNames } from './sandbox-names.js';

/** Set on a sandbox's Secret while the sandbox is stopped on request (its pod deleted by us). */
export const STOPPED_ANNOTATION = 'shellgate.dev/stopped';

/** What a sandbox's Secret says about it. */
export interface SandboxRecord {
  /** The sandbox as created, without its token: what StartSandbox recreates the pod from. */
  readonly sandbox: DriverSandbox;
  readonly isStopped: boolean;
}

/**
 * The Secret that is the sandbox's record while it exists (stop keeps it, delete removes it):
 * the token, which only the runtime init container mounts, and the sandbox spec without the
 * token, to recreate the pod from on start. Its labels are the pod's.
 */
export function toSandboxSecret(sandbox: DriverSandbox, gatewayId: string): V1Secret {
  const token = sandbox.spec?.sandboxToken ?? '';
  const record = structuredClone(sandbox);
  if (record.spec !== undefined) record.spec.sandboxToken = '';
  record.status = undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: toSandboxObjectNames(sandbox).secret, labels: toContainerLabels(sandbox, gatewayId) },
    data: {
      [SANDBOX_SECRET_TOKEN_KEY]: Buffer.from(token, 'utf8').toString('base64'),
      [SANDBOX_SECRET_RECORD_KEY]: Buffer.from(JSON.stringify(DriverSandbox.toJSON(record)), 'utf8').toString('base64'),
    },
  };
}

/** The record in a sandbox's Secret; undefined when the Secret holds none we can read. */
export function decodeSandboxRecord(secret: V1Secret): SandboxRecord | undefined {
  const encoded = secret.data?.[SANDBOX_SECRET_RECORD_KEY];
  if (encoded === undefined) return undefined;
  try {
    const sandbox = DriverSandbox.fromJSON(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
    return { sandbox, isStopped: secret.metadata?.annotations?.[STOPPED_ANNOTATION] === 'true' };
  } catch {
    return undefined;
  }
}
