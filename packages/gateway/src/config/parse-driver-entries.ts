import { isAbsolute, resolve } from 'node:path';
import { ConfigError, describeFileOrigin } from '@shellgate/driver-sdk';
import type { ConfigFile, ConfigTable } from '@shellgate/driver-sdk';
import { DRIVERS_TABLE, DRIVER_COMMAND_KEY, DRIVER_SOCKET_KEY, EXTERNAL_DRIVER_NAME } from './config-keys.js';
import { DRIVER_NAME_RULE, isDriverName } from './driver-name.js';

/**
 * One `[drivers.NAME]` table or `--compute-driver-socket`, as the operator wrote it.
 * Whether a table without `command`/`socket` names a built-in is decided by driver
 * selection, which owns the catalog.
 */
export interface DriverConfigEntry {
  readonly name: string;
  /** Where it was declared: `FILE:LINE:drivers.NAME`, an env var or a flag. */
  readonly origin: string;
  /** Spawn this executable (argv) instead of a built-in. */
  readonly command?: readonly string[];
  /** Dial this Unix socket; the driver is never spawned or killed by us. */
  readonly socket?: string;
  /** Every other key of the table: the driver's own config, passed through untouched. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * Reads the `[drivers.*]` tables of gateway.toml (the `drivers` value the config engine
 * handed over, already frozen). Relative `socket` paths resolve against `baseDir`.
 */
export function parseDriverTables(file: ConfigFile, drivers: ConfigTable, baseDir: string): DriverConfigEntry[] {
  return Object.entries(drivers).map(([name, table]) => parseDriverTable(file, baseDir, name, table));
}

function parseDriverTable(file: ConfigFile, baseDir: string, name: string, table: unknown): DriverConfigEntry {
  const origin = describeFileOrigin(file, [DRIVERS_TABLE, name]);
  if (!isDriverName(name)) throw configError(origin, `invalid driver name ${JSON.stringify(name)}`, `a driver name is ${DRIVER_NAME_RULE}`);
  if (!isPlainTable(table)) {
    throw configError(origin, 'must be a table', `write [drivers.${name}] followed by its keys (may be empty)`);
  }
  const { [DRIVER_COMMAND_KEY]: command, [DRIVER_SOCKET_KEY]: socket, ...settings } = table;
  const keyOrigin = (key: string): string => describeFileOrigin(file, [DRIVERS_TABLE, name, key]);
  if (command !== undefined && socket !== undefined) {
    throw configError(keyOrigin(DRIVER_SOCKET_KEY), 'a driver has either command (we spawn it) or socket (we dial it), not both', 'remove one of the two keys');
  }
  const entry: { -readonly [K in keyof DriverConfigEntry]: DriverConfigEntry[K] } = { name, origin, settings: Object.freeze(settings) };
  if (command !== undefined) entry.command = parseCommand(command, keyOrigin(DRIVER_COMMAND_KEY));
  if (socket !== undefined) entry.socket = parseSocketPath(socket, keyOrigin(DRIVER_SOCKET_KEY), baseDir);
  return Object.freeze(entry);
}

function parseCommand(value: unknown, origin: string): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === 'string' && part !== '')) {
    throw configError(
      origin,
      'must be a non-empty array of non-empty strings',
      'write command = ["/path/to/driver", "--flag"]; the gateway appends --bind-socket, --config and --log-level',
    );
  }
  return Object.freeze([...(value as string[])]);
}

function parseSocketPath(value: unknown, origin: string, baseDir: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(origin, 'must be a non-empty path string', 'write socket = "/run/my-driver/driver.sock"');
  }
  return isAbsolute(value) ? value : resolve(baseDir, value);
}

/** Parses a `[NAME=]PATH` socket value from `--compute-driver-socket` or its env var. */
export function parseDriverSocketValue(value: string, origin: string, cwd: string): DriverConfigEntry {
  const separator = value.indexOf('=');
  const hasName = separator > 0 && !value.slice(0, separator).includes('/');
  const name = hasName ? value.slice(0, separator) : EXTERNAL_DRIVER_NAME;
  const path = hasName ? value.slice(separator + 1) : value;
  if (!isDriverName(name)) {
    throw configError(origin, `invalid driver name ${JSON.stringify(name)} in ${JSON.stringify(value)}`, `a driver name is ${DRIVER_NAME_RULE}`);
  }
  if (path.trim() === '') {
    throw configError(origin, `no socket path in ${JSON.stringify(value)}`, 'write [NAME=]PATH, e.g. lxd=/run/lxd-driver.sock');
  }
  return Object.freeze({ name, origin, socket: resolve(cwd, path), settings: Object.freeze({}) });
}

/** A problem the engine cannot see: it is in a table the gateway parses itself. */
export function configError(origin: string, message: string, hint: string): ConfigError {
  return new ConfigError([{ origin, message, hint }]);
}

function isPlainTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
