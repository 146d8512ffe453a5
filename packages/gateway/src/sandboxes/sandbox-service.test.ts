import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SandboxPhase, type Sandbox } from '@shellgate/api';
import { ErrorCode, ShellgateError, isShellgateError } from '@shellgate/driver-sdk';
import { parseLabelSelector } from '../labels/index.js';
import { DesiredState } from '../store/index.js';
import { backendReadyStatus, createSandboxHarness, nextPhase, type SandboxHarness } from './testing/index.js';

const P = SandboxPhase;

async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isShellgateError(error), String(error));
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

/** Drives a created sandbox to Ready: the backend reports Ready=True and a supervisor connects. */
async function makeReady(h: SandboxHarness, sandbox: Sandbox, driver = 'fake'): Promise<Sandbox> {
  const id = sandbox.metadata!.id;
  const client = h.drivers.client(driver);
  client.setStatus(id, backendReadyStatus());
  await h.statusSync.applyBackendSandbox(driver, client.backend.get(id)!);
  const ready = nextPhase(h.events, id, P.SANDBOX_PHASE_READY);
  h.sessions.connect(id, `session-${id}`);
  return ready;
}

/** Feeds the fake backend's current view of a sandbox to the status sync, as a watch would. */
async function syncFromBackend(h: SandboxHarness, sandbox: Sandbox, driver = 'fake'): Promise<Sandbox> {
  const id = sandbox.metadata!.id;
  await h.statusSync.applyBackendSandbox(driver, h.drivers.client(driver).backend.get(id)!);
  return h.stored(id);
}

