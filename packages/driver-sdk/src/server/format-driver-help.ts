import type { ConfigSchema } from '../config/define-config.js';
import { formatConfigHelp } from '../config/format-config-help.js';
import { LOG_LEVELS } from '../logging/create-logger.js';
import { DEFAULT_LOG_LEVEL, DRIVER_LOG_LEVEL_ENV, DRIVER_SOCKET_ENV } from './driver-args.js';

/** The name, version and one-line description a driver binary shows in `--help`. */
export interface DriverIdentity {
  readonly name: string;
  readonly version: string;
  readonly description: string;
}

/** The `--help` text: what the binary is, how it is run, the common flags and every setting. */
export function formatDriverHelp(driver: DriverIdentity, schema?: ConfigSchema): string {
  const lines = [
    `${driver.name} ${driver.version}: ${driver.description}`,
    '',
    'A Shellgate compute driver: it serves openshell.compute.v1.ComputeDriver over gRPC on a Unix socket.',
    '',
    'Usage:',
    `  ${driver.name} --bind-socket PATH [--config FILE] [--log-level LEVEL] [setting flags]`,
    '',
    'Options:',
    `  --bind-socket PATH   Unix socket to serve on (env ${DRIVER_SOCKET_ENV})`,
    '  --config FILE        TOML file with the settings below',
    `  --log-level LEVEL    ${LOG_LEVELS.join('|')} (env ${DRIVER_LOG_LEVEL_ENV}; default ${DEFAULT_LOG_LEVEL})`,
    '  --help               show this help and exit',
    '  --version            print the version and exit',
    '',
    'Logs are JSON lines on stderr; stdout stays empty. SIGTERM or SIGINT drains and exits 0.',
    '',
    '',
  ];
  return `${lines.join('\n')}${formatConfigHelp(schema ?? { keys: {} })}`;
}

/** Printed when no socket was given: this binary is not meant to be started bare. */
export function formatNoSocketMessage(driver: DriverIdentity): string {
  return [
    `${driver.name} is a Shellgate compute driver. It is normally started by the Shellgate gateway,`,
    `configured as [drivers.${gatewayTableName(driver.name)}] in gateway.toml. To run it by hand:`,
    '',
    `  ${driver.name} --bind-socket /run/shellgate/${gatewayTableName(driver.name)}.sock`,
    '',
    `(or set ${DRIVER_SOCKET_ENV}), then point the gateway at that socket.`,
    `Run ${driver.name} --help for every flag and setting.`,
    '',
  ].join('\n');
}

// Built-in drivers are named shellgate-driver-X and configured as [drivers.X].
function gatewayTableName(binaryName: string): string {
  return binaryName.replace(/^shellgate-driver-/, '');
}
