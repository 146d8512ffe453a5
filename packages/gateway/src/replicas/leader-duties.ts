import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '@shellgate/driver-sdk';
import { sessionReplicaOf, type DriverWatcher, type SandboxLifecycle, type SandboxStatusSync } from '../sandboxes/index.js';
import type { CoordinationStore, GatewayStore } from '../store/index.js';
import type { LeaderElection, LeaderTerm } from './leader-election.js';

export interface LeaderDutiesOptions {
  readonly election: Pick<LeaderElection, 'onElected'>;
  readonly store: GatewayStore;
  /** The reconcile sweep; it writes through the leader's fenced store by itself. */
  readonly watcher: Pick<DriverWatcher, 'sweepAll'>;
  readonly lifecycle: Pick<SandboxLifecycle, 'startAllAfterStartup'>;
  readonly statusSync: Pick<SandboxStatusSync, 'releaseSession'>;
  readonly replicas: Pick<CoordinationStore, 'listLiveReplicas'>;
  /** How often the leader looks for sessions of dead replicas (the lease renew interval). */
  readonly checkIntervalMs: number;
  readonly logger?: Logger;
}

/**
 * What the leader does once for all replicas, each time it is elected: a reconcile sweep at
 * once (the last leader's may have been cut short), the lifecycle start of sandboxes a full
 * shutdown stopped, and until the term ends, releasing the sessions of replicas that died
 * (their sandboxes then wait, not Ready, for their supervisors to reconnect elsewhere).
 * The periodic sweep runs on the DriverWatcher's own timer, which skips while not leader.
 */
export class LeaderDuties {
  private readonly logger: Logger;
  private unsubscribe: (() => void) | undefined;
  private readonly terms = new Set<Promise<void>>();

  constructor(private readonly options: LeaderDutiesOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'leader' });
  }

  start(): void {
    this.unsubscribe = this.options.election.onElected((term) => {
      const running = this.runTerm(term).catch((error: unknown) => {
        if (!term.signal.aborted) this.logger.error('leader work failed', { epoch: term.fence.epoch, error: String(error) });
      });
      this.terms.add(running);
      void running.finally(() => this.terms.delete(running));
    });
  }

  /** Stops taking new terms and waits for the current one's work to see its end. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.terms]);
  }

  private async runTerm(term: LeaderTerm): Promise<void> {
    const { epoch } = term.fence;
    await this.options.watcher.sweepAll();
    if (term.signal.aborted) return;
    const started = await this.options.lifecycle.startAllAfterStartup();
    if (started > 0) this.logger.info('started sandboxes stopped by the last full gateway shutdown', { count: started, epoch });
    const fenced = this.options.store.withFence(term.fence);
    let checkedLive: string | undefined;
    while (!term.signal.aborted) {
      try {
        checkedLive = await this.releaseDeadSessions(fenced, checkedLive);
      } catch (error) {
        if (!term.signal.aborted) this.logger.warn('releasing sessions of dead replicas failed; retrying', { epoch, error: String(error) });
      }
      await delay(this.options.checkIntervalMs, undefined, { signal: term.signal }).catch(() => undefined);
    }
  }

  /**
   * Clears the session holder of every sandbox held by a replica that is not live. Sandboxes
   * are read before the replicas: a holder recorded by then had registered before it took
   * the session, so it is in the later read unless it died. Skips the scan while the set of
   * live replicas is the one checked last time; returns the set checked.
   */
  private async releaseDeadSessions(fenced: GatewayStore, checkedLive: string | undefined): Promise<string> {
    const live = new Set((await this.options.replicas.listLiveReplicas()).map((replica) => replica.id));
    const key = [...live].sort().join(',');
    if (key === checkedLive) return key;
    const records = await this.options.store.listSandboxes();
    const stillLive = new Set((await this.options.replicas.listLiveReplicas()).map((replica) => replica.id));
    for (const record of records) {
      const holder = sessionReplicaOf(record.sandbox);
      if (holder === undefined || stillLive.has(holder)) continue;
      const sandboxId = record.sandbox.metadata!.id;
      this.logger.info('releasing the supervisor session of a replica that is gone', { sandboxId, replica: holder });
      await this.options.statusSync.releaseSession(sandboxId, holder, fenced);
    }
    return key;
  }
}
