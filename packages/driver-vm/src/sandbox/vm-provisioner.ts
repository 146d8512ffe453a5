import { join } from 'node:path';

import { TerminalReason, TransientReason, setPendingReady, toPendingDriverSandbox } from '@shellgate/driver-sdk';
import type { DriverSandbox, Logger, PendingSandbox, ProvisioningFailure, SandboxTlsFiles } from '@shellgate/driver-sdk';

import { createExt4Disk } from '../disks/ext4-disk.js';
import type { RunHostCommand } from '../host/run-host-command.js';
import type { BaseDiskCache } from '../image/base-disk-cache.js';
import { ImageUnavailableError } from '../image/image-source.js';
import type { SandboxStateStore, StoredLaunch, VmSandboxRecord } from '../state.js';
import type { VmHandle } from '../vm/running-vm.js';
import { toStoredLaunch } from './stored-launch.js';
import type { ValidatedVmSandbox } from './validate-vm-sandbox.js';
import type { SandboxBooter } from './vm-booter.js';
import { STATE_DISK_FILE, extraDiskFile } from './vm-booter.js';

/** What the background create needs from the driver. */
export interface VmProvisionContext {
  readonly store: SandboxStateStore;
  readonly baseDisks: Pick<BaseDiskCache, 'ensure'>;
  readonly booter: SandboxBooter;
  readonly run: RunHostCommand;
  readonly logger: Logger;
  readonly defaultImage: string;
  readonly diskSizeMib: number;
  /** `OPENSHELL_ENDPOINT` as the guest sees it. */
  readonly endpoint: string;
  /** Where the guest's supervisor finds the `supervisor_tls_*` files; undefined: none. */
  readonly tls: SandboxTlsFiles | undefined;
  /** Called on every change of the pending record. */
  readonly onUpdate: (sandbox: DriverSandbox) => void;
  readonly onPlatformEvent: (sandboxId: string, reason: string, message: string, type?: 'Normal' | 'Warning') => void;
  /** The VM booted: the pending record is dropped and the running VM speaks for the sandbox. */
  readonly onBooted: (pending: PendingSandbox, vm: VmHandle) => void;
}

/** A step failed for good: the sandbox turns Ready=False with `reason`. */
class ProvisionStepError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

async function runStep<T>(reason: string, describe: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ProvisionStepError) throw error;
    const message = error instanceof ImageUnavailableError ? error.message : `${describe}: ${(error as Error).message}`;
    throw new ProvisionStepError(error instanceof ImageUnavailableError ? TerminalReason.ImagePullFailed : reason, message, { cause: error });
  }
}

/**
 * The asynchronous half of CreateSandbox: the image's base disk (exported and packed once
 * per image), the launch spec, the sandbox's writable disks, then the first boot. Each step
 * is a Ready=False Starting message; a failure is terminal
 * (ImagePullFailed, ContainerCreateFailed, ContainerStartFailed, with the reason) and saved
 * in the state file so it survives a driver restart. A cancelled create (Delete) records
 * nothing.
 */
export async function provisionVmSandbox(context: VmProvisionContext, pending: PendingSandbox, validated: ValidatedVmSandbox, record: VmSandboxRecord): Promise<void> {
  const signal = pending.abort.signal;
  const { sandbox } = validated;
  const image = sandbox.spec?.template?.image || context.defaultImage;
  // Each step shows as the Ready=False Starting message (the CLI prints it as it changes).
  const report = (message: string): void => {
    setPendingReady(pending, TransientReason.Starting, message);
    context.onUpdate(toPendingDriverSandbox(pending));
  };
  try {
    report(`resolving image ${image}`);
    const base = await runStep(TerminalReason.ImagePullFailed, `preparing image ${image}`, () => context.baseDisks.ensure(image, signal, report));
    const launch: StoredLaunch = await runStep(TerminalReason.ContainerCreateFailed, 'resolving the launch', async () => toStoredLaunch(validated, base, context.endpoint, context.tls));
    report('creating the writable disks');
    await runStep(TerminalReason.ContainerCreateFailed, 'creating the writable disk', () => createSandboxDisks(context, record.id, launch, signal));
    signal.throwIfAborted();
    const withLaunch: VmSandboxRecord = { ...record, launch };
    await context.store.writeState(withLaunch);
    const vm = await runStep(TerminalReason.ContainerStartFailed, 'booting the VM', () => context.booter.boot(withLaunch, launch, signal, report));
    if (signal.aborted) {
      await vm.kill();
      return;
    }
    context.onPlatformEvent(pending.id, 'Started', `VM started (QEMU pid ${vm.identity.pid})`);
    context.onBooted(pending, vm);
  } catch (error) {
    if (signal.aborted) return;
    const failure: ProvisioningFailure = error instanceof ProvisionStepError ? { reason: error.reason, message: error.message } : { reason: TerminalReason.ContainerCreateFailed, message: 'unexpected driver error; see the driver log' };
    context.logger.warn('sandbox create failed', { sandboxId: pending.id, reason: failure.reason, error });
    // Saved before it is visible anywhere, so a driver restart right after still shows the failure.
    await context.store.writeState({ ...record, failure }).catch((stateError: unknown) => context.logger.warn('could not save the failure state', { sandboxId: pending.id, error: stateError }));
    pending.failure = failure;
    setPendingReady(pending, failure.reason, failure.message);
    context.onPlatformEvent(pending.id, failure.reason, failure.message, 'Warning');
    context.onUpdate(toPendingDriverSandbox(pending));
  }
}

async function createSandboxDisks(context: VmProvisionContext, sandboxId: string, launch: StoredLaunch, signal: AbortSignal): Promise<void> {
  const dir = context.store.sandboxDir(sandboxId);
  await createExt4Disk(join(dir, STATE_DISK_FILE), context.diskSizeMib, context.run, signal);
  for (const [index, disk] of launch.disks.entries()) await createExt4Disk(join(dir, extraDiskFile(index)), disk.sizeMib, context.run, signal);
}
