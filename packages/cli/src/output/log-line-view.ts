import { LOG_ORIGIN_FIELD, type SandboxLogLine } from '@shellgate/api';

/** `supervisor`, the longest source, so messages line up. */
const SOURCE_WIDTH = 10;

/**
 * One log line as text: `2025-01-01T10:00:02.123Z  INFO   main        message key=value`.
 * Milliseconds are kept because lines are often closer together than a second. A sandbox
 * line shows its origin (`main`, `supervisor`) in place of upstream's coarser `sandbox`.
 */
export function formatLogLine(line: SandboxLogLine): string {
  const when = line.timestampMs > 0 ? new Date(line.timestampMs).toISOString() : '-'.padEnd(24);
  const level = (line.level || '-').toUpperCase().padEnd(5);
  const source = (line.fields[LOG_ORIGIN_FIELD] ?? (line.source || '-')).padEnd(SOURCE_WIDTH);
  const fields = Object.entries(line.fields)
    .filter(([key]) => key !== LOG_ORIGIN_FIELD)
    .map(([key, value]) => ` ${key}=${quoteIfNeeded(value)}`);
  return `${when}  ${level}  ${source}  ${line.message.replace(/\r?\n$/, '')}${fields.join('')}\n`;
}

function quoteIfNeeded(value: string): string {
  return value === '' || /[\s"=]/.test(value) ? JSON.stringify(value) : value;
}
