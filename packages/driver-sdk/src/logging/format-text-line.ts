/** Fields a text line shows in fixed places rather than as `key=value`. */
const PLACED_FIELDS: ReadonlySet<string> = new Set(['timestamp', 'level', 'message', 'component']);
// Bare values are easy to read and to grep; anything with spaces, quotes or `=` is quoted.
const BARE_VALUE = /^[^\s"'=]+$/;

/**
 * One human-readable log line from an entry `createLogger` built (already redacted):
 * `TIME LEVEL COMPONENT: MESSAGE key=value …`. COMPONENT is the `component` field, else the
 * logger's name; the root logger's own `name` is left out (it is on every line). Strings are
 * quoted when they hold spaces, quotes or `=`; objects and arrays are written as JSON.
 */
export function formatTextLine(entry: Readonly<Record<string, unknown>>, rootName: string): string {
  const component = typeof entry.component === 'string' ? entry.component : typeof entry.name === 'string' ? entry.name : rootName;
  const fields = Object.entries(entry)
    .filter(([key, value]) => !PLACED_FIELDS.has(key) && value !== undefined && !(key === 'name' && (value === rootName || value === component)))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const level = String(entry.level).toUpperCase().padEnd(5);
  return [`${String(entry.timestamp)} ${level} ${component}: ${String(entry.message)}`, ...fields].join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return BARE_VALUE.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return stringifyJson(value);
  return String(value);
}

function stringifyJson(value: object): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  } catch (error) {
    return JSON.stringify(`[unprintable: ${String(error)}]`);
  }
}
