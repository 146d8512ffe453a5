import { readdir } from 'node:fs/promises';

import { checkContainerResources, resolveBindMounts, toGpuCount } from '@shellgate/container-engine';
import type { BindMountPolicy } from '@shellgate/container-engine';
import { FailedPreconditionError, InvalidArgumentError, quoteValue, validateDriverSandbox } from '@shellgate/driver-sdk';
import type { DriverSandbox } from '@shellgate/driver-sdk';

import { DRIVER_CONFIG_FIELD, parsePodmanDriverOptions } from './container/driver-config.js';
import type { PodmanDriverOptions } from './container/driver-config.js';

/** Where Podman reads CDI specs (containers.conf `cdi_spec_dirs` defaults). */
export const CDI_SPEC_DIRS: readonly string[] = ['/etc/cdi', '/var/run/cdi'];

/** Where the `mounts` list lives, for the problems bind mount checks name. */
export const DRIVER_CONFIG_MOUNTS_FIELD = `${DRIVER_CONFIG_FIELD}.mounts`;

export interface SandboxValidationPolicy {
  readonly allowBindMounts: boolean;
  readonly bindMounts: BindMountPolicy;
  readonly isRootless: boolean;
  /** Rootless Podman on cgroup v1 cannot enforce cpu, memory or pids limits. */
  readonly canEnforceLimits: boolean;
  /** Whether the engine host has CDI specs; reads {@link CDI_SPEC_DIRS} by default. */
  readonly hasCdiSpecs?: () => Promise<boolean>;
}

/** A sandbox that passed every check, with its parsed driver_config (bind sources as real paths). */
export interface ValidatedSandbox {
  readonly sandbox: DriverSandbox;
  readonly options: PodmanDriverOptions;
}

/** Whether any CDI spec directory holds a spec. */
export async function hasCdiSpecsOnHost(dirs: readonly string[] = CDI_SPEC_DIRS): Promise<boolean> {
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => []);
    if (names.some((name) => /\.(json|ya?ml)$/.test(name))) return true;
  }
  return false;
}

function checkLimitsEnforceable(sandbox: DriverSandbox, policy: SandboxValidationPolicy): void {
  const resources = sandbox.spec?.template?.resources;
  if (policy.canEnforceLimits || resources === undefined || (resources.cpuLimit === '' && resources.memoryLimit === '')) return;
  throw new FailedPreconditionError(`sandbox ${quoteValue(sandbox.name)} sets cpu or memory limits, which rootless Podman on cgroup v1 cannot enforce`, {
    hint: 'drop the limits, run the driver against a rootful Podman service, or move the host to cgroup v2',
  });
}

async function checkDevices(sandbox: DriverSandbox, options: PodmanDriverOptions, policy: SandboxValidationPolicy): Promise<void> {
  const gpuCount = toGpuCount(sandbox);
  if (gpuCount === 0 && options.cdiDevices.length === 0) return;
  if (await (policy.hasCdiSpecs ?? hasCdiSpecsOnHost)()) return;
  throw new FailedPreconditionError(`sandbox ${quoteValue(sandbox.name)} asks for ${gpuCount > 0 ? `${gpuCount} GPU(s)` : 'CDI devices'}, but the engine host has no CDI specs in ${CDI_SPEC_DIRS.join(' or ')}`, {
    hint: 'generate CDI specs on the engine host (nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml), or drop the device request',
  });
}

/**
 * Everything ValidateSandboxCreate and CreateSandbox check: the SDK's common checks, limits
 * Podman takes (no requests), `driver_config` (bind sources resolved and checked on the
 * host with the SDK's rules), and CDI specs for GPUs and CDI devices.
 */
export async function validatePodmanSandbox(sandbox: DriverSandbox | undefined, policy: SandboxValidationPolicy): Promise<ValidatedSandbox> {
  if (sandbox === undefined) throw new InvalidArgumentError('request has no sandbox');
  validateDriverSandbox(sandbox);
  checkContainerResources(sandbox, 'Podman');
  checkLimitsEnforceable(sandbox, policy);
  const parsed = parsePodmanDriverOptions(sandbox.spec?.template?.driverConfig, policy);
  const options = { ...parsed, mounts: await resolveBindMounts(parsed.mounts, DRIVER_CONFIG_MOUNTS_FIELD, policy.bindMounts) };
  await checkDevices(sandbox, options, policy);
  return { sandbox, options };
}
