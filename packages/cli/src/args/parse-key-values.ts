import { UsageError } from '../errors.js';

/**
 * Reads repeated `K=V` flag values into a map (a later key wins). The value may contain `=`;
 * the key may not be empty.
 */
export function parseKeyValues(entries: readonly string[], flagName: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0) {
      throw new UsageError(`--${flagName} "${entry}" is not KEY=VALUE`, `write it as --${flagName} KEY=VALUE`);
    }
    result[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return result;
}
