import {
  FailedPreconditionError,
  InvalidArgumentError,
  parseCpuQuantity,
  parseMemoryQuantity,
  throwIfProblems,
  validateDriverSandbox,
} from '@shellgate/driver-sdk';
import type { DriverSandbox, ValidationProblem } from '@shellgate/driver-sdk';

import { resolveBindMounts } from './container/bind-mounts.js';
import type { BindMountPolicy } from './container/bind-mounts.js';
import { toGpuCount } from './container/container-spec.js';
import type { DockerDriverOptions } from './container/driver-config.js';
import { parseDockerDriverOptions } from './container/driver-config.js';
import type { EngineInfo } from './engine/docker-engine.js';

/** Docker refuses a memory limit under 6 MiB. */
export const MIN_MEMORY_LIMIT_BYTES = 6 * 1024 * 1024;
/** Docker's smallest CPU limit is 0.01 CPU. */
export const MIN_CPU_LIMIT_MILLICORES = 10;

const RESOURCES = 'spec.template.resources';

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

function checkResources(sandbox: DriverSandbox): void {
  const resources = sandbox.spec?.template?.resources;
  if (resources === undefined) return;
  const requests = [
    resources.cpuRequest === '' ? undefined : `${RESOURCES}.cpu_request`,
    resources.memoryRequest === '' ? undefined : `${RESOURCES}.memory_request`,
  ].filter((field): field is string => field !== undefined);
  if (requests.length > 0) {
    throw new FailedPreconditionError(`sandbox ${JSON.stringify(sandbox.name)} sets ${requests.join(' and ')}: Docker enforces limits only; drop requests or use limits`, {
      hint: 'set cpu_limit / memory_limit instead; the Docker driver has no scheduler to honour requests',
    });
  }
  const problems: ValidationProblem[] = [];
  if (resources.cpuLimit !== '' && parseCpuQuantity(resources.cpuLimit) < MIN_CPU_LIMIT_MILLICORES) {
    problems.push({ field: `${RESOURCES}.cpu_limit`, reason: `Docker's smallest CPU limit is ${MIN_CPU_LIMIT_MILLICORES}m` });
  }
  if (resources.memoryLimit !== '' && parseMemoryQuantity(resources.memoryLimit) < MIN_MEMORY_LIMIT_BYTES) {
    problems.push({ field: `${RESOURCES}.memory_limit`, reason: "Docker's smallest memory limit is 6Mi" });
  }
  throwIfProblems(`sandbox ${JSON.stringify(sandbox.name)}`, problems);
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
  checkResources(sandbox);
  const parsed = parseDockerDriverOptions(sandbox.spec?.template?.driverConfig, { allowBindMounts: policy.allowBindMounts });
  const options = await resolveBindMounts(parsed, policy.bindMounts);
  await checkDevices(sandbox, options, policy, signal);
  return { sandbox, options };
}
