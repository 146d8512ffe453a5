import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** A file QEMU gets as an inherited fd, in {@link toQemuArgs}' order. */
export interface InheritedFile {
  readonly path: string;
  readonly isWritable: boolean;
}

export interface SpawnQemuOptions {
  readonly binary: string;
  readonly args: readonly string[];
  /** Kernel, initramfs, then disks; a writable disk is listed as itself (read-write) and again read-only. */
  readonly files: readonly InheritedFile[];
  /** QEMU's stdout and stderr go here (its own warnings and errors; the guest console has a socket). */
  readonly logPath: string;
  /** Unprivileged ids to run as (the driver must be root to set them); undefined: the driver's own. */
  readonly uid?: number;
  readonly gid?: number;
  readonly cwd: string;
  /** QEMU's whole environment (PATH and the like; nothing secret). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Processes and threads a VM's uid may have: QEMU's own threads (vCPUs, up to 64 block I/O
 * workers, the main loop) plus the gateway forward's connectors, one per guest connection.
 * Without a cap a guest opening connections in a loop would fork host processes without end;
 * with it, a connector that cannot fork only refuses that one connection. Counted per uid,
 * so it applies only when each VM has a uid of its own.
 */
export const VM_PROCESS_LIMIT = 256;
const PRLIMIT = 'prlimit';

/**
 * Starts QEMU as a direct child (never `-daemonize`, so its exit is reaped at once), in its
 * own session and process group so it outlives the driver and is not hit by signals meant
 * for the driver's group, with nothing of the driver's stdio: a gone gateway pipe must not
 * SIGPIPE a VM. Under its own uid it is also capped at {@link VM_PROCESS_LIMIT} processes. The files are opened here, as the driver, and inherited as fds 3, 4...; our
 * copies are closed once QEMU has them.
 * @throws when QEMU cannot be started (ENOENT, EACCES).
 */
export async function spawnQemu(options: SpawnQemuOptions): Promise<ChildProcess> {
  const handles: FileHandle[] = [];
  try {
    for (const file of options.files) handles.push(await open(file.path, file.isWritable ? 'r+' : 'r'));
    const log = await open(options.logPath, 'w', 0o600);
    handles.push(log);
    // prlimit (util-linux) execs QEMU in place with the cap set: QEMU keeps the pid spawn reports.
    const [file, args] = options.uid === undefined ? [options.binary, options.args] : [PRLIMIT, [`--nproc=${VM_PROCESS_LIMIT}`, '--', options.binary, ...options.args]];
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', log.fd, log.fd, ...handles.slice(0, -1).map((handle) => handle.fd)],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      env: options.env,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.on('error', () => undefined);
    child.unref();
    return child;
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
}
