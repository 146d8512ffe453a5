import type { SupervisorTlsFiles } from '@shellgate/driver-sdk';
import { SUPERVISOR_TLS_TARGETS } from '@shellgate/driver-sdk';

import type { MountSpec } from './container-mounts.js';

/** Read-only binds of the supervisor's TLS files at the SDK's {@link SUPERVISOR_TLS_TARGETS}. */
export function toSupervisorTlsMounts(tls: SupervisorTlsFiles | undefined): MountSpec[] {
  if (tls === undefined) return [];
  const bind = (source: string, target: string): MountSpec => ({ type: 'bind', source, target, isReadOnly: true });
  return [
    bind(tls.caFile, SUPERVISOR_TLS_TARGETS.caFile),
    ...(tls.client === undefined ? [] : [bind(tls.client.certFile, SUPERVISOR_TLS_TARGETS.certFile), bind(tls.client.keyFile, SUPERVISOR_TLS_TARGETS.keyFile)]),
  ];
}
