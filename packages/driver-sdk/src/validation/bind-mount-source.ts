import { realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';

import { FailedPreconditionError, InvalidArgumentError, quoteValue } from '../errors.js';
import type { ValidationProblem } from './validation-error.js';

/**
 * Host directories no bind mount may be at, under or above: the system's configuration,
 * binaries and kernel filesystems, root's home, and the container engines' own state.
 * A sandbox holding one of them read-write owns the host; read-only, it reads its secrets.
 */
export const SENSITIVE_HOST_PATHS: readonly string[] = [
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/run',
  '/var/run',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/containers',
];

/**
 * The well-known container engine sockets (Docker, Podman, containerd, CRI-O): whoever
 * holds one creates privileged containers. A driver adds the socket it talks to.
 */
export const ENGINE_SOCKET_PATHS: readonly string[] = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/podman/podman.sock',
  '/run/containerd/containerd.sock',
  '/var/run/containerd/containerd.sock',
  '/run/docker/containerd/containerd.sock',
  '/run/crio/crio.sock',
];

/** Characters refused in a source: engines' mount syntaxes split on `:` (`-v`) and `,` (`--mount`, Podman). */
const SYNTAX_CHARACTERS = /[:,]/;
// Control characters are the point of this pattern.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A host path bind mounts must stay clear of, and what it is (the error names it). */
export interface ProtectedHostPath {
  readonly path: string;
  /** e.g. `the driver's state directory (every sandbox's token)`. */
  readonly role: string;
}

export interface BindMountSourcePolicy {
  /**
   * The driver's own paths: its state directory, the gateway's, the supervisor runtime
   * directories and the engine socket it uses. {@link SENSITIVE_HOST_PATHS} and
   * {@link ENGINE_SOCKET_PATHS} are always added. Absolute paths; they need not exist yet.
   */
  readonly protectedPaths: readonly ProtectedHostPath[];
}

/** One bind mount source to check, and the field it came from (`…mounts[0].source`). */
export interface BindMountSourceRef {
  readonly source: string;
  readonly field: string;
}

const BUILT_IN_PATHS: readonly ProtectedHostPath[] = [
  ...SENSITIVE_HOST_PATHS.map((path) => ({ path, role: 'a sensitive host directory' })),
  ...ENGINE_SOCKET_PATHS.map((path) => ({ path, role: 'a container engine socket' })),
];

/**
 * Problems with how a bind mount source is written (no file system access): an absolute,
 * normalized path (no `.`, `..`, `//`, trailing `/`) without `:`, `,` or control characters.
 */
export function findBindMountSourceProblems(source: string, field: string): ValidationProblem[] {
  const quoted = quoteValue(source);
  if (!posix.isAbsolute(source)) return [{ field, reason: `${quoted} must be an absolute host path` }];
  if (CONTROL_CHARACTERS.test(source)) return [{ field, reason: `${quoted} contains a control character` }];
  if (SYNTAX_CHARACTERS.test(source)) return [{ field, reason: `${quoted} contains ":" or ",", which container engines' mount syntax splits on` }];
  const normalized = posix.normalize(source);
  if (normalized !== source || (source.length > 1 && source.endsWith('/'))) {
    const suggestion = normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
    return [{ field, reason: `${quoted} is not normalized (no ".", ".." or "//"); write the path it means, e.g. ${quoteValue(suggestion)}` }];
  }
  return [];
}

function isAtOrUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}

/**
 * The real path of `path` when it exists; otherwise the real path of its deepest existing
 * ancestor with the rest appended (a protected directory not created yet still protects).
 */
async function toRealPathLenient(path: string): Promise<string> {
  const rest: string[] = [];
  let current = posix.resolve(path);
  for (;;) {
    try {
      return posix.join(await realpath(current), ...rest);
    } catch {
      if (current === '/') return posix.resolve(path);
      rest.unshift(posix.basename(current));
      current = posix.dirname(current);
    }
  }
}

