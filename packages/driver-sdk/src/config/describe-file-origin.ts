import type { ConfigFile } from './read-config-file.js';

/**
 * `FILE:LINE:a.b.key` for a key of a config file, or `FILE:a.b.key` when the line cannot be
 * found. For callers that parse a claimed table themselves and must name what they reject.
 * Best effort: it follows `[table]` headers and plain, quoted or dotted keys, not every
 * TOML spelling (an inline table's inner keys get the line of the table's key).
 */
export function describeFileOrigin(file: ConfigFile, keyPath: readonly string[]): string {
  const dotted = keyPath.join('.');
  const line = findKeyLine(file.text, keyPath);
  return line === undefined ? `${file.path}:${dotted}` : `${file.path}:${line}:${dotted}`;
}

function findKeyLine(text: string, keyPath: readonly string[]): number | undefined {
  const wanted = keyPath.join('.');
  let currentTable = '';
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header !== null) {
      currentTable = normalizeDottedKey(header[1] ?? '');
      // A table header is itself where a key that names a table lives, `[a]` or `[a.b]` for `a`.
      if (currentTable === wanted || currentTable.startsWith(`${wanted}.`)) return index + 1;
      continue;
    }
    const assignment = /^\s*([^=#]+?)\s*=/.exec(line);
    if (assignment === null) continue;
    const fullKey = [currentTable, normalizeDottedKey(assignment[1] ?? '')].filter((part) => part !== '').join('.');
    if (fullKey === wanted || fullKey.startsWith(`${wanted}.`)) return index + 1;
  }
  return undefined;
}

function normalizeDottedKey(text: string): string {
  return text
    .split('.')
    .map((part) => part.trim().replace(/^["']|["']$/g, ''))
    .join('.');
}
