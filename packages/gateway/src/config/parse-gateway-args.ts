import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { GatewayConfigError } from './config-error.js';
import { CONFIG_FILE_FLAG, CONFIG_KEYS, DRIVER_SOCKET_FLAG } from './config-keys.js';
import type { GatewayConfigKey } from './config-keys.js';

/** The command line, split into raw values; validation happens with the other layers. */
export interface GatewayArgs {
  readonly isHelpRequested: boolean;
  readonly configFile: string | undefined;
  /** Raw `[NAME=]PATH` values of every `--compute-driver-socket`, in order. */
  readonly driverSockets: readonly string[];
  readonly values: ReadonlyMap<GatewayConfigKey, string | boolean>;
}

const HELP_HINT = 'run shellgate-gateway --help for every flag';

function buildOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    [CONFIG_FILE_FLAG.slice(2)]: { type: 'string' },
    [DRIVER_SOCKET_FLAG.slice(2)]: { type: 'string', multiple: true },
  };
  for (const spec of CONFIG_KEYS) {
    options[spec.flag.slice(2)] = { type: spec.kind === 'boolean' ? 'boolean' : 'string' };
  }
  return options;
}

/** Splits `argv` (without node and script) into known flags; unknown flags are errors. */
export function parseGatewayArgs(argv: readonly string[]): GatewayArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: buildOptions(), allowPositionals: false, strict: true });
  } catch (error) {
    throw new GatewayConfigError('command line', (error as Error).message, HELP_HINT, error);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const values = new Map<GatewayConfigKey, string | boolean>();
  for (const spec of CONFIG_KEYS) {
    const value = raw[spec.flag.slice(2)];
    if (typeof value === 'string' || typeof value === 'boolean') values.set(spec.key, value);
  }
  const sockets = raw[DRIVER_SOCKET_FLAG.slice(2)];
  const configFile = raw[CONFIG_FILE_FLAG.slice(2)];
  return {
    isHelpRequested: raw.help === true,
    configFile: typeof configFile === 'string' ? configFile : undefined,
    driverSockets: Array.isArray(sockets) ? sockets : [],
    values,
  };
}

/** True when `argv` asks for `--help`/`-h`; checked before anything else can fail. */
export function isHelpRequested(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
