import type { ConfigKeySpec, ConfigSchema } from './define-config.js';

/** The `--help` section listing every setting with its type, default, env var and flag. */
export function formatConfigHelp(schema: ConfigSchema): string {
  const entries = Object.entries(schema.keys);
  if (entries.length === 0) return 'Settings: none.\n';
  const lines = ['Settings (keys of the --config TOML file; env and flags override the file):'];
  for (const [key, spec] of entries) {
    lines.push(`  ${key}  ${describeType(spec)}  ${describeDefault(spec)}`);
    lines.push(`      ${spec.description}`);
    const sources = [
      spec.env === undefined ? undefined : `env ${spec.env}${spec.type === 'string-array' ? ' (comma-separated)' : ''}`,
      spec.flag === undefined ? undefined : `flag ${describeFlag(spec)}`,
    ].filter((source) => source !== undefined);
    if (sources.length > 0) lines.push(`      ${sources.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeType(spec: ConfigKeySpec): string {
  if (spec.choices !== undefined) return `(${spec.choices.join('|')})`;
  const bounds = [spec.min === undefined ? '' : `>= ${spec.min}`, spec.max === undefined ? '' : `<= ${spec.max}`]
    .filter((bound) => bound !== '')
    .join(', ');
  return bounds === '' ? `(${spec.type})` : `(${spec.type}, ${bounds})`;
}

function describeDefault(spec: ConfigKeySpec): string {
  if (spec.required === true) return 'required';
  if (spec.default === undefined) return 'default: none';
  return `default: ${JSON.stringify(spec.default)}`;
}

function describeFlag(spec: ConfigKeySpec): string {
  switch (spec.type) {
    case 'boolean':
      return `${spec.flag}[=true|false]`;
    case 'string-array':
      return `${spec.flag} VALUE (repeat for more)`;
    default:
      return `${spec.flag} VALUE`;
  }
}