/** Why `realPath` may not be mounted, or undefined. `/` is only refused itself, not everything under it. */
function findConflict(realPath: string, guarded: readonly ProtectedHostPath[]): string | undefined {
  for (const { path, role } of guarded) {
    const isUnder = path === '/' ? realPath === '/' : isAtOrUnder(realPath, path);
    if (isUnder) return `is at or under ${quoteValue(path)}, ${role}`;
    if (isAtOrUnder(path, realPath)) return `contains ${quoteValue(path)}, ${role}`;
  }
  return undefined;
}

async function toGuardedPaths(policy: BindMountSourcePolicy): Promise<ProtectedHostPath[]> {
  const declared = [...BUILT_IN_PATHS, ...policy.protectedPaths];
  // Both spellings: `/var/run` is usually a link to `/run`, and a state dir may sit behind a link.
  const resolved = await Promise.all(declared.map(async (entry) => ({ ...entry, path: await toRealPathLenient(entry.path) })));
  return [...declared.map((entry) => ({ ...entry, path: posix.resolve(entry.path) })), ...resolved];
}

async function isSocket(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isSocket() === true;
}

function errorCodeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

type SourceOutcome = { readonly realPath: string } | { readonly refused: ValidationProblem } | { readonly unavailable: ValidationProblem };

async function checkSource(ref: BindMountSourceRef, guarded: readonly ProtectedHostPath[]): Promise<SourceOutcome> {
  const quoted = quoteValue(ref.source);
  let realPath: string;
  try {
    realPath = await realpath(ref.source);
  } catch (error) {
    const code = errorCodeOf(error);
    const reason =
      code === 'ENOENT' || code === 'ENOTDIR' ? `${quoted} does not exist on the engine host` : `${quoted} cannot be resolved by the driver (${code ?? String(error)})`;
    return { unavailable: { field: ref.field, reason } };
  }
  const named = realPath === ref.source ? quoted : `${quoted} (real path ${quoteValue(realPath)})`;
  const conflict = findConflict(realPath, guarded);
  if (conflict !== undefined) return { refused: { field: ref.field, reason: `${named} ${conflict}` } };
  if (await isSocket(realPath)) return { refused: { field: ref.field, reason: `${named} is a socket; sockets are never mounted into sandboxes` } };
  return { realPath };
}

function listProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
}

/**
 * Resolves every bind mount source to its real path (following symlinks) and checks it:
 * a source at, under or above a protected path ({@link SENSITIVE_HOST_PATHS},
 * {@link ENGINE_SOCKET_PATHS}, the policy's own) or that is a socket is refused. Mount the
 * returned real paths, not the sources, so a link swapped afterwards changes nothing.
 * Sources must have passed {@link findBindMountSourceProblems}.
 * @returns the real paths, in the order of `sources`.
 * @throws InvalidArgumentError listing every refused source by field.
 * @throws FailedPreconditionError listing every source that does not exist (or cannot be resolved).
 */
export async function resolveBindMountSources(sources: readonly BindMountSourceRef[], policy: BindMountSourcePolicy): Promise<string[]> {
  if (sources.length === 0) return [];
  const guarded = await toGuardedPaths(policy);
  const outcomes = await Promise.all(sources.map((ref) => checkSource(ref, guarded)));
  const refused = outcomes.flatMap((outcome) => ('refused' in outcome ? [outcome.refused] : []));
  if (refused.length > 0) {
    throw new InvalidArgumentError(`bind mount source refused: ${listProblems(refused)}`, {
      hint: 'mount a directory of its own (e.g. /srv/sandbox-data), not host system paths, engine sockets or Shellgate state and runtime directories',
      details: { problems: refused.map((problem) => ({ ...problem })) },
    });
  }
  const unavailable = outcomes.flatMap((outcome) => ('unavailable' in outcome ? [outcome.unavailable] : []));
  if (unavailable.length > 0) {
    throw new FailedPreconditionError(`bind mount source unavailable: ${listProblems(unavailable)}`, {
      hint: 'create the directory on the engine host (readable by the driver) or fix the path',
      details: { problems: unavailable.map((problem) => ({ ...problem })) },
    });
  }
  return outcomes.map((outcome) => ('realPath' in outcome ? outcome.realPath : ''));
}
