import type { SupervisorTlsFiles } from '@shellgate/driver-sdk';
import { toSupervisorTlsPlacements } from '@shellgate/driver-sdk';

import type { MountSpec } from './container-mounts.js';

/** Read-only binds of the supervisor's TLS files at their places in the sandbox. */
export function toSupervisorTlsMounts(tls: SupervisorTlsFiles | undefined): MountSpec[] {
  return toSupervisorTlsPlacements(tls).map(({ source, target }) => ({ type: 'bind', source, target, isReadOnly: true }));
}
