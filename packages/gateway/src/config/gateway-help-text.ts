import { formatConfigHelp } from '@shellgate/driver-sdk';
import {
  CONFIG_FILE_ENV,
  CONFIG_FILE_FLAG,
  DRIVER_COMMAND_KEY,
  DRIVER_SOCKET_ENV,
  DRIVER_SOCKET_FLAG,
  DRIVER_SOCKET_KEY,
  EXTERNAL_DRIVER_NAME,
  gatewayConfigSchema,
} from './config-keys.js';

/** True when `argv` asks for `--help`/`-h`; checked before anything else can fail. */
export function isHelpRequested(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * The text of `shellgate-gateway --help`, generated from the key table so that every
 * key, flag and env var is documented (a test holds it to that).
 */
export function gatewayHelpText(): string {
  const settings = formatConfigHelp(gatewayConfigSchema, 'Settings (top-level keys of gateway.toml, each also a flag and env vars):');
  return [
    'Usage: shellgate-gateway [flags]',
    '',
    'The Shellgate gateway: owns sandbox records and serves the OpenShell API; compute',
    'drivers are separate executables it spawns or dials over a Unix socket.',
    '',
    'Precedence: defaults < gateway.toml < env < flags.',
    '',
    'Flags:',
    '  -h, --help                 print this text',
    `  ${CONFIG_FILE_FLAG} FILE              gateway.toml to read (env ${CONFIG_FILE_ENV}); an explicit file must exist.`,
    '                             Default: $XDG_CONFIG_HOME/shellgate/gateway.toml, else',
    '                             ~/.config/shellgate/gateway.toml (skipped when missing).',
    `  ${DRIVER_SOCKET_FLAG} [NAME=]PATH`,
    `                             dial a third-party driver on PATH (repeatable; NAME defaults to`,
    `                             "${EXTERNAL_DRIVER_NAME}"; env ${DRIVER_SOCKET_ENV} gives one). Never spawned or killed.`,
    '',
    settings,
    'Postgres password: database_password_file, else env SHELLGATE_DATABASE_PASSWORD, else the',
    'database URL; never a flag. Messages show the URL with its password as ***.',
    '',
    'Drivers (tables of gateway.toml):',
    '  [drivers.NAME]             built-in driver when NAME is docker, podman, k8s or vm: spawned from',
    '                             the installed @shellgate/driver-NAME package (install it with',
    '                             pnpm add @shellgate/driver-NAME, or npm install -g @shellgate/driver-NAME)',
    `  ${DRIVER_COMMAND_KEY} = ["/path", "--flag"]  spawn any executable as driver NAME (it gets`,
    '                             --bind-socket, --config and --log-level appended, its own process group,',
    '                             and SHELLGATE_PARENT_WATCH=stdin with stdin held open; an executable not',
    '                             built on @shellgate/driver-sdk must exit on stdin EOF itself, or it can',
    '                             outlive a gateway killed with SIGKILL)',
    `  ${DRIVER_SOCKET_KEY} = "/run/x.sock"       dial a driver someone else runs`,
    '  requires_supervisor = false  backend Ready counts as Ready without a supervisor session (for',
    '                             drivers whose sandboxes run no Shellgate supervisor; default true)',
    '  shared_backend = true       with a postgres:// database (replicas): every replica\'s instance of',
    '                             this driver sees the same sandboxes (default: true for k8s, refused for',
    '                             docker, podman and vm, required for any other driver; docs/replicas.md)',
    '  any other key              the driver\'s own config, written 0600 to a TOML file passed with --config',
    '',
    'With no driver configured, the gateway uses the first installed of docker, podman, k8s, vm',
    'and logs why each other one was skipped.',
    '',
    'Stops on SIGTERM or SIGINT (a second one exits at once); with SHELLGATE_PARENT_WATCH=stdin it',
    'also stops when stdin reaches EOF, for a harness that spawns it and holds a stdin pipe open.',
    '',
    'Unknown keys and flags are errors that name their file, line and key. Booleans take true/false,',
    '1/0, yes/no or on/off from env and flags; a bare boolean flag means true.',
    '',
  ].join('\n');
}
