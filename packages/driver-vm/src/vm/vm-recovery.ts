import { join } from 'node:path';

import { TerminalReason } from '@shellgate/driver-sdk';
import type { Logger, ProvisioningFailure } from '@shellgate/driver-sdk';

import { QemuSocket } from '../qemu/qemu-command.js';
import { QmpClient } from '../qemu/qmp-client.js';
import type { QmpEvent } from '../qemu/qmp-client.js';
import { UNKNOWN_EXIT_MESSAGE } from '../sandbox/vm-sandbox-status.js';
import type { SandboxStateStore, VmSandboxRecord } from '../state.js';
import { ConsoleTap } from './console-tap.js';
import { isSameProcessAlive } from './process-identity.js';
import { RunningVm } from './running-vm.js';
import type { VmHandle } from './running-vm.js';

/** What a state record turned out to be when the driver started. */
export type RecoveryOutcome =
  | { readonly kind: 'running'; readonly vm: VmHandle }
  /** A create that failed, or was cut off by the driver's end: the record now carries the failure. */
  | { readonly kind: 'failed'; readonly record: VmSandboxRecord & { readonly failure: ProvisioningFailure } }
  /** Not running (stopped, or ended while the driver was down, which the record now says). */
  | { readonly kind: 'idle' };

const QMP_TIMEOUT_MS = 5000;

/** What the driver needs to find VMs again at start (a fake in tests). */
export interface SandboxRecovery {
  recover(record: VmSandboxRecord, onEvent: (event: QmpEvent) => void): Promise<RecoveryOutcome>;
}

/**
 * Finds the VMs a previous driver process left running: a record's QEMU (pid and start
 * time, so a reused pid is never taken for it) is reconnected over QMP and its console, and
 * is from then on watched like one we spawned. QEMU that no longer answers QMP is killed.
 */
export class VmRecovery implements SandboxRecovery {
  readonly #store: SandboxStateStore;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(options: { store: SandboxStateStore; logger: Logger; now?: () => number }) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  async recover(record: VmSandboxRecord, onEvent: (event: QmpEvent) => void): Promise<RecoveryOutcome> {
    if (record.failure !== undefined) return { kind: 'failed', record: { ...record, failure: record.failure } };
    if (record.launch === undefined) {
      const failed = { ...record, failure: { reason: TerminalReason.ContainerCreateFailed, message: 'the driver stopped during the create; delete the sandbox and create it again' } };
      await this.#store.writeState(failed);
      return { kind: 'failed', record: failed };
    }
    const process = record.process;
    if (process !== undefined && isSameProcessAlive(process)) {
      try {
        const qmp = await QmpClient.connect(join(process.runDir, QemuSocket.Qmp), QMP_TIMEOUT_MS);
        const console = ConsoleTap.connect(join(process.runDir, QemuSocket.Console));
        this.#logger.info('found a running VM again', { sandboxId: record.id, pid: process.pid });
        return { kind: 'running', vm: new RunningVm({ sandboxId: record.id, identity: process, runDir: process.runDir, qmp, console, onEvent }) };
      } catch (error) {
        this.#logger.warn('a VM of a previous driver process does not answer on QMP; killing it', { sandboxId: record.id, pid: process.pid, error });
        try {
          globalThis.process.kill(process.pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    if (process !== undefined || (!record.isStoppedByUs && record.lastExit === undefined)) {
      const { process: _process, ...rest } = record;
      await this.#store.writeState(record.isStoppedByUs || record.lastExit !== undefined ? rest : { ...rest, lastExit: { message: UNKNOWN_EXIT_MESSAGE, atMs: this.#now() } });
    }
    return { kind: 'idle' };
  }
}
