import { FailedPreconditionError, formatDriverConfigField, resolveBindMountSources } from '@shellgate/driver-sdk';
import type { ProtectedHostPath } from '@shellgate/driver-sdk';

import { DRIVER_NAME } from '../version.js';
import type { DockerDriverOptions } from './driver-config.js';

/** What bind mount sources are checked against (the driver's settings). */
export interface BindMountPolicy {
  /** state_dir, the gateway's state dir, the supervisor runtime dirs, the engine socket. */
  readonly protectedHostPaths: readonly ProtectedHostPath[];
  /** The engine listens on a Unix socket, so it sees the file system the driver checks. */
  readonly isEngineLocal: boolean;
}

/**
 * Checks every bind mount of parsed (and allowed) options with the SDK's rules and answers
 * the options with each bind source replaced by its real path, so the engine mounts exactly
 * what was checked. Run at validation and again right before the container is created: a
 * link swapped in between (during an image pull) is caught the second time.
 * @throws InvalidArgumentError for a refused source, FailedPreconditionError for a missing one
 *   or an engine on another host (its paths cannot be checked here).
 */
export async function resolveBindMounts(options: DockerDriverOptions, policy: BindMountPolicy): Promise<DockerDriverOptions> {
  const binds = options.mounts.flatMap((mount, index) =>
    mount.type === 'bind' && mount.source !== undefined ? [{ index, source: mount.source, field: formatDriverConfigField(DRIVER_NAME, `mounts[${index}].source`) }] : [],
  );
  if (binds.length === 0) return options;
  if (!policy.isEngineLocal) {
    throw new FailedPreconditionError(`${binds[0]?.field ?? 'mounts'}: bind mounts need the Docker engine on the driver's host; its host paths cannot be checked from here`, {
      hint: 'point docker_host at a Unix socket on this host, or use volume or tmpfs mounts',
    });
  }
  const realPaths = await resolveBindMountSources(binds, { protectedPaths: policy.protectedHostPaths });
  const mounts = [...options.mounts];
  binds.forEach((bind, at) => {
    const mount = mounts[bind.index];
    if (mount !== undefined) mounts[bind.index] = { ...mount, source: realPaths[at] ?? bind.source };
  });
  return { ...options, mounts };
}
