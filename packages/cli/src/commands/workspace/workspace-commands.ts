import { Workspace } from '@shellgate/api';
import { parseKeyValues } from '../../args/parse-key-values.js';
import { CliError, formatCliError, isCliError } from '../../errors.js';
import { ExitCode } from '../../exit-code.js';
import { formatStructured } from '../../output/format-structured.js';
import { renderWorkspaceTable } from '../../output/workspace-view.js';
import type { Command, CommandContext } from '../command.js';

async function printWorkspace(context: CommandContext, workspace: Workspace): Promise<void> {
  const format = context.config.output;
  context.stdout.write(
    format === 'table' ? renderWorkspaceTable([workspace], context.clock.now()) : await formatStructured(format, Workspace.toJSON(workspace)),
  );
}

/** `shellgate workspace create NAME`. */
export const workspaceCreateCommand: Command = {
  name: 'create',
  summary: 'Create a workspace',
  usage: 'NAME [flags]',
  flags: [{ name: 'label', kind: 'list', valueName: 'K=V', description: 'label of the workspace (repeatable)' }],
  examples: ['shellgate workspace create team-ml --label owner=ml'],
  minPositionals: 1,
  maxPositionals: 1,
  async run(context, input) {
    const name = input.positionals[0] ?? '';
    const labels = parseKeyValues(input.flags.list('label'), 'label');
    const response = await context
      .connect()
      .call('createWorkspace', { name, labels }, { subject: { kind: 'workspace', name }, signal: context.signal });
    if (response.workspace === undefined) return ExitCode.Failed;
    await printWorkspace(context, response.workspace);
    return ExitCode.Ok;
  },
};

/** `shellgate workspace get NAME`. */
export const workspaceGetCommand: Command = {
  name: 'get',
  summary: 'Show one workspace',
  usage: 'NAME [flags]',
  flags: [],
  examples: ['shellgate workspace get default -o yaml'],
  minPositionals: 1,
  maxPositionals: 1,
  async run(context, input) {
    const name = input.positionals[0] ?? '';
    const response = await context.connect().call('getWorkspace', { name }, { subject: { kind: 'workspace', name }, signal: context.signal });
    if (response.workspace === undefined) return ExitCode.Failed;
    await printWorkspace(context, response.workspace);
    return ExitCode.Ok;
  },
};

/** `shellgate workspace list`. */
export const workspaceListCommand: Command = {
  name: 'list',
  summary: 'List workspaces',
  usage: '[flags]',
  flags: [
    { name: 'selector', short: 'l', kind: 'string', valueName: 'SEL', description: 'label selector: owner=ml' },
    { name: 'limit', kind: 'string', valueName: 'N', description: 'return at most N workspaces' },
    { name: 'offset', kind: 'string', valueName: 'N', description: 'skip the first N workspaces' },
  ],
  examples: ['shellgate workspace list', 'shellgate workspace list -l owner=ml -o json'],
  minPositionals: 0,
  maxPositionals: 0,
  async run(context, input) {
    const { flags } = input;
    const request = { labelSelector: flags.string('selector') ?? '', limit: flags.count('limit') ?? 0, offset: flags.count('offset') ?? 0 };
    const response = await context.connect().call('listWorkspaces', request, { signal: context.signal });
    const format = context.config.output;
    if (format !== 'table') {
      context.stdout.write(await formatStructured(format, { workspaces: response.workspaces.map((workspace) => Workspace.toJSON(workspace)) }));
    } else if (response.workspaces.length === 0) {
      context.stderr.write('No workspaces found.\n');
    } else {
      context.stdout.write(renderWorkspaceTable(response.workspaces, context.clock.now()));
    }
    return ExitCode.Ok;
  },
};

/** `shellgate workspace delete NAME...`. */
export const workspaceDeleteCommand: Command = {
  name: 'delete',
  summary: 'Delete workspaces',
  usage: 'NAME... [flags]',
  description: 'Deletes each named workspace; a failure on one is reported and the rest still run.',
  flags: [],
  examples: ['shellgate workspace delete team-ml'],
  minPositionals: 1,
  maxPositionals: Infinity,
  async run(context, input) {
    const results: Array<{ name: string; deleted: boolean }> = [];
    let exitCode: ExitCode = ExitCode.Ok;
    for (const name of input.positionals) {
      try {
        const response = await context.connect().call('deleteWorkspace', { name }, { subject: { kind: 'workspace', name }, signal: context.signal });
        // A gateway older than issue 15 answers OK with deleted=false for a name it does not hold.
        if (!response.deleted) throw new CliError(ExitCode.NotFound, `workspace "${name}" not found`, { hint: "run 'shellgate workspace list'" });
        results.push({ name, deleted: response.deleted });
        if (context.config.output === 'table') context.stdout.write(`workspace "${name}" deleted\n`);
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
