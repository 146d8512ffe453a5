import { Workspace, WorkspacePhase } from '@shellgate/api';

import { InvalidStoreRecordError } from './errors.js';

/** A row of the workspaces table as SQL sees it. */
export interface WorkspaceRow {
  name: string;
  resource_version: number;
  labels_json: string;
  object: Uint8Array;
}

/** A new, active workspace at resource_version 1. */
export function buildWorkspace(name: string, labels: Readonly<Record<string, string>>, createdAtMs: number): Workspace {
  return Workspace.fromPartial({
    // A workspace is identified by its name (workspaces are never renamed), so id = name.
    metadata: { id: name, name, labels: { ...labels }, createdAtMs, resourceVersion: 1 },
    status: { phase: WorkspacePhase.WORKSPACE_PHASE_ACTIVE },
  });
}

/** The row for `workspace` at `resourceVersion`; the stored object carries that version too. */
export function encodeWorkspaceRow(workspace: Workspace, resourceVersion: number): WorkspaceRow {
  const copy = Workspace.fromPartial(workspace);
  const metadata = copy.metadata;
  if (!metadata?.name) throw new InvalidStoreRecordError('workspace', 'metadata.name must not be empty');
  metadata.resourceVersion = resourceVersion;
  return {
    name: metadata.name,
    resource_version: resourceVersion,
    labels_json: JSON.stringify(metadata.labels),
    object: Workspace.encode(copy).finish(),
  };
}

/** A fresh workspace decoded from a row; the caller owns it. */
export function decodeWorkspaceRow(row: WorkspaceRow): Workspace {
  const workspace = Workspace.decode(row.object);
  // The column is authoritative: it is what compare-and-set checked.
  if (workspace.metadata) workspace.metadata.resourceVersion = row.resource_version;
  return workspace;
}
