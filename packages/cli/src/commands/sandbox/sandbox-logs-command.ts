import { GetSandboxLogsResponse, SandboxLogLine, WatchSandboxRequest } from '@shellgate/api';
import type { ParsedFlags } from '../../args/parsed-flags.js';
import { parseSince } from '../../args/parse-since.js';
import { isCliError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-code.js';
import { formatStreamItem, formatStructured } from '../../output/format-structured.js';
import { formatLogLine } from '../../output/log-line-view.js';
import type { Command, CommandContext } from '../command.js';

/** Upstream's sources (`gateway`, `sandbox`) and our finer split of sandbox lines. */
const LOG_SOURCES = ['gateway', 'sandbox', 'main', 'supervisor'] as const;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
/** "Every line the gateway keeps": sent when --tail is absent, since 0 would mean none. */
const ALL_LINES = 0xffffffff;

/** The filters shared by the one-shot and the follow form. */
interface LogQuery {
  readonly tailLines: number;
  readonly sinceMs: number;
  readonly sources: string[];
  readonly minLevel: string;
}

/** `shellgate sandbox logs NAME`. */
export const sandboxLogsCommand: Command = {
  name: 'logs',
  summary: 'Show the logs of a sandbox',
  usage: 'NAME [flags]',
  description:
    "Prints the log lines the gateway keeps for the sandbox: its main process's output (source main) and " +
    'its supervisor (source supervisor), both source sandbox on the wire, one line each as ' +
    'TIMESTAMP LEVEL SOURCE MESSAGE. With -f, ' +
    'prints the tail and then new lines as they come, until Ctrl-C (exit 130) or the sandbox is deleted ' +
    '(exit 0). -o json prints {"logs": [...]}, or with -f one JSON object per line; -o yaml likewise.',
  flags: [
    { name: 'follow', short: 'f', kind: 'boolean', description: 'keep printing new lines until Ctrl-C or the sandbox is deleted' },
    { name: 'tail', kind: 'string', valueName: 'N', description: 'only the last N lines [default: all the gateway keeps]' },
    { name: 'since', kind: 'string', valueName: 'WHEN', description: 'only lines since a duration ago (10m) or an RFC 3339 time' },
    { name: 'source', kind: 'list', valueName: 'SOURCE', description: 'only lines of this source: main, supervisor, sandbox (both) or gateway (repeatable)' },
    { name: 'level', kind: 'string', valueName: 'LEVEL', description: 'only lines of this level or above: trace, debug, info, warn, error' },
  ],
  examples: [
    'shellgate sandbox logs dev',
    'shellgate sandbox logs dev -f --tail 20',
    'shellgate sandbox logs dev --since 10m --source main --level warn -o json',
  ],
  minPositionals: 1,
  maxPositionals: 1,
  async run(context, input) {
    const name = input.positionals[0] ?? '';
    const query = parseLogQuery(input.flags, context.clock.now());
    const { workspace } = context.config;
    const subject = { kind: 'sandbox', name, workspace } as const;
    const client = context.connect();
    const found = await client.call('getSandbox', { name, workspace }, { subject, signal: context.signal });
    const sandboxId = found.sandbox?.metadata?.id ?? '';
    if (input.flags.boolean('follow')) return followLogs(context, name, sandboxId, query);
    // --tail 0 asks for nothing; the RPC would read 0 as "no limit".
    const response =
      query.tailLines === 0
        ? GetSandboxLogsResponse.fromPartial({})
        : await client.call(
            'getSandboxLogs',
            { sandboxId, workspace, lines: query.tailLines, sinceMs: query.sinceMs, sources: query.sources, minLevel: query.minLevel },
            { subject, signal: context.signal },
          );
    const { output } = context.config;
    if (output === 'table') context.stdout.write(response.logs.map(formatLogLine).join(''));
    else context.stdout.write(await formatStructured(output, GetSandboxLogsResponse.toJSON(response)));
    return ExitCode.Ok;
  },
};

async function followLogs(context: CommandContext, name: string, sandboxId: string, query: LogQuery): Promise<number> {
  const { output, explicitTimeoutMs, workspace } = context.config;
  const request = WatchSandboxRequest.fromPartial({
    id: sandboxId,
    followLogs: true,
    logTailLines: query.tailLines,
    logSinceMs: query.sinceMs,
    logSources: query.sources,
    logMinLevel: query.minLevel,
  });
  const settings = { subject: { kind: 'sandbox', name, workspace }, signal: context.signal, timeoutMs: explicitTimeoutMs ?? Infinity } as const;
  try {
    for await (const event of context.connect().serverStream('watchSandbox', request, settings)) {
      const payload = event.payload;
      if (payload?.$case === 'log') {
        const line = payload.log;
        context.stdout.write(output === 'table' ? formatLogLine(line) : await formatStreamItem(output, SandboxLogLine.toJSON(line)));
      } else if (payload?.$case === 'warning') {
        context.stderr.write(`warning: ${payload.warning.message}\n`);
      }
    }
  } catch (error) {
    // Ctrl-C is how a follow ends: exit 130 without an error line. A sandbox deleted while
    // followed ends the story, which is not a failure of `logs`.
    if (isCliError(error) && error.exitCode === ExitCode.Interrupted) return ExitCode.Interrupted;
    if (!isCliError(error) || error.exitCode !== ExitCode.NotFound) throw error;
  }
  return ExitCode.Ok;
}

function parseLogQuery(flags: ParsedFlags, nowMs: number): LogQuery {
  const sources = flags.list('source').map((source) => source.toLowerCase());
  for (const source of sources) {
    if (!(LOG_SOURCES as readonly string[]).includes(source)) {
      throw new UsageError(`--source "${source}" is not a log source`, `use one of ${LOG_SOURCES.join(', ')}`);
    }
  }
  const levelText = flags.string('level');
  const minLevel = levelText === undefined ? '' : levelText.toLowerCase().replace(/^warning$/, 'warn');
  if (minLevel !== '' && !(LOG_LEVELS as readonly string[]).includes(minLevel)) {
    throw new UsageError(`--level "${levelText ?? ''}" is not a log level`, `use one of ${LOG_LEVELS.join(', ')}`);
  }
  const since = flags.string('since');
  return {
    tailLines: flags.count('tail') ?? ALL_LINES,
    sinceMs: since === undefined ? 0 : parseSince(since, nowMs, '--since'),
    sources: [...new Set(sources)],
    minLevel,
  };
}
