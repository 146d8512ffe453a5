import { promises as fsp } from 'node:fs';
import net from 'node:net';

/** The few `lstat` facts socket hardening looks at. */
export interface SocketFileStat {
  readonly uid: number;
  readonly mode: number;
  readonly dev: number;
  readonly ino: number;
  readonly ctimeMs: number;
  isDirectory(): boolean;
  isSocket(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * The file-system and connect seam of socket hardening, so tests can fake a foreign owner
 * or a racing unlink. `lstat` resolves `undefined` when nothing is at the path.
 */
export interface SocketFs {
  lstat(path: string): Promise<SocketFileStat | undefined>;
  mkdir(path: string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** True when a process accepts a connection on the socket within `timeoutMs`. */
  isAnswering(path: string, timeoutMs: number): Promise<boolean>;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** The real file system. */
export const nodeSocketFs: SocketFs = {
  async lstat(path) {
    try {
      return await fsp.lstat(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  async mkdir(path, mode) {
    await fsp.mkdir(path, { recursive: true, mode });
  },
  chmod: (path, mode) => fsp.chmod(path, mode),
  async unlink(path) {
    try {
      await fsp.unlink(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
  isAnswering: isSocketAnswering,
};

// Only a refused or vanished socket counts as dead. A timeout counts as alive: a busy
// driver with a full accept backlog is still a driver, and stealing its socket is worse
// than refusing to start.
function isSocketAnswering(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ path });
    const finish = (answering: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answering);
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      finish(!(error.code === 'ECONNREFUSED' || error.code === 'ENOENT'));
    });
  });
}
