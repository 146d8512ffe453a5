import type { Sandbox } from '@shellgate/api';
import type { SandboxRecord } from '../store/index.js';

/**
 * Annotation naming the gateway replica that holds the sandbox's supervisor session, set
 * only when replicas share the store. It is part of the stored object, so compare-and-set
 * orders it with every other write, every replica derives readiness from the same value,
 * and an operator sees where a session lives. The gateway owns it: create drops a
 * client's value.
 */
export const SESSION_REPLICA_ANNOTATION = 'shellgate.dev/session-replica';

/** The replica holding the sandbox's session, if any. */
export function sessionReplicaOf(sandbox: Sandbox): string | undefined {
  const value = sandbox.metadata?.annotations[SESSION_REPLICA_ANNOTATION];
  return value === undefined || value === '' ? undefined : value;
}

/** The record with `replicaId` as its session holder (undefined: no session anywhere). */
export function withSessionReplica(record: SandboxRecord, replicaId: string | undefined): SandboxRecord {
  const metadata = record.sandbox.metadata!;
  const { [SESSION_REPLICA_ANNOTATION]: _previous, ...others } = metadata.annotations;
  const annotations = replicaId === undefined ? others : { ...others, [SESSION_REPLICA_ANNOTATION]: replicaId };
  return { ...record, sandbox: { ...record.sandbox, metadata: { ...metadata, annotations } } };
}
