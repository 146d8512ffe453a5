import { FailedPreconditionError, SandboxNotFoundError, quoteValue, readSandboxOwnership, toOwnershipSelectors, toPendingDriverSandbox, waitUnlessAborted } from '@shellgate/driver-sdk';
import type { DriverSandbox, LabelKeys, SandboxFileStore, SandboxOwnership, SandboxTracker } from '@shellgate/driver-sdk';

import type { EngineNaming } from '../engine-naming.js';
import { toEngineDriverError } from '../errors.js';
import type { ContainerInfo } from '../payload/container-info.js';
import { toContainerSandbox } from './container-conditions.js';
import type { ContainerSandboxEngine } from './container-sandbox-engine.js';
import type { PendingSandbox } from './pending-sandbox.js';

/**
 * Containers inspected at once by a full listing. Inspecting 100 at once opened 100 engine
 * connections and left ~4 MB more RSS behind (issue 4 benchmark); 8 keeps the engine busy.
 */
const LIST_INSPECT_CONCURRENCY = 8;

/** How a request names a sandbox: by id, or by name when the id is empty. */
export interface SandboxRef {
  readonly sandboxId: string;
  readonly sandboxName: string;
}

export interface ContainerInventoryOptions {
  readonly engine: Pick<ContainerSandboxEngine, 'endpoint' | 'listContainerIds' | 'inspectContainer'>;
  readonly store: SandboxFileStore;
  readonly tracker: SandboxTracker;
  readonly gatewayId: string;
  /** The label vocabularies ownership is read in, the one the driver writes first (older spellings after it). */
  readonly vocabularies: readonly LabelKeys[];
  /** The engine's words in errors. */
  readonly naming: EngineNaming;
}

/**
 * Reads the world: our containers (by label), in-flight or failed creates, and the state
 * files, and turns them into `DriverSandbox` records. A pending record wins over its
 * container, so a failed start stays failed and an in-flight create stays Starting.
 */
export class ContainerInventory {
  readonly pending = new Map<string, PendingSandbox>();
  readonly #options: ContainerInventoryOptions;
  /** One AND set of label filters per label vocabulary. */
  readonly ownershipFilterSets: readonly (readonly string[])[];

  constructor(options: ContainerInventoryOptions) {
    this.#options = options;
    this.ownershipFilterSets = options.vocabularies.map((keys) => toOwnershipSelectors(options.gatewayId, keys));
  }

  get endpoint(): string {
    return this.#options.engine.endpoint;
  }

