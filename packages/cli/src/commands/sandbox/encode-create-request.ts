import { CreateSandboxRequest } from '@shellgate/api';
import type { FlagSpec } from '../../args/flag-spec.js';
import type { ParsedFlags } from '../../args/parsed-flags.js';
import { parseKeyValues } from '../../args/parse-key-values.js';
import { UsageError } from '../../errors.js';

/** The flags of `sandbox create` that shape the request (`--wait` lives with the command). */
export const CREATE_REQUEST_FLAGS: readonly FlagSpec[] = [
  { name: 'image', kind: 'string', valueName: 'IMG', description: "container image (default: the driver's default image)" },
  { name: 'env', kind: 'list', valueName: 'K=V', description: 'environment variable of the sandbox (repeatable)' },
  { name: 'label', kind: 'list', valueName: 'K=V', description: 'label of the sandbox (repeatable)' },
  { name: 'annotation', kind: 'list', valueName: 'K=V', description: 'annotation of the sandbox (repeatable)' },
  { name: 'cpu', kind: 'string', valueName: 'QTY', description: 'CPU limit, a Kubernetes quantity: 500m, 2' },
  { name: 'memory', kind: 'string', valueName: 'QTY', description: 'memory limit, a Kubernetes quantity: 512Mi, 1Gi' },
  { name: 'driver', kind: 'string', valueName: 'NAME', description: "compute driver to run it (default: the gateway's default driver)" },
  { name: 'driver-config', kind: 'string', valueName: 'JSON', description: 'settings for --driver, a JSON object' },
  { name: 'cmd', kind: 'list', valueName: 'ARG', description: 'one argument of the main command (repeat in order: --cmd sleep --cmd 60)' },
  { name: 'command-json', kind: 'string', valueName: 'JSON', description: 'the main command as a JSON array: \'["sleep","60"]\'' },
  { name: 'tty', kind: 'boolean', description: 'give the main command a terminal' },
];

// Kubernetes quantity syntax (decimal or binary suffix, or an exponent); the gateway
// parses the value, this only catches typos before the call.
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

/**
 * Builds the CreateSandbox request from the command line: resources become the Struct
 * `{limits: {cpu, memory}}` and the driver settings `{<driver>: {...}}`.
 */
export function encodeCreateSandboxRequest(flags: ParsedFlags, name: string, workspace: string): CreateSandboxRequest {
  const limits: Record<string, string> = {};
  for (const resource of ['cpu', 'memory'] as const) {
    const value = flags.string(resource);
    if (value === undefined) continue;
    if (!QUANTITY.test(value)) {
      throw new UsageError(`--${resource} "${value}" is not a quantity`, resource === 'cpu' ? 'use e.g. 500m or 2' : 'use e.g. 512Mi or 1Gi');
    }
    limits[resource] = value;
  }
  const image = flags.string('image') ?? '';
  return CreateSandboxRequest.fromPartial({
    name,
    workspace,
    labels: parseKeyValues(flags.list('label'), 'label'),
    annotations: parseKeyValues(flags.list('annotation'), 'annotation'),
    spec: {
      environment: parseKeyValues(flags.list('env'), 'env'),
      command: parseCommand(flags),
      tty: flags.boolean('tty'),
      template: {
        image,
        resources: Object.keys(limits).length === 0 ? undefined : { limits },
        driverConfig: parseDriverConfig(flags),
      },
    },
  });
}

function parseCommand(flags: ParsedFlags): string[] {
  const json = flags.string('command-json');
  const args = flags.list('cmd');
  if (json === undefined) return [...args];
  if (args.length > 0) throw new UsageError('--cmd and --command-json cannot be combined', 'use one of them');
  const parsed = parseJson(json, '--command-json');
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((item) => typeof item === 'string')) {
    throw new UsageError('--command-json must be a non-empty JSON array of strings', 'e.g. --command-json \'["sleep","60"]\'');
  }
  return parsed;
}

function parseDriverConfig(flags: ParsedFlags): Record<string, unknown> | undefined {
  const driver = flags.string('driver');
  const configText = flags.string('driver-config');
  if (driver === undefined) {
    if (configText !== undefined) throw new UsageError('--driver-config needs --driver', 'name the driver the settings are for: --driver docker');
    return undefined;
  }
  if (driver === '') throw new UsageError('--driver must not be empty');
  const config = configText === undefined ? {} : parseJson(configText, '--driver-config');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UsageError('--driver-config must be a JSON object', 'e.g. --driver docker --driver-config \'{"mounts":[{"type":"tmpfs","target":"/scratch"}]}\'');
  }
  return { [driver]: config };
}

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}
