import {
  FailedPreconditionError,
  InvalidArgumentError,
  formatDriverConfigField,
  parseCpuQuantity,
  parseMemoryQuantity,
  throwIfProblems,
  validateDriverSandbox,
} from '@shellgate/driver-sdk';
import type { DriverSandbox, ValidationProblem } from '@shellgate/driver-sdk';

import type { KernelChoice } from '../kernel/kernel-store.js';
import { DRIVER_NAME } from '../version.js';
import type { RequestedDisk } from './vm-driver-options.js';
import { parseVmDriverOptions } from './vm-driver-options.js';

/** The caps and defaults a sandbox's resources are resolved against (driver config). */
export interface VmResourcePolicy {
  readonly defaultVcpus: number;
  readonly maxVcpus: number;
  readonly defaultMemoryMib: number;
  readonly maxMemoryMib: number;
  readonly maxDiskSizeMib: number;
  readonly defaultKernel: KernelChoice;
}

/** A sandbox that passed every check, with the VM it gets. */
export interface ValidatedVmSandbox {
  readonly sandbox: DriverSandbox;
  readonly vcpus: number;
  readonly memoryMib: number;
  readonly kernel: KernelChoice;
  readonly disks: readonly RequestedDisk[];
}

/** Below this a guest with the supervisor (Node) does not boot reliably. */
export const MIN_MEMORY_MIB = 128;
const RESOURCES = 'spec.template.resources';
const MIB = 1024 * 1024;

/** A limit wins over a request; a VM gets exactly what it is given. */
function pick(limit: string | undefined, request: string | undefined): { value: string; field: string } | undefined {
  if (limit !== undefined && limit !== '') return { value: limit, field: 'limit' };
  if (request !== undefined && request !== '') return { value: request, field: 'request' };
  return undefined;
}

function resolveVcpus(sandbox: DriverSandbox, configured: number | undefined, policy: VmResourcePolicy, problems: ValidationProblem[]): number {
  const resources = sandbox.spec?.template?.resources;
  const cpu = pick(resources?.cpuLimit, resources?.cpuRequest);
  const field = configured !== undefined ? formatDriverConfigField(DRIVER_NAME, 'vcpus') : `${RESOURCES}.cpu_${cpu?.field ?? 'limit'}`;
  const vcpus = configured ?? (cpu === undefined ? policy.defaultVcpus : Math.max(1, Math.ceil(parseCpuQuantity(cpu.value) / 1000)));
  if (vcpus > policy.maxVcpus) problems.push({ field, reason: `asks for ${vcpus} vCPUs; this driver allows at most ${policy.maxVcpus} (max_vcpus)` });
  return vcpus;
}

function resolveMemoryMib(sandbox: DriverSandbox, configured: number | undefined, policy: VmResourcePolicy, problems: ValidationProblem[]): number {
  const resources = sandbox.spec?.template?.resources;
  const memory = pick(resources?.memoryLimit, resources?.memoryRequest);
  const field = configured !== undefined ? formatDriverConfigField(DRIVER_NAME, 'memory') : `${RESOURCES}.memory_${memory?.field ?? 'limit'}`;
  const memoryMib = configured ?? (memory === undefined ? policy.defaultMemoryMib : Math.ceil(parseMemoryQuantity(memory.value) / MIB));
  if (memoryMib > policy.maxMemoryMib) problems.push({ field, reason: `asks for ${memoryMib} MiB; this driver allows at most ${policy.maxMemoryMib} MiB (max_memory_mib)` });
  if (memoryMib < MIN_MEMORY_MIB) problems.push({ field, reason: `asks for ${memoryMib} MiB; a VM sandbox needs at least ${MIN_MEMORY_MIB} MiB` });
  return memoryMib;
}

/**
 * Everything ValidateSandboxCreate and CreateSandbox check: the SDK's common checks,
 * `driver_config.vm`, the VM's size against the driver's caps (vCPUs from
 * `driver_config.vm.vcpus`, else the cpu limit or request rounded up to whole CPUs, else the
 * default; guest RAM likewise from memory), extra disk sizes, and no GPUs.
 * @throws InvalidArgumentError naming each field at fault.
 * @throws FailedPreconditionError for a GPU request (no device passthrough).
 */
export function validateVmSandbox(sandbox: DriverSandbox | undefined, policy: VmResourcePolicy): ValidatedVmSandbox {
  if (sandbox === undefined) throw new InvalidArgumentError('request has no sandbox');
  validateDriverSandbox(sandbox);
  if (sandbox.spec?.resourceRequirements?.gpu !== undefined) {
    throw new FailedPreconditionError(`sandbox ${JSON.stringify(sandbox.name)} asks for a GPU, which VM sandboxes cannot have`, {
      hint: 'drop the GPU request, or use a container driver with a GPU runtime',
    });
  }
  const options = parseVmDriverOptions(sandbox.spec?.template?.driverConfig);
  const problems: ValidationProblem[] = [];
  const vcpus = resolveVcpus(sandbox, options.vcpus, policy, problems);
  const memoryMib = resolveMemoryMib(sandbox, options.memoryMib, policy, problems);
  options.disks.forEach((disk, index) => {
    if (disk.sizeMib > policy.maxDiskSizeMib) {
      problems.push({ field: formatDriverConfigField(DRIVER_NAME, `disks[${index}].size`), reason: `${disk.sizeMib} MiB is more than max_disk_size_mib (${policy.maxDiskSizeMib})` });
    }
  });
  throwIfProblems(`sandbox ${JSON.stringify(sandbox.name)}`, problems);
  return { sandbox, vcpus, memoryMib, kernel: options.kernel ?? policy.defaultKernel, disks: options.disks };
}
