/** How a flag takes its value: a switch, one value (last wins), or a repeatable value. */
export type FlagKind = 'boolean' | 'string' | 'list';

/** One command-line flag, used by the parser and by `--help`. */
export interface FlagSpec {
  /** Long name without the dashes: `image` for `--image`. */
  readonly name: string;
  /** One-letter alias without the dash: `o` for `-o`. */
  readonly short?: string;
  readonly kind: FlagKind;
  /** Placeholder shown in help: `IMG` in `--image IMG`. */
  readonly valueName?: string;
  readonly description: string;
}

/** A node of the command tree as the parser sees it: a group of children or a leaf with flags. */
export interface CommandNode {
  readonly name: string;
  readonly flags?: readonly FlagSpec[];
  readonly children?: readonly CommandNode[];
}

/** Flags every command accepts, before or after the command name. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'gateway',
    kind: 'string',
    valueName: 'ADDR',
    description: 'gateway address: host:port, http://host:port or https://host:port (TLS) [$SHELLGATE_GATEWAY, default 127.0.0.1:17670]',
  },
  {
    name: 'workspace',
    kind: 'string',
    valueName: 'NAME',
    description: 'workspace of the sandbox [$SHELLGATE_WORKSPACE, default "default"]',
  },
  { name: 'output', short: 'o', kind: 'string', valueName: 'FORMAT', description: 'output format: table, json or yaml [default table]' },
  {
    name: 'token-file',
    kind: 'string',
    valueName: 'FILE',
    description: 'file holding a bearer token, sent as "authorization: Bearer" [$SHELLGATE_TOKEN_FILE]',
  },
  { name: 'tls-ca', kind: 'string', valueName: 'FILE', description: 'CA bundle to verify the gateway (implies TLS)' },
  { name: 'tls-cert', kind: 'string', valueName: 'FILE', description: 'client certificate for mutual TLS (with --tls-key)' },
  { name: 'tls-key', kind: 'string', valueName: 'FILE', description: 'client private key for mutual TLS (with --tls-cert)' },
  {
    name: 'timeout',
    kind: 'string',
    valueName: 'DURATION',
    description: 'deadline of each call (default 30s); with --wait, of the whole command (default 5m)',
  },
  { name: 'help', short: 'h', kind: 'boolean', description: 'show help for the command' },
  { name: 'version', kind: 'boolean', description: 'print the version and exit' },
];
