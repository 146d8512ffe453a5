import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SandboxFileStore, findCondition, silentLogger, toSandboxLabels } from '@shellgate/driver-sdk';
import type { DriverSandbox } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import type { ContainerInfo } from '../payload/container-info.js';
import { FakeContainerEngine } from '../testing/fake-container-engine.js';
import type { MountSpec } from './container-mounts.js';
import { NoCommandError } from './container-process.js';
import type { ImagePullPolicy } from './container-sandbox-engine.js';
import { toPendingSandbox } from './pending-sandbox.js';
import type { PendingSandbox } from './pending-sandbox.js';
import { provisionSandbox } from './provision-sandbox.js';
import type { ContainerSpecBase, ResolvedImage } from './provision-sandbox.js';

interface Spec extends ContainerSpecBase {
  readonly imageId: string;
  readonly mounts: readonly MountSpec[];
}

interface Run {
  readonly engine: FakeContainerEngine<Spec>;
  readonly store: SandboxFileStore;
  readonly events: string[];
  readonly updates: DriverSandbox[];
  readonly started: ContainerInfo[];
  readonly pending: PendingSandbox;
}

/** Runs one create with the fake engine to its end; `toSpec` may be replaced to fail. */
async function provision(
  init: {
    image?: string;
    policy?: ImagePullPolicy;
    toSpec?: (image: ResolvedImage) => Spec;
    engine?: FakeContainerEngine<Spec>;
    mounts?: readonly MountSpec[];
    resolveBindMounts?: (mounts: readonly MountSpec[]) => Promise<readonly MountSpec[]>;
  } = {},
): Promise<Run> {
  const root = await mkdtemp(join(tmpdir(), 'sg-provision-'));
  try {
    const engine = init.engine ?? new FakeContainerEngine<Spec>();
    const store = new SandboxFileStore(join(root, 'state'));
    await store.prepare();
    const sandbox = buildTestSandbox({ spec: { template: { image: init.image ?? '' } } });
    const labels = toSandboxLabels({ sandboxId: sandbox.id, sandboxName: sandbox.name, workspace: '', namespace: '', gatewayId: 'gw' });
    const pending = toPendingSandbox(sandbox);
    const run: Run = { engine, store, events: [], updates: [], started: [], pending };
    await provisionSandbox(
      {
        engine,
        store,
        logger: silentLogger,
        defaultImage: 'busybox:latest',
        pullPolicy: init.policy ?? 'IfNotPresent',
        ensureNetwork: async () => 'net',
        mounts: init.mounts ?? [],
        resolveBindMounts: init.resolveBindMounts ?? (async (mounts) => mounts),
        toSpec: init.toSpec ?? ((image, _network, mounts) => ({ name: `box-${sandbox.id}`, labels, imageId: image.info.id, mounts })),
        onUpdate: (update) => run.updates.push(update),
        onPlatformEvent: (_id, reason) => run.events.push(reason),
        onStarted: async (_pending, started) => void run.started.push(started),
        now: Date.now,
        lifetime: new AbortController().signal,
      },
      pending,
      sandbox,
    );
    // The failure state must be read before the store goes.
    const state = await store.readState(sandbox.id);
    if (state?.failure !== undefined) run.events.push(`saved:${state.failure.reason}`);
    return run;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function readyOf(pending: PendingSandbox): string {
  const ready = findCondition(pending.conditions, 'Ready');
  return `${ready?.status} ${ready?.reason}: ${ready?.message}`;
}

void describe('provisionSandbox', () => {
  void it('creates from the image id and starts, one platform event per step, and hands a running container over', async () => {
    const run = await provision();
    assert.deepEqual(run.events, ['Created', 'Started']);
    assert.equal(run.engine.createdSpecs[0]?.imageId, 'sha256:busybox', 'the default image, by its immutable id');
    assert.equal(run.started[0]?.state, 'running');
    assert.equal(run.started[0]?.id, run.pending.instanceId);
    assert.deepEqual(run.updates.map((update) => findCondition(update.status?.conditions ?? [], 'Ready')?.message), ['creating container from busybox:latest', 'starting container']);
  });

  void it('pulls a missing image with progress events, and fails ImagePullFailed (saved) when the policy forbids it', async () => {
    const engine = new FakeContainerEngine<Spec>();
    engine.registry.set('remote:1', 'sha256:remote');
    assert.deepEqual((await provision({ image: 'remote:1', engine })).events, ['Pulling', 'PullProgress', 'Created', 'Started']);
    const never = await provision({ image: 'absent:1', policy: 'Never' });
    assert.deepEqual(never.events, ['ImagePullFailed', 'saved:ImagePullFailed']);
    assert.match(readyOf(never.pending), /^False ImagePullFailed: image absent:1 is not present on the engine and image_pull_policy is Never$/);
  });

  void it('fails ContainerCreateFailed with the spec error, and ContainerStartFailed with the engine message', async () => {
    const noCommand = await provision({
      toSpec: () => {
        throw new NoCommandError('scratch:1');
      },
    });
    assert.deepEqual(noCommand.events, ['ContainerCreateFailed', 'saved:ContainerCreateFailed']);
    assert.match(readyOf(noCommand.pending), /creating the container: image scratch:1 has no ENTRYPOINT or CMD/);
    const engine = new FakeContainerEngine<Spec>();
    engine.failures.set('start', Object.assign(new Error('HTTP 500'), { statusCode: 500, json: { message: 'OCI runtime error' } }));
    const failedStart = await provision({ engine });
    assert.deepEqual(failedStart.events, ['Created', 'ContainerStartFailed', 'saved:ContainerStartFailed']);
    assert.equal(readyOf(failedStart.pending), 'False ContainerStartFailed: starting the container: OCI runtime error');
    assert.equal(failedStart.pending.failure?.reason, 'ContainerStartFailed');
  });

  void it('checks bind mounts again right before the create, and creates with the real paths it answers', async () => {
    const bind: MountSpec = { type: 'bind', source: '/srv/link', target: '/data', isReadOnly: false };
    const resolved = await provision({ mounts: [bind], resolveBindMounts: async (mounts) => mounts.map((mount) => ({ ...mount, source: '/srv/real' })) });
    assert.deepEqual(resolved.engine.createdSpecs[0]?.mounts, [{ ...bind, source: '/srv/real' }]);
    const swapped = await provision({
      mounts: [bind],
      resolveBindMounts: async () => {
        throw new Error('"/srv/link" (real path "/etc") is at or under "/etc"');
      },
    });
    assert.deepEqual(swapped.events, ['ContainerCreateFailed', 'saved:ContainerCreateFailed']);
    assert.match(readyOf(swapped.pending), /^False ContainerCreateFailed: checking bind mounts: .*real path "\/etc"/);
    assert.equal(swapped.engine.createdSpecs.length, 0);
  });
});
