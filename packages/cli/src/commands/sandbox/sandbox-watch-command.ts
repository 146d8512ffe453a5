import type { Sandbox } from '@shellgate/api';
import { SandboxPhase, SandboxStreamEvent, WatchSandboxRequest } from '@shellgate/api';
import { isCliError } from '../../errors.js';
import { ExitCode } from '../../exit-code.js';
import { formatStreamItem } from '../../output/format-structured.js';
import { phaseOf } from '../../output/sandbox-view.js';
import type { Command } from '../command.js';
import { ProgressReporter } from './progress-reporter.js';

/** Phases after which `--stop-on-terminal` ends the watch. */
const TERMINAL_PHASES: ReadonlySet<SandboxPhase> = new Set([
  SandboxPhase.SANDBOX_PHASE_READY,
  SandboxPhase.SANDBOX_PHASE_ERROR,
  SandboxPhase.SANDBOX_PHASE_STOPPED,
]);

/** `shellgate sandbox watch NAME`. */
export const sandboxWatchCommand: Command = {
  name: 'watch',
  summary: 'Follow a sandbox: phase changes and platform events',
  usage: 'NAME [flags]',
  description:
    'Streams WatchSandbox and prints a line per phase change (and per platform event with --events) ' +
    'until the gateway ends the stream, Ctrl-C, or --timeout if given. With -o json/yaml, prints each ' +
    'stream event as one JSON line / YAML document. --stop-on-terminal ends at Ready, Stopped or Error ' +
    '(exit 1 on Error).',
  flags: [
    { name: 'events', kind: 'boolean', description: 'also print platform events (image pulls, container starts, ...)' },
    { name: 'stop-on-terminal', kind: 'boolean', description: 'end at Ready, Stopped or Error; exit 1 on Error' },
  ],
  examples: ['shellgate sandbox watch dev --events', 'shellgate sandbox watch dev --stop-on-terminal -o json'],
  minPositionals: 1,
  maxPositionals: 1,
  async run(context, input) {
    const name = input.positionals[0] ?? '';
    const { workspace, output, explicitTimeoutMs } = context.config;
    const subject = { kind: 'sandbox', name, workspace } as const;
    const client = context.connect();
    const found = await client.call('getSandbox', { name, workspace }, { subject, signal: context.signal });
    const isStoppingOnTerminal = input.flags.boolean('stop-on-terminal');
    const request = WatchSandboxRequest.fromPartial({
      id: found.sandbox?.metadata?.id ?? '',
      followStatus: true,
      followEvents: input.flags.boolean('events'),
      stopOnTerminal: isStoppingOnTerminal,
    });
    const progress = new ProgressReporter(context.stdout, context.clock);
    let last: Sandbox | undefined = found.sandbox;
    try {
      for await (const event of client.serverStream('watchSandbox', request, { subject, signal: context.signal, timeoutMs: explicitTimeoutMs ?? Infinity })) {
        const payload = event.payload;
        if (payload?.$case === 'sandbox') last = payload.sandbox;
        if (output !== 'table') context.stdout.write(await formatStreamItem(output, SandboxStreamEvent.toJSON(event)));
        else if (payload?.$case === 'sandbox') progress.sandbox(payload.sandbox);
        else if (payload?.$case === 'event') progress.event(payload.event);
        else if (payload?.$case === 'warning') progress.warning(payload.warning.message);
        if (isStoppingOnTerminal && payload?.$case === 'sandbox' && TERMINAL_PHASES.has(phaseOf(last))) break;
      }
    } catch (error) {
      // Deleted while watched: the story ends here, and that is not a failure of `watch`.
      if (!isCliError(error) || error.exitCode !== ExitCode.NotFound) throw error;
      if (output === 'table') progress.deleted();
      return ExitCode.Ok;
    }
    return phaseOf(last) === SandboxPhase.SANDBOX_PHASE_ERROR && isStoppingOnTerminal ? ExitCode.Failed : ExitCode.Ok;
  },
};
