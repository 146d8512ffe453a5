/** Engines accept longer names; 63 keeps them usable as DNS labels and hostnames. */
export const MAX_CONTAINER_NAME_LENGTH = 63;
const PREFIX = 'shellgate';
const ID_PREFIX_LENGTH = 8;
const DEFAULT_WORKSPACE = 'default';

/** Lowercases and keeps [a-z0-9-], collapsing runs of anything else into one "-". */
export function sanitizeNamePart(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The deterministic container name `shellgate-<workspace>-<name>-<first 8 of id>`, sanitized
 * to [a-z0-9-] and capped at 63 characters. When too long, the workspace and name parts are
 * shortened; the id part always survives, so names of different sandboxes stay distinct.
 */
export function toContainerName(sandbox: { readonly id: string; readonly name: string; readonly workspace: string }): string {
  const idPart = sanitizeNamePart(sandbox.id.slice(0, ID_PREFIX_LENGTH)) || 'x';
  const workspacePart = sanitizeNamePart(sandbox.workspace) || DEFAULT_WORKSPACE;
  const namePart = sanitizeNamePart(sandbox.name) || 'sandbox';
  // Room left for workspace and name once "shellgate-", the id part and three "-" are placed.
  const room = MAX_CONTAINER_NAME_LENGTH - PREFIX.length - idPart.length - 3;
  // The name (≤ 19 for routable sandboxes) gets priority; the workspace keeps at least 8.
  const workspace = trimDashes(workspacePart.slice(0, Math.max(8, room - namePart.length))) || 'w';
  const name = trimDashes(namePart.slice(0, room - workspace.length)) || 'x';
  return `${PREFIX}-${workspace}-${name}-${idPart}`;
}

function trimDashes(value: string): string {
  return value.replace(/^-+|-+$/g, '');
}
