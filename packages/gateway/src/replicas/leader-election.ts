import { silentLogger, type Logger } from '@shellgate/driver-sdk';

/**
 * A named lease in the shared store. The store decides expiry on its own clock and bumps
 * the epoch on every change of holder, so a write fenced with an old epoch is refused.
 */
export interface LeaseBackend {
  /** Takes the lease when it is free or expired; the new epoch, or undefined while another holder's lease runs. */
  acquire(name: string, holder: string, durationMs: number): Promise<number | undefined>;
  /** Extends a held lease; false when it expired or another holder took it (the epoch moved). */
  renew(name: string, holder: string, epoch: number, durationMs: number): Promise<boolean>;
  /** Gives the lease up at once (graceful shutdown), so another replica need not wait for expiry. */
  release(name: string, holder: string, epoch: number): Promise<void>;
}

/** One stretch of leadership: `signal` aborts the moment it ends, for whatever reason. */
export interface LeaderTerm {
  readonly epoch: number;
  readonly signal: AbortSignal;
}

export type LeaderListener = (term: LeaderTerm) => void;

export interface LeaderElectionOptions {
  readonly lease: LeaseBackend;
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
 * Runs for leadership of one lease: followers try to take it every renew interval, the
 * leader renews it. Leadership ends at once — the term's signal aborts — when a renewal
 * says the lease moved, or when no renewal has succeeded for the lease duration counted
 * from the start of the last successful call: the store's expiry is counted from a later
 * moment, so the old leader has stopped before anyone else can be granted the lease.
 */
export class LeaderElection {
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  private readonly listeners = new Set<LeaderListener>();
  private term: { epoch: number; controller: AbortController; deadline: NodeJS.Timeout } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderElectionOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'leader-election', lease: options.name });
    this.nowMs = options.nowMs ?? Date.now;
  }

  get isLeader(): boolean {
    return this.term !== undefined;
  }

  /** The current term's epoch, undefined when not leader: leader-only writes carry it. */
  get epoch(): number | undefined {
    return this.term?.epoch;
  }

  /** Calls `listener` at the start of every term (at once when leader now). */
  onElected(listener: LeaderListener): () => void {
    this.listeners.add(listener);
    if (this.term !== undefined) listener({ epoch: this.term.epoch, signal: this.term.controller.signal });
    return () => this.listeners.delete(listener);
  }

  /** Makes the first attempt (so a lone replica leads before it serves), then keeps trying. */
  async start(): Promise<void> {
    await this.tick();
  }

  /** Stops campaigning; a leader ends its term and releases the lease. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.running;
    const term = this.term;
    if (term === undefined) return;
    this.endTerm('replica shutting down');
    await this.options.lease.release(this.options.name, this.options.holder, term.epoch).catch((error: unknown) => {
      this.logger.warn('releasing the leader lease failed; another replica takes over when it expires', { error: String(error) });
    });
  }

  private async tick(): Promise<void> {
    this.running = this.term === undefined ? this.tryAcquire() : this.tryRenew();
    await this.running;
    if (!this.isClosed) {
      this.timer = setTimeout(() => void this.tick(), this.options.renewIntervalMs);
      this.timer.unref();
    }
  }

  private async tryAcquire(): Promise<void> {
    const { lease, name, holder, durationMs } = this.options;
    const startedMs = this.nowMs();
    let epoch: number | undefined;
    try {
      epoch = await lease.acquire(name, holder, durationMs);
    } catch (error) {
      this.logger.warn('could not ask for the leader lease; retrying', { error: String(error), retryInMs: this.options.renewIntervalMs });
      return;
    }
    if (epoch === undefined || this.isClosed) return;
    const remainingMs = durationMs - (this.nowMs() - startedMs);
    if (remainingMs <= 0) return;
    const controller = new AbortController();
    this.term = { epoch, controller, deadline: this.deadlineIn(remainingMs) };
    this.logger.info('became leader', { epoch, holder });
    for (const listener of [...this.listeners]) {
      try {
        listener({ epoch, signal: controller.signal });
      } catch (error) {
        this.logger.error('a leader task failed to start', { error: String(error) });
      }
    }
  }

  private async tryRenew(): Promise<void> {
    const term = this.term!;
    const { lease, name, holder, durationMs } = this.options;
    const startedMs = this.nowMs();
    let isRenewed: boolean;
    try {
      isRenewed = await lease.renew(name, holder, term.epoch, durationMs);
    } catch (error) {
      // The deadline timer ends the term if this keeps failing.
      this.logger.warn('leader lease renewal failed; retrying', { epoch: term.epoch, error: String(error) });
      return;
    }
    if (this.term !== term) return;
    if (!isRenewed) {
      this.endTerm('the lease moved to another replica');
      return;
    }
    clearTimeout(term.deadline);
    term.deadline = this.deadlineIn(durationMs - (this.nowMs() - startedMs));
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
    this.logger.warn('leadership ended; leader work stopped', { epoch: term.epoch, reason });
    term.controller.abort(new Error(reason));
  }
}
