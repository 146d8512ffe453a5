/**
 * @shellgate/cli — the `shellgate` command line, also usable as a library:
 *
 * ```ts
 * import { runCli } from '@shellgate/cli';
 * const code = await runCli({ argv: ['sandbox', 'list', '-o', 'json'], stdout: process.stdout, stderr: process.stderr });
 * ```
 *
 * It talks to the public OpenShell API only (through `@shellgate/api`).
 */
export { runCli } from './run-cli.js';
export type { RunCliOptions } from './run-cli.js';
export { ExitCode, EXIT_CODE_DESCRIPTIONS } from './exit-code.js';
export { EnvVar, ENV_VAR_DESCRIPTIONS } from './env.js';
export { CliError, UsageError, isCliError, formatCliError } from './errors.js';
export type { CliErrorOptions } from './errors.js';
export { toCliError, isGrpcServiceError } from './connection/to-cli-error.js';
export type { CallContext, CallSubject } from './connection/to-cli-error.js';
export { parseGatewayAddress, DEFAULT_GATEWAY_ADDRESS, DEFAULT_GATEWAY_PORT } from './connection/gateway-address.js';
export type { GatewayAddress } from './connection/gateway-address.js';
export type { Clock, TextSink } from './cli-io.js';
export type { CommandStdio, Terminal, TerminalSize } from './attach/command-stdio.js';
export type { CliEnv } from './config.js';