describe('SandboxService.create', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'other' }] });
  });
  afterEach(async () => h.close());

  it('stores a Provisioning record on the default driver with its default image, and creates it in the backend', async () => {
    const sandbox = await h.create({ name: 'box', labels: { team: 'a' } });
    const id = sandbox.metadata!.id;
    assert.equal(sandbox.status!.phase, P.SANDBOX_PHASE_PROVISIONING);
    assert.equal(sandbox.spec!.template!.image, 'fake-default:latest');
    assert.equal(sandbox.metadata!.resourceVersion >= 1, true);
    const record = await h.store.getSandbox(id);
    assert.equal(record?.driver, 'fake');
    assert.equal(record?.desiredState, DesiredState.Running);
    const client = h.drivers.client('fake');
    assert.deepEqual(client.calls.map((c) => c.method), ['ensureWorkspace', 'validateSandboxCreate', 'createSandbox']);
    assert.ok(client.backend.has(id));
    assert.equal(h.drivers.client('other').calls.length, 0);
  });

  it('passes a sandbox token that verifies for that sandbox and is not stored in the public object', async () => {
    const sandbox = await h.create();
    const id = sandbox.metadata!.id;
    const token = h.drivers.client('fake').callsTo('createSandbox')[0]!.sandbox!.spec!.sandboxToken;
    const claims = await h.identity.verifyToken(token, id);
    assert.equal(claims.sandboxId, id);
    assert.ok(!JSON.stringify(await h.stored(id)).includes(token));
    assert.ok(!JSON.stringify(sandbox).includes(token));
    assert.ok(!h.logger.text().includes(token), 'token never logged');
  });

  it('uses the driver named in driver_config', async () => {
    const sandbox = await h.create({ spec: { template: { driverConfig: { other: { x: 1 } } } } });
    assert.equal((await h.store.getSandbox(sandbox.metadata!.id))?.driver, 'other');
    const created = h.drivers.client('other').callsTo('createSandbox')[0]!;
    assert.deepEqual(created.sandbox!.spec!.template!.driverConfig, { x: 1 });
    assert.equal(created.sandbox!.spec!.template!.image, 'other-default:latest');
  });

  it('refuses invalid input before touching any driver or the store', async () => {
    await rejectsWithCode(h.create({ name: 'Not_A_Label' }), ErrorCode.InvalidArgument, /name/);
    assert.equal(h.drivers.client('fake').calls.length, 0);
    assert.equal(await h.store.countSandboxes(), 0);
  });

  it('a failed driver create leaves no record, publishes nothing, and the name can be used again', async () => {
    const client = h.drivers.client('fake');
    client.failNext('createSandbox', new ShellgateError(ErrorCode.ResourceExhausted, 'no room'));
    const seen: string[] = [];
    const original = h.events.publish.bind(h.events);
    h.events.publish = (change) => {
      seen.push(change.kind);
      original(change);
    };
    await rejectsWithCode(h.create({ name: 'box' }), ErrorCode.ResourceExhausted, /no room/);
    assert.equal(await h.store.countSandboxes(), 0);
    assert.deepEqual(seen, []);
    const again = await h.create({ name: 'box' });
    assert.equal(again.metadata!.name, 'box');
  });

  it('a driver that refuses ValidateSandboxCreate stops the create; UNIMPLEMENTED counts as valid', async () => {
    const client = h.drivers.client('fake');
    client.failNext('validateSandboxCreate', new ShellgateError(ErrorCode.InvalidArgument, 'spec.template.image: unknown registry'));
    await rejectsWithCode(h.create(), ErrorCode.InvalidArgument, /unknown registry/);
    assert.equal(client.callsTo('createSandbox').length, 0);
    assert.equal(await h.store.countSandboxes(), 0);
    client.failNext('validateSandboxCreate', new ShellgateError(ErrorCode.Unimplemented, 'not implemented'));
    await h.create();
    assert.equal(await h.store.countSandboxes(), 1);
  });

  it('a duplicate name in a workspace is ALREADY_EXISTS and does not reach the driver create', async () => {
    await h.create({ name: 'box' });
    await rejectsWithCode(h.create({ name: 'box' }), ErrorCode.AlreadyExists, /box/);
    assert.equal(h.drivers.client('fake').callsTo('createSandbox').length, 1);
    await h.store.createWorkspace('team-a');
    await h.create({ name: 'box', workspace: 'team-a' });
  });

  it('a workspace that does not exist is NOT_FOUND', async () => {
    await rejectsWithCode(h.create({ workspace: 'nowhere' }), ErrorCode.NotFound, /nowhere/);
    assert.equal(h.drivers.client('fake').callsTo('createSandbox').length, 0);
  });

  it('a driver that is not configured any more is FAILED_PRECONDITION', async () => {
    const sandbox = await makeReady(h, await h.create());
    const record = (await h.store.getSandbox(sandbox.metadata!.id))!;
    await h.store.updateSandbox(sandbox.metadata!.id, record.sandbox.metadata!.resourceVersion, { ...record, driver: 'gone' });
    await rejectsWithCode(h.service.stop('default', 'box'), ErrorCode.FailedPrecondition, /gone/);
  });
});

