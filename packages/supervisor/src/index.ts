/**
 * `@shellgate/supervisor` — the in-sandbox agent. The binaries are the product
 * (`shellgate-supervisor`, `shellgate-supervisor-bundle`); this door exposes the pieces
 * tests and tools reuse. Drivers never import it: they consume the runtime bundle's
 * manifest.json (docs/supervisor.md).
 */
export { SUPERVISOR_VERSION } from './version.js';
export { parseSupervisorArgs, SUPERVISOR_USAGE } from './config/cli-args.js';
export type { SupervisorCommand } from './config/cli-args.js';
export { parseSupervisorConfig } from './config/supervisor-config.js';
export type { GatewayEndpoint, SupervisorConfig } from './config/supervisor-config.js';
export { Env } from './config/env.js';
export { runSupervisor } from './supervisor.js';
export type { SupervisorRun } from './supervisor.js';
export { parseUserSpec } from './user/user-spec.js';
export type { IdOrName, UserSpec } from './user/user-spec.js';
export { resolveUserSpec } from './user/resolve-user.js';
export type { ChildUser, UserDatabases } from './user/resolve-user.js';
