import { TomlError, parse } from 'smol-toml';
import type { TomlTable } from 'smol-toml';
import { GatewayConfigError } from './config-error.js';

/** Reads a file as UTF-8; throws an error with `code: 'ENOENT'` when it does not exist. */
export type ReadFileFn = (path: string) => string;

/** A parsed gateway.toml, kept with its text so errors can point at lines. */
export interface ConfigFile {
  readonly path: string;
  readonly table: TomlTable;
  readonly source: string;
}

/**
 * Reads and parses `path`. Returns undefined when the file is missing and `isRequired`
 * is false (the default location may be absent); syntax errors name file, line, column.
 */
export function readConfigFile(path: string, readFile: ReadFileFn, isRequired: boolean, origin: string): ConfigFile | undefined {
  let source: string;
  try {
    source = readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' && !isRequired) return undefined;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new GatewayConfigError(
      origin,
      `config file ${path} ${reason}`,
      'fix the path, or drop --config/SHELLGATE_CONFIG to use the default location',
      error,
    );
  }
  try {
    return { path, table: parse(source), source };
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n')[0] ?? error.message;
      throw new GatewayConfigError(
        `${path}:${error.line}:${error.column}`,
        `TOML syntax error: ${firstLine}`,
        'fix the TOML syntax at that position (see https://toml.io)',
        error,
      );
    }
    throw error;
  }
}

/**
 * `FILE:key` plus `:LINE` when the key can be found in the text. Best effort: it
 * follows `[table]` headers and plain or quoted keys, not every TOML spelling.
 */
export function describeKeyOrigin(file: ConfigFile, tablePath: readonly string[], key: string): string {
  const dotted = [...tablePath, key].join('.');
  const line = findKeyLine(file.source, tablePath, key);
  return line === undefined ? `${file.path}:${dotted}` : `${file.path}:${line}:${dotted}`;
}

export function findKeyLine(source: string, tablePath: readonly string[], key: string): number | undefined {
  const lines = source.split(/\r?\n/);
  const wantedTable = tablePath.join('.');
  let currentTable = '';
  for (const [index, line] of lines.entries()) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header !== null) {
      currentTable = normalizeDottedKey(header[1] ?? '');
      // A table header is itself where a key that names a table lives.
      if (currentTable === [...tablePath, key].join('.')) return index + 1;
      continue;
    }
    const assignment = /^\s*([^=#]+?)\s*=/.exec(line);
    if (assignment === null) continue;
    const fullKey = [currentTable, normalizeDottedKey(assignment[1] ?? '')].filter((part) => part !== '').join('.');
    const wanted = [wantedTable, key].filter((part) => part !== '').join('.');
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
