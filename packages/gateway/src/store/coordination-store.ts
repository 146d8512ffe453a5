/**
 * A named lease as stored. Times are the database's clock (Postgres `clock_timestamp()`, the
 * store clock for SQLite), so replicas never compare their own clocks with each other.
 */
export interface Lease {
  readonly name: string;
  /** Replica id of the holder; a lease past `expiresAtMs` is free, whoever it names. */
  readonly holder: string;
  /**
   * Fencing token: +1 every time the lease is granted other than by renewing a live lease
   * (to another holder, or again after it expired or was released). Starts at 1.
   */
  readonly epoch: number;
  readonly expiresAtMs: number;
  /** When the current epoch began. */
  readonly acquiredAtMs: number;
}

/** What a leader holds: writes made under it are refused once the lease moved on. */
export interface LeaseFence {
  readonly name: string;
  readonly holder: string;
  readonly epoch: number;
}

/** One gateway replica as registered for relaying exec and logs to it. */
export interface ReplicaRecord {
  readonly id: string;
  /** Where other replicas reach this one's internal relay (host:port or URL, opaque to the store). */
  readonly relayAddress: string;
  readonly startedAtMs: number;
  readonly heartbeatAtMs: number;
  /** The replica counts as live until then; it must heartbeat (registerReplica) before. */
  readonly expiresAtMs: number;
}

/**
 * Coordination of gateway replicas through the store they share: one lease per job that must
 * run once (with an epoch for fencing) and the registry of live replicas. The embedded SQLite
 * store implements it too, trivially: one gateway is always the leader.
 */
export interface CoordinationStore {
  /**
   * Takes the lease for `holder` when it is free, expired or already held by `holder`
   * (then it is renewed; the epoch stays while the lease was live). Never waits.
   * @returns the lease after the attempt: held when `lease.holder === holder`, else the
   * current holder's lease (read it to know who leads and until when).
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease>;
  /**
   * Extends a lease its holder still holds (same holder and epoch, not expired).
   * @throws LeaseLostError (ABORTED) when it expired or moved on; stop leading at once.
   */
  renewLease(fence: LeaseFence, ttlMs: number): Promise<Lease>;
  /** Gives the lease up so another replica can take it at once; false when it was no longer ours. */
  releaseLease(fence: LeaseFence): Promise<boolean>;
  getLease(name: string): Promise<Lease | undefined>;

  /** Registers the replica or refreshes its heartbeat (and address), live for `ttlMs`. */
  registerReplica(id: string, relayAddress: string, ttlMs: number): Promise<ReplicaRecord>;
  /** Removes the replica (clean shutdown); false when it was not registered. */
  removeReplica(id: string): Promise<boolean>;
  getReplica(id: string): Promise<ReplicaRecord | undefined>;
  /** Replicas whose heartbeat has not expired, ordered by id. */
  listLiveReplicas(): Promise<ReplicaRecord[]>;
}
