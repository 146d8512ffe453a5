import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ErrorCode, SANDBOX_LABEL_KEYS, SandboxFileStore, SandboxTracker, silentLogger, toSandboxLabels } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import { FakeContainerEngine, engineHttpError } from '../testing/fake-container-engine.js';
import { PODMAN_NAMING } from '../testdata/podman-naming.js';
import { ContainerInventory } from './container-inventory.js';
import { ContainerSandboxDeleter } from './container-sandbox-deleter.js';
import type { ContainerSandboxDeleterOptions } from './container-sandbox-deleter.js';
import { toPendingSandbox } from './pending-sandbox.js';
import type { ContainerSpecBase } from './provision-sandbox.js';

interface Harness extends AsyncDisposable {
  readonly engine: FakeContainerEngine<ContainerSpecBase>;
  readonly inventory: ContainerInventory;
  readonly store: SandboxFileStore;
  readonly deleter: ContainerSandboxDeleter;
  /** Sandbox ids the watch was told are deleted, in order. */
  readonly deletedIds: string[];
  /** A container of ours for `sandboxId` in `workspace`. */
  addContainer(sandboxId: string, workspace?: string): string;
}

async function startHarness(options: Pick<ContainerSandboxDeleterOptions, 'quoteWorkspace'> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'sg-sandbox-deleter-'));
  const engine = new FakeContainerEngine<ContainerSpecBase>();
  const store = new SandboxFileStore(join(root, 'state'));
  await store.prepare();
  const deletedIds: string[] = [];
  const tracker = new SandboxTracker({ publishSandbox: () => {}, publishPlatformEvent: () => {}, publishDeleted: (id) => deletedIds.push(id) });
  const inventory = new ContainerInventory({ engine, store, tracker, gatewayId: 'gw-1', vocabularies: [SANDBOX_LABEL_KEYS], naming: PODMAN_NAMING });
  const deleter = new ContainerSandboxDeleter({ engine, inventory, store, tracker, logger: silentLogger, naming: PODMAN_NAMING, ...options });
  return {
    engine,
    inventory,
    store,
    deleter,
    deletedIds,
    addContainer: (sandboxId, workspace = '') =>
      engine.addForeignContainer(toSandboxLabels({ sandboxId, sandboxName: `${sandboxId}-name`, workspace, namespace: '', gatewayId: 'gw-1' })),
    [Symbol.asyncDispose]: () => rm(root, { recursive: true, force: true }),
  };
}

const signal = new AbortController().signal;

async function errorOf(call: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string }> {
  try {
    await call;
  } catch (error) {
    return error as { code?: string; message: string; hint?: string };
  }
  assert.fail('expected a rejection');
}

describe('ContainerSandboxDeleter.deleteSandbox', () => {
  it('removes the container and the state files, tells the watch once, and is idempotent', async () => {
    await using h = await startHarness();
    h.addContainer('a');
    await h.store.writeState({ id: 'a', name: 'a-name', namespace: '', workspace: '', isStoppedByUs: false });
    assert.deepEqual(await h.deleter.deleteSandbox({ sandboxId: 'a', sandboxName: '' }, signal), { deleted: true });
    assert.equal(h.engine.containers.size, 0);
    assert.equal(await h.store.readState('a'), undefined);
    assert.deepEqual(await h.deleter.deleteSandbox({ sandboxId: 'a', sandboxName: '' }, signal), { deleted: false });
    assert.deepEqual(h.deletedIds, ['a']);
  });

  it('finds a sandbox by name and deletes it under the id its labels name', async () => {
    await using h = await startHarness();
    h.addContainer('a');
    assert.deepEqual(await h.deleter.deleteSandbox({ sandboxId: '', sandboxName: 'a-name' }, signal), { deleted: true });
    assert.deepEqual(h.deletedIds, ['a']);
  });

  it('cancels an in-flight create and waits for it before deleting', async () => {
    await using h = await startHarness();
    const pending = toPendingSandbox(buildTestSandbox({ id: 'b', name: 'b-name' }));
    let isTaskDone = false;
    const finish = (resolve: () => void): void => {
      isTaskDone = true;
      resolve();
    };
    pending.task = new Promise<void>((resolve) => pending.abort.signal.addEventListener('abort', () => setImmediate(finish, resolve), { once: true }));
    h.inventory.pending.set('b', pending);
    assert.deepEqual(await h.deleter.deleteSandbox({ sandboxId: 'b', sandboxName: '' }, signal), { deleted: true });
    assert.equal(isTaskDone, true);
    assert.equal(h.inventory.pending.has('b'), false);
    assert.deepEqual(h.deletedIds, ['b']);
  });

  it("maps the engine's failure to remove in the engine's words, keeping the sandbox", async () => {
    await using h = await startHarness();
    h.addContainer('a');
    h.engine.failures.set('remove', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const error = await errorOf(h.deleter.deleteSandbox({ sandboxId: 'a', sandboxName: '' }, signal));
    assert.equal(error.code, ErrorCode.Unavailable);
    assert.match(error.message, /^remove container c1: cannot reach unix:\/\/\/fake\/engine\.sock/);
    assert.match(error.hint ?? '', /Podman API service/);
    h.engine.failures.set('remove', engineHttpError(404, 'no such container'));
    assert.equal((await errorOf(h.deleter.deleteSandbox({ sandboxId: 'a', sandboxName: '' }, signal))).code, ErrorCode.NotFound);
    assert.deepEqual(h.deletedIds, []);
  });
});

describe('ContainerSandboxDeleter.deleteWorkspace', () => {
  it('refuses while containers of the workspace remain, and removes nothing otherwise', async () => {
    await using h = await startHarness();
    h.addContainer('a', 'ws');
    h.addContainer('b', 'ws');
    const error = await errorOf(h.deleter.deleteWorkspace('ws', signal));
    assert.equal(error.code, ErrorCode.FailedPrecondition);
    assert.equal(error.message, 'workspace "ws" still has 2 sandbox container(s)');
    assert.equal(error.hint, 'delete the sandboxes of the workspace first');
    await h.deleter.deleteWorkspace('other', signal);
    assert.equal(h.engine.containers.size, 2);
  });

  it('cuts a long workspace name in the message unless the driver quotes it its own way', async () => {
    const workspace = 'w'.repeat(200);
    await using h = await startHarness();
    h.addContainer('a', workspace);
    assert.match((await errorOf(h.deleter.deleteWorkspace(workspace, signal))).message, /^workspace "w{128}"… \(200 chars\) still has 1 sandbox container\(s\)$/);
    await using whole = await startHarness({ quoteWorkspace: (name) => JSON.stringify(name) });
    whole.addContainer('a', workspace);
    assert.equal((await errorOf(whole.deleter.deleteWorkspace(workspace, signal))).message, `workspace "${workspace}" still has 1 sandbox container(s)`);
  });

  it('refuses an empty workspace', async () => {
    await using h = await startHarness();
    const error = await errorOf(h.deleter.deleteWorkspace('', signal));
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.equal(error.message, 'workspace must not be empty');
  });
});
