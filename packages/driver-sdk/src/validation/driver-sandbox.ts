import { quoteValue } from '../errors.js';
import { isShellgateError } from '../errors.js';
import type { DriverResourceRequirements, DriverSandbox } from '../gen/compute_driver.js';
import { mergeUserEnvironment } from '../environment/sandbox-environment.js';
import { parseCpuQuantity, parseMemoryQuantity } from '../quantity/quantity.js';
import { MAX_ENVIRONMENT_ENTRIES, findEnvironmentProblems } from './environment-limits.js';
import { findLabelProblems } from './labels.js';
import { findSandboxNameProblems } from './sandbox-name.js';
import type { ValidationProblem } from './validation-error.js';
import { throwIfProblems } from './validation-error.js';

const RESOURCES_FIELD = 'spec.template.resources';

type Parser = (value: string) => number;

/** Parses one quantity, recording a problem instead of throwing; empty means "not set". */
function parseQuantityField(
  value: string,
  field: string,
  parse: Parser,
  problems: ValidationProblem[],
): number | undefined {
  if (value === '') return undefined;
  try {
    return parse(value);
  } catch (error) {
    if (!isShellgateError(error)) throw error;
    problems.push({ field, reason: error.describe() });
    return undefined;
  }
}

function checkRequestWithinLimit(
  resources: DriverResourceRequirements,
  resource: 'cpu' | 'memory',
  parse: Parser,
  problems: ValidationProblem[],
): void {
  const requestField = `${RESOURCES_FIELD}.${resource}_request`;
  const limitField = `${RESOURCES_FIELD}.${resource}_limit`;
  const requestText = resource === 'cpu' ? resources.cpuRequest : resources.memoryRequest;
  const limitText = resource === 'cpu' ? resources.cpuLimit : resources.memoryLimit;
  const request = parseQuantityField(requestText, requestField, parse, problems);
  const limit = parseQuantityField(limitText, limitField, parse, problems);
  if (request !== undefined && limit !== undefined && request > limit) {
    problems.push({
      field: requestField,
      reason: `request ${quoteValue(requestText)} is more than ${limitField} ${quoteValue(limitText)}`,
    });
  }
}

/** Every problem with a sandbox a gateway asks to create; empty when it is acceptable. */
export function findDriverSandboxProblems(sandbox: DriverSandbox): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (sandbox.id === '') problems.push({ field: 'id', reason: 'must not be empty' });
  problems.push(...findSandboxNameProblems(sandbox.name, 'name'));
  const spec = sandbox.spec;
  if (spec === undefined) {
    problems.push({ field: 'spec', reason: 'is required' });
    return problems;
  }
  problems.push(...findEnvironmentProblems(spec.environment, 'spec.environment'));
  const template = spec.template;
  if (template !== undefined) {
    problems.push(...findEnvironmentProblems(template.environment, 'spec.template.environment'));
    problems.push(...findLabelProblems(template.labels, 'spec.template.labels'));
    if (template.resources !== undefined) {
      checkRequestWithinLimit(template.resources, 'cpu', parseCpuQuantity, problems);
      checkRequestWithinLimit(template.resources, 'memory', parseMemoryQuantity, problems);
    }
  }
  // The limit applies to what reaches the sandbox, so also check the merged environment.
  const mergedCount = Object.keys(mergeUserEnvironment(sandbox)).length;
  if (mergedCount > MAX_ENVIRONMENT_ENTRIES) {
    problems.push({
      field: 'spec.environment',
      reason:
        `template and spec environments together have ${mergedCount} entries; ` +
        `the limit is ${MAX_ENVIRONMENT_ENTRIES}`,
    });
  }
  return problems;
}

/**
 * The checks behind `ValidateSandboxCreate`: id set, name valid, environments and labels
 * within limits, resources parse as quantities and requests do not exceed limits.
 * Drivers add their own engine-specific checks after this one.
 * @throws InvalidArgumentError listing every problem with its field path.
 */
export function validateDriverSandbox(sandbox: DriverSandbox): void {
  throwIfProblems(`sandbox ${quoteValue(sandbox.name || sandbox.id)}`, findDriverSandboxProblems(sandbox));
}
