import { UsageError } from '../errors.js';

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads a duration such as `500ms`, `30s`, `5m`, `1h` or `1m30s` into milliseconds.
 * A bare number is refused: `--timeout 30` is ambiguous between seconds and minutes.
 */
export function parseDuration(text: string, source: string): number {
  const parts = DURATION.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) : null;
  if (parts === null) {
    throw new UsageError(`${source}: invalid duration "${text}"`, 'use a number with a unit: 500ms, 30s, 5m, 1h, 1m30s');
  }
  let totalMs = 0;
  for (const part of parts) {
    const [, amount = '0', unit = 's'] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(part) ?? [];
    totalMs += Number(amount) * (UNIT_MS[unit] ?? 1000);
  }
  if (totalMs <= 0) throw new UsageError(`${source}: the duration must be more than zero, got "${text}"`);
  return Math.round(totalMs);
}

/** Writes milliseconds back in the shortest readable form: `200ms`, `30s`, `5m`, `1m30s`, `2h`. */
export function formatDuration(totalMs: number): string {
  if (totalMs < 1000) return `${Math.round(totalMs)}ms`;
  let seconds = Math.round(totalMs / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const text = `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 ? `${seconds}s` : ''}`;
  return text === '' ? '0s' : text;
}

/**
 * Reads a time limit in whole seconds: a bare number is seconds (`30`), or a duration
 * (`90s`, `5m`) rounded up to the second. Zero is refused: leave the flag out for no limit.
 */
export function parseSeconds(text: string, source: string): number {
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    if (seconds === 0) throw new UsageError(`${source}: the time limit must be more than zero`, `leave ${source} out for no limit`);
    if (seconds > 0xffffffff) throw new UsageError(`${source}: ${text} seconds is too long`);
    return seconds;
  }
  if (!DURATION.test(text)) throw new UsageError(`${source}: invalid time limit "${text}"`, 'use seconds (30) or a duration: 90s, 5m, 1h');
  return Math.ceil(parseDuration(text, source) / 1000);
}
