import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { GatewayStore } from '../gateway-store.js';
import { makeRecord } from './store-contract-fixtures.js';
import type { ContractStore, OpenContractStore } from './store-contract-fixtures.js';

/** Leases expire on the real clock (Postgres uses its own), so TTLs here are short and waits bounded. */
const SHORT_TTL_MS = 150;
const realClock = { nowMs: (): number => Date.now() };

/** Leases, fencing and the replica registry, the same on every store (issue 16). */
export function describeCoordinationContract(label: string, openStore: OpenContractStore): void {
  describe(`${label}: leases and fencing`, () => {
    let opened: ContractStore;
    let store: GatewayStore;
    before(async () => {
      opened = await openStore(realClock);
      store = opened.store;
    });
    after(() => opened.dispose());

    it('grants a free lease at epoch 1, renews it for its holder, and refuses another holder while live', async () => {
      assert.equal(await store.getLease('leader'), undefined);
      const first = await store.acquireLease('leader', 'replica-a', 60_000);
      assert.deepEqual({ holder: first.holder, epoch: first.epoch, name: first.name }, { holder: 'replica-a', epoch: 1, name: 'leader' });
      assert.ok(first.expiresAtMs > first.acquiredAtMs);
      const again = await store.acquireLease('leader', 'replica-a', 60_000);
      assert.equal(again.epoch, 1, 'acquiring a live lease one holds renews it');
      assert.ok(again.expiresAtMs >= first.expiresAtMs);
      const other = await store.acquireLease('leader', 'replica-b', 60_000);
      assert.deepEqual({ holder: other.holder, epoch: other.epoch }, { holder: 'replica-a', epoch: 1 }, 'the current lease, unchanged');
      const renewed = await store.renewLease({ name: 'leader', holder: 'replica-a', epoch: 1 }, 60_000);
      assert.equal(renewed.epoch, 1);
      assert.deepEqual(await store.getLease('leader'), renewed);
    });

    it('moves an expired lease to a new holder with the next epoch, and the old holder cannot renew', async () => {
      const a = await store.acquireLease('short', 'replica-a', SHORT_TTL_MS);
      await sleep(SHORT_TTL_MS + 100);
      const b = await store.acquireLease('short', 'replica-b', 60_000);
      assert.deepEqual({ holder: b.holder, epoch: b.epoch }, { holder: 'replica-b', epoch: a.epoch + 1 });
      await assert.rejects(store.renewLease({ name: 'short', holder: 'replica-a', epoch: a.epoch }, 60_000), {
        name: 'LeaseLostError',
        code: 'FAILED_PRECONDITION',
      });
    });

    it('a released lease is free at once, and taking it again starts a new epoch', async () => {
      const held = await store.acquireLease('released', 'replica-a', 60_000);
      assert.equal(await store.releaseLease({ name: 'released', holder: 'replica-a', epoch: held.epoch }), true);
      assert.equal(await store.releaseLease({ name: 'released', holder: 'replica-a', epoch: held.epoch }), false);
      const next = await store.acquireLease('released', 'replica-b', 60_000);
      assert.deepEqual({ holder: next.holder, epoch: next.epoch }, { holder: 'replica-b', epoch: held.epoch + 1 });
    });

    it('a fenced store writes while its lease holds and writes nothing once the epoch moved on', async () => {
      const lease = await store.acquireLease('fence', 'replica-a', SHORT_TTL_MS);
      const fenced = store.withFence({ name: 'fence', holder: 'replica-a', epoch: lease.epoch });
      const created = await fenced.createSandbox(makeRecord('sb-fenced', 'fenced'));
      assert.equal(created.sandbox.metadata!.resourceVersion, 1);
      assert.equal((await fenced.getSandbox('sb-fenced'))?.sandbox.metadata!.name, 'fenced', 'reads pass through');
      const updated = await fenced.updateSandbox('sb-fenced', 1, { ...created, missingSinceMs: 7 });
      assert.equal(updated.sandbox.metadata!.resourceVersion, 2);
      await assert.rejects(fenced.updateSandbox('sb-fenced', 1, created), { name: 'VersionConflictError' }, 'a stale version under a held lease is a conflict');
      await sleep(SHORT_TTL_MS + 100);
      await assert.rejects(fenced.updateSandbox('sb-fenced', 2, updated), { name: 'LeaseLostError', code: 'FAILED_PRECONDITION' }, 'expired, even before anyone took it');
      await store.acquireLease('fence', 'replica-b', 60_000);
      await assert.rejects(fenced.deleteSandbox('sb-fenced'), { name: 'LeaseLostError' });
      await assert.rejects(fenced.createWorkspace('fenced-ws'), { name: 'LeaseLostError' });
      await assert.rejects(store.withFence({ name: 'never-held', holder: 'x', epoch: 1 }).createSandbox(makeRecord('sb-n', 'n')), { name: 'LeaseLostError' });
      assert.equal((await store.getSandbox('sb-fenced'))!.sandbox.metadata!.resourceVersion, 2, 'nothing was written after the lease ended');
      assert.equal(await store.getWorkspace('fenced-ws'), undefined);
      assert.equal(await store.getSandbox('sb-n'), undefined);
      await fenced.close();
      assert.equal(await store.deleteSandbox('sb-fenced'), true, 'closing a fenced view leaves the store open');
    });
  });

  describe(`${label}: replica registry`, () => {
    let opened: ContractStore;
    let store: GatewayStore;
    before(async () => {
      opened = await openStore(realClock);
      store = opened.store;
    });
    after(() => opened.dispose());

    it('registers, heartbeats, lists live replicas by id, forgets expired and removed ones', async () => {
      const b = await store.registerReplica('replica-b', '10.0.0.2:17671', 60_000);
      assert.equal(b.relayAddress, '10.0.0.2:17671');
      assert.equal(b.startedAtMs, b.heartbeatAtMs);
      await store.registerReplica('replica-a', '10.0.0.1:17671', 60_000);
      await store.registerReplica('replica-c', '10.0.0.3:17671', SHORT_TTL_MS);
      assert.deepEqual((await store.listLiveReplicas()).map((replica) => replica.id), ['replica-a', 'replica-b', 'replica-c']);
      await sleep(SHORT_TTL_MS + 100);
      assert.deepEqual((await store.listLiveReplicas()).map((replica) => replica.id), ['replica-a', 'replica-b']);
      assert.ok((await store.getReplica('replica-c'))!.expiresAtMs > 0, 'an expired replica can still be read');
      const beat = await store.registerReplica('replica-b', '10.0.0.9:17671', 60_000);
      assert.equal(beat.startedAtMs, b.startedAtMs, 'a heartbeat keeps the start time');
      assert.ok(beat.heartbeatAtMs >= b.heartbeatAtMs);
      assert.equal(beat.relayAddress, '10.0.0.9:17671');
      assert.equal(await store.removeReplica('replica-a'), true);
      assert.equal(await store.removeReplica('replica-a'), false);
      assert.equal(await store.getReplica('replica-a'), undefined);
      assert.deepEqual((await store.listLiveReplicas()).map((replica) => replica.id), ['replica-b']);
    });
  });
}
