import { toFailedPendingSandbox as toFailedBackendPending, toPendingSandbox as toBackendPending } from '@shellgate/driver-sdk';
import type { DriverSandbox, PendingSandbox as BackendPendingSandbox, ProvisioningFailure, SandboxRecord } from '@shellgate/driver-sdk';

/** The SDK's pending record of a sandbox whose container does not run yet (`instanceId`: the container, once created). */
export interface PendingSandbox extends BackendPendingSandbox {
  /**
   * A container event other than create/start (die, kill, stop...) arrived while the create
   * was in flight: the container may no longer run, so the hand-over must inspect it.
   */
  hasUnexpectedEvent: boolean;
}

/** A new pending record, Ready=False Starting. */
export function toPendingSandbox(sandbox: DriverSandbox, now?: Date): PendingSandbox {
  return { ...toBackendPending(sandbox, 'accepted; preparing the image', '', now), hasUnexpectedEvent: false };
}

/** The record of a create that failed before a driver restart, from its state file. */
export function toFailedPendingSandbox(record: SandboxRecord & { readonly failure: ProvisioningFailure }): PendingSandbox {
  return { ...toFailedBackendPending(record), hasUnexpectedEvent: false };
}
