import { silentLogger, type Logger } from '@shellgate/driver-sdk';
import { isLeaseLostError, type CoordinationStore, type LeaseFence } from '../store/index.js';

/** The store's named leases: expiry on the database's clock, a new epoch per change of holder. */
export type LeaseStore = Pick<CoordinationStore, 'acquireLease' | 'renewLease' | 'releaseLease'>;

/**
 * One stretch of leadership: `signal` aborts the moment it ends, for whatever reason;
 * leader-only writes go through `store.withFence(fence)`, refused once the lease moved on.
 */
export interface LeaderTerm {
  readonly fence: LeaseFence;
  readonly signal: AbortSignal;
}

export type LeaderListener = (term: LeaderTerm) => void;

/** Followers ask at least this often, so a lapsed lease is taken soon after it expires. */
const FOLLOWER_RETRY_MAX_MS = 1_000;

export interface LeaderElectionOptions {
  readonly lease: LeaseStore;
  /** The lease's name, e.g. "gateway-leader". */
  readonly name: string;
  /** This replica's id, recorded as the lease holder. */
  readonly holder: string;
  readonly durationMs: number;
  readonly renewIntervalMs: number;
  readonly logger?: Logger;
  readonly nowMs?: () => number;
}

/**
 * Runs for leadership of one lease: followers try to take it every renew interval (at most
 * a second apart), the leader renews it every renew interval. Leadership ends at once — the term's signal aborts — when a renewal
 * says the lease moved, or when no renewal has succeeded for the lease duration counted
 * from the start of the last successful call: the store's expiry is counted from a later
 * moment, so the old leader has stopped before anyone else can be granted the lease.
 */
export class LeaderElection {
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  private readonly listeners = new Set<LeaderListener>();
  private term: { fence: LeaseFence; controller: AbortController; deadline: NodeJS.Timeout } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'leader-election', lease: options.name });
    this.nowMs = options.nowMs ?? Date.now;
  }

  get isLeader(): boolean {
    return this.term !== undefined;
  }

  /** The current term's fence, undefined when not leader: leader-only writes carry it. */
  get fence(): LeaseFence | undefined {
    return this.term?.fence;
  }

  /** Calls `listener` at the start of every term (at once when leader now). */
  onElected(listener: LeaderListener): () => void {
    this.listeners.add(listener);
    if (this.term !== undefined) listener({ fence: this.term.fence, signal: this.term.controller.signal });
    return () => this.listeners.delete(listener);
  }

  /** Makes the first attempt (so a lone replica leads before it serves), then keeps trying. */
  async start(): Promise<void> {
    await this.tick();
  }

  /**
   * Stops campaigning; a leader ends its term and releases the lease. It does not wait for
   * a store call in flight (the database may hang): an acquire that returns later is released.
   */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    const term = this.term;
    if (term === undefined) return;
    this.endTerm('replica shutting down');
    await this.release(term.fence);
  }

  private async release(fence: LeaseFence): Promise<void> {
    await this.options.lease.releaseLease(fence).catch((error: unknown) => {
      this.logger.warn('releasing the leader lease failed; another replica takes over when it expires', { error: String(error) });
    });
  }

  private async tick(): Promise<void> {
    await (this.term === undefined ? this.tryAcquire() : this.tryRenew());
    if (!this.isClosed) {
      const waitMs = this.term === undefined ? Math.min(this.options.renewIntervalMs, FOLLOWER_RETRY_MAX_MS) : this.options.renewIntervalMs;
      this.timer = setTimeout(() => void this.tick(), waitMs);
      this.timer.unref();
    }
  }

  private async tryAcquire(): Promise<void> {
    const { lease, name, holder, durationMs } = this.options;
    const startedMs = this.nowMs();
    let granted;
    try {
      granted = await lease.acquireLease(name, holder, durationMs);
    } catch (error) {
      this.logger.warn('could not ask for the leader lease; retrying', { error: String(error), retryInMs: this.options.renewIntervalMs });
      return;
    }
    if (granted.holder !== holder) return;
    const fence: LeaseFence = { name, holder, epoch: granted.epoch };
    if (this.isClosed) {
      await this.release(fence);
      return;
    }
    const remainingMs = durationMs - (this.nowMs() - startedMs);
    if (remainingMs <= 0) return;
    const controller = new AbortController();
    this.term = { fence, controller, deadline: this.deadlineIn(remainingMs) };
    this.logger.info('became leader', { epoch: fence.epoch, holder });
    for (const listener of [...this.listeners]) {
      try {
        listener({ fence, signal: controller.signal });
      } catch (error) {
        this.logger.error('a leader task failed to start', { error: String(error) });
      }
    }
  }

  private async tryRenew(): Promise<void> {
    const term = this.term!;
    const startedMs = this.nowMs();
    try {
      await this.options.lease.renewLease(term.fence, this.options.durationMs);
    } catch (error) {
      if (this.term !== term) return;
      if (isLeaseLostError(error)) {
        this.endTerm('the lease expired or moved to another replica');
        return;
      }
      // The deadline timer ends the term if this keeps failing.
      this.logger.warn('leader lease renewal failed; retrying', { epoch: term.fence.epoch, error: String(error) });
      return;
    }
    if (this.term !== term) return;
    clearTimeout(term.deadline);
    term.deadline = this.deadlineIn(this.options.durationMs - (this.nowMs() - startedMs));
  }

  private deadlineIn(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.endTerm(`no renewal succeeded within the lease duration (${this.options.durationMs} ms)`), Math.max(0, ms));
    timer.unref();
    return timer;
  }

  private endTerm(reason: string): void {
    const term = this.term;
    if (term === undefined) return;
    this.term = undefined;
    clearTimeout(term.deadline);
    this.logger.warn('leadership ended; leader work stopped', { epoch: term.fence.epoch, reason });
    term.controller.abort(new Error(reason));
  }
}
