import { resolve } from 'node:path';
import { LOG_LEVELS, isLogLevel } from '@shellgate/driver-sdk';
import { GatewayConfigError } from './config-error.js';
import type { ConfigKeySpec } from './config-keys.js';

/** Where the gateway keeps its records. */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** A validated setting; log levels are strings too. */
export type ConfigValue = string | boolean | number;

/** Driver names become record fields and `driver_config` keys: keep them DNS-label-ish. */
const DRIVER_NAME_PATTERN = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;
const MAX_MS = 2 ** 31 - 1;

export function isDriverName(value: string): boolean {
  return DRIVER_NAME_PATTERN.test(value);
}

export const DRIVER_NAME_RULE = 'lowercase letters, digits, "-" and "_", starting and ending with a letter or digit, at most 63 chars';

/**
 * Reads one operator-supplied value of a known key. `raw` is a TOML value (file) or a
 * string (env, flag); relative paths resolve against `baseDir`.
 */
export function parseConfigValue(spec: ConfigKeySpec, raw: unknown, origin: string, baseDir: string): ConfigValue {
  switch (spec.kind) {
    case 'boolean':
      return parseBoolean(raw, origin);
    case 'positive-integer':
      return parsePositiveInteger(raw, origin);
    case 'log-level': {
      const text = requireString(raw, origin).toLowerCase();
      if (!isLogLevel(text)) throw invalid(origin, raw, `use one of ${LOG_LEVELS.join(', ')}`);
      return text;
    }
    case 'address':
      return parseAddress(requireString(raw, origin), origin);
    case 'path':
      return resolve(baseDir, requireString(raw, origin));
    case 'database':
      // Resolved against the final state_dir by toDatabaseConfig.
      return requireString(raw, origin);
    case 'string': {
      const text = requireString(raw, origin);
      if (spec.key === 'default_driver' && !isDriverName(text)) throw invalid(origin, raw, `a driver name is ${DRIVER_NAME_RULE}`);
      return text;
    }
  }
}

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** `database` after defaults: postgres URLs as given, anything else a SQLite path under `stateDir`. */
export function toDatabaseConfig(raw: string | undefined, stateDir: string, defaultFile: string): DatabaseConfig {
  if (raw === undefined) return { kind: 'sqlite', path: resolve(stateDir, defaultFile) };
  if (isPostgresUrl(raw)) return { kind: 'postgres', url: raw };
  const path = raw.replace(/^sqlite:(\/\/)?/i, '');
  return { kind: 'sqlite', path: resolve(stateDir, path) };
}

function requireString(raw: unknown, origin: string): string {
  if (typeof raw !== 'string') throw invalid(origin, raw, 'give a string (in TOML, quote it)');
  if (raw.trim() === '') throw invalid(origin, raw, 'give a non-empty value or remove the setting');
  return raw;
}

function parseBoolean(raw: unknown, origin: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
  }
  throw invalid(origin, raw, 'use true or false');
}

function parsePositiveInteger(raw: unknown, origin: string): number {
  let value: number = Number.NaN;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'bigint') value = Number(raw);
  else if (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)) value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > MAX_MS) {
    throw invalid(origin, raw, `use a whole number between 1 and ${MAX_MS}`);
  }
  return value;
}

function parseAddress(text: string, origin: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(text);
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || port > 65535) {
    throw invalid(origin, text, 'use HOST:PORT, e.g. 127.0.0.1:17670 or [::1]:17670 (port 0-65535)');
  }
  return text;
}

function invalid(origin: string, raw: unknown, hint: string): GatewayConfigError {
  return new GatewayConfigError(origin, `invalid value ${JSON.stringify(typeof raw === 'bigint' ? String(raw) : raw)}`, hint);
}
