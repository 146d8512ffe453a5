import type { SupervisorLogger } from '../logging/supervisor-logger.js';
import { resolveUserSpec, type ChildUser, type UserDatabases, SYSTEM_USER_DATABASES } from './resolve-user.js';
import type { UserSpec } from './user-spec.js';

export interface ChildUserOptions {
  /** The supervisor's own uid (process.getuid()). */
  readonly supervisorUid: number;
  readonly logger: SupervisorLogger;
  readonly databases?: UserDatabases;
}

/**
 * Who the main process and execs run as: `spec` resolved in the sandbox, when the supervisor
 * is root and so can switch; undefined means "as the supervisor". A non-root supervisor asked
 * for another user warns and keeps its own. An unresolvable spec throws (exit 2) either way:
 * the image's USER is wrong, whoever runs the supervisor.
 */
export function decideChildUser(spec: UserSpec | undefined, options: ChildUserOptions): ChildUser | undefined {
  if (spec === undefined) return undefined;
  const user = resolveUserSpec(spec, options.databases ?? SYSTEM_USER_DATABASES);
  if (options.supervisorUid === 0) return user;
  if (user.uid !== options.supervisorUid) {
    options.logger.warn('--user ignored: only a root supervisor can run children as another user; they run as the supervisor', {
      user: spec.text,
      supervisorUid: options.supervisorUid,
    });
  }
  return undefined;
}
