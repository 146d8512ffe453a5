import type { SupervisorSessionServer } from '@shellgate/api/session';
import type { ExecBroker } from './exec-broker.js';
import type { SupervisorHub } from './supervisor-hub.js';

/**
 * The `shellgate.supervisor.v1.SupervisorSession` service. It asks for no API bearer token:
 * the sandbox token in hello and attach is its authentication.
 */
export function createSupervisorSessionHandlers(hub: SupervisorHub, execs: ExecBroker): SupervisorSessionServer {
  return {
    connect: (call) => hub.handleConnect(call),
    exec: (call) => execs.handleExec(call),
  };
}