describe('SandboxService: EnsureWorkspace', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'other' }] });
    await h.store.createWorkspace('team-a');
  });
  afterEach(async () => h.close());

  it('is called once per driver and workspace', async () => {
    await h.create({ name: 'a' });
    await h.create({ name: 'b' });
    await h.create({ name: 'c', workspace: 'team-a' });
    await h.create({ name: 'd', spec: { template: { driverConfig: { other: {} } } } });
    assert.deepEqual(h.drivers.client('fake').callsTo('ensureWorkspace').map((c) => c.workspace), ['default', 'team-a']);
    assert.deepEqual(h.drivers.client('other').callsTo('ensureWorkspace').map((c) => c.workspace), ['default']);
  });

  it('is called once even for concurrent first creates in a workspace', async () => {
    const client = h.drivers.client('fake');
    const held = client.hold('ensureWorkspace');
    const creates = ['a', 'b', 'c', 'd'].map(async (name) => h.create({ name }));
    await client.waitFor(() => held.waiting >= 1);
    held.release();
    await Promise.all(creates);
    assert.equal(client.callsTo('ensureWorkspace').length, 1);
    assert.equal(await h.store.countSandboxes(), 4);
  });

  it('UNIMPLEMENTED counts as done and is not asked again', async () => {
    const client = h.drivers.client('fake');
    client.failNext('ensureWorkspace', new ShellgateError(ErrorCode.Unimplemented, 'no workspaces here'));
    await h.create({ name: 'a' });
    await h.create({ name: 'b' });
    assert.equal(client.callsTo('ensureWorkspace').length, 1);
    assert.equal(await h.store.countSandboxes(), 2);
  });

  it('a failure fails the create without a record, and the next create asks again', async () => {
    const client = h.drivers.client('fake');
    client.failNext('ensureWorkspace');
    await rejectsWithCode(h.create({ name: 'a' }), ErrorCode.Unavailable);
    assert.equal(await h.store.countSandboxes(), 0);
    assert.equal(client.callsTo('createSandbox').length, 0);
    await h.create({ name: 'a' });
    assert.equal(client.callsTo('ensureWorkspace').length, 2);
  });

  it('deleteWorkspaceInDrivers asks every driver, tolerates UNIMPLEMENTED, and re-ensures on the next create', async () => {
    await h.create({ name: 'a', workspace: 'team-a' });
    await h.service.delete('team-a', 'a');
    h.drivers.client('other').failNext('deleteWorkspace', new ShellgateError(ErrorCode.Unimplemented, 'n/a'));
    await h.service.deleteWorkspaceInDrivers('team-a');
    assert.deepEqual(h.drivers.client('fake').callsTo('deleteWorkspace').map((c) => c.workspace), ['team-a']);
    assert.equal(h.drivers.client('other').callsTo('deleteWorkspace').length, 1);
    await h.create({ name: 'b', workspace: 'team-a' });
    assert.equal(h.drivers.client('fake').callsTo('ensureWorkspace').filter((c) => c.workspace === 'team-a').length, 2);
  });

  it('a workspace deleted behind this gateway (another replica) is still NOT_FOUND, and reaches no driver create', async () => {
    await h.create({ name: 'a', workspace: 'team-a' });
    await h.service.delete('team-a', 'a');
    assert.equal(await h.store.deleteWorkspace('team-a'), true);
    await rejectsWithCode(h.create({ name: 'b', workspace: 'team-a' }), ErrorCode.NotFound, /team-a/);
    assert.equal(h.drivers.client('fake').callsTo('createSandbox').length, 1);
    assert.equal(await h.store.countSandboxes(), 0);
  });

  it('deleteWorkspaceInDrivers passes other driver errors on', async () => {
    h.drivers.client('fake').failNext('deleteWorkspace', new ShellgateError(ErrorCode.Internal, 'boom'));
    await rejectsWithCode(h.service.deleteWorkspaceInDrivers('team-a'), ErrorCode.Internal, /boom/);
  });
});

