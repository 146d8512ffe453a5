import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

import type { MountSpec } from '@shellgate/container-engine';
import { ROOT_STATE_ROOT, quoteValue, throwIfProblems } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

/**
 * Host paths no bind mount may expose, at or under: the kernel's and devices' file systems,
 * host configuration and root's home, runtime directories (every engine socket lives under
 * /run), the engines' storage (other containers' files), and Shellgate's state (every
 * sandbox's token, the gateway's keys).
 */
export const REFUSED_BIND_ROOTS: readonly string[] = ['/proc', '/sys', '/dev', '/boot', '/etc', '/root', '/run', '/var/run', '/var/lib/containers', '/var/lib/docker', ROOT_STATE_ROOT];

/** What the bind checks read from the host; the real file system by default. */
export interface BindSourceFs {
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<Pick<Stats, 'isFile' | 'isDirectory'>>;
}

const HOST_FS: BindSourceFs = { realpath: (path) => realpath(path), stat: (path) => stat(path) };

export interface BindSourcePolicy {
  /**
   * Directories of this driver a bind may not be at, under or above (a bind of their parent
   * would expose them too): its state dir, the supervisor runtime bundle.
   */
  readonly protectedDirs: readonly string[];
  readonly fs?: BindSourceFs;
}

function isAtOrUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}

async function findSourceProblem(source: string, protectedDirs: readonly string[], fs: BindSourceFs): Promise<{ reason: string } | { realPath: string }> {
  // Podman's mount options are comma-separated and its volume syntax colon-separated.
  if (/[:,]/.test(source)) return { reason: `${quoteValue(source)} contains ":" or ","` };
  let realPath: string;
  try {
    realPath = await fs.realpath(source);
  } catch {
    return { reason: `${quoteValue(source)} does not exist on the engine host` };
  }
  const shown = realPath === source ? quoteValue(source) : `${quoteValue(source)} (really ${quoteValue(realPath)})`;
  const status = await fs.stat(realPath);
  if (!status.isFile() && !status.isDirectory()) return { reason: `${shown} is not a regular file or directory (sockets and devices are refused)` };
  if (realPath === '/') return { reason: `${shown} is the host's root directory` };
  const refusedRoot = REFUSED_BIND_ROOTS.find((root) => isAtOrUnder(realPath, root));
  if (refusedRoot !== undefined) return { reason: `${shown} is at or under ${quoteValue(refusedRoot)}, which sandboxes may not see` };
  const guarded = protectedDirs.find((dir) => isAtOrUnder(realPath, dir) || isAtOrUnder(dir, realPath));
  if (guarded !== undefined) return { reason: `${shown} would expose the driver's own ${quoteValue(guarded)} (its state or the supervisor runtime)` };
  return { realPath };
}

/**
 * Checks every bind mount's source on the host, after resolving symlinks and `..`: it must
 * exist, be a file or directory (no sockets, so no engine socket), and be none of the
 * {@link REFUSED_BIND_ROOTS} nor at, under or above one of the driver's own directories.
 * Answers the mounts with each bind source replaced by its real path, which is what the
 * engine gets: a symlink swapped after the check cannot redirect the mount.
 * @throws InvalidArgumentError naming each refused source by field (`<mountsField>[i].source`).
 */
export async function resolveBindSources(mounts: readonly MountSpec[], mountsField: string, policy: BindSourcePolicy): Promise<MountSpec[]> {
  const fs = policy.fs ?? HOST_FS;
  const protectedDirs = await Promise.all(policy.protectedDirs.map((dir) => fs.realpath(dir).catch(() => dir)));
  const problems: ValidationProblem[] = [];
  const resolved: MountSpec[] = [];
  for (const [index, mount] of mounts.entries()) {
    if (mount.type !== 'bind' || mount.source === undefined) {
      resolved.push(mount);
      continue;
    }
    const outcome = await findSourceProblem(mount.source, protectedDirs, fs);
    if ('reason' in outcome) problems.push({ field: `${mountsField}[${index}].source`, reason: outcome.reason });
    else resolved.push({ ...mount, source: outcome.realPath });
  }
  throwIfProblems('podman driver_config', problems, 'bind-mount a directory made for the sandbox, e.g. under /srv');
  return resolved;
}
