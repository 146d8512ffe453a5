import { TerminalReason, TransientReason, setPendingReady, toPendingDriverSandbox } from '@shellgate/driver-sdk';
import type { DriverSandbox, Logger, SandboxFileStore } from '@shellgate/driver-sdk';

import { engineMessageOf } from '../errors.js';
import type { ContainerInfo } from '../payload/container-info.js';
import { ContainerState } from '../payload/container-info.js';
import type { ImageInfo } from '../payload/image-info.js';
import type { MountSpec } from './container-mounts.js';
import type { ContainerSandboxEngine, ImagePullPolicy, PullProgress } from './container-sandbox-engine.js';
import type { PendingSandbox } from './pending-sandbox.js';
import { ImageUnavailableError, resolveImage } from './resolve-image.js';

/** Pull progress becomes at most one platform event per this many ms (plus start and end). */
export const PULL_PROGRESS_INTERVAL_MS = 1000;

/** What every create spec carries, whatever the engine's body: the name and our labels. */
export interface ContainerSpecBase {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An image as the create resolved it: the reference asked for and the engine's inspect. */
export interface ResolvedImage {
  readonly reference: string;
  readonly info: ImageInfo;
}

/** The engine calls a create makes; `createContainer` takes the driver's own spec. */
export interface ProvisionEngine<Spec> extends Pick<ContainerSandboxEngine, 'inspectImage' | 'pullImage' | 'startContainer'> {
  /** Returns the new container's id. */
  createContainer(spec: Spec, signal: AbortSignal): Promise<string>;
}

/** What the background create needs from the driver. */
export interface ProvisionContext<Network, Spec extends ContainerSpecBase> {
  readonly engine: ProvisionEngine<Spec>;
  readonly store: SandboxFileStore;
  readonly logger: Logger;
  readonly defaultImage: string;
  readonly pullPolicy: ImagePullPolicy;
  readonly ensureNetwork: (signal: AbortSignal) => Promise<Network>;
  /** The sandbox's own mounts from its validated `driver_config` (bind sources as the real paths validation checked). */
  readonly mounts: readonly MountSpec[];
  /**
   * Checks the bind mounts again right before the create and answers them as real paths
   * (the drivers' `resolveBindMounts`): a source swapped for a link during the pull is caught.
   */
  readonly resolveBindMounts: (mounts: readonly MountSpec[]) => Promise<readonly MountSpec[]>;
  /** The driver's create spec, with the mounts just checked; may throw (the sandbox then fails with ContainerCreateFailed and the error's message). */
  readonly toSpec: (image: ResolvedImage, network: Network, mounts: readonly MountSpec[]) => Spec;
  /** Called on every change of the pending record. */
  readonly onUpdate: (sandbox: DriverSandbox) => void;
  readonly onPlatformEvent: (sandboxId: string, reason: string, message: string, type?: 'Normal' | 'Warning') => void;
  /**
   * Called once the start call returned: the record is dropped and the container speaks for
   * itself. `started` is the container as the start result implies it (running).
   */
  readonly onStarted: (pending: PendingSandbox, started: ContainerInfo) => Promise<void>;
  readonly now: () => number;
  /**
   * Aborts on driver shutdown. The container create is bounded by it, not by Delete: an
   * aborted create request may still create the container, after Delete looked for it.
   */
  readonly lifetime: AbortSignal;
}

/**
 * What a container created from `spec` looks like once its start call returned: running,
 * with the labels and name we gave it. Lets a create publish Running without an inspect.
 */
export function toStartedContainerInfo(containerId: string, spec: ContainerSpecBase): ContainerInfo {
  return { id: containerId, name: spec.name, labels: spec.labels, state: ContainerState.Running, exitCode: 0, isOomKilled: false, error: '' };
}

/** A step failed for good: the sandbox turns Ready=False with `reason`. */
class ProvisionStepError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string, cause: unknown) {
    super(message, { cause });
    this.reason = reason;
  }
}

async function runStep<T>(reason: string, describe: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ProvisionStepError) throw error;
    const message = error instanceof ImageUnavailableError ? error.message : `${describe}: ${engineMessageOf(error)}`;
    throw new ProvisionStepError(reason, message, error);
  }
}

