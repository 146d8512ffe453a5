import { randomBytes } from 'node:crypto';
import type { CreateSandboxRequest, SandboxSpec } from '@shellgate/api';
import {
  DRIVER_CONFIG_FIELD,
  findEnvironmentProblems,
  findLabelProblems,
  findSandboxNameProblems,
  formatDriverConfigField,
  parseCpuQuantity,
  parseMemoryQuantity,
  throwIfProblems,
  quoteValue,
  type DriverResourceRequirements,
  type ValidationProblem,
} from '@shellgate/driver-sdk';
import { DEFAULT_WORKSPACE } from '../store/index.js';


/** What a validated CreateSandbox request asks for. */
export interface CreateSandboxPlan {
  readonly name: string;
  readonly workspace: string;
  /** The driver named by `spec.template.driver_config`, or undefined for the default driver. */
  readonly driverName: string | undefined;
  /** That driver's own settings: the value under its key in driver_config. */
  readonly driverConfig: Record<string, unknown> | undefined;
  readonly resources: DriverResourceRequirements | undefined;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: SandboxSpec;
}

const RESOURCE_KEYS = { requests: ['cpu', 'memory'], limits: ['cpu', 'memory'] } as const;

/**
 * Validates a public CreateSandbox request and says what it asks for. Every problem is
 * reported at once, each naming its field; nothing is changed anywhere when it throws.
 */
export function parseCreateSandboxRequest(request: CreateSandboxRequest, driverNames: readonly string[]): CreateSandboxPlan {
  const problems: ValidationProblem[] = [];
  const name = request.name === '' ? generateSandboxName() : request.name;
  problems.push(...findSandboxNameProblems(name, 'name'));
  const workspace = request.workspace === '' ? DEFAULT_WORKSPACE : request.workspace;
  problems.push(...findSandboxNameProblems(workspace, 'workspace'));
  problems.push(...findLabelProblems(request.labels, 'labels'));
  const spec = request.spec ?? emptySpec();
  problems.push(...findEnvironmentProblems(spec.environment, 'spec.environment'));
  const template = spec.template;
  if (template !== undefined) {
    problems.push(...findEnvironmentProblems(template.environment, 'spec.template.environment'));
    problems.push(...findLabelProblems(template.labels, 'spec.template.labels'));
  }
  if (spec.command.some((arg) => arg.includes('\0'))) {
    problems.push({ field: 'spec.command', reason: 'arguments must not contain NUL bytes' });
  }
  const resources = parseResources(template?.resources, problems);
  const { driverName, driverConfig } = parseDriverConfig(template?.driverConfig, driverNames, problems);
  throwIfProblems(`sandbox ${quoteValue(name)}`, problems);
  return { name, workspace, driverName, driverConfig, resources, labels: request.labels, annotations: request.annotations, spec };
}

function parseResources(struct: Record<string, unknown> | undefined, problems: ValidationProblem[]): DriverResourceRequirements | undefined {
  if (struct === undefined || Object.keys(struct).length === 0) return undefined;
  const field = 'spec.template.resources';
  const out: DriverResourceRequirements = { cpuRequest: '', cpuLimit: '', memoryRequest: '', memoryLimit: '' };
  for (const [section, value] of Object.entries(struct)) {
    if (section !== 'requests' && section !== 'limits') {
      problems.push({ field: `${field}.${section}`, reason: 'unknown key; use "requests" and "limits"' });
      continue;
    }
    if (!isPlainObject(value)) {
      problems.push({ field: `${field}.${section}`, reason: 'must be an object such as {"cpu": "500m", "memory": "1Gi"}' });
      continue;
    }
    for (const [resource, quantity] of Object.entries(value)) {
      const path = `${field}.${section}.${resource}`;
      if (!(RESOURCE_KEYS[section] as readonly string[]).includes(resource)) {
        problems.push({ field: path, reason: 'unknown resource; use "cpu" or "memory"' });
        continue;
      }
      const text = typeof quantity === 'number' ? String(quantity) : quantity;
      if (typeof text !== 'string') {
        problems.push({ field: path, reason: 'must be a quantity string such as "500m" or "4Gi"' });
        continue;
      }
      try {
        if (resource === 'cpu') parseCpuQuantity(text);
        else parseMemoryQuantity(text);
      } catch (error) {
        problems.push({ field: path, reason: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const key = `${resource}${section === 'requests' ? 'Request' : 'Limit'}` as keyof DriverResourceRequirements;
      out[key] = text;
    }
  }
  for (const [resource, parse] of [['cpu', parseCpuQuantity], ['memory', parseMemoryQuantity]] as const) {
    const request = out[`${resource}Request`];
    const limit = out[`${resource}Limit`];
    if (request !== '' && limit !== '' && parse(request) > parse(limit)) {
      problems.push({ field: `${field}.requests.${resource}`, reason: `${quoteValue(request)} is more than limits.${resource} ${quoteValue(limit)}` });
    }
  }
  return out;
}

function parseDriverConfig(
  struct: Record<string, unknown> | undefined,
  driverNames: readonly string[],
  problems: ValidationProblem[],
): { driverName: string | undefined; driverConfig: Record<string, unknown> | undefined } {
  if (struct === undefined || Object.keys(struct).length === 0) return { driverName: undefined, driverConfig: undefined };
  const keys = Object.keys(struct);
  if (keys.length !== 1) {
    problems.push({ field: DRIVER_CONFIG_FIELD, reason: `must have exactly one key, the driver name (one of ${driverNames.join(', ')}); got ${keys.length}` });
    return { driverName: undefined, driverConfig: undefined };
  }
  const driverName = keys[0] as string;
  if (!driverNames.includes(driverName)) {
    problems.push({ field: formatDriverConfigField(driverName), reason: `no driver named ${quoteValue(driverName)} is configured; configured: ${driverNames.join(', ')}` });
  }
  const value = struct[driverName];
  if (value !== null && value !== undefined && !isPlainObject(value)) {
    problems.push({ field: formatDriverConfigField(driverName), reason: 'must be an object with that driver\'s settings' });
    return { driverName, driverConfig: undefined };
  }
  return { driverName, driverConfig: (value ?? {}) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emptySpec(): SandboxSpec {
  return { logLevel: '', environment: {}, template: undefined, providers: [], resourceRequirements: undefined, command: [], tty: false };
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** "sandbox-" plus 8 random characters: 16 chars, inside the 19-char routable limit. */
export function generateSandboxName(): string {
  const bytes = randomBytes(8);
  let suffix = '';
  for (const byte of bytes) suffix += NAME_ALPHABET[byte % NAME_ALPHABET.length];
  return `sandbox-${suffix}`;
}
