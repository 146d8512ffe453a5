import type { Sandbox } from '@shellgate/api';
import { runExec } from '../../attach/run-exec.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-code.js';
import { phaseName, phaseOf } from '../../output/sandbox-view.js';
import type { Command, CommandContext } from '../command.js';
import { encodeCreateSandboxRequest, CREATE_REQUEST_FLAGS } from './encode-create-request.js';
import { printSandbox } from './print-sandboxes.js';
import { ProgressReporter } from './progress-reporter.js';
import { WAIT_FLAG } from './wait-flag.js';
import { waitForSandbox } from './wait-for-sandbox.js';

/** `shellgate sandbox create [NAME]`. */
export const sandboxCreateCommand: Command = {
  name: 'create',
  summary: 'Create a sandbox',
  usage: '[NAME] [flags] [-- CMD [ARG...]]',
  description:
    'Creates a sandbox in the workspace. Without NAME the gateway generates one. With --wait, ' +
    'follows it until Ready (exit 0), Error (exit 1, with the reason) or the timeout (exit 124), ' +
    'printing phase changes and platform events on stderr. With -- CMD [ARG...], waits the same way, ' +
    'then runs CMD in the sandbox attached to this terminal (as exec -i, with -t when stdin is a ' +
    'terminal) and exits with its exit code; the sandbox stays (delete it with shellgate sandbox delete).',
  flags: [...CREATE_REQUEST_FLAGS, WAIT_FLAG],
  examples: [
    'shellgate sandbox create dev --image node:20 --wait',
    'shellgate sandbox create --env MODE=ci --label team=ml --cpu 500m --memory 1Gi',
    'shellgate sandbox create job1 --cmd sleep --cmd 3600 --driver docker --driver-config \'{"mounts":[{"type":"tmpfs","target":"/scratch"}]}\'',
    'shellgate sandbox create dev --wait --timeout 10m -o json',
    'shellgate sandbox create dev -- sh',
  ],
  minPositionals: 0,
  maxPositionals: 1,
  trailingCommand: 'optional',
  async run(context, input) {
    const { config } = context;
    const request = encodeCreateSandboxRequest(input.flags, input.positionals[0] ?? '', config.workspace);
    const command = input.command;
    if (command !== undefined && input.flags.has('output')) {
      throw new UsageError('-o cannot be combined with -- CMD: stdout carries the output of CMD', "print the sandbox later with 'shellgate sandbox get NAME -o json'");
    }
    const isWaiting = input.flags.boolean('wait') || command !== undefined;
    const client = context.connect();
    const response = await client.call('createSandbox', request, {
      subject: { kind: 'sandbox', name: request.name || undefined, workspace: config.workspace },
      signal: context.signal,
      timeoutMs: isWaiting ? Math.min(config.callTimeoutMs, config.waitTimeoutMs) : config.callTimeoutMs,
    });
    let sandbox = response.sandbox;
    if (sandbox === undefined) return ExitCode.Failed;
    if (isWaiting) {
      const progress = new ProgressReporter(context.stderr, context.clock);
      sandbox = (await waitForSandbox(context, { sandbox, goal: 'ready', timeoutMs: config.waitTimeoutMs, progress })) ?? sandbox;
    }
    if (command !== undefined) return attach(context, sandbox, command);
    await printSandbox(context, sandbox);
    return ExitCode.Ok;
  },
};

/** `create -- CMD`: runs CMD attached, as a user at a terminal expects (pty and raw mode when stdin is one). */
async function attach(context: CommandContext, sandbox: Sandbox, command: readonly string[]): Promise<number> {
  const name = sandbox.metadata?.name ?? '';
  const target = { id: sandbox.metadata?.id ?? '', name, phase: phaseName(phaseOf(sandbox)) };
  const isTty = context.stdio().terminal.isStdinTty;
  const exitCode = await runExec(context, target, { command, workdir: '', environment: {}, timeoutSeconds: 0, isInteractive: true, isTty });
  // Said only to a person at a terminal: a script's stderr belongs to CMD.
  if (isTty) context.stderr.write(`sandbox "${name}" is still running; delete it with 'shellgate sandbox delete ${name}'\n`);
  return exitCode;
}
