import path from 'node:path';

import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import { SocketInUseError, UnsafeSocketPathError } from './errors.js';
import type { SocketFileStat, SocketFs } from './socket-fs.js';
import { nodeSocketFs } from './socket-fs.js';
import { validateSocketPath } from './validate-socket-path.js';

/** Seams and limits of {@link prepareDriverSocket}; every field has a real default. */
export interface PrepareDriverSocketOptions {
  fs?: SocketFs;
  /** The uid that must own the directory and any old socket; default `process.getuid()`. */
  uid?: number;
  platform?: NodeJS.Platform;
  logger?: Logger;
  /** How long an old socket gets to accept a connection before we call it live; default 1000. */
  probeTimeoutMs?: number;
}

/** A socket path made safe to bind; hand `path` to the server, then `secure()` once it listens. */
export interface DriverSocket {
  readonly path: string;
  /** Restricts the bound socket to its owner (0600) and remembers its inode for `release`. */
  secure(): Promise<void>;
  /** Unlinks the socket if it is still the one we bound; leaves anyone else's alone. Idempotent. */
  release(): Promise<void>;
}

const PRIVATE_DIR_MODE = 0o700;
const SOCKET_MODE = 0o600;
const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/**
 * Makes `socketPath` safe to bind: checks its length, creates its directory 0700, refuses
 * symlinks, foreign owners and directories others can enter, and removes an old socket only
 * when it is ours and nobody answers on it (a live driver is never displaced).
 */
export async function prepareDriverSocket(
  socketPath: string,
  options: PrepareDriverSocketOptions = {},
): Promise<DriverSocket> {
  const fs = options.fs ?? nodeSocketFs;
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const logger = options.logger ?? silentLogger;
  validateSocketPath(socketPath, options.platform);
  await ensurePrivateDirectory(socketPath, fs, uid);
  await clearStaleSocket(socketPath, fs, uid, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, logger);
  return trackSocket(socketPath, fs, logger);
}

async function ensurePrivateDirectory(socketPath: string, fs: SocketFs, uid: number): Promise<void> {
  const dir = path.dirname(socketPath);
  let stat = await fs.lstat(dir);
  if (stat === undefined) {
    await fs.mkdir(dir, PRIVATE_DIR_MODE);
    stat = await fs.lstat(dir);
  }
  // Only the last component is checked for a symlink: ancestors such as /var/run -> /run are
  // normal, and the 0700 directory we own is what keeps other users out.
  if (stat === undefined || stat.isSymbolicLink()) {
    throw new UnsafeSocketPathError(socketPath, `its directory ${dir} is a symlink`, {
      hint: 'point --bind-socket into the real directory, not through a symlink',
    });
  }
  if (!stat.isDirectory()) {
    throw new UnsafeSocketPathError(socketPath, `${dir} is not a directory`, {
      hint: 'choose a socket path inside a directory',
    });
  }
  if (stat.uid !== uid) {
    throw new UnsafeSocketPathError(socketPath, `its directory ${dir} is owned by uid ${stat.uid}, not by us (uid ${uid})`, {
      hint: 'use a run directory owned by the user the driver runs as',
      details: { dir, ownerUid: stat.uid, uid },
    });
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new UnsafeSocketPathError(
      socketPath,
      `its directory ${dir} has mode ${formatMode(stat.mode)}; group and others must have no access`,
      {
        hint: `use a private directory the driver creates, e.g. ${path.join(dir, 'shellgate', path.basename(socketPath))}, or run chmod 700 ${dir} if only the driver user uses it`,
        details: { dir },
      },
    );
  }
}

async function clearStaleSocket(
  socketPath: string,
  fs: SocketFs,
  uid: number,
  probeTimeoutMs: number,
  logger: Logger,
): Promise<void> {
  const stat = await fs.lstat(socketPath);
  if (stat === undefined) return;
  if (stat.isSymbolicLink()) {
    throw new UnsafeSocketPathError(socketPath, 'it is a symlink', {
      hint: 'remove the symlink or choose another --bind-socket path',
    });
  }
  if (!stat.isSocket()) {
    throw new UnsafeSocketPathError(socketPath, 'a file that is not a socket is in the way', {
      hint: 'move that file away or choose another --bind-socket path',
    });
  }
  if (stat.uid !== uid) {
    throw new UnsafeSocketPathError(socketPath, `the existing socket belongs to uid ${stat.uid}, not to us (uid ${uid})`, {
      hint: 'stop the other user\u2019s driver or choose another --bind-socket path',
      details: { ownerUid: stat.uid, uid },
    });
  }
  if (await fs.isAnswering(socketPath, probeTimeoutMs)) throw new SocketInUseError(socketPath);
  logger.info('removing stale driver socket', { socketPath });
  await fs.unlink(socketPath);
}

function trackSocket(socketPath: string, fs: SocketFs, logger: Logger): DriverSocket {
  let bound: SocketFileStat | undefined;
  let released = false;
  return {
    path: socketPath,
    async secure() {
      // Between bind() and this chmod the socket has umask permissions; the 0700 directory
      // is what keeps other users out during that window.
      await fs.chmod(socketPath, SOCKET_MODE);
      bound = await fs.lstat(socketPath);
    },
    async release() {
      if (released) return;
      released = true;
      if (bound === undefined) return;
      const current = await fs.lstat(socketPath);
      if (current === undefined) return;
      if (current.isSocket() && isSameFile(current, bound)) {
        await fs.unlink(socketPath);
        return;
      }
      logger.warn('driver socket was replaced by someone else; leaving it in place', { socketPath });
    },
  };
}

// Inode numbers alone are not enough: tmpfs hands a freed inode number straight to the next
// socket bound at the same path. The change time (set by our chmod) tells the two apart.
function isSameFile(a: SocketFileStat, b: SocketFileStat): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.ctimeMs === b.ctimeMs;
}

function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
