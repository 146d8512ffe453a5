import { Sandbox } from '@shellgate/api';

import { InvalidStoreRecordError } from './errors.js';
import { toSandboxCopy } from './sandbox-object-cache.js';
import { DesiredState } from './gateway-store.js';
import type { SandboxRecord } from './gateway-store.js';

/** A row of the sandboxes table as SQL sees it. */
export interface SandboxRow {
  id: string;
  workspace: string;
  name: string;
  driver: string;
  desired_state: string;
  missing_since_ms: number | null;
  resource_version: number;
  labels_json: string;
  object: Uint8Array;
}

const DESIRED_STATES: ReadonlySet<string> = new Set(Object.values(DesiredState));

/** Checks the fields the table keys on; the API layer validates everything else. */
function checkRecord(record: SandboxRecord): void {
  const metadata = record.sandbox.metadata;
  const missing = (['id', 'name', 'workspace'] as const).filter((field) => !metadata?.[field]);
  if (missing.length > 0) {
    throw new InvalidStoreRecordError('sandbox', `metadata.${missing.join(', metadata.')} must not be empty`);
  }
  if (record.driver === '') throw new InvalidStoreRecordError('sandbox', 'driver must not be empty');
  if (!DESIRED_STATES.has(record.desiredState)) {
    throw new InvalidStoreRecordError('sandbox', `desiredState must be "running" or "stopped", got ${JSON.stringify(record.desiredState)}`);
  }
}

/**
 * A private deep copy of the record's sandbox carrying `resourceVersion`: the object a row at
 * that version stores. Checks the fields the table keys on first.
 */
export function toStoredSandbox(record: SandboxRecord, resourceVersion: number): Sandbox {
  checkRecord(record);
  const sandbox = toSandboxCopy(record.sandbox);
  sandbox.metadata!.resourceVersion = resourceVersion;
  return sandbox;
}

/** The row for `record` whose object is `stored` (from {@link toStoredSandbox}). */
export function encodeSandboxRow(record: SandboxRecord, stored: Sandbox): SandboxRow {
  const metadata = stored.metadata!;
  return {
    id: metadata.id,
    workspace: metadata.workspace,
    name: metadata.name,
    driver: record.driver,
    desired_state: record.desiredState,
    missing_since_ms: record.missingSinceMs ?? null,
    resource_version: metadata.resourceVersion,
    labels_json: JSON.stringify(metadata.labels),
    object: Sandbox.encode(stored).finish(),
  };
}

/** The record a row holds around `sandbox` (decoded from the row, or a copy of its object). */
export function toRecordOfRow(row: Pick<SandboxRow, 'driver' | 'desired_state' | 'missing_since_ms'>, sandbox: Sandbox): SandboxRecord {
  return { sandbox, driver: row.driver, desiredState: row.desired_state as DesiredState, missingSinceMs: row.missing_since_ms ?? undefined };
}

/**
 * The columns lists read, in order. Lists fetch them as arrays (better-sqlite3 raw mode),
 * which costs half as much as named rows for 1,000 sandboxes; name and workspace are already
 * inside the object, id keys the decoded-object cache.
 */
export const LIST_COLUMNS = 'id, driver, desired_state, missing_since_ms, resource_version, labels_json, object';
export type SandboxListTuple = [string, string, string, number | null, number, string, Uint8Array];

/** Reads labels_json from a list tuple. */
export function labelsJsonOfTuple(tuple: SandboxListTuple): string {
  return tuple[5];
}

/** The columns a record is decoded from. */
type StoredSandboxColumns = Pick<SandboxRow, 'driver' | 'desired_state' | 'missing_since_ms' | 'resource_version' | 'object'>;

/** The id and resource_version of a list tuple: what a cached object must match. */
export function versionOfTuple(tuple: SandboxListTuple): { id: string; resourceVersion: number } {
  return { id: tuple[0], resourceVersion: tuple[4] };
}

/** The record of a list tuple around `sandbox`, which the caller has already decoded (or copied). */
export function toSandboxRecord(tuple: SandboxListTuple, sandbox: Sandbox): SandboxRecord {
  const [, driver, desiredState, missingSinceMs] = tuple;
  return { sandbox, driver, desiredState: desiredState as DesiredState, missingSinceMs: missingSinceMs ?? undefined };
}

/** A fresh record decoded from a list tuple; the caller owns it. */
export function decodeSandboxTuple(tuple: SandboxListTuple): SandboxRecord {
  const [, driver, desiredState, missingSinceMs, resourceVersion, , object] = tuple;
  return decodeSandboxRow({
    driver,
    desired_state: desiredState,
    missing_since_ms: missingSinceMs,
    resource_version: resourceVersion,
    object,
  });
}

/** A fresh record decoded from a row; the caller owns it. */
export function decodeSandboxRow(row: StoredSandboxColumns): SandboxRecord {
  const sandbox = Sandbox.decode(row.object);
  // The column is authoritative: it is what compare-and-set checked.
  if (sandbox.metadata) sandbox.metadata.resourceVersion = row.resource_version;
  return {
    sandbox,
    driver: row.driver,
    desiredState: row.desired_state as DesiredState,
    missingSinceMs: row.missing_since_ms ?? undefined,
  };
}

/** The record with created_at_ms set to `nowMs` when the caller left it 0 (a create). */
export function withCreatedAt(record: SandboxRecord, nowMs: number): SandboxRecord {
  const metadata = record.sandbox.metadata;
  if (metadata === undefined || metadata.createdAtMs !== 0) return record;
  return { ...record, sandbox: { ...record.sandbox, metadata: { ...metadata, createdAtMs: nowMs } } };
}
