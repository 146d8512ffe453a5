import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { QmpClient, QmpEvent } from '../qemu/qmp-client.js';
import { QemuSocket } from '../qemu/qemu-command.js';
import type { ConsoleTap } from './console-tap.js';
import type { ProcessIdentity } from './process-identity.js';
import { isSameProcessAlive } from './process-identity.js';

/** How a VM ended, as far as the driver could see. */
export interface VmExit {
  /** QEMU's exit code; null when killed by a signal or when we were not its parent. */
  readonly qemuExitCode: number | null;
  readonly signal: string | null;
  /** The entrypoint's code as `/init` reported it on the console; undefined when it did not. */
  readonly entrypointExitCode: number | undefined;
  /** The last console lines, for a VM that did not get as far as its entrypoint. */
  readonly consoleTail: readonly string[];
  readonly atMs: number;
}

/** A VM as the driver handles it: {@link RunningVm}, or a fake in tests. */
export interface VmHandle {
  readonly sandboxId: string;
  readonly identity: ProcessIdentity;
  readonly runDir: string;
  /** Settles once QEMU is gone. */
  readonly exited: Promise<VmExit>;
  readonly isRunning: boolean;
  /** Stops the guest's entrypoint (SIGTERM, SIGKILL after `graceSeconds`), syncs and powers off. */
  stop(graceSeconds: number): Promise<VmExit>;
  /** Ends QEMU now. */
  kill(): Promise<VmExit>;
  /** Lets go of QEMU without stopping it. */
  detach(): void;
}

export interface RunningVmParts {
  readonly sandboxId: string;
  readonly identity: ProcessIdentity;
  readonly runDir: string;
  readonly qmp: QmpClient;
  readonly console: ConsoleTap;
  /** Present when this driver spawned QEMU (and so reaps it). */
  readonly child?: ChildProcess;
  /** How often a QEMU that is not our child is checked for life besides its QMP socket. */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
  readonly onEvent?: (event: QmpEvent) => void;
}

/** Lines of console kept in an exit report. */
const EXIT_CONSOLE_LINES = 12;
/** How long a QMP `quit` may take before QEMU is sent SIGKILL. */
const QUIT_GRACE_MS = 3000;
/** Slack beyond the stop grace: `/init` kills what is left, syncs and powers off. */
const STOP_SLACK_MS = 5000;
const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * One live QEMU: its QMP connection, its console, and a promise of its end. The end is seen
 * through whichever comes first of the child's `exit` (when we spawned it and are still its
 * parent), the QMP socket closing, or a poll of its pid and start time (after a restart of
 * the driver QEMU is no longer our child, and a wedged QEMU might keep its socket).
 */
export class RunningVm implements VmHandle {
  readonly sandboxId: string;
  readonly identity: ProcessIdentity;
  readonly runDir: string;
  readonly exited: Promise<VmExit>;
  readonly #parts: RunningVmParts;
  readonly #now: () => number;
  #control: Socket | undefined;
  #exit: VmExit | undefined;
  #isDetached = false;

  constructor(parts: RunningVmParts) {
    this.#parts = parts;
    this.sandboxId = parts.sandboxId;
    this.identity = parts.identity;
    this.runDir = parts.runDir;
    this.#now = parts.now ?? Date.now;
    if (parts.onEvent !== undefined) parts.qmp.on('event', parts.onEvent);
    this.exited = this.#watchExit();
  }

  get isRunning(): boolean {
    return this.#exit === undefined;
  }

  /**
   * Asks `/init` to stop the entrypoint (SIGTERM, then SIGKILL after `graceSeconds`), sync
   * and power off; falls back to QMP `quit` and then SIGKILL when the guest does not answer.
   */
  async stop(graceSeconds: number): Promise<VmExit> {
    if (this.#exit !== undefined) return this.#exit;
    try {
      await this.#sendControl(`stop ${graceSeconds}\n`);
    } catch {
      // No control channel: the fallback below still ends the VM.
    }
    if (await this.#waitForExit(graceSeconds * 1000 + STOP_SLACK_MS)) return this.#exit!;
    return this.kill();
  }

  /** Ends QEMU now: QMP `quit`, then SIGKILL. For delete, where the disks go anyway. */
  async kill(): Promise<VmExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#parts.qmp.execute('quit').catch(() => undefined);
    if (await this.#waitForExit(QUIT_GRACE_MS)) return this.#exit!;
    if (isSameProcessAlive(this.identity)) {
      try {
        process.kill(this.identity.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    return this.exited;
  }

  /** Closes our connections without touching QEMU (driver shutdown: VMs outlive the driver). */
  detach(): void {
    this.#isDetached = true;
    this.#parts.qmp.removeAllListeners('event');
    this.#parts.qmp.close();
    this.#parts.console.close();
    this.#control?.destroy();
    this.#parts.child?.removeAllListeners('exit');
  }

  async #waitForExit(timeoutMs: number): Promise<boolean> {
    const timeout = sleep(timeoutMs, false);
    return Promise.race([this.exited.then(() => true), timeout]);
  }

  async #sendControl(line: string): Promise<void> {
    if (this.#control === undefined || this.#control.destroyed) {
      const socket = createConnection(join(this.runDir, QemuSocket.Control));
      socket.on('error', () => socket.destroy());
      await once(socket, 'connect');
      // Kept open until QEMU exits: QEMU reads a command only once the guest opened the port.
      this.#control = socket;
    }
    this.#control.write(line);
  }

  async #watchExit(): Promise<VmExit> {
    const { child, qmp } = this.#parts;
    const childExit =
      child === undefined
        ? new Promise<never>(() => undefined)
        : new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const qmpClosed = new Promise<void>((resolve) => (qmp.isClosed ? resolve() : qmp.once('close', resolve)));
    const polled = this.#pollUntilGone();
    const first = await Promise.race([childExit, qmpClosed.then(() => undefined), polled.promise]);
    if (this.#isDetached) {
      polled.stop();
      return new Promise<never>(() => undefined);
    }
    let status = first ?? { code: null, signal: null };
    if (first === undefined) {
      // QMP closed first: QEMU is exiting. As its parent, wait for the real status.
      if (child !== undefined && child.exitCode === null && child.signalCode === null) status = await childExit;
      else if (child !== undefined) status = { code: child.exitCode, signal: child.signalCode };
      else while (isSameProcessAlive(this.identity)) await sleep(20);
    }
    polled.stop();
    // Give the console a moment to deliver /init's last line.
    await sleep(20);
    this.#exit = {
      qemuExitCode: status.code,
      signal: status.signal,
      entrypointExitCode: this.#parts.console.entrypointExitCode,
      consoleTail: this.#parts.console.lastLines(EXIT_CONSOLE_LINES),
      atMs: this.#now(),
    };
    this.#control?.destroy();
    this.#parts.console.close();
    qmp.close();
    return this.#exit;
  }

  #pollUntilGone(): { promise: Promise<undefined>; stop: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const interval = this.#parts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const promise = new Promise<undefined>((resolve) => {
      const check = (): void => {
        if (!isSameProcessAlive(this.identity)) return resolve(undefined);
        timer = setTimeout(check, interval);
        timer.unref();
      };
      timer = setTimeout(check, interval);
      timer.unref();
    });
    return { promise, stop: () => clearTimeout(timer) };
  }
}
