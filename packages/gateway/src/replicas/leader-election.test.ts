import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { openSqliteStore, type GatewayStore, type LeaseFence } from '../store/index.js';
import { LeaderElection, type LeaderTerm, type LeaseStore } from './leader-election.js';

const DURATION_MS = 400;
const RENEW_MS = 100;

/** Resolves with the next term `election` starts, or fails after `withinMs`. */
async function nextTerm(election: LeaderElection, withinMs: number): Promise<LeaderTerm> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no term within ${withinMs} ms`));
    }, withinMs);
    const unsubscribe = election.onElected((term) => {
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe());
      resolve(term);
    });
  });
}

/** One replica's way to the lease store, which can be made to fail (database unreachable) or hang (a paused process). */
function faultyLease(store: GatewayStore): LeaseStore & { mode: 'ok' | 'fail' | 'hang' } {
  const lease = {
    mode: 'ok' as 'ok' | 'fail' | 'hang',
    acquireLease: async (name: string, holder: string, ttlMs: number) => lease.call(() => store.acquireLease(name, holder, ttlMs)),
    releaseLease: async (fence: LeaseFence) => lease.call(() => store.releaseLease(fence)),
    renewLease: async (fence: LeaseFence, ttlMs: number) => lease.call(() => store.renewLease(fence, ttlMs)),
    call: async <T>(run: () => Promise<T>): Promise<T> => {
      if (lease.mode === 'fail') throw new ShellgateError(ErrorCode.Unavailable, 'database unreachable');
      if (lease.mode === 'hang') return new Promise<never>(() => undefined);
      return run();
    },
  };
  return lease;
}

describe('LeaderElection', { timeout: 30_000 }, () => {
  let dir: string;
  let store: GatewayStore;
  // The election's timers are unref'd (a gateway's servers keep it alive); here nothing else would.
  let keepAlive: NodeJS.Timeout;
  before(async () => {
    keepAlive = setInterval(() => undefined, 1_000);
    dir = mkdtempSync(join(tmpdir(), 'shellgate-election-'));
    store = await openSqliteStore({ path: join(dir, 'gateway.sqlite') });
  });
  after(async () => {
    clearInterval(keepAlive);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const elect = (holder: string, lease: LeaseStore = store, name = 'lease-a'): LeaderElection =>
    new LeaderElection({ lease, name, holder, durationMs: DURATION_MS, renewIntervalMs: RENEW_MS });

  it('one of two replicas leads, keeps leading by renewing, and the other takes over at once when it releases', async () => {
    const a = elect('a');
    const b = elect('b');
    await a.start();
    await b.start();
    assert.equal(a.isLeader, true);
    assert.equal(b.isLeader, false);
    const first = a.fence!;
    await delay(DURATION_MS * 2);
    assert.equal(a.isLeader, true, 'renewals kept the lease past its duration');
    assert.equal(b.isLeader, false);
    const takeover = nextTerm(b, DURATION_MS);
    await a.close();
    const term = await takeover;
    assert.equal(term.fence.holder, 'b');
    assert.ok(term.fence.epoch > first.epoch, 'a new epoch fences the old leader');
    await b.close();
  });

  it('a leader whose renewals fail stops leader work within the lease duration, and the other takes over after expiry', async () => {
    const lease = faultyLease(store);
    const a = elect('a', lease, 'lease-b');
    const b = elect('b', store, 'lease-b');
    await a.start();
    await b.start();
    const term = await nextTerm(a, 100);
    const lostAt = new Promise<number>((resolve) => term.signal.addEventListener('abort', () => resolve(Date.now())));
    const failedAt = Date.now();
    lease.mode = 'fail';
    const takeover = nextTerm(b, DURATION_MS + 1_500);
    assert.ok((await lostAt) - failedAt <= DURATION_MS + 50, 'the term ended within the lease duration');
    assert.equal(a.isLeader, false);
    const next = await takeover;
    assert.ok(next.fence.epoch > term.fence.epoch);
    await a.close();
    await b.close();
  });

  it('a leader paused in a renewal ends its term by its own deadline, and its fenced writes are refused after a takeover', async () => {
    const lease = faultyLease(store);
    const a = elect('a', lease, 'lease-c');
    const b = elect('b', store, 'lease-c');
    await a.start();
    await b.start();
    const term = await nextTerm(a, 100);
    lease.mode = 'hang';
    await new Promise<void>((resolve) => term.signal.addEventListener('abort', () => resolve()));
    await nextTerm(b, DURATION_MS + 1_500);
    const fenced = store.withFence(term.fence);
    await assert.rejects(fenced.createWorkspace('late-write'), (error: unknown) => error instanceof ShellgateError && error.code === ErrorCode.FailedPrecondition);
    assert.equal(await store.getWorkspace('late-write'), undefined);
    await b.close();
    await a.close();
  });
});
