import type { Workspace } from '@shellgate/api';
import { WorkspacePhase } from '@shellgate/api';
import { formatAge } from './format-age.js';
import { renderTable } from './render-table.js';

/** `WORKSPACE_PHASE_ACTIVE` → `Active`. */
export function workspacePhaseName(phase: WorkspacePhase | undefined): string {
  const name = phase === undefined ? undefined : (WorkspacePhase[phase] as string | undefined);
  if (name === undefined || phase === WorkspacePhase.UNRECOGNIZED) return 'Unknown';
  const bare = name.replace(/^WORKSPACE_PHASE_/, '').toLowerCase();
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/** The workspace table: NAME, PHASE, LABELS, AGE. */
export function renderWorkspaceTable(workspaces: readonly Workspace[], nowMs: number): string {
  const rows = workspaces.map((workspace) => [
    workspace.metadata?.name ?? '',
    workspacePhaseName(workspace.status?.phase),
    formatLabels(workspace.metadata?.labels ?? {}),
    formatAge(workspace.metadata?.createdAtMs ?? 0, nowMs),
  ]);
  return renderTable(['NAME', 'PHASE', 'LABELS', 'AGE'], rows);
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '<none>' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}
