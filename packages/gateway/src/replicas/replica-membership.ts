import { silentLogger, type Logger } from '@shellgate/driver-sdk';
import type { CoordinationStore, ReplicaRecord } from '../store/index.js';
import type { ReplicaAddressBook } from './peer-relay.js';

/** How long a read of the live replicas is reused: an exec storm must not query per call. */
const LIVE_CACHE_MS = 1_000;

export interface ReplicaMembershipOptions {
  readonly store: Pick<CoordinationStore, 'registerReplica' | 'removeReplica' | 'listLiveReplicas'>;
  readonly replicaId: string;
  /** Where this replica's relay is reached; read at each heartbeat (known once the relay is bound). */
  readonly relayAddress: () => string;
  /** A replica that has not heartbeated for this long counts as dead (the lease duration). */
  readonly ttlMs: number;
  readonly logger?: Logger;
  readonly nowMs?: () => number;
}

/**
 * This replica's entry in the store's replica registry (id and relay address, refreshed
 * every third of its time to live), and the address book other replicas are found in.
 */
export class ReplicaMembership implements ReplicaAddressBook {
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  private timer: NodeJS.Timeout | undefined;
  private live: { readAtMs: number; replicas: Promise<ReplicaRecord[]> } | undefined;

  constructor(private readonly options: ReplicaMembershipOptions) {
    this.logger = options.logger ?? silentLogger;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Registers (failing the start when the store refuses), then heartbeats in the background. */
  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => {
      this.register().catch((error: unknown) => this.logger.warn('replica heartbeat failed; retrying', { error: String(error) }));
    }, Math.max(1, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Live replicas as the database's clock sees them (read at most once a second). */
  async liveReplicas(): Promise<ReplicaRecord[]> {
    const now = this.nowMs();
    if (this.live === undefined || now - this.live.readAtMs >= LIVE_CACHE_MS) {
      const replicas = this.options.store.listLiveReplicas();
      this.live = { readAtMs: now, replicas };
      replicas.catch(() => {
        this.live = undefined;
      });
    }
    return this.live.replicas;
  }

  async relayAddressOf(replicaId: string): Promise<string | undefined> {
    return (await this.liveReplicas()).find((replica) => replica.id === replicaId)?.relayAddress;
  }

  /** Stops heartbeating and leaves the registry, so no one relays to this replica any more. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.options.store.removeReplica(this.options.replicaId).catch((error: unknown) => {
      this.logger.warn('leaving the replica registry failed; the entry expires by itself', { error: String(error) });
    });
  }

  private async register(): Promise<void> {
    await this.options.store.registerReplica(this.options.replicaId, this.options.relayAddress(), this.options.ttlMs);
  }
}
