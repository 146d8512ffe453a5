import { toContainerLabels, toContainerName, toContainerProcess, toGpuCount, toSupervisorTlsMounts } from '@shellgate/container-engine';
import type { ResolvedImage } from '@shellgate/container-engine';
import {
  GATEWAY_CALLBACK_HOSTNAME,
  SANDBOX_TOKEN_TARGET,
  SUPERVISOR_RUNTIME_TARGET,
  buildSandboxEnvironment,
  parseCpuQuantity,
  parseMemoryQuantity,
  toEnvList,
  toDeliveredSandboxTlsFiles,
} from '@shellgate/driver-sdk';
import type { DriverSandbox, SupervisorRuntime, SupervisorTlsFiles } from '@shellgate/driver-sdk';

import type { ContainerCreateSpec, DeviceRequestSpec, MountSpec } from '../engine/docker-engine.js';
import type { DockerDriverOptions } from './driver-config.js';

const NANO_CPUS_PER_MILLICORE = 1_000_000;

/** Driver-wide settings that shape every container. */
export interface ContainerDefaults {
  readonly gatewayId: string;
  readonly networkName: string;
  /** The address `host.openshell.internal` resolves to inside sandboxes. */
  readonly gatewayIp: string;
  /** `OPENSHELL_ENDPOINT`, e.g. `http://host.openshell.internal:17670`. */
  readonly endpoint: string;
  readonly pidsLimit: number;
  readonly stopTimeoutSeconds: number;
  /** The supervisor bundle every container runs as its entrypoint; undefined: none. */
  readonly supervisor: SupervisorRuntime | undefined;
  /** `expose_token_to_agent`: the supervisor keeps the token file readable, mounted read-only. */
  readonly isTokenExposedToAgent: boolean;
  /** `supervisor_tls_*`, mounted read-only and named in the environment; undefined: none. */
  readonly supervisorTls: SupervisorTlsFiles | undefined;
}

function toDeviceRequests(sandbox: DriverSandbox, options: DockerDriverOptions): DeviceRequestSpec[] {
  const requests: DeviceRequestSpec[] = [];
  const gpuCount = toGpuCount(sandbox);
  if (gpuCount > 0) requests.push({ kind: 'gpu', count: gpuCount });
  if (options.cdiDevices.length > 0) requests.push({ kind: 'cdi', deviceIds: options.cdiDevices });
  return requests;
}

function toSupervisorMounts(supervisor: SupervisorRuntime | undefined): MountSpec[] {
  return supervisor === undefined ? [] : [{ type: 'bind', source: supervisor.hostDir, target: SUPERVISOR_RUNTIME_TARGET, isReadOnly: true }];
}

/**
 * The container for a sandbox: deterministic name, our labels, the immutable image id, what
 * it runs (`toContainerProcess`: the supervisor as entrypoint, Docker's init as PID 1), no
 * restart, limits, the token file (writable, so the supervisor can empty it once read;
 * read-only with no supervisor or `expose_token_to_agent`), the supervisor bundle mounted
 * read-only, and the `OPENSHELL_*` environment (which names the token file, never the token).
 * @throws NoCommandError under a supervisor when neither the sandbox nor the image names a command.
 */
export function toContainerCreateSpec(
  sandbox: DriverSandbox,
  input: {
    readonly image: ResolvedImage;
    readonly tokenHostPath: string;
    readonly options: DockerDriverOptions;
    readonly defaults: ContainerDefaults;
  },
): ContainerCreateSpec {
  const { defaults, options } = input;
  const resources = sandbox.spec?.template?.resources;
  const cpuLimit = resources?.cpuLimit ?? '';
  const memoryLimit = resources?.memoryLimit ?? '';
  const env = buildSandboxEnvironment({ sandbox, endpoint: defaults.endpoint, tokenFilePath: SANDBOX_TOKEN_TARGET, tls: toDeliveredSandboxTlsFiles(defaults.supervisorTls) });
  return {
    name: toContainerName(sandbox),
    imageId: input.image.info.id,
    ...toContainerProcess(sandbox, input.image, defaults.supervisor, { isTokenFileKept: defaults.isTokenExposedToAgent }),
    env: toEnvList(env),
    labels: toContainerLabels(sandbox, defaults.gatewayId),
    networkName: defaults.networkName,
    extraHosts: [`${GATEWAY_CALLBACK_HOSTNAME}:${defaults.gatewayIp}`],
    mounts: [
      { type: 'bind', source: input.tokenHostPath, target: SANDBOX_TOKEN_TARGET, isReadOnly: defaults.supervisor === undefined || defaults.isTokenExposedToAgent },
      ...toSupervisorMounts(defaults.supervisor),
      ...toSupervisorTlsMounts(defaults.supervisorTls),
      ...options.mounts,
    ],
    nanoCpus: cpuLimit === '' ? 0 : Math.round(parseCpuQuantity(cpuLimit) * NANO_CPUS_PER_MILLICORE),
    memoryBytes: memoryLimit === '' ? 0 : Math.round(parseMemoryQuantity(memoryLimit)),
    pidsLimit: defaults.pidsLimit,
    deviceRequests: toDeviceRequests(sandbox, options),
    stopTimeoutSeconds: defaults.stopTimeoutSeconds,
  };
}