describe('SandboxService get, list, delete', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await createSandboxHarness();
    await h.store.createWorkspace('team-a');
  });
  afterEach(async () => h.close());

  it('get finds by workspace and name, NOT_FOUND names both otherwise', async () => {
    const created = await h.create({ name: 'box' });
    assert.equal((await h.service.get('default', 'box')).metadata!.id, created.metadata!.id);
    await rejectsWithCode(h.service.get('team-a', 'box'), ErrorCode.NotFound, /"box".*"team-a"/);
  });

  it('list filters by workspace and label selector and pages', async () => {
    await h.create({ name: 'a', labels: { tier: 'web' } });
    await h.create({ name: 'b', labels: { tier: 'db' } });
    await h.create({ name: 'c', workspace: 'team-a', labels: { tier: 'web' } });
    const names = (sandboxes: Sandbox[]): string[] => sandboxes.map((s) => s.metadata!.name);
    assert.deepEqual(names(await h.service.list({ workspace: 'default', labelSelector: undefined, limit: 0, offset: 0 })), ['a', 'b']);
    assert.deepEqual(names(await h.service.list({ workspace: undefined, labelSelector: parseLabelSelector('tier=web'), limit: 0, offset: 0 })), ['a', 'c']);
    assert.deepEqual(names(await h.service.list({ workspace: undefined, labelSelector: undefined, limit: 1, offset: 1 })), ['b']);
  });

  it('delete removes the sandbox from the backend and the store, and tells watchers', async () => {
    const created = await h.create({ name: 'box' });
    const id = created.metadata!.id;
    const changes: string[] = [];
    h.events.subscribe(id, (c) => changes.push(c.kind === 'platformEvent' ? c.kind : `${c.kind}:${c.sandbox.status!.phase}`));
    assert.equal(await h.service.delete('default', 'box'), true);
    assert.deepEqual(h.drivers.client('fake').callsTo('deleteSandbox').map((c) => c.sandboxId), [id]);
    assert.equal(h.drivers.client('fake').backend.has(id), false);
    assert.equal(await h.store.getSandbox(id), undefined);
    assert.deepEqual(changes, [`updated:${P.SANDBOX_PHASE_DELETING}`, `deleted:${P.SANDBOX_PHASE_DELETING}`]);
  });

  it('delete of an unknown sandbox answers false', async () => {
    assert.equal(await h.service.delete('default', 'nope'), false);
    assert.equal(h.drivers.client('fake').callsTo('deleteSandbox').length, 0);
  });

  it('a failed driver delete keeps the record marked Deleting, for the reconcile sweep to finish', async () => {
    const created = await h.create({ name: 'box' });
    h.drivers.client('fake').failNext('deleteSandbox');
    await rejectsWithCode(h.service.delete('default', 'box'), ErrorCode.Unavailable);
    const stored = await h.stored(created.metadata!.id);
    assert.equal(stored.status!.phase, P.SANDBOX_PHASE_DELETING);
    assert.ok(stored.metadata!.deletionTimestampMs > 0);
    assert.equal(await h.service.delete('default', 'box'), true);
    assert.equal(await h.store.getSandbox(created.metadata!.id), undefined);
  });

  it('delete of a sandbox in Error works and clears it', async () => {
    const created = await h.create({ name: 'box' });
    const id = created.metadata!.id;
    h.drivers.client('fake').setStatus(id, { ...backendReadyStatus(), conditions: [{ type: 'Ready', status: 'False', reason: 'ImagePullFailed', message: '', lastTransitionTime: '' }] });
    await syncFromBackend(h, created);
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_ERROR);
    assert.equal(await h.service.delete('default', 'box'), true);
    assert.equal(await h.store.getSandbox(id), undefined);
  });
});

