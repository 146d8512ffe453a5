import {
  GATEWAY_CALLBACK_HOSTNAME,
  SANDBOX_TOKEN_TARGET,
  SUPERVISOR_RUNTIME_TARGET,
  buildSandboxEnvironment,
  parseCpuQuantity,
  parseMemoryQuantity,
  toEnvList,
  toSandboxLabels,
  toSupervisorArgs,
} from '@shellgate/driver-sdk';
import type { DriverSandbox, SupervisorRuntime } from '@shellgate/driver-sdk';

import type { ContainerCreateSpec, ContainerInfo, DeviceRequestSpec, ImageInfo, MountSpec } from '../engine/docker-engine.js';
import { ContainerState } from '../engine/docker-engine.js';
import { toContainerName } from './container-name.js';
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
}

/** Neither the sandbox nor its image names a command, and the supervisor needs one to start. */
export class NoCommandError extends Error {
  constructor(image: string) {
    super(`image ${image} has no ENTRYPOINT or CMD and the sandbox names no command; set spec.command`);
    this.name = 'NoCommandError';
  }
}

/** The labels every sandbox container carries; ownership filters select on them. */
export function toContainerLabels(sandbox: DriverSandbox, gatewayId: string): Record<string, string> {
  return toSandboxLabels({ sandboxId: sandbox.id, sandboxName: sandbox.name, workspace: sandbox.workspace, namespace: sandbox.namespace, gatewayId });
}

/** GPUs asked for: 0 when none; a `gpu` requirement without a count means one. */
export function toGpuCount(sandbox: DriverSandbox): number {
  const gpu = sandbox.spec?.resourceRequirements?.gpu;
  if (gpu === undefined) return 0;
  return gpu.count ?? 1;
}

function toDeviceRequests(sandbox: DriverSandbox, options: DockerDriverOptions): DeviceRequestSpec[] {
  const requests: DeviceRequestSpec[] = [];
  const gpuCount = toGpuCount(sandbox);
  if (gpuCount > 0) requests.push({ kind: 'gpu', count: gpuCount });
  if (options.cdiDevices.length > 0) requests.push({ kind: 'cdi', deviceIds: options.cdiDevices });
  return requests;
}

/**
 * What the container runs. Without a supervisor: `spec.command` as Docker's Cmd (empty: the
 * image's default) and the sandbox's tty as the container's. With one: the bundle's
 * entrypoint, given `[--tty] [--user USER] -- <canonical command>` (spec.command, else the
 * image's own entrypoint + cmd, which the supervisor starts), and no container tty: the
 * supervisor gives the main process its pty, and its own stdout/stderr stay apart in
 * `docker logs`. An image with a non-root USER still gets a root supervisor (only root reads
 * and empties the 0600 token file), which runs the main process and every exec as that user.
 * Docker's init (tini) runs as PID 1 above the supervisor to reap the zombies agents leave behind.
 * @throws NoCommandError under a supervisor when neither the sandbox nor the image names a command.
 */
function toProcessSpec(
  sandbox: DriverSandbox,
  image: { readonly reference: string; readonly info: ImageInfo },
  defaults: ContainerDefaults,
): Pick<ContainerCreateSpec, 'entrypoint' | 'command' | 'isTty' | 'user' | 'hasInit'> {
  const { supervisor } = defaults;
  const command = sandbox.spec?.command ?? [];
  const tty = sandbox.spec?.tty ?? false;
  if (supervisor === undefined) return { entrypoint: [], command, isTty: tty, user: '', hasInit: false };
  const canonical = command.length > 0 ? command : [...image.info.entrypoint, ...image.info.cmd];
  if (canonical.length === 0) throw new NoCommandError(image.reference);
  const imageUser = isRootUser(image.info.user) ? '' : image.info.user;
  return {
    entrypoint: supervisor.entrypoint,
    command: toSupervisorArgs(canonical, { tty, user: imageUser, isTokenFileKept: defaults.isTokenExposedToAgent }),
    isTty: false,
    user: imageUser === '' ? '' : '0:0',
    // Node cannot reap zombies as PID 1; Docker's init (tini) does, and passes signals on.
    hasInit: true,
  };
}

/** Docker's USER values that mean root: empty, `root`, `0`, with or without a group. */
function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

function toSupervisorMounts(supervisor: SupervisorRuntime | undefined): MountSpec[] {
  return supervisor === undefined ? [] : [{ type: 'bind', source: supervisor.hostDir, target: SUPERVISOR_RUNTIME_TARGET, isReadOnly: true }];
}

/**
 * The container for a sandbox: deterministic name, our labels, the immutable image id, what
 * it runs (see {@link toProcessSpec}), no restart, limits, the token file (writable, so the
 * supervisor can empty it once read; read-only with no supervisor or `expose_token_to_agent`),
 * the supervisor bundle mounted read-only, and the `OPENSHELL_*` environment (which names the
 * token file, never the token).
 * @throws NoCommandError under a supervisor when neither the sandbox nor the image names a command.
 */
export function toContainerCreateSpec(
  sandbox: DriverSandbox,
  input: {
    readonly image: { readonly reference: string; readonly info: ImageInfo };
    readonly tokenHostPath: string;
    readonly options: DockerDriverOptions;
    readonly defaults: ContainerDefaults;
  },
): ContainerCreateSpec {
  const { defaults, options } = input;
  const resources = sandbox.spec?.template?.resources;
  const cpuLimit = resources?.cpuLimit ?? '';
  const memoryLimit = resources?.memoryLimit ?? '';
  const env = buildSandboxEnvironment({ sandbox, endpoint: defaults.endpoint, tokenFilePath: SANDBOX_TOKEN_TARGET });
  return {
    name: toContainerName(sandbox),
    imageId: input.image.info.id,
    ...toProcessSpec(sandbox, input.image, defaults),
    env: toEnvList(env),
    labels: toContainerLabels(sandbox, defaults.gatewayId),
    networkName: defaults.networkName,
    extraHosts: [`${GATEWAY_CALLBACK_HOSTNAME}:${defaults.gatewayIp}`],
    mounts: [
      { type: 'bind', source: input.tokenHostPath, target: SANDBOX_TOKEN_TARGET, isReadOnly: defaults.supervisor === undefined || defaults.isTokenExposedToAgent },
      ...toSupervisorMounts(defaults.supervisor),
      ...options.mounts,
    ],
    nanoCpus: cpuLimit === '' ? 0 : Math.round(parseCpuQuantity(cpuLimit) * NANO_CPUS_PER_MILLICORE),
    memoryBytes: memoryLimit === '' ? 0 : Math.round(parseMemoryQuantity(memoryLimit)),
    pidsLimit: defaults.pidsLimit,
    deviceRequests: toDeviceRequests(sandbox, options),
    stopTimeoutSeconds: defaults.stopTimeoutSeconds,
  };
}

/**
 * What a container created from `spec` looks like once its start call returned: running,
 * with the labels and name we gave it. Lets a create publish Running without an inspect.
 */
export function toStartedContainerInfo(containerId: string, spec: ContainerCreateSpec): ContainerInfo {
  return { id: containerId, name: spec.name, labels: spec.labels, state: ContainerState.Running, exitCode: 0, isOomKilled: false, error: '' };
}
