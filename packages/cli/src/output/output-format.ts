import { UsageError } from '../errors.js';

/** How a command prints its result on stdout. */
export const OutputFormat = {
  Table: 'table',
  Json: 'json',
  Yaml: 'yaml',
} as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Reads `-o` / `--output`. */
export function parseOutputFormat(text: string): OutputFormat {
  const values: readonly string[] = Object.values(OutputFormat);
  if (!values.includes(text)) {
    throw new UsageError(`-o/--output: unknown format "${text}"`, 'use table, json or yaml');
  }
  return text as OutputFormat;
}
