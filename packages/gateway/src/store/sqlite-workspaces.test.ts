import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Sandbox, WorkspacePhase } from '@shellgate/api';

import { parseLabelSelector } from '../labels/index.js';
import type { GatewayStore } from './gateway-store.js';
import { DEFAULT_WORKSPACE, DesiredState } from './gateway-store.js';
import { openSqliteStore } from './sqlite-gateway-store.js';

const NOW_MS = 1_750_000_000_000;

describe('SqliteGatewayStore workspaces', () => {
  let store: GatewayStore;
  let nowMs = NOW_MS;
  before(async () => {
    store = await openSqliteStore({ path: ':memory:', clock: { nowMs: () => nowMs } });
  });
  after(() => store.close());

  it('has the default workspace without anyone creating it', async () => {
    const workspace = await store.getWorkspace(DEFAULT_WORKSPACE);
    assert.equal(workspace?.metadata?.name, 'default');
    assert.equal(workspace?.metadata?.resourceVersion, 1);
    assert.equal(workspace?.metadata?.createdAtMs, NOW_MS);
    assert.equal(workspace?.status?.phase, WorkspacePhase.WORKSPACE_PHASE_ACTIVE);
    await assert.rejects(store.createWorkspace('default'), { name: 'WorkspaceAlreadyExistsError', code: 'ALREADY_EXISTS' });
    await assert.rejects(store.deleteWorkspace('default'), { name: 'DefaultWorkspaceDeletionError', code: 'FAILED_PRECONDITION' });
  });

  it('creates, lists by name with selector and paging, and refuses duplicates', async () => {
    nowMs += 1000;
    const created = await store.createWorkspace('team-b', { tier: 'gold' });
    assert.deepEqual(created.metadata, {
      id: 'team-b', name: 'team-b', workspace: '', labels: { tier: 'gold' }, annotations: {},
      createdAtMs: NOW_MS + 1000, resourceVersion: 1, deletionTimestampMs: 0,
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

  it('fails politely once closed', async () => {
    const closing = await openSqliteStore({ path: ':memory:' });
    await closing.close();
    await closing.close();
    await assert.rejects(closing.getSandbox('x'), { name: 'StoreClosedError', code: 'UNAVAILABLE' });
  });
});
