import type { ConfigProblem } from '../config/index.js';

/**
 * Reads one TOML table of the fake driver's script field by field, collecting problems
 * (each naming its key path) instead of throwing, so one run reports every mistake.
 * `reportUnknownKeys()` flags every key that was never read: the script is strict.
 */
export class ScriptTableReader {
  readonly #origin: string;
  readonly #table: Readonly<Record<string, unknown>>;
  readonly #problems: ConfigProblem[];
  readonly #readKeys = new Set<string>();

  constructor(origin: string, table: Readonly<Record<string, unknown>>, problems: ConfigProblem[]) {
    this.#origin = origin;
    this.#table = table;
    this.#problems = problems;
  }

  has(key: string): boolean {
    return this.#table[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.#read(key);
    if (value === undefined || typeof value === 'string') return value;
    return this.#mismatch(key, 'a string', value);
  }

  choice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined || (choices as readonly string[]).includes(value)) return value as T | undefined;
    this.problem(key, `unknown value ${JSON.stringify(value)}; expected one of ${choices.join(', ')}`);
    return undefined;
  }

  /** A whole number ≥ `min`. */
  integer(key: string, min = 0): number | undefined {
    const value = this.#read(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return this.#mismatch(key, 'an integer', value);
    if (value < min) {
      this.problem(key, `must be at least ${min}; got ${value}`);
      return undefined;
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.#read(key);
    if (value === undefined || typeof value === 'boolean') return value;
    return this.#mismatch(key, 'true or false', value);
  }

  /**
   * A list of tables, written either as `[[key]]` entries or as named `[key.NAME]` tables
   * (the form a config layer that only passes plain tables through can carry).
   */
  tables(key: string): ScriptTableReader[] {
    const value = this.#read(key);
    if (value === undefined) return [];
    let entries: Array<[string, unknown]>;
    if (Array.isArray(value)) entries = value.map((item, index) => [`${this.#path(key)}[${index}]`, item]);
    else if (isTable(value)) entries = Object.entries(value).map(([name, item]) => [`${this.#path(key)}.${name}`, item]);
    else return this.#mismatch(key, 'a list of tables', value) ?? [];
    const readers: ScriptTableReader[] = [];
    for (const [origin, item] of entries) {
      if (isTable(item)) readers.push(new ScriptTableReader(origin, item, this.#problems));
      else this.#problems.push({ origin, message: `expected a table, got ${describe(item)}` });
    }
    return readers;
  }

  problem(key: string | undefined, message: string): void {
    this.#problems.push({ origin: key === undefined ? this.#origin : this.#path(key), message });
  }

  reportUnknownKeys(knownKeys: readonly string[]): void {
    for (const key of Object.keys(this.#table)) {
      if (this.#readKeys.has(key)) continue;
      this.problem(key, `unknown key; known keys: ${knownKeys.join(', ')}`);
    }
  }

  #read(key: string): unknown {
    this.#readKeys.add(key);
    return this.#table[key];
  }

  #path(key: string): string {
    return this.#origin === '' ? key : `${this.#origin}.${key}`;
  }

  #mismatch(key: string, expected: string, value: unknown): undefined {
    this.problem(key, `expected ${expected}, got ${describe(value)}`);
    return undefined;
  }
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  return JSON.stringify(value) ?? String(value);
}
