/**
 * Readers for engine JSON whose shape we do not trust: a missing or mistyped field reads as
 * empty, never as a crash. Docker, Podman's compat tree and libpod all use these shapes.
 */
export type JsonRecord = Record<string, unknown>;

/** The value as an object; anything else (null, arrays, scalars) as an empty one. */
export function asRecord(value: unknown): JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : {};
}

export function readString(record: JsonRecord, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** The string items of an array field; empty when the field is missing or null (Docker's "no entrypoint"). */
export function readStrings(record: JsonRecord, key: string): string[] {
  const value = record[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A string-to-string map such as `Labels` or an event's `Attributes`; non-string values are dropped. */
export function readStringMap(record: JsonRecord, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(asRecord(record[key])).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
