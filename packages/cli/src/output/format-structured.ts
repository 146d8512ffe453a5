import { stringify } from 'yaml';
import type { OutputFormat } from './output-format.js';

/**
 * Renders a value already in the proto's JSON form (from the generated `toJSON`) as
 * pretty JSON or YAML.
 */
export function formatStructured(format: Exclude<OutputFormat, 'table'>, value: unknown): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return stringify(value);
}

/** One line of JSON or one YAML document, for streams of events (`sandbox watch -o json`). */
export function formatStreamItem(format: Exclude<OutputFormat, 'table'>, value: unknown): string {
  if (format === 'json') return `${JSON.stringify(value)}\n`;
  return `---\n${stringify(value)}`;
}
