import { chmod, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, ShellgateError, silentLogger, type Logger } from '@shellgate/driver-sdk';

/** The driver socket's name inside its run dir. */
export const DRIVER_SOCKET_FILE = 'driver.sock';
/** sun_path is 108 bytes on Linux and 104 on macOS, NUL included. */
const MAX_SOCKET_PATH_BYTES = 103;
/** What a run dir adds below its root; a pid has at most 7 digits (Linux pid_max is 2^22). */
const RUN_DIR_TAIL_BYTES = Buffer.byteLength(`/4194304-XXXXXX/${DRIVER_SOCKET_FILE}`);
/** `<gateway pid>-<6 random chars>`, as mkdtemp names it. */
const RUN_DIR_NAME = /^(\d{1,7})-[A-Za-z0-9]{6}$/;
const PRIVATE_DIR_MODE = 0o700;

/**
 * Run dirs this process made and has not removed yet. A sweep must keep them although their
 * pid (ours) is alive, and must remove older ones with our pid: a gateway that is pid 1 in a
 * container has the same pid on every start.
 */
const liveRunDirs = new Set<string>();

function fits(root: string): boolean {
  return Buffer.byteLength(root) + RUN_DIR_TAIL_BYTES <= MAX_SOCKET_PATH_BYTES;
}

export interface RunRootContext {
  /** Default `os.tmpdir()`. */
  readonly tmpDir?: string;
  /** Default `process.getuid()`. */
  readonly uid?: number;
}

/**
 * Where spawned drivers get their private run dirs (socket and config file): `STATE_DIR/run`,
 * so nothing is left loose in /tmp and a restarted gateway finds what a killed one left.
 * When a socket path under the state dir would not fit sun_path, `<tmpdir>/shellgate-<uid>-run`
 * (or /tmp when tmpdir is long too) instead.
 */
export function resolveDriverRunRoot(stateDir: string, context: RunRootContext = {}): string {
  const preferred = join(stateDir, 'run');
  if (fits(preferred)) return preferred;
  const name = `shellgate-${context.uid ?? process.getuid?.() ?? 0}-run`;
  const underTmpDir = join(context.tmpDir ?? tmpdir(), name);
  return fits(underTmpDir) ? underTmpDir : join('/tmp', name);
}

/** True when `pid` names a live process (EPERM: alive, but another user's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PrepareRunRootOptions {
  readonly logger?: Logger;
  /** Default `process.getuid()`; only this user's run dirs are swept. */
  readonly uid?: number;
  /** Default `process.pid`. */
  readonly ownPid?: number;
  readonly isAlive?: (pid: number) => boolean;
}

/**
 * Creates the run root 0700, refusing one that is a symlink or another user's (it may be
 * under a shared /tmp), then sweeps stale run dirs from it: ours (by owner and name) whose
 * gateway process is gone. Run dirs of a live gateway are never touched.
 * @returns the run dirs removed.
 */
export async function prepareDriverRunRoot(root: string, options: PrepareRunRootOptions = {}): Promise<string[]> {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  await mkdir(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stats = await lstat(root);
  if (!stats.isDirectory() || stats.uid !== uid) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `driver run directory ${root} is not a directory owned by uid ${uid}`, {
      hint: `remove ${root}, or give the gateway a state_dir short enough for socket paths under it`,
      details: { root, ownerUid: stats.uid },
    });
  }
  if ((stats.mode & 0o077) !== 0) await chmod(root, PRIVATE_DIR_MODE);
  return sweepStaleRunDirs(root, { ...options, uid });
}

/** Removes the run dirs under `root` that are ours and whose gateway process is gone. */
export async function sweepStaleRunDirs(root: string, options: PrepareRunRootOptions = {}): Promise<string[]> {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const ownPid = options.ownPid ?? process.pid;
  const isAlive = options.isAlive ?? isProcessAlive;
  const removed: string[] = [];
  for (const name of await readdir(root)) {
    const pid = Number(RUN_DIR_NAME.exec(name)?.[1] ?? Number.NaN);
    const path = join(root, name);
    if (Number.isNaN(pid) || liveRunDirs.has(resolve(path))) continue;
    if (pid !== ownPid && isAlive(pid)) continue;
    const stats = await lstat(path);
    if (!stats.isDirectory() || stats.uid !== uid) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  if (removed.length > 0) (options.logger ?? silentLogger).info('removed run dirs left by a gateway that is gone', { root, removed });
  return removed;
}

/** A new private run dir under `root` (created 0700 if missing), named after this process. */
export async function createDriverRunDir(root: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  const runDir = await mkdtemp(join(root, `${process.pid}-`));
  liveRunDirs.add(resolve(runDir));
  return runDir;
}

/** Removes a run dir made by {@link createDriverRunDir}; idempotent. */
export async function removeDriverRunDir(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true });
  liveRunDirs.delete(resolve(runDir));
}
