import { checkWorkdir } from './executable-lookup.js';
import { startPipeCommand } from './pipe-command.js';
import { startPtyCommand } from './pty-command.js';
import type { CommandSpec, RunningCommand } from './running-command.js';

/**
 * Starts a command with pipes or, when `spec.pty` is set, a pseudo-terminal. Rejects with
 * CommandStartError (exit code 127 or 126 and a "shellgate: CMD: ..." message) when it
 * cannot run.
 */
export async function startCommand(spec: CommandSpec): Promise<RunningCommand> {
  if (spec.pty !== undefined) return startPtyCommand({ ...spec, pty: spec.pty });
  checkWorkdir(spec.cwd);
  return startPipeCommand(spec);
}
