import { ExitCode } from '../../exit-code.js';
import type { Command, CommandContext, CommandInput } from '../command.js';
import { printSandbox } from './print-sandboxes.js';
import { ProgressReporter } from './progress-reporter.js';
import { WAIT_FLAG } from './wait-flag.js';
import { waitForSandbox } from './wait-for-sandbox.js';

/** `shellgate sandbox stop NAME`. */
export const sandboxStopCommand: Command = {
  name: 'stop',
  summary: 'Stop a Ready sandbox, keeping it',
  usage: 'NAME [flags]',
  description: 'Stops a Ready sandbox (Stopping, then Stopped). Stopping a Stopped sandbox is a no-op. With --wait, waits for Stopped.',
  flags: [WAIT_FLAG],
  examples: ['shellgate sandbox stop dev --wait'],
  minPositionals: 1,
  maxPositionals: 1,
  run: (context, input) => runLifecycle(context, input, 'stop'),
};

/** `shellgate sandbox start NAME`. */
export const sandboxStartCommand: Command = {
  name: 'start',
  summary: 'Start a Stopped sandbox',
  usage: 'NAME [flags]',
  description: 'Starts a Stopped sandbox (Starting, then Ready). Starting a Ready sandbox is a no-op. With --wait, waits for Ready.',
  flags: [WAIT_FLAG],
  examples: ['shellgate sandbox start dev --wait'],
  minPositionals: 1,
  maxPositionals: 1,
  run: (context, input) => runLifecycle(context, input, 'start'),
};

async function runLifecycle(context: CommandContext, input: CommandInput, action: 'stop' | 'start'): Promise<ExitCode> {
  const name = input.positionals[0] ?? '';
  const { workspace } = context.config;
  const subject = { kind: 'sandbox', name, workspace } as const;
  const method = action === 'stop' ? 'stopSandbox' : 'startSandbox';
  const response = await context.connect().call(method, { name, workspace }, { subject, signal: context.signal });
  let sandbox = response.sandbox;
  if (sandbox === undefined) return ExitCode.Failed;
  if (input.flags.boolean('wait')) {
    const progress = new ProgressReporter(context.stderr, context.clock);
    const goal = action === 'stop' ? 'stopped' : 'ready';
    sandbox = (await waitForSandbox(context, { sandbox, goal, timeoutMs: context.config.waitTimeoutMs, progress })) ?? sandbox;
  }
  await printSandbox(context, sandbox);
  return ExitCode.Ok;
}
