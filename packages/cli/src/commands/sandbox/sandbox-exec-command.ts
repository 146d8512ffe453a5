import { parseSeconds } from '../../args/parse-duration.js';
import { parseKeyValues } from '../../args/parse-key-values.js';
import { runExec } from '../../attach/run-exec.js';
import type { Command } from '../command.js';
import { resolveExecTarget } from './resolve-exec-target.js';

/** `shellgate sandbox exec NAME [flags] -- CMD [ARG...]`. */
export const sandboxExecCommand: Command = {
  name: 'exec',
  summary: 'Run a command in a Ready sandbox',
  usage: 'NAME [flags] -- CMD [ARG...]',
  description:
    'Runs CMD with its arguments (no shell) in the sandbox, like docker exec. Its output goes to stdout ' +
    'and stderr byte for byte, and its exit code (0-255) becomes ours; a command stopped by --timeout ' +
    'exits 124. Before the command runs, failures exit with the codes below (e.g. 4 when the sandbox ' +
    'is not Ready). Without -i, stdin is not read. -t gives the command a terminal of the local size ' +
    '(its stderr then arrives on stdout); with -i -t and a terminal on stdin, the local terminal is raw ' +
    'while attached, so keys such as Ctrl-C go to the command, and window resizes follow.',
  flags: [
    { name: 'interactive', short: 'i', kind: 'boolean', description: 'stream stdin to the command; end of input closes its stdin' },
    { name: 'tty', short: 't', kind: 'boolean', description: 'give the command a terminal (pty) of the local size' },
    { name: 'workdir', short: 'w', kind: 'string', valueName: 'DIR', description: 'working directory in the sandbox' },
    { name: 'env', short: 'e', kind: 'list', valueName: 'K=V', description: 'environment variable of the command (repeatable)' },
    {
      name: 'timeout',
      kind: 'string',
      valueName: 'SECONDS',
      description: 'stop the command after this long (30, or a duration: 90s, 5m) and exit 124 [default: no limit]',
    },
  ],
  examples: [
    'shellgate sandbox exec dev -- ls -la /tmp',
    'shellgate sandbox exec dev -it -- sh',
    'tar c src | shellgate sandbox exec dev -i -w /tmp -- tar x',
    'shellgate sandbox exec dev -e MODE=ci --timeout 10m -- sh -c \'echo "$MODE"\'',
  ],
  minPositionals: 1,
  maxPositionals: 1,
  trailingCommand: 'required',
  async run(context, input) {
    const { flags } = input;
    const environment = parseKeyValues(flags.list('env'), 'env');
    const timeoutText = flags.string('timeout');
    const timeoutSeconds = timeoutText === undefined ? 0 : parseSeconds(timeoutText, '--timeout');
    const target = await resolveExecTarget(context, input.positionals[0] ?? '');
    return runExec(context, target, {
      command: input.command ?? [],
      workdir: flags.string('workdir') ?? '',
      environment,
      timeoutSeconds,
      isInteractive: flags.boolean('interactive'),
      isTty: flags.boolean('tty'),
    });
  },
};
