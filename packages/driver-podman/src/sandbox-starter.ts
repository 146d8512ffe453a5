import type { ProvisionEngine } from '@shellgate/container-engine';
import { FailedPreconditionError, quoteValue } from '@shellgate/driver-sdk';
import type { SandboxFileStore } from '@shellgate/driver-sdk';

import type { PodmanCreateSpec, PodmanEngine } from './engine/podman-engine.js';
import type { SandboxNetwork } from './network/sandbox-network.js';

/**
 * Every start of a sandbox container, the first (CreateSandbox) and the later ones
 * (StartSandbox): deliver its token, start, then isolate it from the other sandboxes.
 */
export class SandboxStarter {
  readonly #engine: PodmanEngine;
  readonly #store: SandboxFileStore;
  readonly #network: SandboxNetwork;
  readonly #lifetime: AbortSignal;

  constructor(options: { readonly engine: PodmanEngine; readonly store: SandboxFileStore; readonly network: SandboxNetwork; readonly lifetime: AbortSignal }) {
    this.#engine = options.engine;
    this.#store = options.store;
    this.#network = options.network;
    this.#lifetime = options.lifetime;
  }

  /** The engine a create uses: the token was just written, and its start isolates like every other. */
  provisionEngine(sandboxId: string): ProvisionEngine<PodmanCreateSpec> {
    const engine = this.#engine;
    return {
      inspectImage: (reference, signal) => engine.inspectImage(reference, signal),
      pullImage: (reference, onProgress, signal) => engine.pullImage(reference, onProgress, signal),
      createContainer: (spec, signal) => engine.createContainer(spec, signal),
      startContainer: (containerId, signal) => this.start(sandboxId, containerId, signal, { isTokenDelivered: true }),
    };
  }

  /**
   * Delivers the token (the supervisor emptied the file on its last start) unless
   * `isTokenDelivered`, starts, then isolates. A container that cannot be isolated is
   * stopped again: it must not run reachable by its neighbours.
   * @throws FailedPreconditionError when the token is lost or the sandbox cannot be isolated.
   */
  async start(sandboxId: string, containerId: string, signal: AbortSignal, options: { readonly isTokenDelivered?: boolean } = {}): Promise<void> {
    if (options.isTokenDelivered !== true) await this.#store.deliverToken(sandboxId);
    await this.#engine.startContainer(containerId, signal);
    try {
      await this.#network.isolateSandboxes(this.#lifetime);
    } catch (error) {
      await this.#engine.stopContainer(containerId, 0, signal).catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new FailedPreconditionError(
        `could not isolate sandbox ${quoteValue(sandboxId)} from the other sandboxes on the bridge (${reason}); it was stopped. ` +
          'Run the driver as root on the engine host with /sys writable, or set allow_sandbox_to_sandbox = true to let sandboxes reach each other',
        { cause: error },
      );
    }
  }
}
