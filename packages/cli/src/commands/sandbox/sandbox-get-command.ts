import { ExitCode } from '../../exit-code.js';
import type { Command } from '../command.js';
import { printSandbox } from './print-sandboxes.js';

/** `shellgate sandbox get NAME`. */
export const sandboxGetCommand: Command = {
  name: 'get',
  summary: 'Show one sandbox',
  usage: 'NAME [flags]',
  description: 'Prints the sandbox as a table row, or in full with -o json / -o yaml (conditions included).',
  flags: [],
  examples: ['shellgate sandbox get dev', 'shellgate sandbox get dev -o yaml'],
  minPositionals: 1,
  maxPositionals: 1,
  async run(context, input) {
    const name = input.positionals[0] ?? '';
    const { workspace } = context.config;
    const response = await context
      .connect()
      .call('getSandbox', { name, workspace }, { subject: { kind: 'sandbox', name, workspace }, signal: context.signal });
    if (response.sandbox === undefined) return ExitCode.Failed;
    await printSandbox(context, response.sandbox);
    return ExitCode.Ok;
  },
};
