import path from 'node:path';

import { SocketPathError } from './errors.js';

/**
 * The longest socket path, in bytes, that fits `sockaddr_un.sun_path` with its NUL:
 * 108 - 1 on Linux, 104 - 1 on macOS and the BSDs. A longer path fails at bind() with a
 * bare EINVAL or, worse, gets silently truncated, so it is checked up front.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

const SHORT_PATH_HINT = 'use a shorter run directory, e.g. /run/shellgate or $XDG_RUNTIME_DIR/shellgate';

/** Throws {@link SocketPathError} unless `socketPath` is absolute and fits `sun_path`. */
export function validateSocketPath(socketPath: string, platform: NodeJS.Platform = process.platform): void {
  if (socketPath === '') {
    throw new SocketPathError(socketPath, 'is empty', { hint: 'pass an absolute path to --bind-socket' });
  }
  if (socketPath.includes('\0')) {
    throw new SocketPathError(socketPath, 'contains a NUL byte', { hint: 'pass a plain absolute path' });
  }
  if (!path.isAbsolute(socketPath)) {
    // A relative path would depend on the cwd the gateway happened to spawn us in.
    throw new SocketPathError(socketPath, 'is not absolute', {
      hint: `pass an absolute path, e.g. ${path.resolve(socketPath)}`,
    });
  }
  const lengthBytes = Buffer.byteLength(socketPath, 'utf8');
  const limitBytes = maxSocketPathBytes(platform);
  if (lengthBytes > limitBytes) {
    throw new SocketPathError(
      socketPath,
      `is ${lengthBytes} bytes long; Unix sockets allow at most ${limitBytes} bytes on ${platform}`,
      { hint: SHORT_PATH_HINT, details: { lengthBytes, limitBytes } },
    );
  }
}
