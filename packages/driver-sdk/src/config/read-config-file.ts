import { readFileSync } from 'node:fs';

import { ConfigError } from './errors.js';

/** A config file as read: its path (for origins and relative paths) and its TOML text. */
export interface ConfigFile {
  readonly path: string;
  readonly text: string;
}

/** Reads a file as UTF-8; throws an error with `code: 'ENOENT'` when it does not exist. */
export type ReadConfigFileFn = (path: string) => string;

/** Options of {@link readConfigFile}. */
export interface ReadConfigFileOptions {
  /** Where the path came from, e.g. `flag --config` or `env SHELLGATE_CONFIG`; default the path. */
  readonly origin?: string;
  /** A missing optional file (a default location) reads as undefined instead of failing. */
  readonly isOptional?: boolean;
  /** Default `fs.readFileSync(path, 'utf8')`. */
  readonly readFile?: ReadConfigFileFn;
}

const readUtf8: ReadConfigFileFn = (path) => readFileSync(path, 'utf8');

/**
 * Reads a TOML config file (parsing happens in `resolveConfig`). A file that cannot be read is
 * a {@link ConfigError} naming where its path came from. Synchronous: config is read once at
 * startup, before anything else runs.
 */
export function readConfigFile(path: string, options: ReadConfigFileOptions = {}): ConfigFile | undefined {
  try {
    return { path, text: (options.readFile ?? readUtf8)(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.isOptional === true) return undefined;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError([
      { origin: options.origin ?? path, message: `config file ${path} ${reason}`, hint: 'fix the path, or leave it out to use no file' },
    ]);
  }
}
