import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { SandboxPhase, type Sandbox } from '@shellgate/api';
import { SESSION_LOST_MESSAGE } from '../sandboxes/index.js';
import { backendReadyStatus, backendStoppedStatus, nextPhase } from '../sandboxes/testing/index.js';
import { waitUntil } from './testing/wait-until.js';
import { startSupervisionFixture, type SupervisionFixture } from './testing/supervision-fixture.js';

const P = SandboxPhase;

function readyCondition(sandbox: Sandbox): { status: string; reason: string; message: string } | undefined {
  return sandbox.status?.conditions.find((c) => c.type === 'Ready');
}

describe('SupervisorHub: sessions and readiness', () => {
  let f: SupervisionFixture;
  beforeEach(async () => {
    f = await startSupervisionFixture({ heartbeatMs: 200 });
  });
  afterEach(async () => f.close());

  it('a hello with the sandbox token is welcomed, with a session id and the heartbeat interval, and makes it Ready', async () => {
    const { id, supervisor } = await f.readySandbox();
    const welcome = await supervisor.welcome();
    assert.match(welcome.sessionId, /^[0-9a-f-]{36}$/);
    assert.equal(welcome.heartbeatIntervalMs, 200);
    assert.equal((await f.h.stored(id)).status!.phase, P.SANDBOX_PHASE_READY);
    assert.equal(f.h.sessions.get(id)?.sessionId, welcome.sessionId);
  });

  it('refuses a forged token, another sandbox\'s token, an unknown sandbox and a first message that is not hello', async () => {
    const a = await f.h.create({ name: 'a' });
    const b = await f.h.create({ name: 'b' });
    const aId = a.metadata!.id;
    const bToken = await f.h.identity.mintToken(b.metadata!.id);
    const forged = `${bToken.slice(0, -4)}AAAA`;

    const withForged = await f.connect(aId, { token: forged });
    const forgedEnd = await withForged.ended;
    assert.equal(forgedEnd.code, GrpcStatus.UNAUTHENTICATED);
    assert.match(forgedEnd.details, /sandbox token rejected/);

    const withOthers = await f.connect(aId, { token: bToken });
    const othersEnd = await withOthers.ended;
    assert.equal(othersEnd.code, GrpcStatus.PERMISSION_DENIED);
    assert.match(othersEnd.details, /token is for another sandbox/);

    const unknownId = '00000000-0000-4000-8000-000000000000';
    const unknown = await f.connect(unknownId);
    const unknownEnd = await unknown.ended;
    assert.equal(unknownEnd.code, GrpcStatus.PERMISSION_DENIED);
    assert.match(unknownEnd.details, /does not exist on this gateway/);

    const stream = f.supervisorClient.connect();
    stream.on('error', () => undefined);
    const notHello = new Promise<{ code: number; details: string }>((resolve) => stream.on('status', resolve));
    stream.write({ payload: { $case: 'heartbeat', heartbeat: { sentAtMs: 1 } } });
    assert.equal((await notHello).code, GrpcStatus.INVALID_ARGUMENT);

    assert.equal(f.h.sessions.hasLiveSession(aId), false);
    assert.equal(f.h.logger.at('warn', /supervisor session refused/).length, 4);
  });

  it('a deleted sandbox loses its session and refuses new ones', async () => {
    const { id, supervisor } = await f.readySandbox();
    await f.h.service.delete('default', 'box');
    assert.equal((await supervisor.ended).code, GrpcStatus.OK);
    const again = await f.connect(id);
    assert.equal((await again.ended).code, GrpcStatus.PERMISSION_DENIED);
  });

  it('a lost session takes a Ready sandbox to Provisioning (DependenciesNotReady); a reconnect makes it Ready again', async () => {
    const { id, supervisor } = await f.readySandbox();
    const back = nextPhase(f.h.events, id, P.SANDBOX_PHASE_PROVISIONING);
    supervisor.end();
    const lost = await back;
    assert.deepEqual(readyCondition(lost), { ...readyCondition(lost), status: 'False', reason: 'DependenciesNotReady', message: SESSION_LOST_MESSAGE });
    // Later backend reports keep the reason: the sandbox had a session, it is not new.
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus('instance-2') });
    assert.equal(readyCondition(await f.h.stored(id))?.reason, 'DependenciesNotReady');
    const ready = nextPhase(f.h.events, id, P.SANDBOX_PHASE_READY);
    await (await f.connect(id, { instanceId: 'instance-1' })).welcome();
    await ready;
  });

  it('a sandbox whose supervisor never connected waits with SupervisorNotConnected', async () => {
    const sandbox = await f.h.create({ name: 'box' });
    const id = sandbox.metadata!.id;
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus() });
    const stored = await f.h.stored(id);
    assert.equal(stored.status!.phase, P.SANDBOX_PHASE_PROVISIONING);
    assert.equal(readyCondition(stored)?.reason, 'SupervisorNotConnected');
  });

  it('a newer session supersedes the older one, which gets superseded and ends, and the sandbox stays Ready', async () => {
    const { id, supervisor: first } = await f.readySandbox();
    const phases: SandboxPhase[] = [];
    f.h.events.subscribe(id, (change) => {
      if (change.kind === 'updated') phases.push(change.sandbox.status!.phase);
    });
    const second = await f.connect(id, { instanceId: 'instance-2' });
    const welcome = await second.welcome();
    await first.recorder.waitFor((m) => (m.payload?.$case === 'superseded' ? m.payload.superseded : undefined), 'superseded');
    assert.equal((await first.ended).code, GrpcStatus.OK);
    assert.equal(f.h.sessions.get(id)?.sessionId, welcome.sessionId);
    assert.equal(f.hub.connectionOf(id)?.info.instanceId, 'instance-2');
    assert.equal((await f.h.stored(id)).status!.phase, P.SANDBOX_PHASE_READY);
    assert.deepEqual(phases.filter((p) => p !== P.SANDBOX_PHASE_READY), []);
  });

  it('a resuming hello (resume_only_if_free) is refused while another session is live, without superseding it, and accepted once it ends', async () => {
    const { id, supervisor: usurper } = await f.readySandbox();
    const refused = await f.connect(id, { instanceId: 'instance-real', resumeOnlyIfFree: true });
    const end = await refused.ended;
    assert.equal(end.code, GrpcStatus.FAILED_PRECONDITION);
    assert.match(end.details, /another supervisor session of sandbox .* is live/);
    assert.equal(f.hub.connectionOf(id)?.info.instanceId, 'instance-1');
    assert.ok(!usurper.recorder.messages.some((m) => m.payload?.$case === 'superseded'));
    assert.equal(f.h.logger.at('warn', /supervisor session refused/).length, 0, 'a refused resume is not a warning');
    const back = nextPhase(f.h.events, id, P.SANDBOX_PHASE_PROVISIONING);
    usurper.end();
    await back;
    const ready = nextPhase(f.h.events, id, P.SANDBOX_PHASE_READY);
    const resumed = await f.connect(id, { instanceId: 'instance-real', resumeOnlyIfFree: true });
    await resumed.welcome();
    await ready;
    assert.equal(f.hub.connectionOf(id)?.info.instanceId, 'instance-real');
  });

  it('ends a session silent for 3 heartbeat intervals, and sends heartbeats meanwhile', async () => {
    const { id, supervisor } = await f.readySandbox();
    const back = nextPhase(f.h.events, id, P.SANDBOX_PHASE_PROVISIONING);
    const ended = await supervisor.ended;
    assert.equal(ended.code, GrpcStatus.UNAVAILABLE);
    assert.match(ended.details, /no message from the supervisor for \d+ ms \(heartbeat every 200 ms\)/);
    assert.ok(supervisor.recorder.messages.some((m) => m.payload?.$case === 'heartbeat'));
    await back;
    assert.equal(f.h.sessions.hasLiveSession(id), false);
  });

  it('heartbeats keep a session alive past 3 intervals', async () => {
    const { id, supervisor } = await f.readySandbox();
    const timer = setInterval(() => supervisor.send({ $case: 'heartbeat', heartbeat: { sentAtMs: Date.now() } }), 100);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(f.h.sessions.hasLiveSession(id), true);
    } finally {
      clearInterval(timer);
    }
  });

  it('the token never appears in the gateway log, accepted or refused', async () => {
    const { id, token, supervisor } = await f.readySandbox();
    supervisor.end();
    const other = await f.h.create({ name: 'other' });
    await (await f.connect(other.metadata!.id, { token })).ended;
    await (await f.connect(id, { token: `${token}x` })).ended;
    const logged = JSON.stringify(f.h.logger.lines);
    assert.ok(f.h.logger.lines.length > 0);
    assert.ok(!logged.includes(token.slice(-20)), 'the sandbox token leaked into the log');
  });
});