  /** Who owns a container, in whichever vocabulary it was labelled; undefined when not this gateway's. */
  ownerOf(labels: Readonly<Record<string, string>>): SandboxOwnership | undefined {
    return readSandboxOwnership(labels, { vocabularies: this.#options.vocabularies, gatewayId: this.#options.gatewayId });
  }

  /** The sandbox id a container's labels name, when this gateway owns it (in any vocabulary). */
  ownedSandboxId(labels: Readonly<Record<string, string>>): string | undefined {
    return this.ownerOf(labels)?.sandboxId;
  }

  /** The pending record a ref names, if any. */
  findPending(ref: SandboxRef): PendingSandbox | undefined {
    if (ref.sandboxId !== '') return this.pending.get(ref.sandboxId);
    return [...this.pending.values()].find((pending) => pending.name === ref.sandboxName);
  }

  /** Ids of our containers for a sandbox (normally zero or one). */
  async findContainerIds(ref: SandboxRef, signal: AbortSignal): Promise<string[]> {
    return this.listOwnedContainerIds(signal, (keys) => (ref.sandboxId !== '' ? `${keys.sandboxId}=${ref.sandboxId}` : `${keys.sandboxName}=${ref.sandboxName}`));
  }

  /**
   * Ids of our containers, in every label vocabulary, optionally narrowed by one more
   * filter per vocabulary (e.g. a workspace).
   */
  async listOwnedContainerIds(signal: AbortSignal, narrow?: (keys: LabelKeys) => string): Promise<string[]> {
    const ids = new Set<string>();
    const { engine, vocabularies, naming } = this.#options;
    for (const [index, filters] of this.ownershipFilterSets.entries()) {
      const keys = vocabularies[index];
      const extra = narrow === undefined || keys === undefined ? [] : [narrow(keys)];
      try {
        for (const id of await engine.listContainerIds([...filters, ...extra], signal)) ids.add(id);
      } catch (error) {
        throw toEngineDriverError(error, { operation: 'list containers', endpoint: engine.endpoint }, naming);
      }
    }
    return [...ids];
  }

  /** The container of a sandbox, if it has one. */
  async findContainer(ref: SandboxRef, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    for (const id of await this.findContainerIds(ref, signal)) {
      const info = await this.inspect(id, signal);
      if (info !== undefined) return info;
    }
    return undefined;
  }

  /**
   * The container of a sandbox, for Stop and Start: waits for an in-flight create first (Stop
   * right after Create is fine), and answers the sandbox id its labels name.
   * @throws FailedPreconditionError when the create failed for good.
   * @throws SandboxNotFoundError when there is no such sandbox.
   */
  async requireContainer(ref: SandboxRef, signal: AbortSignal): Promise<{ info: ContainerInfo; sandboxId: string }> {
    const inFlight = this.findPending(ref);
    if (inFlight !== undefined && inFlight.failure === undefined) await waitUnlessAborted(inFlight.task, signal);
    const pending = this.findPending(ref);
    if (pending?.failure !== undefined) {
      throw new FailedPreconditionError(`sandbox ${quoteValue(pending.id)} failed to start (${pending.failure.reason}: ${pending.failure.message})`, {
        hint: 'delete it and create it again',
      });
    }
    const info = await this.findContainer(ref, signal);
    if (info === undefined) throw new SandboxNotFoundError(ref.sandboxId || ref.sandboxName);
    return { info, sandboxId: this.ownedSandboxId(info.labels) ?? ref.sandboxId };
  }

  /** The sandbox id a container's labels name; empty when there is no container or it is not ours. */
  async sandboxIdOf(containerId: string | undefined, signal: AbortSignal): Promise<string> {
    if (containerId === undefined) return '';
    const info = await this.inspect(containerId, signal);
    return info === undefined ? '' : (this.ownedSandboxId(info.labels) ?? '');
  }

  async inspect(containerId: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    const { engine, naming } = this.#options;
    try {
      return await engine.inspectContainer(containerId, signal);
    } catch (error) {
      throw toEngineDriverError(error, { operation: `inspect container ${containerId}`, endpoint: engine.endpoint }, naming);
    }
  }

  /** Inspects `ids` with at most LIST_INSPECT_CONCURRENCY requests in flight; results keep their order. */
  async #inspectAll(ids: readonly string[], signal: AbortSignal): Promise<(ContainerInfo | undefined)[]> {
    const infos = new Array<ContainerInfo | undefined>(ids.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < ids.length; index = next++) infos[index] = await this.inspect(ids[index]!, signal);
    };
    await Promise.all(Array.from({ length: Math.min(LIST_INSPECT_CONCURRENCY, ids.length) }, worker));
    return infos;
  }

  /** The sandbox a container stands for (or its pending record), with our stop marker applied. */
  async toSandbox(info: ContainerInfo): Promise<DriverSandbox> {
    const owner = readSandboxOwnership(info.labels, { vocabularies: this.#options.vocabularies });
    const sandboxId = owner?.sandboxId ?? '';
    const pending = this.pending.get(sandboxId);
    if (pending !== undefined) return toPendingDriverSandbox(pending);
    const state = await this.#options.store.readState(sandboxId);
    return toContainerSandbox(info, owner, state?.isStoppedByUs ?? false, this.#options.tracker.previousConditions(sandboxId));
  }

  /** Every sandbox: our containers, plus pending records without one. */
  async listAll(signal: AbortSignal): Promise<DriverSandbox[]> {
    // Taken before listing: a create that finishes meanwhile is then in one of the two.
    const pendingBefore = [...this.pending.values()].map(toPendingDriverSandbox);
    const ids = await this.listOwnedContainerIds(signal);
    const infos = await this.#inspectAll(ids, signal);
    const sandboxes = new Map<string, DriverSandbox>();
    for (const info of infos) {
      if (info === undefined) continue;
      const sandbox = await this.toSandbox(info);
      if (sandbox.id !== '') sandboxes.set(sandbox.id, sandbox);
    }
    for (const pending of pendingBefore) {
      if (!sandboxes.has(pending.id)) sandboxes.set(pending.id, pending);
    }
    return [...sandboxes.values()];
  }
}
