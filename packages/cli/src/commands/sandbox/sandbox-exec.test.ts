import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerDuplexStream, ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { ExecSandboxEvent, ExecSandboxInput, ExecSandboxRequest } from '@shellgate/api';
import { SandboxPhase } from '@shellgate/api';
import { FakeGateway, grpcError, makeSandbox, runShellgate } from '../../test-support/fake-gateway.test.helper.js';
import type { FakeStdio } from '../../test-support/fake-stdio.test.helper.js';
import { CollectingWritable, createFakeStdio } from '../../test-support/fake-stdio.test.helper.js';

type ExecStream = ServerWritableStream<ExecSandboxRequest, ExecSandboxEvent>;
type InteractiveStream = ServerDuplexStream<ExecSandboxInput, ExecSandboxEvent>;

/** Every byte value, twice, plus a lone UTF-8 continuation byte: nothing may be re-encoded. */
const BINARY = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, index) => index)), Buffer.from([0x80, 0xff, 0x00, 0x0a])]);

const out = (data: Buffer): ExecSandboxEvent => ({ payload: { $case: 'stdout', stdout: { data } } });
const err = (data: Buffer): ExecSandboxEvent => ({ payload: { $case: 'stderr', stderr: { data } } });
const exit = (exitCode: number): ExecSandboxEvent => ({ payload: { $case: 'exit', exit: { exitCode } } });

/**
 * What the fake runs for ExecSandbox, by command[0] (the server-streaming, non-interactive path).
 * `exit N` exits N; `binary` writes BINARY in pieces to stdout and reversed to stderr.
 */
function runScript(call: ExecStream): void {
  const [program = '', ...args] = call.request.command;
  switch (program) {
    case 'exit':
      call.write(exit(Number(args[0])));
      call.end();
      return;
    case 'binary':
      call.write(out(BINARY.subarray(0, 100)));
      call.write(err(Buffer.from(BINARY).reverse()));
      call.write(out(BINARY.subarray(100)));
      call.write(exit(0));
      call.end();
      return;
    case 'flood': {
      // 64 chunks of 64 KiB, written as fast as the transport takes them.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let index = 0; index < 64; index += 1) call.write(out(chunk));
      call.write(exit(0));
      call.end();
      return;
    }
    case 'no-exit':
      call.write(out(Buffer.from('partial')));
      call.end();
      return;
    case 'lost':
      call.write(out(Buffer.from('partial')));
      call.emit('error', grpcError(status.UNAVAILABLE, 'supervisor session closed'));
      return;
    case 'not-ready':
      call.emit('error', grpcError(status.FAILED_PRECONDITION, 'sandbox is not ready: supervisor not connected'));
      return;
    case 'hang':
      return;
    default:
      call.write(exit(0));
      call.end();
  }
}

/** What the fake does for ExecSandboxInteractive, by the start request's command[0]. */
interface InteractiveSession {
  readonly inputs: ExecSandboxInput[];
  isHalfClosed: boolean;
}

function runInteractive(call: InteractiveStream, sessions: InteractiveSession[], hooks: { onStart?: (request: ExecSandboxRequest) => void }): void {
  const session: InteractiveSession = { inputs: [], isHalfClosed: false };
  sessions.push(session);
  let program = '';
  call.on('data', (input: ExecSandboxInput) => {
    session.inputs.push(input);
    const payload = input.payload;
    if (payload?.$case === 'start') {
      program = payload.start.command[0] ?? '';
      hooks.onStart?.(payload.start);
      if (program === 'lost') call.emit('error', grpcError(status.UNAVAILABLE, 'supervisor session closed'));
      if (program === 'exit') {
        call.write(exit(Number(payload.start.command[1] ?? 0)));
        call.end();
      }
    } else if (payload?.$case === 'stdin' && program === 'cat') {
      call.write(out(payload.stdin));
    } else if (payload?.$case === 'resize' && program === 'size') {
      call.write(out(Buffer.from(`${payload.resize.cols}x${payload.resize.rows}`)));
      call.write(exit(7));
      call.end();
    }
  });
  call.on('end', () => {
    session.isHalfClosed = true;
    if (program === 'cat') {
      call.write(exit(3));
      call.end();
    }
  });
}

