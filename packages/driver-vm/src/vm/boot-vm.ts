import { chmod, chown, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { QemuBoot } from '../qemu/qemu-command.js';
import { QemuSocket, toQemuArgs } from '../qemu/qemu-command.js';
import { QmpClient } from '../qemu/qmp-client.js';
import type { QmpEvent } from '../qemu/qmp-client.js';
import { ConsoleTap } from './console-tap.js';
import { readStartTicks } from './process-identity.js';
import { RunningVm } from './running-vm.js';
import type { InheritedFile } from './spawn-qemu.js';
import { spawnQemu } from './spawn-qemu.js';

/** QEMU did not come up: it exited, or its QMP socket never answered. */
export class VmBootError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VmBootError';
  }
}

export interface BootVmOptions {
  readonly sandboxId: string;
  readonly boot: QemuBoot;
  readonly files: readonly InheritedFile[];
  readonly qemuBinary: string;
  /** QEMU's own stdout/stderr log. */
  readonly logPath: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly env: Readonly<Record<string, string>>;
  /** How long QEMU may take to answer on QMP. */
  readonly startTimeoutMs: number;
  readonly onEvent?: (event: QmpEvent) => void;
}

const QMP_RETRY_MS = 20;
const LOG_TAIL_CHARS = 1500;

/** The run dir: sockets only, owned by QEMU's uid, 0700; stale sockets of a previous boot removed. */
async function prepareRunDir(dir: string, uid: number | undefined, gid: number | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of Object.values(QemuSocket)) await rm(join(dir, name), { force: true });
  if (uid !== undefined) await chown(dir, uid, gid ?? uid);
  await chmod(dir, 0o700);
}

async function readLogTail(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim().slice(-LOG_TAIL_CHARS);
  } catch {
    return '';
  }
}

/**
 * Boots one VM: QEMU starts paused (`-S`), the driver connects QMP and the console, then the
 * guest runs (`cont`), so not a line of the console is lost.
 * @throws VmBootError with QEMU's own error output when it exits or does not answer in time.
 */
export async function bootVm(options: BootVmOptions): Promise<RunningVm> {
  const { boot } = options;
  await prepareRunDir(boot.runDir, options.uid, options.gid);
  const child = await spawnQemu({
    binary: options.qemuBinary,
    args: [...toQemuArgs(boot), '-S'],
    files: options.files,
    logPath: options.logPath,
    cwd: boot.runDir,
    env: options.env,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  const pid = child.pid!;
  const startTicks = readStartTicks(pid) ?? -1;
  const qmpPath = join(boot.runDir, QemuSocket.Qmp);
  const deadline = Date.now() + options.startTimeoutMs;
  let qmp: QmpClient | undefined;
  while (qmp === undefined) {
    if (child.exitCode !== null || child.signalCode !== null || startTicks < 0) {
      throw new VmBootError(`QEMU exited at start (${child.exitCode ?? child.signalCode ?? 'gone'}): ${await readLogTail(options.logPath)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new VmBootError(`QEMU did not answer on QMP within ${options.startTimeoutMs} ms: ${await readLogTail(options.logPath)}`);
    }
    try {
      qmp = await QmpClient.connect(qmpPath, Math.max(1, deadline - Date.now()));
    } catch {
      await sleep(QMP_RETRY_MS);
    }
  }
  const consoleTap = ConsoleTap.connect(join(boot.runDir, QemuSocket.Console));
  const vm = new RunningVm({
    sandboxId: options.sandboxId,
    identity: { pid, startTicks },
    runDir: boot.runDir,
    qmp,
    console: consoleTap,
    child,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  try {
    await consoleTap.connected;
    await qmp.execute('cont');
  } catch (error) {
    await vm.kill();
    throw new VmBootError(`QEMU did not start the guest: ${(error as Error).message}`, { cause: error });
  }
  return vm;
}
