import { UsageError } from '../errors.js';

/** A flag's parsed value: a switch, a single value, or every value of a repeated flag. */
export type FlagValue = boolean | string | readonly string[];

/** The flags given on a command line, with typed getters. Absent flags read as undefined/false/[]. */
export class ParsedFlags {
  readonly #values: ReadonlyMap<string, FlagValue>;

  constructor(values: ReadonlyMap<string, FlagValue>) {
    this.#values = values;
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  string(name: string): string | undefined {
    const value = this.#values.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  boolean(name: string): boolean {
    return this.#values.get(name) === true;
  }

  list(name: string): readonly string[] {
    const value = this.#values.get(name);
    return Array.isArray(value) ? (value as readonly string[]) : [];
  }

  /** A non-negative integer flag such as `--limit 10`. */
  count(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) > 0xffffffff) {
      throw new UsageError(`--${name} must be a non-negative integer, got "${raw}"`);
    }
    return Number(raw);
  }
}
