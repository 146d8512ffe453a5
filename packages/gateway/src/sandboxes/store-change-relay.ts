import { Sandbox, SandboxPhase } from '@shellgate/api';
import { silentLogger, type Logger } from '@shellgate/driver-sdk';

import type { GatewayStore, StoreChange } from '../store/index.js';
import type { SandboxEventBus } from './sandbox-event-bus.js';

export interface StoreChangeRelayOptions {
  readonly store: GatewayStore;
  readonly events: SandboxEventBus;
  readonly logger?: Logger | undefined;
  /** Wait before re-reading everything after a read for a change failed; default 2000 ms. */
  readonly retryMs?: number | undefined;
}

const DEFAULT_RETRY_MS = 2_000;

/**
 * Brings other replicas' sandbox writes onto this replica's event bus, so WatchSandbox streams
 * and everything else subscribed here see a create, stop, start or delete made through any
 * replica. For each change that something here wants (SandboxEventBus.isWanted) it reads the
 * sandbox and publishes it only when newer than what the bus last carried (this replica's own writes are published where they are made); on a
 * `resync` it re-reads every sandbox. With SQLite nothing ever arrives.
 */
export class StoreChangeRelay implements Disposable {
  /** The last object the bus carried per sandbox, from this replica or relayed. */
  private readonly published = new Map<string, Sandbox>();
  /** Sandboxes being read; true when another change arrived meanwhile (read again). */
  private readonly reading = new Map<string, boolean>();
  private readonly logger: Logger;
  private readonly stopBus: () => void;
  private readonly stopFeed: () => void;
  private retryTimer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(private readonly options: StoreChangeRelayOptions) {
    this.logger = options.logger ?? silentLogger;
    // Its own bookkeeping wants nothing relayed: that is what it relays.
    this.stopBus = options.events.subscribeAll((change) => {
      if (change.kind === 'platformEvent') return;
      const id = change.sandbox.metadata?.id ?? '';
      if (change.kind === 'deleted') this.published.delete(id);
      else if (versionOf(change.sandbox) >= versionOf(this.published.get(id))) this.published.set(id, change.sandbox);
    }, () => false);
    this.stopFeed = options.store.subscribeChanges((change) => this.onStoreChange(change));
  }

  close(): void {
    this.isClosed = true;
    clearTimeout(this.retryTimer);
    this.stopFeed();
    this.stopBus();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private onStoreChange(change: StoreChange): void {
    if (change.kind === 'resync') void this.resync();
    else if (change.kind === 'sandbox') void this.refresh(change.id, change);
  }

  /**
   * Reads one sandbox and publishes what changed; one read per sandbox at a time, and none
   * when nothing here listens for that sandbox (a later watcher reads it when it starts).
   */
  private async refresh(id: string, change: StoreChange & { kind: 'sandbox' }): Promise<void> {
    if (!this.options.events.isWanted(id)) return;
    if (this.reading.has(id)) {
      this.reading.set(id, true);
      return;
    }
    this.reading.set(id, false);
    try {
      do {
        this.reading.set(id, false);
        const record = await this.options.store.getSandbox(id);
        if (this.isClosed) return;
        if (record === undefined) this.publishDeleted(id, change);
        else this.publishIfNewer(record.sandbox);
      } while (this.reading.get(id) === true);
    } catch (error) {
      this.scheduleResync('reading a changed sandbox failed', error);
    } finally {
      this.reading.delete(id);
    }
  }

  private async resync(): Promise<void> {
    try {
      const records = await this.options.store.listSandboxes();
      if (this.isClosed) return;
      const present = new Set<string>();
      for (const record of records) {
        present.add(record.sandbox.metadata?.id ?? '');
        this.publishIfNewer(record.sandbox);
      }
      for (const id of [...this.published.keys()]) if (!present.has(id)) this.publishDeleted(id, undefined);
    } catch (error) {
      this.scheduleResync('re-reading sandboxes after missed changes failed', error);
    }
  }

  private publishIfNewer(sandbox: Sandbox): void {
    const id = sandbox.metadata?.id ?? '';
    if (versionOf(sandbox) > versionOf(this.published.get(id))) this.options.events.publish({ kind: 'updated', sandbox });
  }

  /** The last object seen, or one built from the change, marked Deleting as a local delete is. */
  private publishDeleted(id: string, change: (StoreChange & { kind: 'sandbox' }) | undefined): void {
    const last = this.published.get(id);
    if (last === undefined && change === undefined) return;
    // `status: {}` fills every status field with its default, as a stored sandbox has them.
    const base = last ?? Sandbox.fromPartial({ metadata: { id, name: change!.name, workspace: change!.workspace, resourceVersion: change!.resourceVersion }, status: {} });
    this.options.events.publish({ kind: 'deleted', sandbox: { ...base, status: { ...base.status!, phase: SandboxPhase.SANDBOX_PHASE_DELETING } } });
  }

  private scheduleResync(reason: string, error: unknown): void {
    this.logger.warn('other replicas\' changes may be missing here; re-reading every sandbox shortly', {
      reason,
      error: error instanceof Error ? error.message : String(error),
    });
    if (this.isClosed || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.resync();
    }, this.options.retryMs ?? DEFAULT_RETRY_MS);
    this.retryTimer.unref();
  }
}

function versionOf(sandbox: Sandbox | undefined): number {
  return sandbox?.metadata?.resourceVersion ?? 0;
}
