import type { CommandNode, FlagSpec } from '../args/flag-spec.js';
import type { ParsedFlags } from '../args/parsed-flags.js';
import type { CommandStdio } from '../attach/command-stdio.js';
import type { Clock, TextSink } from '../cli-io.js';
import type { CliConfig } from '../config.js';
import type { GatewayClient } from '../connection/gateway-client.js';

/** What a running command can use; everything that touches the world comes through here. */
export interface CommandContext {
  readonly config: CliConfig;
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly clock: Clock;
  /** Aborted on Ctrl-C; long waits and streams end with exit 130. */
  readonly signal: AbortSignal;
  /** The gateway client, created on first use and closed when the command ends. */
  connect(): GatewayClient;
  /** Byte streams and the terminal, for commands that attach to a process in the sandbox. */
  stdio(): CommandStdio;
}

/** The words and flags given to a leaf command. */
export interface CommandInput {
  readonly flags: ParsedFlags;
  readonly positionals: readonly string[];
  /** The words after a bare `--` (the command to run in the sandbox), or undefined without `--`. */
  readonly command: readonly string[] | undefined;
}

/** A leaf of the command tree: `sandbox create`. */
export interface Command extends CommandNode {
  readonly name: string;
  readonly summary: string;
  /** The argument part of the usage line: `[NAME] [flags]`. */
  readonly usage: string;
  /** Paragraphs shown under the usage line. */
  readonly description?: string;
  readonly flags: readonly FlagSpec[];
  readonly examples: readonly string[];
  readonly minPositionals: number;
  /** `Infinity` for `NAME...`. */
  readonly maxPositionals: number;
  /** Whether `-- CMD [ARG...]` is required (exec) or optional (create); absent: `--` is refused. */
  readonly trailingCommand?: 'required' | 'optional';
  /** Resolves with the exit code: one of `ExitCode`, or the remote command's own (0-255). */
  run(context: CommandContext, input: CommandInput): Promise<number>;
  readonly children?: undefined;
}

/** An inner node of the command tree: `sandbox`. */
export interface CommandGroup extends CommandNode {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly children: readonly CommandTreeNode[];
  readonly examples?: readonly string[];
}

export type CommandTreeNode = Command | CommandGroup;

/** True for a leaf command (it can run), false for a group. */
export function isCommand(node: CommandTreeNode): node is Command {
  return node.children === undefined;
}