describe('SandboxService stop and start', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await createSandboxHarness();
  });
  afterEach(async () => h.close());

  it('stop from Ready goes Stopping, calls the driver once, and reaches Stopped with desired state stopped', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    const id = sandbox.metadata!.id;
    const stopping = await h.service.stop('default', 'box');
    assert.equal(stopping.status!.phase, P.SANDBOX_PHASE_STOPPING);
    assert.equal((await h.store.getSandbox(id))?.desiredState, DesiredState.Stopped);
    assert.deepEqual(h.drivers.client('fake').callsTo('stopSandbox').map((c) => c.sandboxId), [id]);
    const stopped = await syncFromBackend(h, sandbox);
    assert.equal(stopped.status!.phase, P.SANDBOX_PHASE_STOPPED);
  });

  it('stop is idempotent from Stopping and Stopped: no second driver call', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    await h.service.stop('default', 'box');
    assert.equal((await h.service.stop('default', 'box')).status!.phase, P.SANDBOX_PHASE_STOPPING);
    await syncFromBackend(h, sandbox);
    assert.equal((await h.service.stop('default', 'box')).status!.phase, P.SANDBOX_PHASE_STOPPED);
    assert.equal(h.drivers.client('fake').callsTo('stopSandbox').length, 1);
  });

  it('stop from Provisioning (a supervisor that never connects) goes Stopping, then Stopped', async () => {
    const sandbox = await h.create({ name: 'box' });
    const id = sandbox.metadata!.id;
    h.drivers.client('fake').setStatus(id, backendReadyStatus());
    await syncFromBackend(h, sandbox);
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_PROVISIONING);
    assert.equal((await h.service.stop('default', 'box')).status!.phase, P.SANDBOX_PHASE_STOPPING);
    assert.equal((await syncFromBackend(h, sandbox)).status!.phase, P.SANDBOX_PHASE_STOPPED);
  });

  it('stop from Error goes Stopping, and the failed run\'s old report does not put it back to Error', async () => {
    const sandbox = await h.create({ name: 'box' });
    const id = sandbox.metadata!.id;
    const failedRun = { ...backendReadyStatus(), conditions: [{ type: 'Ready', status: 'False', reason: 'ContainerExited', message: 'exit 1', lastTransitionTime: '' }] };
    h.drivers.client('fake').setStatus(id, failedRun);
    await syncFromBackend(h, sandbox);
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_ERROR);
    const stopping = await h.service.stop('default', 'box');
    assert.equal(stopping.status!.phase, P.SANDBOX_PHASE_STOPPING);
    assert.equal(stopping.status!.conditions[0]?.reason, 'ContainerExited', 'the conditions that explained the Error stay until the driver reports again');
    await h.statusSync.refresh(id);
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_STOPPING);
    assert.deepEqual(h.drivers.client('fake').callsTo('stopSandbox').map((c) => c.sandboxId), [id]);
    assert.equal((await syncFromBackend(h, sandbox)).status!.phase, P.SANDBOX_PHASE_STOPPED);
  });

  it('start from Error goes Starting, and is Ready once the new run\'s supervisor connects; its exit code is cleared', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    const id = sandbox.metadata!.id;
    await h.statusSync.applyMainProcessStarted(id, 'instance-1');
    await h.statusSync.applyMainProcessExited(id, 'instance-1', { exitCode: 3, signal: '' });
    h.sessions.disconnect(id, `session-${id}`);
    h.drivers.client('fake').setStatus(id, { ...backendReadyStatus(), conditions: [{ type: 'Ready', status: 'False', reason: 'ContainerExited', message: 'exit 3', lastTransitionTime: '' }] });
    await syncFromBackend(h, sandbox);
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_ERROR);
    const starting = await h.service.start('default', 'box');
    assert.equal(starting.status!.phase, P.SANDBOX_PHASE_STARTING);
    assert.equal((await h.store.getSandbox(id))?.desiredState, DesiredState.Running);
    await h.statusSync.refresh(id);
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_STARTING, 'the failed run\'s report does not decide');
    const startedRun = h.drivers.client('fake').backend.get(id)!;
    await h.statusSync.applyBackendSandbox('fake', { ...startedRun, status: { ...backendReadyStatus(), conditions: [{ type: 'Ready', status: 'False', reason: 'ContainerExited', message: 'exit 3', lastTransitionTime: '' }] } });
    assert.equal((await h.stored(id)).status!.phase, P.SANDBOX_PHASE_STARTING, 'the old run\'s exit, reported after the start request, does not decide either');
    assert.equal((await syncFromBackend(h, sandbox)).status!.phase, P.SANDBOX_PHASE_STARTING, 'backend Ready, no supervisor yet');
    const ready = nextPhase(h.events, id, P.SANDBOX_PHASE_READY);
    h.sessions.connect(id, 'session-2');
    await ready;
    await h.statusSync.applyMainProcessStarted(id, 'instance-2');
    const running = await h.stored(id);
    assert.equal(running.status!.phase, P.SANDBOX_PHASE_READY);
    assert.equal(running.status!.exitCode, undefined);
  });

  it('a failed driver start from Error puts back Error with its conditions and desired state running', async () => {
    const sandbox = await h.create({ name: 'box' });
    const id = sandbox.metadata!.id;
    h.drivers.client('fake').setStatus(id, { ...backendReadyStatus(), conditions: [{ type: 'Ready', status: 'False', reason: 'ContainerExited', message: 'exit 1', lastTransitionTime: '' }] });
    await syncFromBackend(h, sandbox);
    h.drivers.client('fake').failNext('startSandbox');
    await rejectsWithCode(h.service.start('default', 'box'), ErrorCode.Unavailable);
    const record = await h.store.getSandbox(id);
    assert.equal(record?.sandbox.status!.phase, P.SANDBOX_PHASE_ERROR);
    assert.equal(record?.sandbox.status?.conditions[0]?.reason, 'ContainerExited');
    assert.equal(record?.desiredState, DesiredState.Running);
  });

  it('stop and start of a Deleting sandbox are FAILED_PRECONDITION naming the phase', async () => {
    await h.create({ name: 'box' });
    h.drivers.client('fake').failNext('deleteSandbox');
    await rejectsWithCode(h.service.delete('default', 'box'), ErrorCode.Unavailable);
    await rejectsWithCode(h.service.stop('default', 'box'), ErrorCode.FailedPrecondition, /it is Deleting; stop is allowed from Ready, Provisioning, Starting or Error/);
    await rejectsWithCode(h.service.start('default', 'box'), ErrorCode.FailedPrecondition, /it is Deleting; start is allowed from Stopped or Error/);
    assert.equal(h.drivers.client('fake').callsTo('stopSandbox').length, 0);
  });

  it('stop of an unknown sandbox is NOT_FOUND', async () => {
    await rejectsWithCode(h.service.stop('default', 'nope'), ErrorCode.NotFound);
    await rejectsWithCode(h.service.start('default', 'nope'), ErrorCode.NotFound);
  });

  it('a failed driver stop puts the sandbox back to Ready with desired state running', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    h.drivers.client('fake').failNext('stopSandbox');
    await rejectsWithCode(h.service.stop('default', 'box'), ErrorCode.Unavailable);
    const record = await h.store.getSandbox(sandbox.metadata!.id);
    assert.equal(record?.sandbox.status!.phase, P.SANDBOX_PHASE_READY);
    assert.equal(record?.desiredState, DesiredState.Running);
  });

  it('start from Stopped goes Starting, then Ready only once the supervisor is back', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    const id = sandbox.metadata!.id;
    await h.service.stop('default', 'box');
    await syncFromBackend(h, sandbox);
    h.sessions.disconnect(id, `session-${id}`);
    const starting = await h.service.start('default', 'box');
    assert.equal(starting.status!.phase, P.SANDBOX_PHASE_STARTING);
    assert.equal((await h.store.getSandbox(id))?.desiredState, DesiredState.Running);
    assert.deepEqual(h.drivers.client('fake').callsTo('startSandbox').map((c) => c.sandboxId), [id]);
    const afterBackend = await syncFromBackend(h, sandbox);
    assert.equal(afterBackend.status!.phase, P.SANDBOX_PHASE_STARTING, 'backend Ready but no supervisor yet');
    assert.equal(afterBackend.status!.conditions.find((c) => c.type === 'Ready')?.reason, 'SupervisorNotConnected');
    const ready = nextPhase(h.events, id, P.SANDBOX_PHASE_READY);
    h.sessions.connect(id, 'session-2');
    await ready;
  });

  it('start is idempotent from Starting and Ready, and refused from Stopping and Provisioning', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    assert.equal((await h.service.start('default', 'box')).status!.phase, P.SANDBOX_PHASE_READY);
    await h.service.stop('default', 'box');
    await rejectsWithCode(h.service.start('default', 'box'), ErrorCode.FailedPrecondition, /it is Stopping; start is allowed from Stopped/);
    await syncFromBackend(h, sandbox);
    await h.service.start('default', 'box');
    assert.equal((await h.service.start('default', 'box')).status!.phase, P.SANDBOX_PHASE_STARTING);
    assert.equal(h.drivers.client('fake').callsTo('startSandbox').length, 1);
    await h.create({ name: 'fresh' });
    await rejectsWithCode(h.service.start('default', 'fresh'), ErrorCode.FailedPrecondition, /Provisioning/);
  });

  it('a failed driver start puts the sandbox back to Stopped with desired state stopped', async () => {
    const sandbox = await makeReady(h, await h.create({ name: 'box' }));
    await h.service.stop('default', 'box');
    await syncFromBackend(h, sandbox);
    h.drivers.client('fake').failNext('startSandbox');
    await rejectsWithCode(h.service.start('default', 'box'), ErrorCode.Unavailable);
    const record = await h.store.getSandbox(sandbox.metadata!.id);
    assert.equal(record?.sandbox.status!.phase, P.SANDBOX_PHASE_STOPPED);
    assert.equal(record?.desiredState, DesiredState.Stopped);
  });
});
