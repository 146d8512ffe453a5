import { UsageError } from '../errors.js';
import { parseDuration } from './parse-duration.js';

/**
 * Reads `--since`: a duration back from now (`10m`, `1h30m`) or an RFC 3339 instant
 * (`2025-01-01T10:00:00Z`). Returns epoch milliseconds.
 */
export function parseSince(text: string, nowMs: number, source: string): number {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
      throw new UsageError(`${source}: "${text}" is not an RFC 3339 time`, 'write it with a zone, e.g. 2025-01-01T10:00:00Z');
    }
    return ms;
  }
  if (!/^[\d.]+(ms|s|m|h)/.test(text)) {
    throw new UsageError(`${source}: "${text}" is neither a duration nor an RFC 3339 time`, 'use e.g. 10m, 1h30m or 2025-01-01T10:00:00Z');
  }
  return nowMs - parseDuration(text, source);
}
