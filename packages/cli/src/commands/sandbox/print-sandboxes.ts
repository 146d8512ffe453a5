import { Sandbox } from '@shellgate/api';
import { formatStructured } from '../../output/format-structured.js';
import { renderSandboxTable } from '../../output/sandbox-view.js';
import type { CommandContext } from '../command.js';

/** Prints one sandbox: a one-row table, or its canonical JSON/YAML. */
export async function printSandbox(context: CommandContext, sandbox: Sandbox): Promise<void> {
  const format = context.config.output;
  context.stdout.write(
    format === 'table' ? renderSandboxTable([sandbox], context.clock.now()) : await formatStructured(format, Sandbox.toJSON(sandbox)),
  );
}

/** Prints a list: the table, or `{ "sandboxes": [...] }` (always present, even when empty). */
export async function printSandboxList(context: CommandContext, sandboxes: readonly Sandbox[]): Promise<void> {
  const format = context.config.output;
  if (format === 'table') {
    // An empty list says so on stderr, so stdout stays empty for scripts.
    if (sandboxes.length === 0) context.stderr.write('No sandboxes found.\n');
    else context.stdout.write(renderSandboxTable(sandboxes, context.clock.now()));
    return;
  }
  context.stdout.write(await formatStructured(format, { sandboxes: sandboxes.map((sandbox) => Sandbox.toJSON(sandbox)) }));
}