describe('SupervisorHub: main process reports', () => {
  let f: SupervisionFixture;
  beforeEach(async () => {
    f = await startSupervisionFixture();
  });
  afterEach(async () => f.close());

  it('main_process_exited makes the sandbox Error with Ready=False MainProcessExited naming code and signal', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.send({ $case: 'mainProcessStarted', mainProcessStarted: { command: ['sleep', '1'], pid: 7, tty: false } });
    const failed = nextPhase(f.h.events, id, P.SANDBOX_PHASE_ERROR);
    supervisor.send({ $case: 'mainProcessExited', mainProcessExited: { exitCode: 137, signal: 'SIGKILL' } });
    const sandbox = await failed;
    assert.deepEqual(readyCondition(sandbox), {
      ...readyCondition(sandbox),
      status: 'False',
      reason: 'MainProcessExited',
      message: 'main process was killed by SIGKILL (exit code 137)',
    });
    assert.equal(sandbox.status!.exitCode, 137);
    assert.equal(sandbox.status!.mainProcessInstanceId, 'instance-1');
  });

  it('main_process_exited from an instance that did not start the main process is logged and ignored', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.send({ $case: 'mainProcessStarted', mainProcessStarted: { command: ['sleep', '1'], pid: 7, tty: false } });
    await waitUntil(async () => (await f.h.stored(id)).status!.mainProcessInstanceId === 'instance-1');
    const usurper = await f.connect(id, { instanceId: 'instance-stolen-token' });
    await usurper.welcome();
    usurper.send({ $case: 'mainProcessExited', mainProcessExited: { exitCode: 1, signal: '' } });
    await f.h.logger.waitFor('warn', /main process exit reported by a supervisor instance that did not start it/);
    const stored = await f.h.stored(id);
    assert.equal(stored.status!.phase, P.SANDBOX_PHASE_READY);
    assert.equal(stored.status!.exitCode, undefined);
    assert.equal(stored.status!.mainProcessInstanceId, 'instance-1');
  });

  it('main_process_exited before any main_process_started is ignored too', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.send({ $case: 'mainProcessExited', mainProcessExited: { exitCode: 1, signal: '' } });
    await f.h.logger.waitFor('warn', /did not start it/);
    assert.equal((await f.h.stored(id)).status!.phase, P.SANDBOX_PHASE_READY);
  });

  it('Error from an exit is sticky: later backend reports and session changes keep it and its condition', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.send({ $case: 'mainProcessStarted', mainProcessStarted: { command: ['false'], pid: 7, tty: false } });
    const failed = nextPhase(f.h.events, id, P.SANDBOX_PHASE_ERROR);
    supervisor.send({ $case: 'mainProcessExited', mainProcessExited: { exitCode: 3, signal: '' } });
    await failed;
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus('instance-2') });
    supervisor.end();
    await supervisor.ended;
    await (await f.connect(id, { instanceId: 'instance-2' })).welcome();
    await f.h.statusSync.refresh(id);
    const stored = await f.h.stored(id);
    assert.equal(stored.status!.phase, P.SANDBOX_PHASE_ERROR);
    assert.equal(readyCondition(stored)?.reason, 'MainProcessExited');
    assert.equal(readyCondition(stored)?.message, 'main process exited with code 3');
    assert.equal(stored.status!.exitCode, 3);
  });

  it('an exit caused by a stop is not an Error, and a later start is Ready again', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.send({ $case: 'mainProcessStarted', mainProcessStarted: { command: ['sleep', '1'], pid: 7, tty: false } });
    await f.h.service.stop('default', 'box');
    supervisor.send({ $case: 'mainProcessExited', mainProcessExited: { exitCode: 143, signal: 'SIGTERM' } });
    supervisor.end();
    await supervisor.ended;
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(id)!, status: backendStoppedStatus() });
    const stopped = await f.h.stored(id);
    assert.equal(stopped.status!.phase, P.SANDBOX_PHASE_STOPPED);
    assert.equal(stopped.status!.exitCode, 143);
    await f.h.service.start('default', 'box');
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus() });
    assert.equal(readyCondition(await f.h.stored(id))?.reason, 'SupervisorNotConnected');
    const ready = nextPhase(f.h.events, id, P.SANDBOX_PHASE_READY);
    const restarted = await f.connect(id, { instanceId: 'instance-2' });
    await restarted.welcome();
    restarted.send({ $case: 'mainProcessStarted', mainProcessStarted: { command: ['sleep', '1'], pid: 1, tty: false } });
    await ready;
    await f.h.logger.waitFor('info', /main process started/, 1);
    await waitUntil(async () => (await f.h.stored(id)).status!.mainProcessInstanceId === 'instance-2');
    assert.equal((await f.h.stored(id)).status!.exitCode, undefined);
  });
});
