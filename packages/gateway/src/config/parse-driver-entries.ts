import { isAbsolute, resolve } from 'node:path';
import { GatewayConfigError } from './config-error.js';
import { DRIVERS_TABLE, DRIVER_COMMAND_KEY, DRIVER_SOCKET_KEY, EXTERNAL_DRIVER_NAME } from './config-keys.js';
import { DRIVER_NAME_RULE, isDriverName } from './parse-config-value.js';
import { describeKeyOrigin } from './read-config-file.js';
import type { ConfigFile } from './read-config-file.js';

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

/** Reads `[drivers.*]` of gateway.toml. Relative `socket` paths resolve against the file's directory. */
export function parseDriverTables(file: ConfigFile, baseDir: string): DriverConfigEntry[] {
  const drivers = file.table[DRIVERS_TABLE];
  if (drivers === undefined) return [];
  if (!isPlainTable(drivers)) {
    throw new GatewayConfigError(
      describeKeyOrigin(file, [], DRIVERS_TABLE),
      'must be a table of driver tables',
      'write one [drivers.NAME] table per driver, e.g. [drivers.docker]',
    );
  }
  return Object.entries(drivers).map(([name, table]) => parseDriverTable(file, baseDir, name, table));
}

function parseDriverTable(file: ConfigFile, baseDir: string, name: string, table: unknown): DriverConfigEntry {
  const origin = describeKeyOrigin(file, [DRIVERS_TABLE], name);
  if (!isDriverName(name)) throw new GatewayConfigError(origin, `invalid driver name ${JSON.stringify(name)}`, `a driver name is ${DRIVER_NAME_RULE}`);
  if (!isPlainTable(table)) {
    throw new GatewayConfigError(origin, 'must be a table', `write [drivers.${name}] followed by its keys (may be empty)`);
  }
  const { [DRIVER_COMMAND_KEY]: command, [DRIVER_SOCKET_KEY]: socket, ...settings } = table;
  const keyOrigin = (key: string): string => describeKeyOrigin(file, [DRIVERS_TABLE, name], key);
  if (command !== undefined && socket !== undefined) {
    throw new GatewayConfigError(
      keyOrigin(DRIVER_SOCKET_KEY),
      'a driver has either command (we spawn it) or socket (we dial it), not both',
      'remove one of the two keys',
    );
  }
  const entry: { -readonly [K in keyof DriverConfigEntry]: DriverConfigEntry[K] } = {
    name,
    origin,
    settings: deepFreeze(structuredClone(settings)),
  };
  if (command !== undefined) entry.command = parseCommand(command, keyOrigin(DRIVER_COMMAND_KEY));
  if (socket !== undefined) entry.socket = parseSocketPath(socket, keyOrigin(DRIVER_SOCKET_KEY), baseDir);
  return Object.freeze(entry);
}

function parseCommand(value: unknown, origin: string): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === 'string' && part !== '')) {
    throw new GatewayConfigError(
      origin,
      'must be a non-empty array of non-empty strings',
      'write command = ["/path/to/driver", "--flag"]; the gateway appends --bind-socket, --config and --log-level',
    );
  }
  return Object.freeze([...(value as string[])]);
}

function parseSocketPath(value: unknown, origin: string, baseDir: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GatewayConfigError(origin, 'must be a non-empty path string', 'write socket = "/run/my-driver/driver.sock"');
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
    throw new GatewayConfigError(origin, `invalid driver name ${JSON.stringify(name)} in ${JSON.stringify(value)}`, `a driver name is ${DRIVER_NAME_RULE}`);
  }
  if (path.trim() === '') {
    throw new GatewayConfigError(origin, `no socket path in ${JSON.stringify(value)}`, 'write [NAME=]PATH, e.g. lxd=/run/lxd-driver.sock');
  }
  return Object.freeze({ name, origin, socket: resolve(cwd, path), settings: Object.freeze({}) });
}

export function isPlainTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
