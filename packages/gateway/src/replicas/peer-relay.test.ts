import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { ExecSandboxRequest, GetSandboxLogsRequest, OpenShellClient, ServiceStatus, WatchSandboxRequest, type ExecSandboxEvent, type GetSandboxLogsResponse, type SandboxStreamEvent } from '@shellgate/api';
import { LogLine } from '@shellgate/api/session';
import { PublicServer, createCallbackHandlers, createOpenShellHandlers } from '../api/index.js';
import { SESSION_REPLICA_ANNOTATION } from '../sandboxes/index.js';
import { updateSandboxWithRetry } from '../store/index.js';
import { SandboxExecService } from '../supervision/index.js';
import { StreamRecorder } from '../supervision/testing/stream-recorder.js';
import { waitUntil } from '../supervision/testing/wait-until.js';
import { startSupervisionFixture, type ReadySandbox, type SupervisionFixture } from '../supervision/testing/supervision-fixture.js';
import { PeerRelay } from './peer-relay.js';
import { ReplicaRelayServer } from './replica-relay-server.js';

const SECRET = 'replica-secret-0123456789abcdef';
const SUITE_TIMEOUT_MS = 60_000;

/**
 * Replica A is the supervision fixture (it holds the sandbox's session) plus its relay
 * listener; replica C shares A's store and serves the public API with a PeerRelay, so every
 * exec and log read C takes for the sandbox goes over the relay to A.
 */
