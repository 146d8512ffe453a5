import { LOG_ORIGIN_FIELD, toWireLogLevel, toWireLogSource, type SandboxLogLine } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';

/**
 * Caps on what one log line may hold (issue 10: a sandbox sending 1 MB `fields` grew the
 * gateway past 1 GB). Every string field is cut, the field map is bounded in entries and
 * bytes, and the whole line in bytes; what is cut ends in "…", and a line whose fields were
 * dropped says so in `fields["shellgate.truncated"]`.
 */
export const LogLineLimits = {
  messageChars: 16 * 1024,
  levelChars: 16,
  targetChars: 256,
  sourceChars: 64,
  fieldEntries: 64,
  fieldKeyChars: 128,
  fieldValueChars: 4 * 1024,
  /** The whole line, as {@link logLineBytes} counts it. */
  lineBytes: 32 * 1024,
} as const;

/** The marker field on a line that lost fields to the caps. */
export const TRUNCATED_FIELD = 'shellgate.truncated';

function cut(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/**
 * Bytes a line costs, near enough and cheap to count: its characters (UTF-8 size for ASCII,
 * which log lines mostly are) plus a fixed overhead per line and per field.
 */
export function logLineBytes(line: SandboxLogLine): number {
  let bytes = 64 + line.sandboxId.length + line.level.length + line.target.length + line.message.length + line.source.length;
  for (const [key, value] of Object.entries(line.fields)) bytes += 32 + key.length + value.length;
  return bytes;
}

function boundFields(fields: Readonly<Record<string, string>>, budgetBytes: number): { fields: Record<string, string>; dropped: number } {
  const bounded: Record<string, string> = {};
  let dropped = 0;
  let used = 0;
  for (const [key, value] of Object.entries(fields)) {
    const entry = [cut(key, LogLineLimits.fieldKeyChars), cut(value, LogLineLimits.fieldValueChars)] as const;
    const cost = 32 + entry[0].length + entry[1].length;
    if (Object.keys(bounded).length >= LogLineLimits.fieldEntries || used + cost > budgetBytes) {
      dropped += 1;
      continue;
    }
    bounded[entry[0]] = entry[1];
    used += cost;
  }
  return { fields: bounded, dropped };
}

/** A supervisor's line as the gateway keeps it: named for `sandboxId`, stamped, every part capped. */
export function toBoundedLogLine(sandboxId: string, line: LogLine, receivedMs: number): SandboxLogLine {
  // Kept in upstream's spelling whatever the supervisor's age: an older one names the origin
  // (`main`/`supervisor`) as the source and sends lower-case levels.
  const { source, origin } = toWireLogSource(line.source, line.fields);
  const head: SandboxLogLine = {
    sandboxId,
    // A supervisor without a usable clock sends 0; the arrival time is the best we know.
    timestampMs: line.timestampMs > 0 ? line.timestampMs : receivedMs,
    level: cut(toWireLogLevel(line.level), LogLineLimits.levelChars),
    target: cut(line.target, LogLineLimits.targetChars),
    message: cut(line.message, LogLineLimits.messageChars),
    source: cut(source, LogLineLimits.sourceChars),
    fields: {},
  };
  const inFields = origin === undefined ? line.fields : { [LOG_ORIGIN_FIELD]: origin, ...line.fields };
  const { fields, dropped } = boundFields(inFields, LogLineLimits.lineBytes - logLineBytes(head) - 128);
  if (dropped > 0) fields[TRUNCATED_FIELD] = `${dropped} field(s) dropped: over ${LogLineLimits.fieldEntries} fields or ${LogLineLimits.lineBytes} bytes per line`;
  return { ...head, fields };
}
