import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Sandbox, WorkspacePhase } from '@shellgate/api';

import { parseLabelSelector } from '../../labels/index.js';
import { DEFAULT_WORKSPACE, DesiredState } from '../gateway-store.js';
import type { GatewayStore } from '../gateway-store.js';
import { CONTRACT_NOW_MS, makeRecord, names, rejectsWith } from './store-contract-fixtures.js';
import type { ContractStore, OpenContractStore } from './store-contract-fixtures.js';

const fixedClock = { nowMs: (): number => CONTRACT_NOW_MS };

/**
 * What every GatewayStore does with sandboxes and workspaces, run against SQLite and Postgres
 * (issue 16): the same records, versions, errors, order and paging.
 */
export function describeGatewayStoreContract(label: string, openStore: OpenContractStore): void {
  describe(`${label}: sandboxes`, () => {
    let opened: ContractStore;
    let store: GatewayStore;
    before(async () => {
      opened = await openStore(fixedClock);
      store = opened.store;
      await store.createWorkspace('team-a');
      await store.createWorkspace('team-b');
    });
    after(() => opened.dispose());

    it('creates at resource_version 1, fills created_at_ms, and reads back every field', async () => {
      const created = await store.createSandbox(makeRecord('sb-1', 'one'));
      assert.equal(created.sandbox.metadata!.resourceVersion, 1);
      assert.equal(created.sandbox.metadata!.createdAtMs, CONTRACT_NOW_MS);
      const read = await store.getSandbox('sb-1');
      assert.deepEqual(read, created);
      assert.deepEqual(read.sandbox.spec!.command, ['sleep', 'infinity']);
      assert.equal(read.sandbox.status!.conditions[0]!.reason, 'Starting');
      assert.deepEqual(await store.findSandboxByName('default', 'one'), created);
      assert.equal(await store.getSandbox('nope'), undefined);
      assert.equal(await store.findSandboxByName('team-a', 'one'), undefined);
    });

    it('keeps a caller-provided created_at_ms', async () => {
      const record = makeRecord('sb-ts', 'ts');
      record.sandbox.metadata!.createdAtMs = 42;
      assert.equal((await store.createSandbox(record)).sandbox.metadata!.createdAtMs, 42);
      assert.equal(await store.deleteSandbox('sb-ts'), true);
    });

    it('returns copies: mutating a result does not change the store', async () => {
      const read = (await store.getSandbox('sb-1'))!;
      read.sandbox.metadata!.labels['x'] = 'y';
      assert.deepEqual((await store.getSandbox('sb-1'))!.sandbox.metadata!.labels, {});
    });

    it('a write is read back at its new version, also from a list, and never changed by its caller', async () => {
      const written = await store.updateSandbox('sb-1', 1, { ...(await store.getSandbox('sb-1'))!, desiredState: DesiredState.Stopped });
      written.sandbox.metadata!.labels['x'] = 'mutated after the write';
      const [listed] = await store.listSandboxes({ workspace: 'default' });
      assert.equal(listed!.sandbox.metadata!.resourceVersion, 2);
      assert.deepEqual(listed!.sandbox.metadata!.labels, {});
      assert.deepEqual(await store.getSandbox('sb-1'), listed);
      const back = await store.updateSandbox('sb-1', 2, { ...(await store.getSandbox('sb-1'))!, desiredState: DesiredState.Running });
      assert.equal(back.sandbox.metadata!.resourceVersion, 3);
      assert.equal((await store.listSandboxes({ workspace: 'default' }))[0]!.sandbox.metadata!.resourceVersion, 3);
    });

    it('names are unique per workspace, ids globally; the same name in two workspaces is fine', async () => {
      await store.createSandbox(makeRecord('sb-a', 'dup', 'team-a'));
      await store.createSandbox(makeRecord('sb-b', 'dup', 'team-b'));
      await rejectsWith(store.createSandbox(makeRecord('sb-c', 'dup', 'team-a')), 'SandboxNameTakenError', 'ALREADY_EXISTS', /"dup" already exists in workspace "team-a"/);
      await rejectsWith(store.createSandbox(makeRecord('sb-a', 'other', 'team-b')), 'SandboxIdTakenError', 'ALREADY_EXISTS', /"sb-a"/);
      await rejectsWith(store.createSandbox(makeRecord('sb-d', 'x', 'ghost')), 'WorkspaceNotFoundError', 'NOT_FOUND', /"ghost"/);
      await rejectsWith(store.createSandbox(makeRecord('', 'x')), 'InvalidStoreRecordError', 'INVALID_ARGUMENT', /metadata\.id/);
      assert.equal(await store.getSandbox('sb-c'), undefined);
    });

    it('updates by compare-and-set and rejects a stale version', async () => {
      const current = (await store.getSandbox('sb-a'))!;
      const next = { ...current, desiredState: DesiredState.Stopped, missingSinceMs: 123 };
      const updated = await store.updateSandbox('sb-a', 1, next);
      assert.equal(updated.sandbox.metadata!.resourceVersion, 2);
      assert.deepEqual(await store.getSandbox('sb-a'), updated);
      assert.equal(updated.desiredState, 'stopped');
      assert.equal(updated.missingSinceMs, 123);

      await rejectsWith(store.updateSandbox('sb-a', 1, next), 'VersionConflictError', 'ABORTED', /"sb-a".*expected resource_version 1, found 2/);
      await assert.rejects(store.updateSandbox('sb-a', 1, next), (error: { hint?: string }) => /re-read/.test(error.hint ?? ''));
      await rejectsWith(store.updateSandbox('missing', 1, makeRecord('missing', 'm')), 'SandboxRecordNotFoundError', 'NOT_FOUND', /"missing"/);
      await rejectsWith(store.updateSandbox('sb-a', 2, makeRecord('sb-z', 'dup', 'team-a')), 'InvalidStoreRecordError', 'INVALID_ARGUMENT', /ids never change/);
      assert.equal((await store.getSandbox('sb-a'))!.sandbox.metadata!.resourceVersion, 2);
    });

    it('an update cannot rename onto a taken name or into a missing workspace', async () => {
      const b = (await store.getSandbox('sb-b'))!;
      b.sandbox.metadata!.workspace = 'team-a';
      await rejectsWith(store.updateSandbox('sb-b', 1, b), 'SandboxNameTakenError', 'ALREADY_EXISTS', /team-a/);
      b.sandbox.metadata!.workspace = 'ghost';
      await rejectsWith(store.updateSandbox('sb-b', 1, b), 'WorkspaceNotFoundError', 'NOT_FOUND', /"ghost"/);
      b.sandbox.metadata!.workspace = 'team-a';
      b.sandbox.metadata!.name = 'renamed';
      assert.equal((await store.updateSandbox('sb-b', 1, b)).sandbox.metadata!.name, 'renamed');
      b.sandbox.metadata!.workspace = 'team-b';
      b.sandbox.metadata!.name = 'dup';
      await store.updateSandbox('sb-b', 2, b);
    });

    it('deletes, optionally by compare-and-set', async () => {
      await store.createSandbox(makeRecord('sb-del', 'del'));
      await rejectsWith(store.deleteSandbox('sb-del', 7), 'VersionConflictError', 'ABORTED', /expected resource_version 7, found 1/);
      assert.equal(await store.deleteSandbox('sb-del', 1), true);
      assert.equal(await store.deleteSandbox('sb-del'), false);
      assert.equal(await store.getSandbox('sb-del'), undefined);
    });

    it('lets exactly one of many concurrent writers at the same version win', async () => {
      const current = (await store.getSandbox('sb-1'))!;
      const version = current.sandbox.metadata!.resourceVersion;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) => store.updateSandbox('sb-1', version, { ...current, missingSinceMs: index })),
      );
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      for (const result of results) if (result.status === 'rejected') assert.equal((result.reason as Error).name, 'VersionConflictError');
      assert.equal((await store.getSandbox('sb-1'))!.sandbox.metadata!.resourceVersion, version + 1);
    });
  });

  describe(`${label}: listing`, () => {
    let opened: ContractStore;
    let store: GatewayStore;
    before(async () => {
      opened = await openStore(fixedClock);
      store = opened.store;
      await store.createWorkspace('w2');
      await store.createWorkspace('w1');
      await store.createWorkspace('W0');
      const rows: Array<[string, string, string, Record<string, string>]> = [
        ['w2', 'b', 'docker', { app: 'web', env: 'dev' }],
        ['w1', 'c', 'docker', { app: 'web', env: 'prod' }],
        ['w1', 'a', 'podman', { app: 'db' }],
        ['default', 'z', 'docker', {}],
        ['w2', 'a', 'podman', { app: 'web', env: 'qa' }],
        ['w1', 'B', 'podman', { app: 'db' }],
      ];
      for (const [workspace, name, driver, labels] of rows) {
        await store.createSandbox({ ...makeRecord(`${workspace}-${name}`, name, workspace, labels), driver });
      }
    });
    after(() => opened.dispose());

    it('orders by workspace then name, byte-wise (upper case first), across every workspace', async () => {
      assert.deepEqual(names(await store.listSandboxes()), ['default/z', 'w1/B', 'w1/a', 'w1/c', 'w2/a', 'w2/b']);
      assert.equal(await store.countSandboxes(), 6);
      assert.deepEqual((await store.listWorkspaces()).map((workspace) => workspace.metadata!.name), ['W0', 'default', 'w1', 'w2']);
    });

    it('filters by workspace and driver', async () => {
      assert.deepEqual(names(await store.listSandboxes({ workspace: 'w1' })), ['w1/B', 'w1/a', 'w1/c']);
      assert.deepEqual(names(await store.listSandboxes({ driver: 'podman' })), ['w1/B', 'w1/a', 'w2/a']);
      assert.deepEqual(names(await store.listSandboxes({ workspace: 'w2', driver: 'docker' })), ['w2/b']);
      assert.deepEqual(await store.listSandboxes({ workspace: 'none' }), []);
      assert.equal(await store.countSandboxes({ workspace: 'w2', driver: 'docker' }), 1);
    });

    it('filters by label selector', async () => {
      const select = (text: string, workspace?: string) => store.listSandboxes({ workspace, labelSelector: parseLabelSelector(text) });
      assert.deepEqual(names(await select('app=web')), ['w1/c', 'w2/a', 'w2/b']);
      assert.deepEqual(names(await select('app=web,env notin (prod)')), ['w2/a', 'w2/b']);
      assert.deepEqual(names(await select('!app')), ['default/z']);
      assert.deepEqual(names(await select('app', 'w1')), ['w1/B', 'w1/a', 'w1/c']);
      assert.deepEqual(names(await select('')), ['default/z', 'w1/B', 'w1/a', 'w1/c', 'w2/a', 'w2/b']);
      assert.equal(await store.countSandboxes({ labelSelector: parseLabelSelector('app=web') }), 3);
      assert.equal(await store.countSandboxes({ workspace: 'w2', labelSelector: parseLabelSelector('env=qa') }), 1);
    });

    it('pages with limit and offset, counting matching rows only', async () => {
      assert.deepEqual(names(await store.listSandboxes({ limit: 2 })), ['default/z', 'w1/B']);
      assert.deepEqual(names(await store.listSandboxes({ limit: 2, offset: 2 })), ['w1/a', 'w1/c']);
      assert.deepEqual(names(await store.listSandboxes({ offset: 5 })), ['w2/b']);
      assert.deepEqual(names(await store.listSandboxes({ offset: 9 })), []);
      assert.equal((await store.listSandboxes({ limit: 0 })).length, 6, 'limit 0 means no limit');
      const webPage = await store.listSandboxes({ labelSelector: parseLabelSelector('app=web'), limit: 1, offset: 1 });
      assert.deepEqual(names(webPage), ['w2/a']);
    });
  });

  describe(`${label}: workspaces`, () => {
    let opened: ContractStore;
    let store: GatewayStore;
    let nowMs = CONTRACT_NOW_MS;
    before(async () => {
      opened = await openStore({ nowMs: () => nowMs });
      store = opened.store;
    });
    after(() => opened.dispose());

    it('has the default workspace without anyone creating it', async () => {
      const workspace = await store.getWorkspace(DEFAULT_WORKSPACE);
      assert.equal(workspace?.metadata?.name, 'default');
      assert.equal(workspace?.metadata?.resourceVersion, 1);
      assert.equal(workspace?.metadata?.createdAtMs, CONTRACT_NOW_MS);
      assert.equal(workspace?.status?.phase, WorkspacePhase.WORKSPACE_PHASE_ACTIVE);
      await assert.rejects(store.createWorkspace('default'), { name: 'WorkspaceAlreadyExistsError', code: 'ALREADY_EXISTS' });
      await assert.rejects(store.deleteWorkspace('default'), { name: 'DefaultWorkspaceDeletionError', code: 'FAILED_PRECONDITION' });
    });

    it('creates, lists by name with selector and paging, and refuses duplicates', async () => {
      nowMs += 1000;
      const created = await store.createWorkspace('team-b', { tier: 'gold' });
      assert.deepEqual(created.metadata, {
        id: 'team-b', name: 'team-b', workspace: '', labels: { tier: 'gold' }, annotations: {},
        createdAtMs: CONTRACT_NOW_MS + 1000, resourceVersion: 1, deletionTimestampMs: 0,
      });
      await store.createWorkspace('team-a', { tier: 'silver' });
      await assert.rejects(store.createWorkspace('team-a'), (error: Error) => /workspace "team-a" already exists/.test(error.message));
      const listed = (options = {}) => store.listWorkspaces(options).then((all) => all.map((w) => w.metadata!.name));
      assert.deepEqual(await listed(), ['default', 'team-a', 'team-b']);
      assert.deepEqual(await listed({ labelSelector: parseLabelSelector('tier') }), ['team-a', 'team-b']);
      assert.deepEqual(await listed({ labelSelector: parseLabelSelector('tier in (gold)') }), ['team-b']);
      assert.deepEqual(await listed({ limit: 1, offset: 1 }), ['team-a']);
      assert.equal(await store.getWorkspace('nope'), undefined);
    });

    it('updates by compare-and-set', async () => {
      const current = (await store.getWorkspace('team-a'))!;
      current.metadata!.labels['tier'] = 'gold';
      const updated = await store.updateWorkspace('team-a', 1, current);
      assert.equal(updated.metadata!.resourceVersion, 2);
      assert.equal((await store.getWorkspace('team-a'))!.metadata!.labels['tier'], 'gold');
      await assert.rejects(store.updateWorkspace('team-a', 1, current), {
        name: 'VersionConflictError', code: 'ABORTED', message: 'workspace "team-a" was modified concurrently: expected resource_version 1, found 2',
      });
      await assert.rejects(store.updateWorkspace('team-b', 1, current), { name: 'InvalidStoreRecordError', code: 'INVALID_ARGUMENT' });
      await assert.rejects(store.updateWorkspace('gone', 1, { ...current, metadata: { ...current.metadata!, name: 'gone' } }), {
        name: 'WorkspaceNotFoundError', code: 'NOT_FOUND',
      });
    });

    it('refuses to delete a workspace that still has sandboxes, then deletes it once empty', async () => {
      await store.createSandbox({
        sandbox: Sandbox.fromPartial({ metadata: { id: 'sb-1', name: 'one', workspace: 'team-b' } }),
        driver: 'docker', desiredState: DesiredState.Running, missingSinceMs: undefined,
      });
      await assert.rejects(store.deleteWorkspace('team-b'), {
        name: 'WorkspaceNotEmptyError', code: 'FAILED_PRECONDITION', message: 'workspace "team-b" still has 1 sandbox(es)',
      });
      await assert.rejects(store.deleteWorkspace('team-b', 5), { name: 'VersionConflictError' });
      assert.equal(await store.deleteSandbox('sb-1'), true);
      assert.equal(await store.deleteWorkspace('team-b', 1), true);
      assert.equal(await store.deleteWorkspace('team-b'), false);
      assert.equal(await store.getWorkspace('team-b'), undefined);
    });
  });

  describe(`${label}: closing`, () => {
    it('fails politely once closed, and closing twice is fine', async () => {
      const opened = await openStore(fixedClock);
      await opened.store.close();
      await opened.store.close();
      await assert.rejects(opened.store.getSandbox('x'), { name: 'StoreClosedError', code: 'UNAVAILABLE' });
      await opened.dispose();
    });
  });
}
