import { randomUUID } from 'node:crypto';
import { ErrorCode, ShellgateError, type Logger } from '@shellgate/driver-sdk';
import { splitHostPort } from '../api/index.js';
import type { GatewayConfig } from '../config/index.js';
import {
  LeaderDuties,
  LeaderElection,
  PeerRelay,
  ReplicaMembership,
  ReplicaRelayServer,
  followSessionHolders,
} from '../replicas/index.js';
import type { DriverWatcher, ReplicaStatusOptions, SandboxEventBus, SandboxLifecycle, SandboxStatusSync } from '../sandboxes/index.js';
import type { GatewayStore } from '../store/index.js';
import type { SandboxExecService, SandboxLogStore, SupervisorHub } from '../supervision/index.js';
import { readAuthToken } from './gateway-state.js';

/** A postgres:// database is how replicas share state: any gateway on one is a replica. */
export function isReplicated(config: GatewayConfig): boolean {
  return config.database.kind === 'postgres';
}

/** The lease whose holder runs what must run once across replicas. */
export const LEADER_LEASE = 'gateway-leader';

/** What the relay and the leader work need once the sandbox layer is up. */
export interface ReplicaServingParts {
  readonly watcher: DriverWatcher;
  readonly lifecycle: SandboxLifecycle;
  readonly statusSync: SandboxStatusSync;
  readonly events: SandboxEventBus;
  readonly logs: SandboxLogStore;
  readonly exec: SandboxExecService;
  readonly hub: SupervisorHub;
}

/**
 * This gateway as one of several replicas on a shared Postgres database (docs/replicas.md):
 * its id, the leader election, the relay to and from the other replicas and its entry in
 * the replica registry. Created only for a postgres:// database.
 */
export class GatewayReplica {
  readonly replicaId = randomUUID();
  readonly election: LeaderElection;
  readonly peers: PeerRelay;
  private readonly secret: string;
  private readonly membership: ReplicaMembership;
  private readonly closers: Array<() => Promise<void>> = [];
  private fenced: { epoch: number; store: GatewayStore } | undefined;
  private relayAddress = '';

  /** Reads the relay secret (required); the caller has checked the shared identity files (requireSharedIdentity). */
  constructor(
    private readonly config: GatewayConfig,
    private readonly store: GatewayStore,
    private readonly logger: Logger,
  ) {
    const { replication, origins } = config;
    if (replication.secretFile === undefined) {
      throw new ShellgateError(ErrorCode.FailedPrecondition, `${origins.database}: gateway replicas on Postgres need replica_secret_file`, {
        hint: 'write one long random secret (e.g. `openssl rand -hex 32`) to a 0600 file, give every replica the same file and set replica_secret_file; see docs/replicas.md',
      });
    }
    this.secret = readAuthToken(replication.secretFile, 'replica_secret_file');
    const replicaLogger = logger.child({ replicaId: this.replicaId });
    this.election = new LeaderElection({
      lease: store,
      name: LEADER_LEASE,
      holder: this.replicaId,
      durationMs: replication.leaseDurationMs,
      renewIntervalMs: replication.leaseRenewIntervalMs,
      logger: replicaLogger,
    });
    this.membership = new ReplicaMembership({
      store,
      replicaId: this.replicaId,
      relayAddress: () => this.relayAddress,
      ttlMs: replication.leaseDurationMs,
      logger: replicaLogger,
    });
    this.peers = new PeerRelay({ replicaId: this.replicaId, secret: this.secret, addresses: this.membership, logger: replicaLogger });
  }

  /** The status sync's replica options: session holder = this replica, reports written by the leader only. */
  get statusOptions(): ReplicaStatusOptions {
    return { replicaId: this.replicaId, leaderStore: () => this.leaderStore() };
  }

  /** The store fenced by the current leader term; undefined while another replica leads. */
  leaderStore(): GatewayStore | undefined {
    const fence = this.election.fence;
    if (fence === undefined) return undefined;
    if (this.fenced?.epoch !== fence.epoch) this.fenced = { epoch: fence.epoch, store: this.store.withFence(fence) };
    return this.fenced.store;
  }

  /**
   * Opens the relay listener, joins the registry (before any supervisor can reach this
   * replica, so a session it records is never mistaken for a dead replica's) and starts
   * the leader work.
   */
  async startServing(parts: ReplicaServingParts): Promise<void> {
    const { replication } = this.config;
    const logger = this.logger.child({ component: 'replicas', replicaId: this.replicaId });
    const relay = await ReplicaRelayServer.start({ listen: replication.listen, secret: this.secret, store: this.store, events: parts.events, logs: parts.logs, exec: parts.exec, logger });
    this.closers.push(() => relay.close(this.config.shutdownGraceMs));
    this.closers.push(async () => this.peers.close());
    this.relayAddress = advertisedAddress(this.config, relay.host, relay.port);
    await this.membership.start();
    this.closers.push(() => this.membership.close());
    const unfollow = followSessionHolders({ replicaId: this.replicaId, events: parts.events, hub: parts.hub, statusSync: parts.statusSync, logger });
    this.closers.push(async () => unfollow());
    const duties = new LeaderDuties({
      election: this.election,
      store: this.store,
      watcher: parts.watcher,
      lifecycle: parts.lifecycle,
      statusSync: parts.statusSync,
      replicas: this.store,
      checkIntervalMs: replication.leaseRenewIntervalMs,
      logger,
    });
    duties.start();
    this.closers.push(() => duties.close());
    logger.info('replica serving', { relayAddress: this.relayAddress, leader: this.election.isLeader });
  }

  /** Only the last replica standing stops lifecycle-managed sandboxes at shutdown (and only as leader). */
  async isLastReplica(): Promise<boolean> {
    if (!this.election.isLeader) return false;
    const live = await this.store.listLiveReplicas().catch(() => []);
    return live.every((replica) => replica.id === this.replicaId);
  }

  /** Leaves the registry, gives up the lease (so another replica leads at once) and closes the relay. */
  async close(): Promise<void> {
    await this.election.close();
    for (const close of this.closers.reverse()) {
      try {
        await close();
      } catch (error) {
        this.logger.warn('replica shutdown step failed', { error: String(error) });
      }
    }
  }
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function advertisedAddress(config: GatewayConfig, host: string, port: number): string {
  const { advertise } = config.replication;
  if (advertise !== undefined) {
    splitHostPort(advertise);
    return advertise;
  }
  if (WILDCARD_HOSTS.has(host)) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${config.origins.replica_listen}: the relay listens on every address (${host}:${port}), so other replicas cannot be told which one reaches this replica`, {
      hint: 'set replica_advertise to HOST:PORT the other replicas can dial (Kubernetes: the pod IP, e.g. $(POD_IP):17671)',
    });
  }
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
