import { RESERVED_ENV_PREFIX } from '../environment/env.js';
import type { ValidationProblem } from './validation-error.js';
import { throwIfProblems } from './validation-error.js';

/** Upstream OpenShell caps a sandbox environment at 128 entries. */
export const MAX_ENVIRONMENT_ENTRIES = 128;
/** Longest environment key, in UTF-8 bytes. */
export const MAX_ENVIRONMENT_KEY_BYTES = 256;
/** Longest environment value, in UTF-8 bytes. */
export const MAX_ENVIRONMENT_VALUE_BYTES = 8192;

const POSIX_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function describeKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/**
 * Problems with one environment map; `field` is its proto path, e.g. `spec.environment`.
 * `allowedReservedKeys` names the `OPENSHELL_*` keys this map may carry (exec allows one).
 */
export function findEnvironmentProblems(
  env: Readonly<Record<string, string>>,
  field: string,
  allowedReservedKeys: readonly string[] = [],
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const entries = Object.entries(env);
  if (entries.length > MAX_ENVIRONMENT_ENTRIES) {
    problems.push({ field, reason: `has ${entries.length} entries; the limit is ${MAX_ENVIRONMENT_ENTRIES}` });
  }
  for (const [key, value] of entries) {
    const keyField = `${field}[${describeKey(key)}]`;
    const keyBytes = Buffer.byteLength(key, 'utf8');
    if (keyBytes > MAX_ENVIRONMENT_KEY_BYTES) {
      problems.push({ field: keyField, reason: `key is ${keyBytes} bytes; the limit is ${MAX_ENVIRONMENT_KEY_BYTES}` });
    } else if (!POSIX_ENV_NAME.test(key)) {
      problems.push({ field: keyField, reason: 'key must match [A-Za-z_][A-Za-z0-9_]* (a POSIX environment name)' });
    } else if (key.startsWith(RESERVED_ENV_PREFIX) && !allowedReservedKeys.includes(key)) {
      problems.push({
        field: keyField,
        reason: `keys starting with ${RESERVED_ENV_PREFIX} are reserved; the driver sets them for the supervisor`,
      });
    }
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (valueBytes > MAX_ENVIRONMENT_VALUE_BYTES) {
      problems.push({
        field: keyField,
        reason: `value is ${valueBytes} bytes; the limit is ${MAX_ENVIRONMENT_VALUE_BYTES}`,
      });
    }
    // execve cannot carry a NUL inside a value; catching it here beats an engine error later.
    if (value.includes('\0')) problems.push({ field: keyField, reason: 'value contains a NUL character' });
  }
  return problems;
}

/**
 * Checks an environment map: ≤ 128 entries, POSIX keys ≤ 256 bytes, values ≤ 8192 bytes,
 * no reserved `OPENSHELL_*` keys.
 * @throws InvalidArgumentError listing every problem by field.
 */
export function validateEnvironment(env: Readonly<Record<string, string>>, field: string): void {
  throwIfProblems('environment', findEnvironmentProblems(env, field));
}
