import { LOG_LEVELS } from '../logging/create-logger.js';
import type { ConfigKeySpec, ConfigSchema } from './define-config.js';
import { envNamesOf } from './define-config.js';

const DEFAULT_TITLE = 'Settings (keys of the --config TOML file; env and flags override the file):';

const DEFAULT_VALUE_NAMES: Partial<Record<ConfigKeySpec['type'], string>> = {
  path: 'PATH',
  address: 'HOST:PORT',
  'log-level': 'LEVEL',
};

/**
 * The `--help` section listing every setting with its type, default, env vars and flag.
 * `title` replaces the heading line.
 */
export function formatConfigHelp(schema: ConfigSchema, title = DEFAULT_TITLE): string {
  const entries = Object.entries(schema.keys);
  if (entries.length === 0) return 'Settings: none.\n';
  const lines = [title];
  for (const [key, spec] of entries) {
    lines.push(`  ${key}  ${describeType(spec)}  ${describeDefault(spec)}`);
    lines.push(`      ${spec.description}`);
    const envs = envNamesOf(spec);
    const sources = [
      envs.length === 0 ? undefined : `env ${envs.join(', then ')}${spec.type === 'string-array' ? ' (comma-separated)' : ''}`,
      spec.flag === undefined ? undefined : `flag ${describeFlag(spec)}`,
    ].filter((source) => source !== undefined);
    if (sources.length > 0) lines.push(`      ${sources.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeType(spec: ConfigKeySpec): string {
  if (spec.choices !== undefined) return `(${spec.choices.join('|')})`;
  if (spec.type === 'log-level') return `(${LOG_LEVELS.join('|')})`;
  if (spec.type === 'address') return '(HOST:PORT)';
  const bounds = [spec.min === undefined ? '' : `>= ${spec.min}`, spec.max === undefined ? '' : `<= ${spec.max}`]
    .filter((bound) => bound !== '')
    .join(', ');
  return bounds === '' ? `(${spec.type})` : `(${spec.type}, ${bounds})`;
}

function describeDefault(spec: ConfigKeySpec): string {
  if (spec.required === true) return 'required';
  if (spec.defaultText !== undefined) return `default: ${spec.defaultText}`;
  if (spec.default === undefined) return 'default: none';
  return `default: ${JSON.stringify(spec.default)}`;
}

function describeFlag(spec: ConfigKeySpec): string {
  switch (spec.type) {
    case 'boolean':
      return `${spec.flag}[=true|false]`;
    case 'string-array':
      return `${spec.flag} ${spec.valueName ?? 'VALUE'} (repeat for more)`;
    default:
      return `${spec.flag} ${spec.valueName ?? spec.choices?.join('|') ?? DEFAULT_VALUE_NAMES[spec.type] ?? 'VALUE'}`;
  }
}
