import { LOG_ORIGIN_FIELD, LogSource, toWireLogLevel, type SandboxLogLine } from '@shellgate/api';
import { ErrorCode, ShellgateError, quoteValue } from '@shellgate/driver-sdk';
import { logLineBytes } from './bounded-log-line.js';

/**
 * Most log bytes one answer carries (GetSandboxLogs, a WatchSandbox log tail): under the
 * 4 MiB that gRPC clients accept by default, so a full buffer never builds an answer no
 * client can read. A tail keeps the newest lines that fit; a full read keeps the oldest, and
 * the next page starts at `since_ms` = the last line's timestamp.
 */
export const MAX_LOG_ANSWER_BYTES = 2 * 1024 * 1024;

/**
 * Log levels from least to most severe, in upstream's spelling; a line's level ranks by its
 * place here, whatever its case. Upstream ranks its `OCSF` audit lines with info.
 */
export const SANDBOX_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type SandboxLogLevel = (typeof SANDBOX_LOG_LEVELS)[number];

/** Which held lines a reader wants: GetSandboxLogs, or the tail of WatchSandbox follow_logs. */
export interface LogQuery {
  /** The last N matching lines; 0 means every matching line held. */
  readonly tailLines: number;
  /** Only lines stamped at or after this time (ms since the epoch); 0 means no bound. */
  readonly sinceMs: number;
  /**
   * Only lines from these sources: upstream's `gateway`/`sandbox`, or Shellgate's finer
   * `main`/`supervisor` (a sandbox line's origin); empty means all.
   */
  readonly sources: readonly string[];
  /** Rank in {@link SANDBOX_LOG_LEVELS} of the least severe level wanted. */
  readonly minLevelRank: number;
}

/** The request fields a query reads, with the wire name of the level field for messages. */
export interface LogQueryFields {
  readonly tailLines: number;
  readonly sinceMs: number;
  readonly sources: readonly string[];
  readonly minLevel: string;
  readonly minLevelField: string;
}

/** Reads a query from request fields; an unknown level is INVALID_ARGUMENT. */
export function parseLogQuery(fields: LogQueryFields): LogQuery {
  const level = toWireLogLevel(fields.minLevel);
  const minLevelRank = level === '' ? 0 : SANDBOX_LOG_LEVELS.indexOf(level as SandboxLogLevel);
  if (minLevelRank === -1) {
    throw new ShellgateError(ErrorCode.InvalidArgument, `${fields.minLevelField}: unknown log level ${quoteValue(fields.minLevel)}`, {
      hint: `use one of ${SANDBOX_LOG_LEVELS.join(', ')}, or leave it empty for all levels`,
    });
  }
  return { tailLines: fields.tailLines, sinceMs: fields.sinceMs, sources: [...fields.sources], minLevelRank };
}

/** True when a line passes the query's filters (the tail is applied by {@link selectLogLines}). */
export function matchesLogQuery(line: SandboxLogLine, query: LogQuery): boolean {
  if (query.sinceMs > 0 && line.timestampMs < query.sinceMs) return false;
  if (query.sources.length > 0 && !matchesSource(line, query.sources)) return false;
  return levelRank(line.level) >= query.minLevelRank;
}

/** The matching lines of `held` (oldest first), cut to the tail and to {@link MAX_LOG_ANSWER_BYTES}. */
export function selectLogLines(held: readonly SandboxLogLine[], query: LogQuery, maxBytes: number = MAX_LOG_ANSWER_BYTES): SandboxLogLine[] {
  const matching = held.filter((line) => matchesLogQuery(line, query));
  if (query.tailLines > 0) return takeWithin(matching.slice(-query.tailLines).reverse(), maxBytes).reverse();
  return takeWithin(matching, maxBytes);
}

/** The leading lines of `lines` whose bytes fit in `maxBytes` (at least one, so a reader always moves on). */
function takeWithin(lines: readonly SandboxLogLine[], maxBytes: number): SandboxLogLine[] {
  const taken: SandboxLogLine[] = [];
  let used = 0;
  for (const line of lines) {
    used += logLineBytes(line);
    if (used > maxBytes && taken.length > 0) break;
    taken.push(line);
  }
  return taken;
}

/** A level this gateway does not know ranks as info, so it is neither hidden nor promoted. */
function levelRank(level: string): number {
  const rank = SANDBOX_LOG_LEVELS.indexOf(toWireLogLevel(level) as SandboxLogLevel);
  return rank === -1 ? SANDBOX_LOG_LEVELS.indexOf('INFO') : rank;
}

/** Upstream treats an empty source as `gateway`; an origin filter matches a sandbox line's origin field. */
function matchesSource(line: SandboxLogLine, sources: readonly string[]): boolean {
  const source = line.source === '' ? LogSource.Gateway : line.source;
  return sources.some((wanted) => {
    const filter = wanted.trim().toLowerCase();
    return filter === source || (source === LogSource.Sandbox && filter === line.fields[LOG_ORIGIN_FIELD]);
  });
}
