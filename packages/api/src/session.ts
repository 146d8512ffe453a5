/**
 * `@shellgate/api/session` — the supervisor session contract (`shellgate.supervisor.v1`):
 * served by the gateway on its callback listeners, called by the supervisor inside each
 * sandbox. A separate door so public-API clients (the CLI) never load it.
 */
export {
  ExecAttach,
  ExecExit,
  ExecFromSupervisor,
  ExecRejected,
  ExecStart,
  ExecToSupervisor,
  GatewayMessage,
  Heartbeat,
  Hello,
  LogBatch,
  LogLine,
  MainProcessExited,
  MainProcessStarted,
  Superseded,
  SupervisorMessage,
  SupervisorSessionClient,
  SupervisorSessionService,
  Welcome,
  WindowSize,
} from './session-gen/shellgate/supervisor/v1/session.js';
export type { SupervisorSessionServer } from './session-gen/shellgate/supervisor/v1/session.js';
export { encodeExecFromSupervisor } from './wire/output-chunk-encoding.js';
