import type { JsonRecord } from '@shellgate/container-engine';

import type { MountSpec, PodmanCreateSpec } from './podman-engine.js';

/** CFS period for CPU limits, in µs: 100 ms, Docker's and Podman's default. */
export const CPU_PERIOD_MICROS = 100_000;
const MICROS_PER_MILLICORE = CPU_PERIOD_MICROS / 1000;

function toMountOptions(mount: MountSpec): string[] {
  return [mount.isReadOnly ? 'ro' : 'rw'];
}

/** Bind and tmpfs mounts: the spec generator's `mounts` (OCI mounts). */
function toOciMounts(mounts: readonly MountSpec[]): JsonRecord[] {
  return mounts
    .filter((mount) => mount.type !== 'volume')
    .map((mount) => ({ type: mount.type, source: mount.type === 'tmpfs' ? 'tmpfs' : (mount.source ?? ''), destination: mount.target, options: toMountOptions(mount) }));
}

/**
 * Volumes: the spec generator's `volumes`. One without a name is anonymous (`IsAnonymous`),
 * so removing the container with `volumes=true` removes it too; a named one is the user's
 * and stays.
 */
function toNamedVolumes(mounts: readonly MountSpec[]): JsonRecord[] {
  return mounts
    .filter((mount) => mount.type === 'volume')
    .map((mount) => ({ Name: mount.source ?? '', Dest: mount.target, Options: toMountOptions(mount), ...(mount.source === undefined ? { IsAnonymous: true } : {}) }));
}

function toResourceLimits(spec: PodmanCreateSpec): JsonRecord {
  return {
    ...(spec.cpuMillicores > 0 ? { cpu: { quota: Math.round(spec.cpuMillicores * MICROS_PER_MILLICORE), period: CPU_PERIOD_MICROS } } : {}),
    ...(spec.memoryBytes > 0 ? { memory: { limit: spec.memoryBytes } } : {}),
    ...(spec.pidsLimit > 0 ? { pids: { limit: spec.pidsLimit } } : {}),
  };
}

/**
 * libpod's spec generator body (`POST /libpod/containers/create`, Podman 4.3's field names).
 * The generator silently ignores fields it does not know, so every field here was checked
 * against a real 4.3 service (see the e2e suite's `podman inspect` checks).
 */
export function toLibpodCreateBody(spec: PodmanCreateSpec): JsonRecord {
  return {
    name: spec.name,
    image: spec.imageId,
    ...(spec.entrypoint.length > 0 ? { entrypoint: [...spec.entrypoint] } : {}),
    ...(spec.command.length > 0 ? { command: [...spec.command] } : {}),
    ...(spec.user !== '' ? { user: spec.user } : {}),
    // Podman's init (catatonit) as PID 1.
    init: spec.hasInit,
    terminal: spec.isTty,
    stdin: spec.isTty,
    env: { ...spec.env },
    labels: { ...spec.labels },
    restart_policy: 'no',
    stop_timeout: spec.stopTimeoutSeconds,
    netns: { nsmode: spec.network.mode },
    ...(spec.network.mode === 'bridge' ? { Networks: { [spec.network.networkName]: {} } } : {}),
    // Written literally: Podman 4.3 does not substitute `host-gateway` here.
    hostadd: [...spec.hostEntries],
    mounts: toOciMounts(spec.mounts),
    volumes: toNamedVolumes(spec.mounts),
    resource_limits: toResourceLimits(spec),
    ...(spec.cdiDevices.length > 0 ? { devices: spec.cdiDevices.map((path) => ({ path })) } : {}),
    ...(spec.userns !== '' ? { userns: { nsmode: spec.userns } } : {}),
  };
}
