import { toContainerLabels, toContainerName, toContainerProcess, toGpuCount, toSupervisorTlsMounts } from '@shellgate/container-engine';
import type { ResolvedImage } from '@shellgate/container-engine';
import { SANDBOX_TOKEN_TARGET, SUPERVISOR_RUNTIME_TARGET, buildSandboxEnvironment, parseCpuQuantity, parseMemoryQuantity, toDeliveredSandboxTlsFiles } from '@shellgate/driver-sdk';
import type { DriverSandbox, SupervisorRuntime, SupervisorTlsFiles } from '@shellgate/driver-sdk';

import type { ContainerNetworkSpec, MountSpec, PodmanCreateSpec } from '../engine/podman-engine.js';
import type { PodmanDriverOptions } from './driver-config.js';

/** The CDI vendor and class GPUs are asked for by count (`nvidia.com/gpu=<index>`). */
export const GPU_CDI_KIND = 'nvidia.com/gpu';

/** Driver-wide settings that shape every container. */
export interface PodmanContainerDefaults {
  readonly gatewayId: string;
  readonly network: ContainerNetworkSpec;
  /** `/etc/hosts` entries naming the gateway (bridge: `host.openshell.internal:<bridge gateway>`). */
  readonly hostEntries: readonly string[];
  /** `OPENSHELL_ENDPOINT`, e.g. `http://host.openshell.internal:17670`. */
  readonly endpoint: string;
  /** 0: no limit (also when rootless Podman cannot enforce one). */
  readonly pidsLimit: number;
  readonly stopTimeoutSeconds: number;
  /** The supervisor bundle every container runs as its entrypoint; undefined: none. */
  readonly supervisor: SupervisorRuntime | undefined;
  /** `expose_token_to_agent`: the supervisor keeps the token file readable, mounted read-only. */
  readonly isTokenExposedToAgent: boolean;
  /** `supervisor_tls_*`, mounted read-only and named in the environment; undefined: none. */
  readonly supervisorTls: SupervisorTlsFiles | undefined;
}

/** GPUs by count become CDI devices `nvidia.com/gpu=0..count-1`, after the sandbox's own CDI devices. */
function toCdiDevices(sandbox: DriverSandbox, options: PodmanDriverOptions): string[] {
  const gpus = Array.from({ length: toGpuCount(sandbox) }, (_, index) => `${GPU_CDI_KIND}=${index}`);
  return [...options.cdiDevices, ...gpus];
}

/**
 * The token file is mounted read-write: the supervisor reads it into memory and empties it
 * (issue 10), and the driver delivers it again from its kept copy before every start.
 * Without a supervisor, or with `expose_token_to_agent`, nobody empties it: read-only.
 */
function toDriverMounts(tokenHostPath: string, defaults: PodmanContainerDefaults): MountSpec[] {
  const { supervisor } = defaults;
  return [
    { type: 'bind', source: tokenHostPath, target: SANDBOX_TOKEN_TARGET, isReadOnly: supervisor === undefined || defaults.isTokenExposedToAgent },
    ...(supervisor === undefined ? [] : [{ type: 'bind' as const, source: supervisor.hostDir, target: SUPERVISOR_RUNTIME_TARGET, isReadOnly: true }]),
    ...toSupervisorTlsMounts(defaults.supervisorTls),
  ];
}

/**
 * The container for a sandbox: deterministic name, our labels, the immutable image id, what
 * it runs (`toContainerProcess`: the supervisor as entrypoint, Podman's init as PID 1), no
 * restart, limits, the token file and the supervisor bundle, the sandbox's own mounts
 * (bind sources already resolved to real paths), CDI devices, and the `OPENSHELL_*`
 * environment (which names the token file, never the token).
 * @throws NoCommandError under a supervisor when neither the sandbox nor the image names a command.
 */
export function toPodmanCreateSpec(
  sandbox: DriverSandbox,
  input: {
    readonly image: ResolvedImage;
    readonly tokenHostPath: string;
    readonly options: PodmanDriverOptions;
    readonly defaults: PodmanContainerDefaults;
  },
): PodmanCreateSpec {
  const { defaults, options } = input;
  const resources = sandbox.spec?.template?.resources;
  const cpuLimit = resources?.cpuLimit ?? '';
  const memoryLimit = resources?.memoryLimit ?? '';
  return {
    name: toContainerName(sandbox),
    imageId: input.image.info.id,
    ...toContainerProcess(sandbox, input.image, defaults.supervisor, { isTokenFileKept: defaults.isTokenExposedToAgent }),
    env: buildSandboxEnvironment({ sandbox, endpoint: defaults.endpoint, tokenFilePath: SANDBOX_TOKEN_TARGET, tls: toDeliveredSandboxTlsFiles(defaults.supervisorTls) }),
    labels: toContainerLabels(sandbox, defaults.gatewayId),
    network: defaults.network,
    hostEntries: defaults.hostEntries,
    mounts: [...toDriverMounts(input.tokenHostPath, defaults), ...options.mounts],
    cpuMillicores: cpuLimit === '' ? 0 : parseCpuQuantity(cpuLimit),
    memoryBytes: memoryLimit === '' ? 0 : Math.round(parseMemoryQuantity(memoryLimit)),
    pidsLimit: defaults.pidsLimit,
    cdiDevices: toCdiDevices(sandbox, options),
    userns: options.userns,
    stopTimeoutSeconds: defaults.stopTimeoutSeconds,
  };
}
