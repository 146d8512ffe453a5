import { runExec } from '../../attach/run-exec.js';
import { UsageError } from '../../errors.js';
import type { Command } from '../command.js';
import { resolveExecTarget } from './resolve-exec-target.js';

const DEFAULT_SHELL = '/bin/sh';

/** `shellgate sandbox connect NAME`. */
export const sandboxConnectCommand: Command = {
  name: 'connect',
  summary: 'Open an interactive shell in a Ready sandbox',
  usage: 'NAME [flags]',
  description:
    'Starts a shell in the sandbox on a terminal of the local size and attaches to it: the local ' +
    'terminal is raw while attached (Ctrl-C, Ctrl-D go to the shell) and window resizes follow. ' +
    'Exits with the shell\'s exit code. Needs a terminal on stdin; to pipe input, use ' +
    "'shellgate sandbox exec -i NAME -- sh'.",
  flags: [{ name: 'shell', kind: 'string', valueName: 'PATH', description: `shell to start [default ${DEFAULT_SHELL}]` }],
  examples: ['shellgate sandbox connect dev', 'shellgate sandbox connect dev --shell /bin/ash'],
  minPositionals: 1,
  maxPositionals: 1,
  async run(context, input) {
    const name = input.positionals[0] ?? '';
    if (!context.stdio().terminal.isStdinTty) {
      throw new UsageError(
        `"shellgate sandbox connect" needs a terminal, but stdin is not one`,
        `to pipe input to a shell, use 'shellgate sandbox exec -i ${name || 'NAME'} -- sh'`,
      );
    }
    const shell = input.flags.string('shell') ?? DEFAULT_SHELL;
    if (shell === '') throw new UsageError('--shell must not be empty', `leave it out for ${DEFAULT_SHELL}`);
    const target = await resolveExecTarget(context, name);
    return runExec(context, target, { command: [shell], workdir: '', environment: {}, timeoutSeconds: 0, isInteractive: true, isTty: true });
  },
};
