import type { DriverSandbox, LabelKeys, SandboxTracker } from '@shellgate/driver-sdk';

import { toDriverSandbox } from './container/container-status.js';
import type { PendingSandbox } from './create/pending-sandbox.js';
import { toPendingDriverSandbox } from './create/pending-sandbox.js';
import type { ContainerInfo, DockerEngine } from './engine/docker-engine.js';
import { toDriverError } from './errors.js';
import { LABEL_VOCABULARIES, readContainerOwnership, toOwnershipFilterSets } from './labels.js';
import type { SandboxStateStore } from './state.js';

/**
 * Containers inspected at once by a full listing. Inspecting 100 at once opened 100 engine
 * connections and left ~4 MB more RSS behind (issue 4 benchmark); 8 keeps dockerd busy.
 */
const LIST_INSPECT_CONCURRENCY = 8;

/** How a request names a sandbox: by id, or by name when the id is empty. */
export interface SandboxRef {
  readonly sandboxId: string;
  readonly sandboxName: string;
}

/**
 * Reads the world: our containers (by label), in-flight or failed creates, and the state
 * files, and turns them into `DriverSandbox` records. A pending record wins over its
 * container, so a failed start stays failed and an in-flight create stays Starting.
 */
export class SandboxInventory {
  readonly pending = new Map<string, PendingSandbox>();
  readonly #engine: DockerEngine;
  readonly #store: SandboxStateStore;
  readonly #tracker: SandboxTracker;
  readonly #gatewayId: string;
  /** One AND set of label filters per label vocabulary (current and legacy). */
  readonly ownershipFilterSets: readonly (readonly string[])[];

  constructor(engine: DockerEngine, store: SandboxStateStore, tracker: SandboxTracker, gatewayId: string) {
    this.#engine = engine;
    this.#store = store;
    this.#tracker = tracker;
    this.#gatewayId = gatewayId;
    this.ownershipFilterSets = toOwnershipFilterSets(gatewayId);
  }

  /** The sandbox id a container's labels name, when this gateway owns it (either label vocabulary). */
  ownedSandboxId(labels: Readonly<Record<string, string>>): string | undefined {
    return readContainerOwnership(labels, this.#gatewayId)?.sandboxId;
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
    for (const [index, filters] of this.ownershipFilterSets.entries()) {
      const keys = LABEL_VOCABULARIES[index];
      const extra = narrow === undefined || keys === undefined ? [] : [narrow(keys)];
      try {
        for (const id of await this.#engine.listContainerIds([...filters, ...extra], signal)) ids.add(id);
      } catch (error) {
        throw toDriverError(error, { operation: 'list containers', endpoint: this.#engine.endpoint });
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

  async inspect(containerId: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    try {
      return await this.#engine.inspectContainer(containerId, signal);
    } catch (error) {
      throw toDriverError(error, { operation: `inspect container ${containerId}`, endpoint: this.#engine.endpoint });
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
    const sandboxId = readContainerOwnership(info.labels)?.sandboxId ?? '';
    const pending = this.pending.get(sandboxId);
    if (pending !== undefined) return toPendingDriverSandbox(pending);
    const state = await this.#store.readState(sandboxId);
    return toDriverSandbox(info, state?.isStoppedByUs ?? false, this.#tracker.previousConditions(sandboxId));
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
