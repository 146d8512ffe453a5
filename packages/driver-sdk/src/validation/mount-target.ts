import { quoteValue } from '../errors.js';
import { posix } from 'node:path';

import type { ValidationProblem } from './validation-error.js';
import { throwIfProblems } from './validation-error.js';

/**
 * In-sandbox paths a user mount may not cover: the runtime bundle drivers inject read-only
 * (`/opt/shellgate`), the token and run files (`/run/shellgate`), and the kernel/device
 * filesystems the engine owns. Mounting over them would break or impersonate the supervisor.
 */
export const RESERVED_MOUNT_TARGETS: readonly string[] = ['/opt/shellgate', '/run/shellgate', '/proc', '/sys', '/dev'];

function isAtOrUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** Problems with an in-sandbox mount target path; empty when valid. */
export function findMountTargetProblems(path: string, field = 'mount target'): ValidationProblem[] {
  const quoted = quoteValue(path);
  if (!posix.isAbsolute(path)) return [{ field, reason: `${quoted} must be an absolute path` }];
  if (path.includes('\0')) return [{ field, reason: `${quoted} contains a NUL character` }];
  const normalized = posix.normalize(path);
  if (normalized !== path || (path.length > 1 && path.endsWith('/'))) {
    const suggestion = normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
    return [{ field, reason: `${quoted} is not normalized; use ${quoteValue(suggestion)}` }];
  }
  if (path === '/') return [{ field, reason: 'cannot mount over the root directory "/"' }];
  const reserved = RESERVED_MOUNT_TARGETS.find((root) => isAtOrUnder(path, root));
  if (reserved !== undefined) {
    const reason = `${quoted} is at or under ${quoteValue(reserved)}, which the sandbox runtime reserves`;
    return [{ field, reason }];
  }
  return [];
}

/**
 * Checks a mount target: absolute, normalized (no `.`, `..`, `//` or trailing `/`), not `/`,
 * and not at or under a {@link RESERVED_MOUNT_TARGETS} entry.
 * @throws InvalidArgumentError naming the field and the path.
 */
export function validateMountTarget(path: string, field = 'mount target'): void {
  throwIfProblems('mount', findMountTargetProblems(path, field), 'choose a path such as "/workspace" or "/data"');
}
