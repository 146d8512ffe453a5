/**
 * Supervision: the gateway end of the supervisor inside every sandbox — sessions (readiness,
 * main process reports), sandbox logs, and the exec relay.
 */
export { ExecSessionLostError, SandboxNotExecutableError, SandboxReferenceNotFoundError } from './errors.js';
export { EXEC_ATTACH_TIMEOUT_MS, ExecBroker } from './exec-broker.js';
export type { ExecBrokerOptions, ExecExpectation, SupervisorExecStream } from './exec-broker.js';
export { MAX_EXEC_TIMEOUT_SECONDS, parseExecRequest } from './exec-request.js';
export { getSandboxLogs } from './get-sandbox-logs.js';
export { SANDBOX_LOG_LEVELS, matchesLogQuery, parseLogQuery, selectLogLines } from './log-query.js';
export type { LogQuery, LogQueryFields, SandboxLogLevel } from './log-query.js';
export { resolveSandboxReference } from './resolve-sandbox.js';
export { SandboxExecService } from './sandbox-exec-service.js';
export type { ExecClientCall, ExecRouting, SandboxExecServiceOptions } from './sandbox-exec-service.js';
export type { RemoteSessions } from './remote-sessions.js';
export { SandboxLogStore } from './sandbox-log-store.js';
export type { LogBufferCapacity } from './sandbox-log-store.js';
export { LogLineLimits, TRUNCATED_FIELD } from './bounded-log-line.js';
export { MAX_LOG_ANSWER_BYTES } from './log-query.js';
export type { SandboxLogListener } from './sandbox-log-store.js';
export { MISSED_HEARTBEATS_LIMIT, SupervisorConnection } from './supervisor-connection.js';
export type { SupervisorSessionInfo } from './supervisor-connection.js';
export { HELLO_TIMEOUT_MS, SupervisorHub } from './supervisor-hub.js';
export type { SupervisorHubOptions } from './supervisor-hub.js';
export { createSupervisorSessionHandlers } from './supervisor-session-handlers.js';