function createPullReporter(
  context: Pick<ProvisionContext<unknown, ContainerSpecBase>, 'onPlatformEvent' | 'now'>,
  sandboxId: string,
  image: string,
): { onStart: () => void; onProgress: (p: PullProgress) => void } {
  let lastEventMs = Number.NEGATIVE_INFINITY;
  return {
    onStart: () => context.onPlatformEvent(sandboxId, 'Pulling', `pulling image ${image}`),
    onProgress: (progress) => {
      const nowMs = context.now();
      if (nowMs - lastEventMs < PULL_PROGRESS_INTERVAL_MS) return;
      lastEventMs = nowMs;
      const layer = progress.layerId === undefined ? '' : ` ${progress.layerId}`;
      const detail = progress.detail === undefined ? '' : ` ${progress.detail}`;
      context.onPlatformEvent(sandboxId, 'PullProgress', `${image}:${layer} ${progress.status}${detail}`.replace(/\s+/g, ' '));
    },
  };
}

/**
 * The asynchronous half of CreateSandbox: resolve the image per the pull policy (pulling if
 * needed), create the container from the image id, start it. Each step is a platform event
 * and a Ready=False Starting message; a failure is terminal (ImagePullFailed,
 * ContainerCreateFailed, ContainerStartFailed, with the engine's message) and is saved in
 * the state file so it survives a driver restart. A cancelled create (Delete) records nothing.
 */
export async function provisionSandbox<Network, Spec extends ContainerSpecBase>(
  context: ProvisionContext<Network, Spec>,
  pending: PendingSandbox,
  sandbox: DriverSandbox,
): Promise<void> {
  const signal = pending.abort.signal;
  const image = sandbox.spec?.template?.image || context.defaultImage;
  const update = (message: string): void => {
    setPendingReady(pending, TransientReason.Starting, message);
    context.onUpdate(toPendingDriverSandbox(pending));
  };
  try {
    const imageInfo = await runStep(TerminalReason.ImagePullFailed, `resolving image ${image}`, () =>
      resolveImage(context.engine, image, context.pullPolicy, createPullReporter(context, pending.id, image), signal),
    );
    update(`creating container from ${image}`);
    const network = await runStep(TerminalReason.ContainerCreateFailed, 'preparing the sandbox network', () => context.ensureNetwork(signal));
    // Checked at validation already; a source swapped for a link during the pull is caught here.
    const mounts = await runStep(TerminalReason.ContainerCreateFailed, 'checking bind mounts', () => context.resolveBindMounts(context.mounts));
    const spec = await runStep(TerminalReason.ContainerCreateFailed, 'creating the container', async () => context.toSpec({ reference: image, info: imageInfo }, network, mounts));
    pending.instanceId = await runStep(TerminalReason.ContainerCreateFailed, 'creating the container', () => context.engine.createContainer(spec, context.lifetime));
    signal.throwIfAborted(); // Deleted meanwhile: Delete, waiting for this task, removes the container.
    context.onPlatformEvent(pending.id, 'Created', `created container ${spec.name} from ${image} (${imageInfo.id})`);
    update('starting container');
    await runStep(TerminalReason.ContainerStartFailed, 'starting the container', () => context.engine.startContainer(pending.instanceId, signal));
    context.onPlatformEvent(pending.id, 'Started', `started container ${spec.name}`);
    await context.onStarted(pending, toStartedContainerInfo(pending.instanceId, spec));
  } catch (error) {
    if (signal.aborted) return;
    const failure = error instanceof ProvisionStepError ? { reason: error.reason, message: error.message } : { reason: TerminalReason.ContainerCreateFailed, message: 'unexpected driver error; see the driver log' };
    context.logger.warn('sandbox create failed', { sandboxId: pending.id, reason: failure.reason, error });
    // Saved before it is visible anywhere, so a driver restart right after still shows the failure.
    await context.store
      .writeState({ id: pending.id, name: pending.name, namespace: pending.namespace, workspace: pending.workspace, isStoppedByUs: false, failure })
      .catch((stateError: unknown) => context.logger.warn('could not save the failure state', { sandboxId: pending.id, error: stateError }));
    pending.failure = failure;
    setPendingReady(pending, failure.reason, failure.message);
    context.onPlatformEvent(pending.id, failure.reason, failure.message, 'Warning');
    context.onUpdate(toPendingDriverSandbox(pending));
  }
}
