import { FailedPreconditionError, parseCpuQuantity, parseMemoryQuantity, quoteValue, throwIfProblems } from '@shellgate/driver-sdk';
import type { DriverSandbox, ValidationProblem } from '@shellgate/driver-sdk';

/** runc (Docker's and Podman's runtime) refuses a memory limit under 6 MiB. */
export const MIN_MEMORY_LIMIT_BYTES = 6 * 1024 * 1024;
/** The smallest CPU limit the engines take: 0.01 CPU (a 1 ms quota per 100 ms period). */
export const MIN_CPU_LIMIT_MILLICORES = 10;

const RESOURCES = 'spec.template.resources';

/**
 * Checks `spec.template.resources` for a container engine: limits only (an engine has no
 * scheduler to honour requests) and no smaller than the engine takes.
 * @throws FailedPreconditionError when the sandbox sets a cpu or memory request.
 * @throws InvalidArgumentError naming each limit below the engine's minimum.
 */
export function checkContainerResources(sandbox: DriverSandbox, engineName: string): void {
  const resources = sandbox.spec?.template?.resources;
  if (resources === undefined) return;
  const requests = [
    resources.cpuRequest === '' ? undefined : `${RESOURCES}.cpu_request`,
    resources.memoryRequest === '' ? undefined : `${RESOURCES}.memory_request`,
  ].filter((field): field is string => field !== undefined);
  if (requests.length > 0) {
    throw new FailedPreconditionError(`sandbox ${quoteValue(sandbox.name)} sets ${requests.join(' and ')}: ${engineName} enforces limits only; drop requests or use limits`, {
      hint: `set cpu_limit / memory_limit instead; the ${engineName} driver has no scheduler to honour requests`,
    });
  }
  const problems: ValidationProblem[] = [];
  if (resources.cpuLimit !== '' && parseCpuQuantity(resources.cpuLimit) < MIN_CPU_LIMIT_MILLICORES) {
    problems.push({ field: `${RESOURCES}.cpu_limit`, reason: `${engineName}'s smallest CPU limit is ${MIN_CPU_LIMIT_MILLICORES}m` });
  }
  if (resources.memoryLimit !== '' && parseMemoryQuantity(resources.memoryLimit) < MIN_MEMORY_LIMIT_BYTES) {
    problems.push({ field: `${RESOURCES}.memory_limit`, reason: `${engineName}'s smallest memory limit is 6Mi` });
  }
  throwIfProblems(`sandbox ${quoteValue(sandbox.name)}`, problems);
}