describe('sandbox exec, connect and create -- CMD against a fake gateway', () => {
  let gateway: FakeGateway;
  const sessions: InteractiveSession[] = [];
  const hooks: { onStart?: (request: ExecSandboxRequest) => void } = {};
  before(async () => {
    gateway = await FakeGateway.start({
      getSandbox: (call, callback) => {
        const { name } = call.request;
        if (name === 'missing') callback(grpcError(status.NOT_FOUND, 'no such sandbox'));
        else if (name === 'stopped') callback(null, { sandbox: makeSandbox(name, SandboxPhase.SANDBOX_PHASE_STOPPED) });
        else if (name === 'building') callback(null, { sandbox: makeSandbox(name, SandboxPhase.SANDBOX_PHASE_PROVISIONING) });
        else callback(null, { sandbox: makeSandbox(name, SandboxPhase.SANDBOX_PHASE_READY) });
      },
      createSandbox: (call, callback) => callback(null, { sandbox: makeSandbox(call.request.name || 'gen-1', SandboxPhase.SANDBOX_PHASE_PROVISIONING) }),
      watchSandbox: (call) => {
        const name = call.request.id.replace(/^id-/, '');
        call.write({ payload: { $case: 'sandbox', sandbox: makeSandbox(name, SandboxPhase.SANDBOX_PHASE_READY, { reason: 'SupervisorConnected' }) } });
      },
      execSandbox: (call) => runScript(call),
      execSandboxInteractive: (call) => runInteractive(call, sessions, hooks),
    });
  });
  after(() => gateway.close());
  const run = (stdio: FakeStdio, ...argv: string[]) => runShellgate(argv, { gateway: gateway.address, stdio });
  const lastExecRequest = (): ExecSandboxRequest => gateway.requests('execSandbox').at(-1) as ExecSandboxRequest;

  it('passes the remote exit code through: 0-255 as is, a timed-out 124, anything else 1', async () => {
    for (const [remote, local] of [[0, 0], [3, 3], [42, 42], [124, 124], [255, 255], [-1, 1], [300, 1]] as const) {
      const result = await run(createFakeStdio(), 'sandbox', 'exec', 'dev', '--', 'exit', String(remote));
      assert.equal(result.code, local, `remote ${remote}: ${result.stderr}`);
      assert.equal(result.stderr, '');
    }
  });

  it('copies stdout and stderr bytes exactly, binary included, and prints nothing of its own', async () => {
    const stdio = createFakeStdio();
    const result = await run(stdio, 'sandbox', 'exec', 'dev', '--', 'binary');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(stdio.stdout.bytes(), BINARY);
    assert.deepEqual(stdio.stderr.bytes(), Buffer.from(BINARY).reverse());
    assert.equal(result.stdout, '');
  });

  it('resolves NAME in --workspace with GetSandbox and sends the id, command, --env, --workdir and --timeout', async () => {
    const result = await run(
      createFakeStdio(),
      'sandbox', 'exec', 'dev', '--workspace', 'team', '-e', 'A=1', '--env', 'B=x=y', '-w', '/work', '--timeout', '90s',
      '--', 'ls', '-la', '--help',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(gateway.requests('getSandbox').at(-1), { name: 'dev', workspace: 'team' });
    const request = lastExecRequest();
    assert.equal(request.sandboxId, 'id-dev');
    assert.deepEqual(request.command, ['ls', '-la', '--help']);
    assert.deepEqual(request.environment, { A: '1', B: 'x=y' });
    assert.equal(request.workdir, '/work');
    assert.equal(request.timeoutSeconds, 90);
    assert.equal(request.tty, false);
    await run(createFakeStdio(), 'sandbox', 'exec', 'dev', '--timeout', '30', '--', 'true');
    assert.equal(lastExecRequest().timeoutSeconds, 30);
    await run(createFakeStdio(), 'sandbox', 'exec', 'dev', '--', 'true');
    assert.equal(lastExecRequest().timeoutSeconds, 0);
  });

  it('without -i uses ExecSandbox and leaves stdin unread', async () => {
    const stdio = createFakeStdio();
    stdio.stdin.write('not for you');
    const before = gateway.requests('execSandboxInteractive').length;
    const result = await run(stdio, 'sandbox', 'exec', 'dev', '--', 'true');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(gateway.requests('execSandboxInteractive').length, before);
    assert.equal(String(stdio.stdin.read()), 'not for you');
  });

  it('-t without -i asks for a pty of the local size, and leaves the terminal cooked', async () => {
    const stdio = createFakeStdio({ isStdinTty: true, size: { cols: 132, rows: 43 } });
    const result = await run(stdio, 'sandbox', 'exec', 'dev', '-t', '--', 'true');
    assert.equal(result.code, 0, result.stderr);
    const request = lastExecRequest();
    assert.deepEqual([request.tty, request.cols, request.rows], [true, 132, 43]);
    assert.deepEqual(stdio.terminal.rawModes, []);
  });

  it('waits for a full stdout to drain before writing more (backpressure), and loses nothing', async () => {
    const stdout = new CollectingWritable({ highWaterMark: 64 * 1024, delayMs: 1 });
    const result = await run(createFakeStdio({ stdout }), 'sandbox', 'exec', 'dev', '--', 'flood');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(stdout.bytes().length, 64 * 64 * 1024);
    assert.ok(stdout.fullCount > 0, 'the slow stdout never filled up; the test proves nothing');
    assert.equal(stdout.writesWhileFull, 0);
  });

  it('-i streams stdin in order and half-closes at EOF; the command sees end of input', async () => {
    const stdio = createFakeStdio();
    const chunks = [Buffer.from('hello '), BINARY, Buffer.from(' bye')];
    hooks.onStart = () => {
      for (const chunk of chunks) stdio.stdin.write(chunk);
      stdio.stdin.end();
    };
    const result = await run(stdio, 'sandbox', 'exec', 'dev', '-i', '-e', 'K=V', '--', 'cat');
    hooks.onStart = undefined;
    assert.equal(result.code, 3, result.stderr);
    assert.deepEqual(stdio.stdout.bytes(), Buffer.concat(chunks));
    const session = sessions.at(-1)!;
    assert.equal(session.isHalfClosed, true);
    const start = session.inputs[0]?.payload;
    assert.ok(start?.$case === 'start');
    assert.equal(start.start.sandboxId, 'id-dev');
    assert.deepEqual(start.start.command, ['cat']);
    assert.deepEqual(start.start.environment, { K: 'V' });
    assert.equal(start.start.tty, false);
    const sent = Buffer.concat(session.inputs.flatMap((input) => (input.payload?.$case === 'stdin' ? [input.payload.stdin] : [])));
    assert.deepEqual(sent, Buffer.concat(chunks));
    assert.deepEqual(stdio.terminal.rawModes, [], 'no pty asked, so the terminal stays cooked');
  });

  it('-it on a terminal: sends tty and size, makes the terminal raw, forwards resizes, restores it', async () => {
    const stdio = createFakeStdio({ isStdinTty: true, size: { cols: 80, rows: 24 } });
    hooks.onStart = () => stdio.terminal.resize({ cols: 120, rows: 50 });
    const result = await run(stdio, 'sandbox', 'exec', 'dev', '-it', '--', 'size');
    hooks.onStart = undefined;
    assert.equal(result.code, 7, result.stderr);
    const start = sessions.at(-1)!.inputs[0]?.payload;
    assert.ok(start?.$case === 'start');
    assert.deepEqual([start.start.tty, start.start.cols, start.start.rows], [true, 80, 24]);
    assert.equal(stdio.stdout.bytes().toString(), '120x50');
    assert.deepEqual(stdio.terminal.rawModes, [true, false]);
    assert.equal(stdio.terminal.resizeListenerCount, 0);
  });

  it('restores the terminal when the session is lost mid-exec, and says so (exit 5)', async () => {
    const stdio = createFakeStdio({ isStdinTty: true, size: { cols: 80, rows: 24 } });
    const result = await run(stdio, 'sandbox', 'exec', 'dev', '-it', '--', 'lost');
    assert.equal(result.code, 5);
    assert.match(result.stderr, /^error: lost the exec session with sandbox "dev": supervisor session closed; .*shellgate sandbox get dev/);
    assert.deepEqual(stdio.terminal.rawModes, [true, false]);
    const streamed = await run(createFakeStdio(), 'sandbox', 'exec', 'dev', '--', 'lost');
    assert.equal(streamed.code, 5);
    assert.match(streamed.stderr, /lost the exec session with sandbox "dev"/);
    const noExit = await run(createFakeStdio(), 'sandbox', 'exec', 'dev', '--', 'no-exit');
    assert.equal(noExit.code, 5);
    assert.match(noExit.stderr, /ended without the command's exit status/);
  });

  it('restores the terminal on Ctrl-C and exits 130', async () => {
    const stdio = createFakeStdio({ isStdinTty: true, size: { cols: 80, rows: 24 } });
    const controller = new AbortController();
    hooks.onStart = () => controller.abort();
    const result = await runShellgate(['sandbox', 'exec', 'dev', '-it', '--', 'hang'], { gateway: gateway.address, stdio, signal: controller.signal });
    hooks.onStart = undefined;
    assert.equal(result.code, 130);
    assert.deepEqual(stdio.terminal.rawModes, [true, false]);
  });

  it('a sandbox that is not Ready: names the phase and what to do (exit 4), before or from the gateway', async () => {
    const building = await run(createFakeStdio(), 'sandbox', 'exec', 'building', '--', 'true');
    assert.equal(building.code, 4);
    assert.match(building.stderr, /^error: sandbox "building" is not Ready \(phase Provisioning\); wait until it is Ready .*shellgate sandbox get building/);
    const stopped = await run(createFakeStdio(), 'sandbox', 'exec', 'stopped', '--', 'true');
    assert.equal(stopped.code, 4);
    assert.match(stopped.stderr, /phase Stopped\); start it with 'shellgate sandbox start stopped --wait'/);
    const refused = await run(createFakeStdio(), 'sandbox', 'exec', 'dev', '--', 'not-ready');
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /sandbox "dev" is not Ready \(phase Ready\): sandbox is not ready: supervisor not connected/);
    const missing = await run(createFakeStdio(), 'sandbox', 'exec', 'missing', '--', 'true');
    assert.equal(missing.code, 3);
  });

  it('refuses bad command lines with exit 2 and a clear message, before any call', async () => {
    const before = gateway.calls.length;
    const cases: Array<[string[], RegExp]> = [
      [['dev'], /"shellgate sandbox exec" needs a command after "--"/],
      [['dev', '--'], /needs a command after "--"/],
      [['dev', 'ls', '-l'], /unknown flag -l/],
      [['dev', 'ls'], /unexpected arguments: "ls"; put the command to run after "--"/],
      [['--', 'ls'], /needs NAME/],
      [['dev', '--timeout', 'soon', '--', 'ls'], /--timeout: invalid time limit "soon"/],
      [['dev', '--timeout', '0', '--', 'ls'], /--timeout: the time limit must be more than zero/],
      [['dev', '-e', 'NOEQUALS', '--', 'ls'], /--env "NOEQUALS" is not KEY=VALUE/],
      [['dev', '-ix', '--', 'ls'], /unknown flag -x in -ix/],
      [['dev', '-w', '--', 'ls'], /--workdir needs a value/],
    ];
    for (const [args, pattern] of cases) {
      const result = await run(createFakeStdio(), 'sandbox', 'exec', ...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(' '));
    }
    assert.equal(gateway.calls.length, before);
  });

  it('--help shows exec\'s own --timeout SECONDS in place of the global call deadline', async () => {
    const result = await runShellgate(['sandbox', 'exec', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: shellgate sandbox exec NAME \[flags\] -- CMD \[ARG\.\.\.\]\n/);
    assert.match(result.stdout, /-i, --interactive .*\n.*-t, --tty /);
    assert.match(result.stdout, /--timeout SECONDS +stop the command after this long/);
    assert.doesNotMatch(result.stdout, /--timeout DURATION/);
  });

  it('connect: a shell on a pty in raw mode; --shell picks it', async () => {
    const stdio = createFakeStdio({ isStdinTty: true, size: { cols: 100, rows: 30 } });
    const result = await run(stdio, 'sandbox', 'connect', 'dev', '--shell', 'exit');
    assert.equal(result.code, 0, result.stderr);
    const start = sessions.at(-1)!.inputs[0]?.payload;
    assert.ok(start?.$case === 'start');
    assert.deepEqual([start.start.command, start.start.tty, start.start.cols, start.start.rows], [['exit'], true, 100, 30]);
    assert.deepEqual(stdio.terminal.rawModes, [true, false]);
    await run(createFakeStdio({ isStdinTty: true }), 'sandbox', 'connect', 'dev', '--shell', 'exit', '--', 'x').then((bad) => assert.equal(bad.code, 2));
  });

  it('connect without a terminal on stdin is refused (exit 2) and suggests exec -i', async () => {
    const before = gateway.calls.length;
    const result = await run(createFakeStdio({ isStdinTty: false }), 'sandbox', 'connect', 'dev');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `error: "shellgate sandbox connect" needs a terminal, but stdin is not one; to pipe input to a shell, use 'shellgate sandbox exec -i dev -- sh'\n`);
    assert.equal(gateway.calls.length, before);
  });

  it('create -- CMD waits for Ready, runs CMD attached and exits with its code; the sandbox stays', async () => {
    const stdio = createFakeStdio();
    const result = await run(stdio, 'sandbox', 'create', 'job', '--image', 'node:20', '--', 'exit', '9');
    assert.equal(result.code, 9, result.stderr);
    assert.equal(result.stdout, '', 'stdout belongs to CMD: no sandbox table');
    assert.match(result.stderr, /Ready +SupervisorConnected\n$/, 'the --wait progress, and no note for a script');
    const start = sessions.at(-1)!.inputs[0]?.payload;
    assert.ok(start?.$case === 'start');
    assert.deepEqual([start.start.sandboxId, start.start.command, start.start.tty], ['id-job', ['exit', '9'], false]);
    assert.equal(gateway.requests('deleteSandbox').length, 0);
  });

  it('create -- CMD on a terminal: pty, raw mode, and a note on how to delete the sandbox', async () => {
    const stdio = createFakeStdio({ isStdinTty: true, size: { cols: 90, rows: 20 } });
    const result = await run(stdio, 'sandbox', 'create', '--', 'exit', '0');
    assert.equal(result.code, 0, result.stderr);
    const start = sessions.at(-1)!.inputs[0]?.payload;
    assert.ok(start?.$case === 'start');
    assert.deepEqual([start.start.sandboxId, start.start.tty, start.start.cols], ['id-gen-1', true, 90]);
    assert.deepEqual(stdio.terminal.rawModes, [true, false]);
    assert.match(result.stderr, /sandbox "gen-1" is still running; delete it with 'shellgate sandbox delete gen-1'\n$/);
  });

  it('create -- CMD refuses -o and an empty CMD (exit 2)', async () => {
    const withOutput = await run(createFakeStdio(), 'sandbox', 'create', 'x', '-o', 'json', '--', 'claude');
    assert.equal(withOutput.code, 2);
    assert.match(withOutput.stderr, /-o cannot be combined with -- CMD/);
    const empty = await run(createFakeStdio(), 'sandbox', 'create', 'x', '--');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /"shellgate sandbox create" needs a command after "--"/);
  });
});
