import type { GetSandboxLogsRequest, GetSandboxLogsResponse } from '@shellgate/api';
import type { GatewayStore } from '../store/index.js';
import { parseLogQuery, selectLogLines } from './log-query.js';
import type { RemoteSessions } from './remote-sessions.js';
import { resolveSandboxReference } from './resolve-sandbox.js';
import type { SandboxLogStore } from './sandbox-log-store.js';

/**
 * GetSandboxLogs: the held lines of one sandbox (by id, or by name in `workspace`), filtered
 * by since_ms, sources and min_level, then cut to the last `lines` (0 = all). `buffer_total`
 * is how many lines the gateway holds for the sandbox before any filter. With replicas, the
 * replica holding the sandbox's session holds its lines and answers (`remote`).
 */
export async function getSandboxLogs(
  store: GatewayStore,
  logs: SandboxLogStore,
  request: GetSandboxLogsRequest,
  remote?: RemoteSessions,
): Promise<GetSandboxLogsResponse> {
  const query = parseLogQuery({
    tailLines: request.lines,
    sinceMs: request.sinceMs,
    sources: request.sources,
    minLevel: request.minLevel,
    minLevelField: 'min_level',
  });
  const record = await resolveSandboxReference(store, request.sandboxId, request.workspace);
  const holder = remote?.holderElsewhere(record);
  if (holder !== undefined) return remote!.getLogs(holder, request);
  const held = logs.held(record.sandbox.metadata!.id);
  return { logs: selectLogLines(held, query), bufferTotal: held.length };
}
