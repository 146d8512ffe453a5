/**
 * Age of an object like kubectl prints it: `45s`, `12m`, `3h`, `2d`; `<unknown>` when the
 * creation time is not set (0). Clock skew that puts creation in the future reads `0s`.
 */
export function formatAge(createdAtMs: number, nowMs: number): string {
  if (createdAtMs <= 0) return '<unknown>';
  const seconds = Math.max(0, Math.floor((nowMs - createdAtMs) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** A timestamp for progress lines: ISO 8601 in UTC, to the second. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
