import { SupervisorError, USAGE_EXIT_CODE } from '../errors.js';
import { parseUserSpec, type UserSpec } from '../user/user-spec.js';

/** What the command line asks for. */
export type SupervisorCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run';
      readonly tty: boolean;
      /** `--keep-token-file`: leave the token file as it is instead of emptying it once read. */
      readonly isTokenFileKept: boolean;
      /** The image's USER to run the main process and execs as; absent: the supervisor's own user. */
      readonly user?: UserSpec;
      readonly mainCommand: readonly string[];
    };

export const SUPERVISOR_USAGE = `Usage: shellgate-supervisor [--tty] [--user SPEC] [--keep-token-file] -- [CMD [ARGS...]]

The Shellgate in-sandbox agent. It is the sandbox's entrypoint: it dials the gateway at
OPENSHELL_ENDPOINT, presents the token in OPENSHELL_SANDBOX_TOKEN_FILE, runs CMD (argv, no
shell) as the sandbox's main process, ships its output as logs and runs exec requests.
When CMD exits, the supervisor exits with its code. Without CMD it holds the session until
SIGTERM. It reads the token file once, before starting anything, keeps the token in memory
only and empties the file, so CMD and execs never find the token; as root it also makes
itself non-dumpable, so they cannot read its memory either.

Options:
  --tty              run CMD in a pseudo-terminal (80x24)
  --user SPEC        run CMD and every exec as SPEC, Docker USER syntax: NAME, UID,
                     NAME:GROUP, UID:GID, NAME:GID or UID:GROUP, resolved from the sandbox's
                     /etc/passwd and /etc/group (names must exist there, numeric ids need
                     not). The supervisor itself stays root, to read the root-owned 0600
                     token file. Needs the supervisor to run as root; otherwise a warning
                     and children run as the supervisor's user. Empty: the supervisor's
                     own user.
  --keep-token-file  leave the token file as it is (for images whose own processes read
                     it): every process of the sandbox that can read the file can then
                     act as the supervisor
  --help             print this help
  --version          print the supervisor version

Environment (set by the compute driver):
  OPENSHELL_ENDPOINT            gateway callback URL, http://HOST:PORT or https://HOST:PORT
  OPENSHELL_SANDBOX_ID          sandbox id
  OPENSHELL_SANDBOX             sandbox name (optional, for logs)
  OPENSHELL_SANDBOX_TOKEN_FILE  file holding the sandbox JWT (read once, then emptied)
  OPENSHELL_LOG_LEVEL           trace|debug|info|warn|error (default info)
  OPENSHELL_USER_ENVIRONMENT    JSON object of the user's environment (optional)
  OPENSHELL_TLS_CA_FILE, OPENSHELL_TLS_CERT_FILE, OPENSHELL_TLS_KEY_FILE  for https
`;

function usageError(message: string): SupervisorError {
  return new SupervisorError(message, {
    hint: 'put the main command after `--`, e.g. shellgate-supervisor --user 1000 -- sleep infinity; see --help',
    exitCode: USAGE_EXIT_CODE,
  });
}

/** Parses `[--tty] [--user SPEC] [--keep-token-file] [--help] [--version] -- CMD...`; everything after `--` is the main command. */
export function parseSupervisorArgs(args: readonly string[]): SupervisorCommand {
  let tty = false;
  let isTokenFileKept = false;
  let user: UserSpec | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--') return { kind: 'run', tty, isTokenFileKept, ...(user !== undefined && { user }), mainCommand: args.slice(index + 1) };
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version') return { kind: 'version' };
    if (arg === '--tty') {
      tty = true;
      continue;
    }
    if (arg === '--keep-token-file') {
      isTokenFileKept = true;
      continue;
    }
    if (arg === '--user') {
      const spec = args[index + 1];
      if (spec === undefined || spec === '--') throw usageError('--user needs a value: --user SPEC');
      user = spec === '' ? undefined : parseUserSpec(spec);
      index += 1;
      continue;
    }
    throw usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { kind: 'run', tty, isTokenFileKept, ...(user !== undefined && { user }), mainCommand: [] };
}
