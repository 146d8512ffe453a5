import { isAbsolute, resolve } from 'node:path';

import { LOG_LEVELS, isLogLevel } from '../logging/create-logger.js';
import type { ConfigKeySpec } from './define-config.js';

/** A value that passed its type and constraints, or the reason it did not and how to fix it. */
export type CheckedValue = { readonly value: unknown } | { readonly problem: string; readonly hint?: string };

const INTEGER_TEXT = /^[+-]?\d+$/;
const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no', 'off']);
// A bracketed IPv6 literal or a host without colons, then a port of up to 5 digits.
const ADDRESS_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/;
const MAX_PORT = 65535;
const ADDRESS_HINT = `write HOST:PORT, e.g. 127.0.0.1:17670 or [::1]:17670 (port 0-${MAX_PORT})`;

/**
 * Reads a key's value from env or flag text. String arrays are comma-separated in env; a
 * repeated flag is joined by the caller. Tables and table arrays never come from text.
 * Relative paths resolve against `baseDir`.
 */
export function parseConfigText(spec: ConfigKeySpec, text: string, baseDir?: string): CheckedValue {
  return applyCheck(spec, parseText(spec, text, baseDir));
}

/**
 * Checks a value that arrived typed (from TOML, or a default) against the key's spec.
 * Relative paths resolve against `baseDir`; without one (a default) they stay as written.
 */
export function checkConfigValue(spec: ConfigKeySpec, value: unknown, baseDir?: string): CheckedValue {
  return applyCheck(spec, checkTyped(spec, value, baseDir));
}

// The key's own rule runs last, on a value already of the right type.
function applyCheck(spec: ConfigKeySpec, checked: CheckedValue): CheckedValue {
  if ('problem' in checked || spec.check === undefined) return checked;
  const problem = (spec.check as (value: unknown) => string | undefined)(checked.value);
  return problem === undefined ? checked : { problem };
}

function parseText(spec: ConfigKeySpec, text: string, baseDir: string | undefined): CheckedValue {
  switch (spec.type) {
    case 'string':
      return checkConstraints(spec, text);
    case 'integer':
      if (!INTEGER_TEXT.test(text.trim())) return { problem: `expected an integer, got ${JSON.stringify(text)}` };
      return checkTyped(spec, Number(text.trim()), baseDir);
    case 'number': {
      const number = text.trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(number)) return { problem: `expected a number, got ${JSON.stringify(text)}` };
      return checkConstraints(spec, number);
    }
    case 'boolean': {
      const word = text.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { problem: `expected true or false, got ${JSON.stringify(text)}` };
    }
    case 'string-array':
      return { value: splitList(text) };
    case 'path':
    case 'address':
    case 'log-level':
      return checkTyped(spec, text, baseDir);
    case 'table':
    case 'table-array':
      return { problem: `a ${spec.type} can only be set in the config file` };
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function checkTyped(spec: ConfigKeySpec, value: unknown, baseDir: string | undefined): CheckedValue {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? checkConstraints(spec, value) : mismatch('a string', value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? checkConstraints(spec, value)
        : mismatch('an integer', value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? checkConstraints(spec, value)
        : mismatch('a number', value);
    case 'boolean':
      return typeof value === 'boolean' ? { value } : mismatch('true or false', value);
    case 'string-array':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? { value: [...value] }
        : mismatch('an array of strings', value);
    case 'path':
      return checkPath(value, baseDir);
    case 'address':
      return checkAddress(value);
    case 'log-level':
      return checkLogLevel(value);
    // Tables are copied: smol-toml builds inline tables without a prototype, and the copy is
    // what gets frozen (a schema's default stays the caller's).
    case 'table':
      return isTable(value) ? { value: structuredClone(value) } : mismatch('a table', value);
    case 'table-array': {
      const checked = checkTableList(value);
      return 'problem' in checked ? checked : { value: structuredClone(checked.value) };
    }
  }
}

function checkPath(value: unknown, baseDir: string | undefined): CheckedValue {
  if (typeof value !== 'string') return mismatch('a path string', value);
  if (value.trim() === '') return { problem: 'expected a path, got ""', hint: 'give a path, or remove the setting' };
  return { value: baseDir === undefined || isAbsolute(value) ? value : resolve(baseDir, value) };
}

function checkAddress(value: unknown): CheckedValue {
  const match = typeof value === 'string' ? ADDRESS_PATTERN.exec(value) : null;
  if (match === null || Number(match[2]) > MAX_PORT) {
    return { problem: `expected HOST:PORT, got ${describeValue(value)}`, hint: ADDRESS_HINT };
  }
  return { value };
}

function checkLogLevel(value: unknown): CheckedValue {
  const level = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (level === undefined || !isLogLevel(level)) {
    return { problem: `expected one of ${LOG_LEVELS.join(', ')}; got ${describeValue(value)}` };
  }
  return { value: level };
}

/** `[[key]]` entries (an array of tables) or named `[key.NAME]` tables (a table of tables). */
function checkTableList(value: unknown): CheckedValue {
  if (Array.isArray(value)) {
    const index = value.findIndex((item) => !isTable(item));
    if (index === -1) return { value };
    return { problem: `expected an array of tables, but item ${index} is ${describeValue(value[index])}` };
  }
  if (isTable(value)) {
    const entry = Object.entries(value).find(([, item]) => !isTable(item));
    if (entry === undefined) return { value };
    return {
      problem: `expected an array of tables or a table of named tables, but ${JSON.stringify(entry[0])} is ${describeValue(entry[1])}`,
    };
  }
  return mismatch('an array of tables', value);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function checkConstraints(spec: ConfigKeySpec, value: string | number): CheckedValue {
  if (typeof value === 'string' && spec.choices !== undefined && !spec.choices.includes(value)) {
    return { problem: `must be one of ${spec.choices.join(', ')}; got ${JSON.stringify(value)}` };
  }
  if (typeof value === 'number' && spec.min !== undefined && value < spec.min) {
    return { problem: `must be at least ${spec.min}; got ${value}` };
  }
  if (typeof value === 'number' && spec.max !== undefined && value > spec.max) {
    return { problem: `must be at most ${spec.max}; got ${value}` };
  }
  return { value };
}

function mismatch(expected: string, value: unknown): CheckedValue {
  return { problem: `expected ${expected}, got ${describeValue(value)}` };
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return JSON.stringify(value) ?? String(value);
}