describe('replica relay: exec and logs reach the replica holding the session', { timeout: SUITE_TIMEOUT_MS }, () => {
  let a: SupervisionFixture;
  let box: ReadySandbox;
  let relay: ReplicaRelayServer;
  let peers: PeerRelay;
  let serverC: PublicServer;
  let clientC: OpenShellClient;
  let registered: Map<string, string>;

  beforeEach(async () => {
    a = await startSupervisionFixture({ attachTimeoutMs: 2_000 });
    box = await a.readySandbox();
    const execA = new SandboxExecService({ store: a.h.store, hub: a.hub, execs: a.execs, logger: a.h.logger });
    relay = await ReplicaRelayServer.start({ listen: '127.0.0.1:0', secret: SECRET, store: a.h.store, events: a.h.events, logs: a.logs, exec: execA, logger: a.h.logger });
    registered = new Map([['replica-a', `127.0.0.1:${relay.port}`]]);
    peers = new PeerRelay({ replicaId: 'replica-c', secret: SECRET, addresses: { relayAddressOf: async (id) => registered.get(id) }, logger: a.h.logger });
    await updateSandboxWithRetry(a.h.store, box.id, (current) => ({
      ...current,
      sandbox: { ...current.sandbox, metadata: { ...current.sandbox.metadata!, annotations: { ...current.sandbox.metadata!.annotations, [SESSION_REPLICA_ANNOTATION]: 'replica-a' } } },
    }));
    // C has no session of its own: a hub-less exec service would fail, so only the relay can answer.
    const execC = new SandboxExecService({ store: a.h.store, hub: a.hub, execs: a.execs, remote: peers, logger: a.h.logger });
    const info = { version: '9.9.9', computeDrivers: () => [], status: () => ServiceStatus.SERVICE_STATUS_HEALTHY };
    const scope = { auth: { bearerToken: undefined }, logger: a.h.logger };
    serverC = await PublicServer.start({
      listen: '127.0.0.1:0',
      tls: undefined,
      handlers: createOpenShellHandlers({ ...scope, sandboxes: a.h.service, store: a.h.store, events: a.h.events, info, logs: a.logs, exec: execC, remote: peers }),
      callbackHandlers: createCallbackHandlers(scope, info),
      supervisorHandlers: { connect: () => undefined, exec: () => undefined },
      logger: a.h.logger,
    });
    clientC = new OpenShellClient(`127.0.0.1:${serverC.port}`, credentials.createInsecure());
  });
  afterEach(async () => {
    clientC.close();
    peers.close();
    await serverC.close(500);
    await relay.close(500);
    await a.close();
  });

  it('an exec through C runs on A\'s session: stdin, output and exit relayed, the call ends OK', async () => {
    const call = clientC.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['cat'], stdin: Buffer.from('hello') }));
    const recorder = new StreamRecorder<ExecSandboxEvent>(call);
    const stream = box.supervisor.attach((await box.supervisor.execStart()).execId);
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'stdinEof' ? m : undefined), 'stdin_eof');
    assert.deepEqual(stream.received(), ['stdin:hello', 'stdinEof']);
    stream.stdout('hello');
    stream.exit(0);
    assert.equal((await recorder.ended).code, GrpcStatus.OK);
    assert.deepEqual(recorder.messages.map((e) => e.payload?.$case), ['stdout', 'exit']);
  });

  it('interactive through C: tty start, stdin and resize arrive in order; a client that leaves C cancels the command on A', async () => {
    const call = clientC.execSandboxInteractive();
    const recorder = new StreamRecorder<ExecSandboxEvent>(call);
    call.write({ payload: { $case: 'start', start: ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['bash'], tty: true, cols: 80, rows: 24 }) } });
    call.write({ payload: { $case: 'stdin', stdin: Buffer.from('ls\n') } });
    call.write({ payload: { $case: 'resize', resize: { cols: 100, rows: 40 } } });
    const start = await box.supervisor.execStart();
    assert.deepEqual([start.tty, start.cols, start.rows], [true, 80, 24]);
    const stream = box.supervisor.attach(start.execId);
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'resize' ? m : undefined), 'resize');
    assert.deepEqual(stream.received(), ['stdin:ls\n', 'resize:100x40']);
    call.cancel();
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'cancel' ? m : undefined), 'cancel');
    assert.equal((await recorder.ended).code, GrpcStatus.CANCELLED);
  });

  it('a slow client at C pauses the supervisor stream at A through the relay; nothing is lost once it reads', async () => {
    const stream = clientC.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['yes'] }));
    let received = 0;
    stream.on('data', (event: ExecSandboxEvent) => {
      if (event.payload?.$case !== 'stdout') return;
      if (received === 0) stream.pause();
      received += event.payload.stdout.data.length;
    });
    const supervisorSide = box.supervisor.attach((await box.supervisor.execStart()).execId);
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let sent = 0;
    let isBlocked = false;
    for (let i = 0; i < 4096 && !isBlocked; i += 1) {
      sent += chunk.length;
      if (!supervisorSide.stdout(chunk)) {
        isBlocked = !(await Promise.race([
          new Promise<boolean>((resolve) => supervisorSide.stream.once('drain', () => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500)),
        ]));
      }
    }
    assert.ok(isBlocked, `A took ${sent} bytes from the supervisor without pushing back`);
    stream.resume();
    await waitUntil(() => received === sent, 10_000);
    supervisorSide.exit(0);
    assert.equal((await new StreamRecorder<ExecSandboxEvent>(stream).ended).code, GrpcStatus.OK);
  });

  it('GetSandboxLogs through C answers from A\'s buffer', async () => {
    box.supervisor.send({ $case: 'logs', logs: { lines: [LogLine.fromPartial({ message: 'from A', timestampMs: Date.now() })] } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await new Promise<GetSandboxLogsResponse>((resolve, reject) => {
      clientC.getSandboxLogs(GetSandboxLogsRequest.fromPartial({ sandboxId: box.id }), (error, value) => (error === null ? resolve(value) : reject(error)));
    });
    assert.deepEqual(response.logs.map((line) => line.message), ['from A']);
  });

  it('WatchSandbox follow_logs through C: the tail and then live lines of A\'s session', async () => {
    const line = (message: string): LogLine => LogLine.fromPartial({ message, timestampMs: Date.now() });
    box.supervisor.send({ $case: 'logs', logs: { lines: [line('before')] } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stream = clientC.watchSandbox(WatchSandboxRequest.fromPartial({ id: box.id, followLogs: true, logTailLines: 10 }));
    const recorder = new StreamRecorder<SandboxStreamEvent>(stream);
    await recorder.waitFor((event) => (event.payload?.$case === 'log' && event.payload.log.message === 'before' ? event : undefined), 'tail line');
    box.supervisor.send({ $case: 'logs', logs: { lines: [line('after')] } });
    await recorder.waitFor((event) => (event.payload?.$case === 'log' && event.payload.log.message === 'after' ? event : undefined), 'live line');
    stream.cancel();
    assert.equal((await recorder.ended).code, GrpcStatus.CANCELLED);
  });

  it('a holder that left the registry answers UNAVAILABLE naming it, with a retry hint', async () => {
    registered.clear();
    const recorder = new StreamRecorder<ExecSandboxEvent>(clientC.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['true'] })));
    const ended = await recorder.ended;
    assert.equal(ended.code, GrpcStatus.UNAVAILABLE);
    assert.match(ended.details, /replica "replica-a".*not registered.*retry/);
  });

  it('the relay refuses a caller without the shared secret', async () => {
    const intruder = new PeerRelay({ replicaId: 'replica-x', secret: 'not-the-secret-0123456789', addresses: { relayAddressOf: async (id) => registered.get(id) } });
    try {
      const record = (await a.h.store.getSandbox(box.id))!;
      await assert.rejects(intruder.getLogs('replica-a', GetSandboxLogsRequest.fromPartial({ sandboxId: record.sandbox.metadata!.id })), (error: unknown) => {
        assert.match(String(error), /bearer token is not valid/);
        return true;
      });
    } finally {
      intruder.close();
    }
  });
});
