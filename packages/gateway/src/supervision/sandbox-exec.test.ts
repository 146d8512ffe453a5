import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ExecSandboxRequest, type ExecSandboxEvent } from '@shellgate/api';
import { backendReadyStatus } from '../sandboxes/testing/index.js';
import type { FakeSupervisor } from './testing/fake-supervisor.js';
import { StreamRecorder, type EndedStatus } from './testing/stream-recorder.js';
import { startSupervisionFixture, type ReadySandbox, type SupervisionFixture } from './testing/supervision-fixture.js';
import { waitUntil } from './testing/wait-until.js';

/** What a client saw of an exec. */
interface ExecOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | undefined;
  readonly status: EndedStatus;
}

async function outcomeOf(recorder: StreamRecorder<ExecSandboxEvent>): Promise<ExecOutcome> {
  const status = await recorder.ended;
  const bytes = (kind: 'stdout' | 'stderr'): string =>
    Buffer.concat(recorder.messages.flatMap((e) => (e.payload?.$case === 'stdout' && kind === 'stdout' ? [e.payload.stdout.data] : e.payload?.$case === 'stderr' && kind === 'stderr' ? [e.payload.stderr.data] : []))).toString();
  const exit = recorder.messages.find((e) => e.payload?.$case === 'exit');
  return { stdout: bytes('stdout'), stderr: bytes('stderr'), exitCode: exit?.payload?.$case === 'exit' ? exit.payload.exit.exitCode : undefined, status };
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('exec relay', { timeout: SUITE_TIMEOUT_MS }, () => {
  let f: SupervisionFixture;
  let box: ReadySandbox;
  let execStarts: Array<[string, number]>;
  beforeEach(async () => {
    execStarts = [];
    f = await startSupervisionFixture({ attachTimeoutMs: 2_000, onExecStarted: (driver, seconds) => execStarts.push([driver, seconds]) });
    box = await f.readySandbox();
  });
  afterEach(async () => f.close());

  function exec(request: Partial<ExecSandboxRequest>): { recorder: StreamRecorder<ExecSandboxEvent>; cancel(): void } {
    const stream = f.openShell.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['cat'], ...request }), f.metadata());
    return { recorder: new StreamRecorder(stream), cancel: () => stream.cancel() };
  }

  async function attached(supervisor: FakeSupervisor = box.supervisor, index = 0): Promise<ReturnType<FakeSupervisor['attach']>> {
    const start = await supervisor.execStart(index);
    return supervisor.attach(start.execId);
  }

  it('relays stdout, stderr and the exit; stdin arrives, then end of input; the call ends OK', async () => {
    const client = exec({ command: ['sh', '-c', 'x'], workdir: '/srv', environment: { GREETING: 'hi' }, timeoutSeconds: 30, stdin: Buffer.from('input') });
    const start = await box.supervisor.execStart();
    assert.match(start.execId, /^[0-9a-f-]{36}$/);
    assert.equal(execStarts.length, 0, 'not started before the supervisor attaches');
    assert.deepEqual({ ...start, execId: '' }, { execId: '', command: ['sh', '-c', 'x'], workdir: '/srv', environment: { GREETING: 'hi' }, timeoutSeconds: 30, tty: false, cols: 0, rows: 0 });
    const stream = box.supervisor.attach(start.execId);
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'stdinEof' ? m : undefined), 'stdin_eof');
    assert.deepEqual(stream.received(), ['stdin:input', 'stdinEof']);
    stream.stdout('out 1\n');
    stream.stderr('err\n');
    stream.stdout('out 2\n');
    stream.exit(3);
    const outcome = await outcomeOf(client.recorder);
    assert.deepEqual(outcome, { stdout: 'out 1\nout 2\n', stderr: 'err\n', exitCode: 3, status: { code: GrpcStatus.OK, details: 'OK' } });
    assert.equal(client.recorder.messages.at(-1)?.payload?.$case, 'exit');
    assert.equal((await stream.ended).code, GrpcStatus.OK);
    assert.deepEqual(execStarts.map(([driver]) => driver), ['fake'], 'one start latency, by the sandbox\'s driver');
    assert.ok(execStarts.every(([, seconds]) => seconds >= 0 && seconds < 30), `start latency ${JSON.stringify(execStarts)}`);
  });

  it('takes a sandbox name (default workspace) as sandbox_id', async () => {
    const client = exec({ sandboxId: 'box', command: ['true'] });
    (await attached()).exit(0);
    assert.equal((await outcomeOf(client.recorder)).exitCode, 0);
  });

  it('interactive: start first, then stdin and resize reach the supervisor in order, half-close is end of input', async () => {
    const call = f.openShell.execSandboxInteractive(f.metadata());
    const recorder = new StreamRecorder<ExecSandboxEvent>(call);
    call.write({ payload: { $case: 'start', start: ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['bash'], tty: true, cols: 80, rows: 24 }) } });
    call.write({ payload: { $case: 'stdin', stdin: Buffer.from('early') } });
    const start = await box.supervisor.execStart();
    assert.deepEqual([start.tty, start.cols, start.rows], [true, 80, 24]);
    const stream = box.supervisor.attach(start.execId);
    call.write({ payload: { $case: 'resize', resize: { cols: 100, rows: 40 } } });
    call.write({ payload: { $case: 'stdin', stdin: Buffer.from('ls\n') } });
    call.end();
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'stdinEof' ? m : undefined), 'stdin_eof');
    assert.deepEqual(stream.received(), ['stdin:early', 'resize:100x40', 'stdin:ls\n', 'stdinEof']);
    stream.stdout('$ ');
    stream.exit(0);
    assert.deepEqual(await outcomeOf(recorder), { stdout: '$ ', stderr: '', exitCode: 0, status: { code: GrpcStatus.OK, details: 'OK' } });
  });

  it('interactive: a first message other than start is INVALID_ARGUMENT', async () => {
    const call = f.openShell.execSandboxInteractive(f.metadata());
    const recorder = new StreamRecorder<ExecSandboxEvent>(call);
    call.write({ payload: { $case: 'stdin', stdin: Buffer.from('x') } });
    const ended = await recorder.ended;
    assert.equal(ended.code, GrpcStatus.INVALID_ARGUMENT);
    assert.match(ended.details, /first message of ExecSandboxInteractive must be start, not stdin/);
  });

  it('a client that cancels makes the gateway send cancel to the supervisor', async () => {
    const client = exec({ command: ['sleep', '100'] });
    const stream = await attached();
    stream.stdout('started\n');
    await client.recorder.waitFor((e) => (e.payload?.$case === 'stdout' ? e : undefined), 'stdout');
    client.cancel();
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'cancel' ? m : undefined), 'cancel');
    assert.equal((await client.recorder.ended).code, GrpcStatus.CANCELLED);
  });

  it('interactive: a client that goes away makes the gateway send cancel', async () => {
    const call = f.openShell.execSandboxInteractive(f.metadata());
    const recorder = new StreamRecorder<ExecSandboxEvent>(call);
    call.write({ payload: { $case: 'start', start: ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['bash'] }) } });
    const stream = await attached();
    stream.stdout('prompt');
    await recorder.waitFor((e) => (e.payload?.$case === 'stdout' ? e : undefined), 'stdout');
    call.cancel();
    await stream.recorder.waitFor((m) => (m.payload?.$case === 'cancel' ? m : undefined), 'cancel');
  });

  it('the session dropping mid-exec is UNAVAILABLE "supervisor session lost during exec"', async () => {
    const client = exec({ command: ['sleep', '100'] });
    const stream = await attached();
    stream.stdout('partial');
    await client.recorder.waitFor((e) => (e.payload?.$case === 'stdout' ? e : undefined), 'stdout');
    box.supervisor.cancel();
    const outcome = await outcomeOf(client.recorder);
    assert.equal(outcome.status.code, GrpcStatus.UNAVAILABLE);
    assert.match(outcome.status.details, /supervisor session lost during exec in sandbox "box"/);
    assert.equal(outcome.stdout, 'partial');
    assert.equal((await stream.ended).code, GrpcStatus.UNAVAILABLE);
  });

  it('the exec stream dropping mid-exec is UNAVAILABLE too', async () => {
    const client = exec({ command: ['sleep', '100'] });
    const stream = await attached();
    stream.stdout('partial');
    await client.recorder.waitFor((e) => (e.payload?.$case === 'stdout' ? e : undefined), 'stdout');
    stream.stream.cancel();
    const outcome = await outcomeOf(client.recorder);
    assert.equal(outcome.status.code, GrpcStatus.UNAVAILABLE);
    assert.match(outcome.status.details, /supervisor session lost during exec/);
  });

  it('an attach with another sandbox\'s token, or for an unknown exec id, is refused; the right attach still works', async () => {
    const other = await f.h.create({ name: 'other' });
    const otherToken = await f.h.identity.mintToken(other.metadata!.id);
    const client = exec({ command: ['id'] });
    const start = await box.supervisor.execStart();
    const foreign = box.supervisor.attach(start.execId, { token: otherToken });
    const foreignEnd = await foreign.ended;
    assert.equal(foreignEnd.code, GrpcStatus.PERMISSION_DENIED);
    const asOther = box.supervisor.attach(start.execId, { sandboxId: other.metadata!.id, token: otherToken });
    assert.equal((await asOther.ended).code, GrpcStatus.PERMISSION_DENIED);
    const forged = box.supervisor.attach(start.execId, { token: `${box.token}x` });
    assert.equal((await forged.ended).code, GrpcStatus.UNAUTHENTICATED);
    const unknown = box.supervisor.attach('00000000-0000-4000-8000-000000000000');
    assert.equal((await unknown.ended).code, GrpcStatus.NOT_FOUND);
    const right = box.supervisor.attach(start.execId);
    right.stdout('uid=0\n');
    right.exit(0);
    assert.equal((await outcomeOf(client.recorder)).stdout, 'uid=0\n');
    assert.ok(!JSON.stringify(f.h.logger.lines).includes(otherToken.slice(-20)), 'a token leaked into the log');
    assert.ok(!JSON.stringify(f.h.logger.lines).includes(box.token.slice(-20)), 'a token leaked into the log');
  });

  it('exec_rejected from the supervisor is FAILED_PRECONDITION with its message', async () => {
    const client = exec({ command: ['nope'] });
    const start = await box.supervisor.execStart();
    box.supervisor.send({ $case: 'execRejected', execRejected: { execId: start.execId, message: 'cannot open pty' } });
    const outcome = await outcomeOf(client.recorder);
    assert.equal(outcome.status.code, GrpcStatus.FAILED_PRECONDITION);
    assert.match(outcome.status.details, /could not start the command: cannot open pty/);
  });

  it('a supervisor that never attaches is UNAVAILABLE after the attach timeout', async () => {
    const client = exec({ command: ['true'] });
    await box.supervisor.execStart();
    const outcome = await outcomeOf(client.recorder);
    assert.equal(outcome.status.code, GrpcStatus.UNAVAILABLE);
    assert.match(outcome.status.details, /did not attach the exec within 2000 ms/);
  });

  it('passes OPENSHELL_PYFUNC_B64, the one reserved key upstream\'s exec_python() sends, to the supervisor', async () => {
    const client = exec({ command: ['python3', '-c', 'x'], environment: { OPENSHELL_PYFUNC_B64: 'cGF5bG9hZA==' } });
    const start = await box.supervisor.execStart();
    assert.deepEqual(start.environment, { OPENSHELL_PYFUNC_B64: 'cGF5bG9hZA==' });
    box.supervisor.attach(start.execId).exit(0);
    assert.equal((await client.recorder.ended).code, GrpcStatus.OK);
  });

  it('refuses a non-Ready sandbox, an unknown one and bad requests before anything reaches the supervisor', async () => {
    const waiting = await f.h.create({ name: 'waiting' });
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(waiting.metadata!.id)!, status: backendReadyStatus() });
    const cases: Array<[Partial<ExecSandboxRequest>, GrpcStatus, RegExp]> = [
      [{ sandboxId: 'waiting' }, GrpcStatus.FAILED_PRECONDITION, /cannot exec in sandbox "waiting": it is Provisioning; exec needs a Ready sandbox \(wait until it is Ready/],
      [{ sandboxId: 'missing' }, GrpcStatus.NOT_FOUND, /sandbox "missing" not found/],
      [{ command: [] }, GrpcStatus.INVALID_ARGUMENT, /command: must name a program/],
      [{ environment: { 'BAD-KEY': 'x' } }, GrpcStatus.INVALID_ARGUMENT, /environment\["BAD-KEY"\]: key must match/],
      [{ environment: { OPENSHELL_SANDBOX_ID: 'x' } }, GrpcStatus.INVALID_ARGUMENT, /reserved/],
      [{ environment: { OPENSHELL_PYFUNC_B64X: 'x' } }, GrpcStatus.INVALID_ARGUMENT, /reserved/],
      [{ workdir: 'relative' }, GrpcStatus.INVALID_ARGUMENT, /workdir: must be an absolute path/],
      [{ timeoutSeconds: 3_000_000 }, GrpcStatus.INVALID_ARGUMENT, /timeout_seconds: is 3000000; the limit is 2147483/],
    ];
    for (const [request, code, details] of cases) {
      const ended = await exec(request).recorder.ended;
      assert.equal(ended.code, code, `${JSON.stringify(request)}: ${ended.details}`);
      assert.match(ended.details, details);
    }
    assert.equal(box.supervisor.recorder.messages.filter((m) => m.payload?.$case === 'execStart').length, 0);
  });

  it('a Ready sandbox of a driver without a supervisor cannot exec', async () => {
    const sandbox = await f.h.create({ name: 'nosup', spec: { template: { driverConfig: { nosup: {} } } } });
    await f.h.statusSync.applyBackendSandbox('nosup', { ...f.h.drivers.client('nosup').backend.get(sandbox.metadata!.id)!, status: backendReadyStatus() });
    const ended = await exec({ sandboxId: 'nosup' }).recorder.ended;
    assert.equal(ended.code, GrpcStatus.FAILED_PRECONDITION);
    assert.match(ended.details, /it is Ready; but no sandbox supervisor is connected/);
  });

  it('a slow client pauses the supervisor stream; nothing is lost once it reads', async () => {
    const stream = f.openShell.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['yes'] }), f.metadata());
    let received = 0;
    stream.on('data', (event: ExecSandboxEvent) => {
      if (event.payload?.$case !== 'stdout') return;
      // The client stops reading after its first chunk. (A grpc-js client that never read at
      // all would buffer without bound on its own side, before flow control applies.)
      if (received === 0) stream.pause();
      received += event.payload.stdout.data.length;
    });
    const supervisorSide = await attached();
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let sent = 0;
    let isBlocked = false;
    // Write until the gateway stops taking more: with the client not reading, it must push back.
    for (let i = 0; i < 4096 && !isBlocked; i += 1) {
      sent += chunk.length;
      if (!supervisorSide.stdout(chunk)) {
        isBlocked = !(await Promise.race([
          new Promise<boolean>((resolve) => supervisorSide.stream.once('drain', () => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500)),
        ]));
      }
    }
    assert.ok(isBlocked, `the gateway took ${sent} bytes from the supervisor without pushing back`);
    stream.resume();
    await waitUntil(() => received === sent, 10_000);
    supervisorSide.exit(0);
    assert.equal((await new StreamRecorder<ExecSandboxEvent>(stream).ended).code, GrpcStatus.OK);
  });

  it('interactive: a supervisor that stops reading pauses the client\'s input; nothing is lost once it reads', async () => {
    const call = f.openShell.execSandboxInteractive(f.metadata());
    const recorder = new StreamRecorder<ExecSandboxEvent>(call);
    call.write({ payload: { $case: 'start', start: ExecSandboxRequest.fromPartial({ sandboxId: box.id, command: ['cat'] }) } });
    const supervisorSide = await attached();
    let received = 0;
    supervisorSide.stream.on('data', (message: { payload?: { $case: string; stdin?: Buffer } }) => {
      if (message.payload?.$case !== 'stdin') return;
      if (received === 0) supervisorSide.stream.pause();
      received += message.payload.stdin!.length;
    });
    const chunk = Buffer.alloc(64 * 1024, 'i');
    let sent = 0;
    let isBlocked = false;
    for (let i = 0; i < 4096 && !isBlocked; i += 1) {
      sent += chunk.length;
      if (!call.write({ payload: { $case: 'stdin', stdin: chunk } })) {
        isBlocked = !(await Promise.race([
          new Promise<boolean>((resolve) => call.once('drain', () => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500)),
        ]));
      }
    }
    assert.ok(isBlocked, `the gateway took ${sent} bytes of input without pushing back`);
    supervisorSide.stream.resume();
    await waitUntil(() => received === sent, 10_000);
    supervisorSide.exit(0);
    assert.equal((await recorder.ended).code, GrpcStatus.OK);
  });
});
