export { SocketInUseError, SocketListenError, SocketPathError, UnsafeSocketPathError } from './errors.js';
export type { DriverSocket, PrepareDriverSocketOptions } from './prepare-driver-socket.js';
export { prepareDriverSocket } from './prepare-driver-socket.js';
export type { SocketFileStat, SocketFs } from './socket-fs.js';
export { nodeSocketFs } from './socket-fs.js';
export { maxSocketPathBytes, validateSocketPath } from './validate-socket-path.js';
