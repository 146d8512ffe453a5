import { ExitCode } from '../../exit-code.js';
import type { Command } from '../command.js';
import { printSandboxList } from './print-sandboxes.js';

/** `shellgate sandbox list`. */
export const sandboxListCommand: Command = {
  name: 'list',
  summary: 'List sandboxes',
  usage: '[flags]',
  description: 'Lists the sandboxes of the workspace, or of every workspace with --all-workspaces.',
  flags: [
    { name: 'selector', short: 'l', kind: 'string', valueName: 'SEL', description: 'label selector: team=ml,env!=prod' },
    { name: 'all-workspaces', short: 'A', kind: 'boolean', description: 'list sandboxes of every workspace' },
    { name: 'limit', kind: 'string', valueName: 'N', description: 'return at most N sandboxes' },
    { name: 'offset', kind: 'string', valueName: 'N', description: 'skip the first N sandboxes' },
  ],
  examples: ['shellgate sandbox list', 'shellgate sandbox list -l team=ml -A', 'shellgate sandbox list --limit 20 --offset 40 -o json'],
  minPositionals: 0,
  maxPositionals: 0,
  async run(context, input) {
    const { flags } = input;
    const response = await context.connect().call(
      'listSandboxes',
      {
        workspace: context.config.workspace,
        allWorkspaces: flags.boolean('all-workspaces'),
        labelSelector: flags.string('selector') ?? '',
        limit: flags.count('limit') ?? 0,
        offset: flags.count('offset') ?? 0,
      },
      { signal: context.signal },
    );
    await printSandboxList(context, response.sandboxes);
    return ExitCode.Ok;
  },
};
