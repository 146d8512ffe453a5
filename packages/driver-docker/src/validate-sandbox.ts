import { checkContainerResources, resolveBindMounts, toGpuCount } from '@shellgate/container-engine';
import type { BindMountPolicy } from '@shellgate/container-engine';
import { FailedPreconditionError, InvalidArgumentError, validateDriverSandbox } from '@shellgate/driver-sdk';
import type { DriverSandbox } from '@shellgate/driver-sdk';

import type { DockerDriverOptions } from './container/driver-config.js';
import { DRIVER_CONFIG_MOUNTS_FIELD, parseDockerDriverOptions } from './container/driver-config.js';
import type { EngineInfo } from './engine/docker-engine.js';

export interface SandboxValidationPolicy {
  readonly allowBindMounts: boolean;
  readonly bindMounts: BindMountPolicy;
  /** `docker info`, fetched only when a sandbox asks for GPUs or CDI devices. */
  readonly engineInfo: (signal: AbortSignal) => Promise<EngineInfo>;
}

/** A sandbox that passed every check, with its parsed driver_config (bind sources as real paths). */
export interface ValidatedSandbox {
  readonly sandbox: DriverSandbox;
  readonly options: DockerDriverOptions;
}

/**
 * Whether the engine can run GPU work: an `nvidia` runtime is configured, or CDI spec
 * directories are (Docker 25+). Deliberately simple: it does not count devices.
 */
export function hasGpuSupport(info: EngineInfo): boolean {
  return info.runtimes.includes('nvidia') || info.cdiSpecDirs.length > 0;
}

async function checkDevices(sandbox: DriverSandbox, options: DockerDriverOptions, policy: SandboxValidationPolicy, signal: AbortSignal): Promise<void> {
  const gpuCount = toGpuCount(sandbox);
  if (gpuCount === 0 && options.cdiDevices.length === 0) return;
  const info = await policy.engineInfo(signal);
  if (options.cdiDevices.length > 0 && info.cdiSpecDirs.length === 0) {
    throw new FailedPreconditionError(`the Docker engine (${info.serverVersion}) has no CDI support configured for driver_config.cdi_devices`, {
      hint: 'use Docker 25+ with CDI enabled (features.cdi in daemon.json) and CDI specs in /etc/cdi',
    });
  }
  if (gpuCount > 0 && !hasGpuSupport(info)) {
    throw new FailedPreconditionError(`sandbox ${JSON.stringify(sandbox.name)} asks for ${gpuCount} GPU(s) but the Docker engine has no GPU runtime`, {
      hint: 'install the NVIDIA Container Toolkit (nvidia runtime) or configure CDI on the engine host, or drop the GPU request',
    });
  }
}

/**
 * Everything ValidateSandboxCreate and CreateSandbox check: the SDK's common checks, no
 * cpu/memory requests (FAILED_PRECONDITION), limits Docker accepts, `driver_config` (bind
 * sources resolved and checked), and GPU/CDI support on the engine.
 */
export async function validateDockerSandbox(
  sandbox: DriverSandbox | undefined,
  policy: SandboxValidationPolicy,
  signal: AbortSignal,
): Promise<ValidatedSandbox> {
  if (sandbox === undefined) throw new InvalidArgumentError('request has no sandbox');
  validateDriverSandbox(sandbox);
  checkContainerResources(sandbox, 'Docker');
  const parsed = parseDockerDriverOptions(sandbox.spec?.template?.driverConfig, { allowBindMounts: policy.allowBindMounts });
  const options = { ...parsed, mounts: await resolveBindMounts(parsed.mounts, DRIVER_CONFIG_MOUNTS_FIELD, policy.bindMounts) };
  await checkDevices(sandbox, options, policy, signal);
  return { sandbox, options };
}
