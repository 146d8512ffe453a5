import { parseCommandLine } from './args/parse-command-line.js';
import type { CommandStdio } from './attach/command-stdio.js';
import { createProcessStdio } from './attach/process-stdio.js';
import type { Clock, TextSink } from './cli-io.js';
import { SYSTEM_CLOCK } from './cli-io.js';
import { COMMAND_TREE } from './commands/command-tree.js';
import type { Command, CommandContext, CommandTreeNode } from './commands/command.js';
import { isCommand } from './commands/command.js';
import { renderHelp } from './commands/render-help.js';
import type { CliEnv } from './config.js';
import { resolveCliConfig } from './config.js';
import type { ReadFile } from './connection/create-gateway-client.js';
import { createGatewayClient } from './connection/create-gateway-client.js';
import type { GatewayClient } from './connection/gateway-client.js';
import { CliError, formatCliError, isCliError, UsageError } from './errors.js';
import { ExitCode } from './exit-code.js';
import { readCliVersion } from './version.js';

/** What `runCli` needs from the world; every field but argv and the sinks has a real default. */
export interface RunCliOptions {
  /** Arguments after the program name. */
  readonly argv: readonly string[];
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Defaults to `process.env` (read only by config.ts). */
  readonly env?: CliEnv;
  readonly clock?: Clock;
  /** Aborted on Ctrl-C by the binary. */
  readonly signal?: AbortSignal;
  readonly readFile?: ReadFile;
  /**
   * Byte streams and terminal for exec, connect and `create -- CMD`; defaults to the
   * process's stdin/stdout/stderr and tty (only those commands touch them).
   */
  readonly stdio?: CommandStdio;
}

/**
 * Runs one `shellgate` invocation and resolves with its exit code (an {@link ExitCode}, or
 * for exec the remote command's own); never throws and never exits the process. Errors are
 * printed once, here, as `error: message; hint`.
 */
export async function runCli(options: RunCliOptions): Promise<number> {
  let client: GatewayClient | undefined;
  try {
    const parsed = parseCommandLine<CommandTreeNode>(options.argv, COMMAND_TREE);
    if (parsed.isHelpRequested) {
      options.stdout.write(renderHelp(parsed.node, parsed.path));
      return ExitCode.Ok;
    }
    if (parsed.flags.boolean('version')) {
      options.stdout.write(`shellgate ${readCliVersion()}\n`);
      return ExitCode.Ok;
    }
    const node = parsed.node;
    if (!isCommand(node)) {
      // A group alone (`shellgate sandbox`) is a usage error, with the group's help as the hint.
      options.stderr.write(renderHelp(node, parsed.path));
      const name = ['shellgate', ...parsed.path].join(' ');
      throw new UsageError(`"${name}" needs a command`, `see the list above, or run '${name} --help'`);
    }
    checkPositionals(node, parsed.positionals, parsed.afterDoubleDash, parsed.path);
    const config = resolveCliConfig(parsed.flags, options.env, node.flags);
    const warn = (line: string): void => options.stderr.write(`${line}\n`);
    const context: CommandContext = {
      config,
      stdout: options.stdout,
      stderr: options.stderr,
      clock: options.clock ?? SYSTEM_CLOCK,
      signal: options.signal ?? new AbortController().signal,
      connect: () => (client ??= createGatewayClient(config, warn, options.readFile)),
      stdio: () => options.stdio ?? createProcessStdio(),
    };
    return await node.run(context, { flags: parsed.flags, positionals: parsed.positionals, command: parsed.afterDoubleDash });
  } catch (error) {
    const cliError = isCliError(error)
      ? error
      : new CliError(ExitCode.Failed, `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, {
          hint: 'this is a bug in shellgate; please report it with the command you ran',
        });
    options.stderr.write(`error: ${formatCliError(cliError)}\n`);
    return cliError.exitCode;
  } finally {
    client?.close();
  }
}

function checkPositionals(
  command: Command,
  positionals: readonly string[],
  afterDoubleDash: readonly string[] | undefined,
  path: readonly string[],
): void {
  const name = ['shellgate', ...path].join(' ');
  const usage = `usage: ${name} ${command.usage}`;
  if (afterDoubleDash !== undefined && command.trailingCommand === undefined) {
    throw new UsageError(`"${name}" takes nothing after "--"`, `run '${name} --help' for its usage`);
  }
  if (positionals.length < command.minPositionals) {
    throw new UsageError(`"${name}" needs ${command.usage.split(/\s*\[flags\]/)[0] ?? ''}`, usage);
  }
  if (positionals.length > command.maxPositionals) {
    const extra = positionals.slice(command.maxPositionals).map((word) => `"${word}"`).join(' ');
    const hint = command.trailingCommand === undefined ? usage : `put the command to run after "--": ${name} ${command.usage}`;
    throw new UsageError(`"${name}" got unexpected arguments: ${extra}`, hint);
  }
  if (afterDoubleDash?.length === 0 || (afterDoubleDash === undefined && command.trailingCommand === 'required')) {
    throw new UsageError(`"${name}" needs a command after "--"`, usage);
  }
}
