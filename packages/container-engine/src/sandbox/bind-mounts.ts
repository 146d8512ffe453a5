import { FailedPreconditionError, resolveBindMountSources } from '@shellgate/driver-sdk';
import type { ProtectedHostPath, SupervisorRuntime } from '@shellgate/driver-sdk';

import type { EngineHost } from '../host/engine-host.js';

import type { MountSpec } from './container-mounts.js';

/** What bind mount sources are checked against (the driver's settings). */
export interface BindMountPolicy {
  /** state_dir, the gateway's state dir, the supervisor runtime dirs, the engine socket. */
  readonly protectedHostPaths: readonly ProtectedHostPath[];
  /** The engine listens on a Unix socket, so it sees the file system the driver checks. */
  readonly isEngineLocal: boolean;
  /** The engine's name in the message refusing a remote one (`Docker`, `Podman`). */
  readonly engineName: string;
}

/** Where a container driver runs from: what its sandboxes' bind mounts must not reach. */
export interface DriverPlace {
  readonly stateDir: string;
  /** `gateway_state_dir` (set by the gateway on drivers it spawns); empty or undefined: unknown. */
  readonly gatewayStateDir: string | undefined;
  /** `supervisor_runtime_dir` as configured; empty or undefined: none. */
  readonly configuredRuntimeDir: string | undefined;
  readonly supervisorRuntime: SupervisorRuntime | undefined;
  readonly host: EngineHost;
  readonly engineName: string;
}

/**
 * The driver's own paths no bind mount may reach: every sandbox's token (the state dir, which
 * also holds the bundles the driver builds), the gateway's signing key, the runtime every
 * sandbox runs, and the engine socket.
 */
export function toProtectedHostPaths(place: DriverPlace): ProtectedHostPath[] {
  const runtimeRole = 'the supervisor runtime every sandbox runs';
  return [
    { path: place.stateDir, role: "the driver's state directory (every sandbox's token)" },
    ...(place.gatewayStateDir ? [{ path: place.gatewayStateDir, role: "the gateway's state directory (its signing key)" }] : []),
    ...(place.configuredRuntimeDir ? [{ path: place.configuredRuntimeDir, role: runtimeRole }] : []),
    ...(place.supervisorRuntime === undefined ? [] : [{ path: place.supervisorRuntime.hostDir, role: runtimeRole }]),
    ...(place.host.kind === 'unix' ? [{ path: place.host.socketPath, role: `the ${place.engineName} socket this driver uses` }] : []),
  ];
}

/** The bind mount policy of a driver at `place`: its own paths protected, bind mounts only with a local engine. */
export function toBindMountPolicy(place: DriverPlace): BindMountPolicy {
  return { protectedHostPaths: toProtectedHostPaths(place), isEngineLocal: place.host.kind === 'unix', engineName: place.engineName };
}

/**
 * Checks every bind mount of parsed (and allowed) `driver_config` mounts with the SDK's rules
 * and answers the mounts with each bind source replaced by its real path, so the engine
 * mounts exactly what was checked. Run at validation and again right before the container is
 * created: a link swapped in between (during an image pull) is caught the second time.
 * `mountsField` is where the list came from (`spec.template.driver_config.docker.mounts`).
 * @throws InvalidArgumentError for a refused source, FailedPreconditionError for a missing one
 *   or an engine on another host (its paths cannot be checked here).
 */
export async function resolveBindMounts(mounts: readonly MountSpec[], mountsField: string, policy: BindMountPolicy): Promise<readonly MountSpec[]> {
  const binds = mounts.flatMap((mount, index) => (mount.type === 'bind' && mount.source !== undefined ? [{ index, source: mount.source, field: `${mountsField}[${index}].source` }] : []));
  if (binds.length === 0) return mounts;
  if (!policy.isEngineLocal) {
    throw new FailedPreconditionError(`${binds[0]?.field ?? mountsField}: bind mounts need the ${policy.engineName} engine on the driver's host; its host paths cannot be checked from here`, {
      hint: 'point the driver at a Unix socket of an engine on this host, or use volume or tmpfs mounts',
    });
  }
  const realPaths = await resolveBindMountSources(binds, { protectedPaths: policy.protectedHostPaths });
  const resolved = [...mounts];
  binds.forEach((bind, at) => {
    const mount = resolved[bind.index];
    if (mount !== undefined) resolved[bind.index] = { ...mount, source: realPaths[at] ?? bind.source };
  });
  return resolved;
}
