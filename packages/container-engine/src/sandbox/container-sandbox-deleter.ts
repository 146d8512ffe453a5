import { FailedPreconditionError, quoteValue, validateWorkspaceName } from '@shellgate/driver-sdk';
import type { DeleteSandboxResponse, Logger, SandboxFileStore, SandboxTracker } from '@shellgate/driver-sdk';

import type { EngineNaming } from '../engine-naming.js';
import { toEngineDriverError } from '../errors.js';
import type { ContainerInventory, SandboxRef } from './container-inventory.js';
import type { ContainerSandboxEngine } from './container-sandbox-engine.js';

export interface ContainerSandboxDeleterOptions {
  readonly engine: Pick<ContainerSandboxEngine, 'endpoint' | 'removeContainer'>;
  readonly inventory: ContainerInventory;
  readonly store: Pick<SandboxFileStore, 'remove'>;
  readonly tracker: SandboxTracker;
  readonly logger: Logger;
  /** The engine's words in errors. */
  readonly naming: EngineNaming;
  /**
   * How a workspace is quoted in the busy-workspace message; `quoteValue` (long names cut) by
   * default. driver-docker passes `JSON.stringify`: its message always named the whole workspace.
   */
  readonly quoteWorkspace?: (workspace: string) => string;
}

/**
 * DeleteSandbox and DeleteWorkspace of a driver whose sandboxes are labelled containers: a
 * workspace is a label, so there is nothing to create or remove for it beyond its containers.
 */
export class ContainerSandboxDeleter {
  readonly #options: ContainerSandboxDeleterOptions;

  constructor(options: ContainerSandboxDeleterOptions) {
    this.#options = options;
  }

  /**
   * Cancels an in-flight create, removes every container of the sandbox and its state files,
   * and publishes the deletion. Deleting what is not there answers `deleted: false`.
   */
  async deleteSandbox(request: SandboxRef, signal: AbortSignal): Promise<DeleteSandboxResponse> {
    const { inventory, engine, store, tracker, logger, naming } = this.#options;
    const pending = inventory.findPending(request);
    if (pending !== undefined) {
      pending.abort.abort();
      await pending.task;
    }
    const containerIds = await inventory.findContainerIds(request, signal);
    const sandboxId = request.sandboxId || pending?.id || (await inventory.sandboxIdOf(containerIds[0], signal));
    let removedAny = false;
    for (const containerId of containerIds) {
      const operation = `remove container ${containerId}`;
      try {
        removedAny = (await engine.removeContainer(containerId, signal)) || removedAny;
      } catch (error) {
        throw toEngineDriverError(error, { operation, endpoint: engine.endpoint, sandboxId }, naming);
      }
    }
    if (sandboxId !== '') {
      inventory.pending.delete(sandboxId);
      await store.remove(sandboxId);
    }
    const deleted = removedAny || pending !== undefined;
    if (deleted) {
      tracker.publishDeleted(sandboxId, true);
      logger.info('sandbox deleted', { sandboxId });
    }
    return { deleted };
  }

  /** Refuses while containers of the workspace remain; otherwise there is nothing to remove. */
  async deleteWorkspace(workspace: string, signal: AbortSignal): Promise<void> {
    validateWorkspaceName(workspace);
    const { inventory, quoteWorkspace = quoteValue } = this.#options;
    const remaining = await inventory.listOwnedContainerIds(signal, (keys) => `${keys.workspace}=${workspace}`);
    if (remaining.length > 0) {
      throw new FailedPreconditionError(`workspace ${quoteWorkspace(workspace)} still has ${remaining.length} sandbox container(s)`, {
        hint: 'delete the sandboxes of the workspace first',
      });
    }
  }
}
