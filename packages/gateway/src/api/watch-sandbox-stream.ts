import type { ServerWritableStream } from '@grpc/grpc-js';
import { SandboxPhase, type SandboxStreamEvent, type WatchSandboxRequest } from '@shellgate/api';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import type { GatewayStore } from '../store/index.js';
import type { SandboxChange, SandboxEventBus } from '../sandboxes/index.js';
import { matchesLogQuery, parseLogQuery, selectLogLines, type LogQuery, type RemoteSessions, type SandboxLogStore } from '../supervision/index.js';

/** Objects a watcher may have queued before it is ended as too slow. */
export const WATCH_STREAM_BUFFER_LIMIT = 1024;

/** Phases after which `stop_on_terminal` ends the stream: nothing will change without a user action. */
const TERMINAL_PHASES: ReadonlySet<SandboxPhase> = new Set([
  SandboxPhase.SANDBOX_PHASE_READY,
  SandboxPhase.SANDBOX_PHASE_ERROR,
  SandboxPhase.SANDBOX_PHASE_STOPPED,
]);

/**
 * One WatchSandbox stream: the current object (follow_status), the event tail
 * (follow_events, event_tail), the log tail (follow_logs: the last log_tail_lines held lines
 * that pass log_since_ms, log_sources and log_min_level; 0 = none), then live changes and
 * log lines until the client cancels, the sandbox is deleted, or — with stop_on_terminal —
 * it reaches Ready, Error or Stopped. With replicas (`remote`), the log part of a sandbox
 * whose session is on another replica is followed there.
 */
export async function streamSandboxChanges(
  call: ServerWritableStream<WatchSandboxRequest, SandboxStreamEvent>,
  store: GatewayStore,
  events: SandboxEventBus,
  logs: SandboxLogStore,
  remote?: RemoteSessions,
): Promise<void> {
  const request = call.request;
  const logQuery = request.followLogs ? parseWatchLogQuery(request) : undefined;
  // Subscribe before reading the current object, so a change in between is queued, not lost.
  let queued: SandboxChange[] | undefined = [];
  let deliver: (change: SandboxChange) => void = () => undefined;
  const unsubscribe = events.subscribe(request.id, (change) => (queued === undefined ? deliver(change) : queued.push(change)));
  const record = await store.getSandbox(request.id).catch((error: unknown) => {
    unsubscribe();
    throw error;
  });
  if (record === undefined) {
    unsubscribe();
    throw new ShellgateError(ErrorCode.NotFound, `sandbox id ${JSON.stringify(request.id)} not found`, {
      hint: 'WatchSandbox takes the sandbox id (metadata.id) from GetSandbox',
    });
  }
  const isTerminal = (phase: SandboxPhase | undefined): boolean => request.stopOnTerminal && phase !== undefined && TERMINAL_PHASES.has(phase);
  await new Promise<void>((resolve, reject) => {
    let isDone = false;
    let stopFollowingLogs = (): void => undefined;
    // The log tail may be long; only what queues up after it counts against the limit.
    let bufferLimit = WATCH_STREAM_BUFFER_LIMIT;
    const finish = (error?: Error): void => {
      if (isDone) return;
      isDone = true;
      unsubscribe();
      stopFollowingLogs();
      if (error === undefined) resolve();
      else reject(error);
    };
    const write = (event: SandboxStreamEvent): void => {
      if (isDone) return;
      if (call.writableLength > bufferLimit) {
        finish(new ShellgateError(ErrorCode.Aborted, 'watch stream fell too far behind', { hint: 'reconnect the watch' }));
        return;
      }
      call.write(event);
    };
    const onChange = (change: SandboxChange): void => {
      if (change.kind === 'platformEvent') {
        if (request.followEvents) write({ payload: { $case: 'event', event: change.event } });
        return;
      }
      if (request.followStatus || change.kind === 'deleted') write({ payload: { $case: 'sandbox', sandbox: change.sandbox } });
      if (change.kind === 'deleted' || isTerminal(change.sandbox.status?.phase)) finish();
    };
    deliver = onChange;
    call.on('cancelled', () => finish());
    if (request.followStatus) write({ payload: { $case: 'sandbox', sandbox: record.sandbox } });
    if (request.followEvents && request.eventTail > 0) {
      for (const event of events.recentEvents(request.id, request.eventTail)) write({ payload: { $case: 'event', event } });
    }
    const holder = logQuery === undefined ? undefined : remote?.holderElsewhere(record);
    if (holder !== undefined) {
      bufferLimit += request.logTailLines;
      stopFollowingLogs = remote!.followLogs(holder, request, (log) => write({ payload: { $case: 'log', log } }), (error) => finish(error));
    } else if (logQuery !== undefined) {
      // Tail and subscription in one synchronous step: no line falls between them.
      // Unlike GetSandboxLogs' `lines`, a tail of 0 means none: a watch follows what comes next.
      const tail = logQuery.tailLines === 0 ? [] : selectLogLines(logs.held(request.id), logQuery);
      bufferLimit += tail.length;
      for (const log of tail) write({ payload: { $case: 'log', log } });
      stopFollowingLogs = logs.follow(request.id, (lines) => {
        for (const log of lines) if (matchesLogQuery(log, logQuery)) write({ payload: { $case: 'log', log } });
      });
    }
    const backlog = queued ?? [];
    queued = undefined;
    const readVersion = record.sandbox.metadata?.resourceVersion ?? 0;
    for (const change of backlog) {
      // Updates older than the object just sent would move the client backwards.
      if (change.kind === 'updated' && (change.sandbox.metadata?.resourceVersion ?? 0) <= readVersion) continue;
      onChange(change);
    }
    if (isTerminal(record.sandbox.status?.phase)) finish();
  });
}

function parseWatchLogQuery(request: WatchSandboxRequest): LogQuery {
  return parseLogQuery({
    tailLines: request.logTailLines,
    sinceMs: request.logSinceMs,
    sources: request.logSources,
    minLevel: request.logMinLevel,
    minLevelField: 'log_min_level',
  });
}
