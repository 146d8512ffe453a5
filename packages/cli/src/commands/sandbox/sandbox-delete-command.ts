import { CliError, formatCliError, isCliError } from '../../errors.js';
import { ExitCode } from '../../exit-code.js';
import { formatStructured } from '../../output/format-structured.js';
import type { Command, CommandContext } from '../command.js';
import { ProgressReporter } from './progress-reporter.js';
import { WAIT_FLAG } from './wait-flag.js';
import { waitForSandbox } from './wait-for-sandbox.js';

interface DeleteResult {
  readonly name: string;
  readonly workspace: string;
  readonly deleted: boolean;
}

/** `shellgate sandbox delete NAME...`. */
export const sandboxDeleteCommand: Command = {
  name: 'delete',
  summary: 'Delete sandboxes',
  usage: 'NAME... [flags]',
  description:
    'Deletes each named sandbox. A failure on one name is reported and the rest still run; ' +
    'the exit code is that of the first failure. With --wait, waits until each is gone.',
  flags: [WAIT_FLAG],
  examples: ['shellgate sandbox delete dev', 'shellgate sandbox delete a b c --wait'],
  minPositionals: 1,
  maxPositionals: Infinity,
  async run(context, input) {
    const results: DeleteResult[] = [];
    let exitCode: ExitCode = ExitCode.Ok;
    for (const name of input.positionals) {
      try {
        results.push(await deleteOne(context, name, input.flags.boolean('wait')));
        if (context.config.output === 'table') context.stdout.write(`sandbox "${name}" deleted\n`);
      } catch (error) {
        if (!isCliError(error) || error.exitCode === ExitCode.Interrupted) throw error;
        context.stderr.write(`error: ${formatCliError(error)}\n`);
        if (exitCode === ExitCode.Ok) exitCode = error.exitCode;
      }
    }
    if (context.config.output !== 'table') context.stdout.write(await formatStructured(context.config.output, results));
    return exitCode;
  },
};

async function deleteOne(context: CommandContext, name: string, isWaiting: boolean): Promise<DeleteResult> {
  const client = context.connect();
  const { workspace, waitTimeoutMs } = context.config;
  const subject = { kind: 'sandbox', name, workspace } as const;
  // DeleteSandbox answers only `deleted`; waiting needs the id that WatchSandbox takes.
  const before = isWaiting ? (await client.call('getSandbox', { name, workspace }, { subject, signal: context.signal })).sandbox : undefined;
  const response = await client.call('deleteSandbox', { name, workspace }, { subject, signal: context.signal });
  // A gateway older than issue 15 answers OK with deleted=false for a name it does not hold.
  if (!response.deleted) {
    throw new CliError(ExitCode.NotFound, `sandbox "${name}" not found in workspace "${workspace}"`, { hint: "run 'shellgate sandbox list' to see the sandboxes there" });
  }
  if (before !== undefined) {
    const progress = new ProgressReporter(context.stderr, context.clock);
    await waitForSandbox(context, { sandbox: before, goal: 'deleted', timeoutMs: waitTimeoutMs, progress });
  }
  return { name, workspace, deleted: response.deleted };
}
