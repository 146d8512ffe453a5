import type { OutputFormat } from './output-format.js';

/**
 * Renders a value already in the proto's JSON form (from the generated `toJSON`) as
 * pretty JSON or YAML.
 */
export async function formatStructured(format: Exclude<OutputFormat, 'table'>, value: unknown): Promise<string> {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return (await loadYamlStringify())(value);
}

/** One line of JSON or one YAML document, for streams of events (`sandbox watch -o json`). */
export async function formatStreamItem(format: Exclude<OutputFormat, 'table'>, value: unknown): Promise<string> {
  if (format === 'json') return `${JSON.stringify(value)}\n`;
  return `---\n${(await loadYamlStringify())(value)}`;
}

type Stringify = (value: unknown) => string;

/**
 * `yaml` is loaded only for `-o yaml`: it is the CLI's largest dependency after grpc-js and
 * importing it costs every invocation ~50 ms of startup (measured with `node --cpu-prof`).
 */
async function loadYamlStringify(): Promise<Stringify> {
  const { stringify } = await import('yaml');
  return (value) => stringify(value);
}
