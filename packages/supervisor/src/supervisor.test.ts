import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FakeGateway } from './testing/fake-gateway.js';
import { SupervisorProcess } from './testing/supervisor-process.js';

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('shellgate-supervisor (dist/main.js) against a fake gateway', { timeout: SUITE_TIMEOUT_MS }, () => {
  const gateway = new FakeGateway(100);
  const supervisors: SupervisorProcess[] = [];
  const startSupervisor = (options: Omit<Parameters<typeof SupervisorProcess.start>[0], 'endpoint'>): SupervisorProcess => {
    const supervisor = SupervisorProcess.start({ endpoint: gateway.endpoint, ...options });
    supervisors.push(supervisor);
    return supervisor;
  };
  const sessionsOf = (sandboxId: string) => gateway.sessions.filter((session) => session.hello.sandboxId === sandboxId);

  before(async () => gateway.start(0));
  after(async () => {
    await Promise.all(supervisors.map((supervisor) => supervisor.kill()));
    gateway.stop();
  });

  it('says hello with the sandbox id, the token from the file and its version, then heartbeats', async () => {
    startSupervisor({ sandboxId: 'hello-1', token: 'jwt-from-file' });
    const session = await gateway.waitFor('hello', () => sessionsOf('hello-1')[0]);
    assert.equal(session.hello.token, 'jwt-from-file');
    assert.equal(session.hello.supervisorVersion, '0.1.0');
    assert.match(session.hello.instanceId, /^[0-9a-f-]{36}$/);
    await gateway.waitFor('two heartbeats', () => session.messages.filter((message) => message.payload?.$case === 'heartbeat').length >= 2);
  });

  it('never writes the token to its stderr or its log lines', async () => {
    const supervisor = startSupervisor({ sandboxId: 'secret-1', token: 'very-secret-token-value', args: ['--', 'sh', '-c', 'echo done'] });
    await supervisor.exited;
    assert.doesNotMatch(supervisor.stderr, /very-secret-token-value/);
    const lines = sessionsOf('secret-1').flatMap((session) => session.messages.flatMap((message) => (message.payload?.$case === 'logs' ? message.payload.logs.lines : [])));
    assert.ok(lines.length > 0);
    assert.doesNotMatch(JSON.stringify(lines), /very-secret-token-value/);
  });

  it('empties the token file before it starts anything, and keeps the token in memory for hello and exec', async () => {
    const supervisor = startSupervisor({ sandboxId: 'taken-1', token: 'jwt-in-memory', args: ['--', 'sh', '-c', 'cat "$OPENSHELL_SANDBOX_TOKEN_FILE"; echo main-end; sleep 30'] });
    const session = await gateway.waitFor('hello', () => sessionsOf('taken-1')[0]);
    assert.equal(session.hello.token, 'jwt-in-memory');
    assert.equal(readFileSync(supervisor.tokenFile, 'utf8'), '');
    assert.equal(statSync(supervisor.tokenFile).mode & 0o777, 0o600, 'emptied in place, mode kept');
    await gateway.waitFor('the main process output', () => supervisor.stdout.includes('main-end'));
    assert.equal(supervisor.stdout, 'main-end\n', 'the main process finds the file empty');
    const exec = gateway.startExec({ command: ['sh', '-c', `cat ${JSON.stringify(supervisor.tokenFile)}; echo end`] });
    await exec.done();
    assert.equal(exec.attachToken, 'jwt-in-memory');
    assert.equal(exec.stdoutText, 'end\n', 'an exec finds the file empty');
  });

  it('with --keep-token-file leaves the file as it is', async () => {
    const supervisor = startSupervisor({ sandboxId: 'kept-1', token: 'jwt-kept', args: ['--keep-token-file', '--'] });
    const session = await gateway.waitFor('hello', () => sessionsOf('kept-1')[0]);
    assert.equal(session.hello.token, 'jwt-kept');
    assert.equal(readFileSync(supervisor.tokenFile, 'utf8'), 'jwt-kept\n');
    await gateway.waitFor('the kept-file warning', () => supervisor.stderr.includes('token file is kept readable'));
  });

  it('reports an empty token file at start as the clear error it is, and keeps trying', async () => {
    const supervisor = startSupervisor({ sandboxId: 'empty-1', token: '' });
    await gateway.waitFor('two attempts', () => supervisor.stderr.split('is empty').length > 2);
    assert.match(supervisor.stderr, /the sandbox token file \S+ is empty/);
    assert.equal(sessionsOf('empty-1').length, 0);
    assert.equal(supervisor.child.exitCode, null);
  });

  it('reconnects with a new session and the token it holds after the gateway restarts, keeping its instance id', async () => {
    const supervisor = startSupervisor({ sandboxId: 'reconnect-1', token: 'first-token' });
    const first = await gateway.waitFor('first session', () => sessionsOf('reconnect-1')[0]);
    supervisor.rotateToken('written-later');
    const port = gateway.port;
    gateway.stop();
    await gateway.start(port);
    const second = await gateway.waitFor('a second session', () => sessionsOf('reconnect-1')[1]);
    assert.notEqual(second.id, first.id);
    assert.equal(second.hello.instanceId, first.hello.instanceId);
    assert.equal(second.hello.token, 'first-token', 'read once: a later write to the file does not change it');
    assert.equal(second.hello.resumeOnlyIfFree, false);
  });

  it('once superseded, asks to resume (resume_only_if_free) until the newer session is gone, then holds the session again', async () => {
    const supervisor = startSupervisor({ sandboxId: 'superseded-1' });
    const session = await gateway.waitFor('session', () => sessionsOf('superseded-1')[0]);
    assert.equal(session.hello.resumeOnlyIfFree, false);
    gateway.isSessionTaken = true;
    try {
      gateway.supersede(session);
      await gateway.waitFor('the superseded warning', () => supervisor.stderr.includes('superseded'));
      await gateway.waitFor('a refused resume', () => gateway.refusedHellos.find((hello) => hello.sandboxId === 'superseded-1'));
      assert.equal(sessionsOf('superseded-1').length, 1, 'no session while the newer one lives');
      assert.equal(supervisor.child.exitCode, null, 'the supervisor keeps running');
    } finally {
      gateway.isSessionTaken = false;
    }
    const resumed = await gateway.waitFor('the resumed session', () => sessionsOf('superseded-1')[1], 15_000);
    assert.equal(resumed.hello.resumeOnlyIfFree, true);
    assert.equal(resumed.hello.instanceId, session.hello.instanceId);
    await gateway.waitFor('heartbeats on the resumed session', () => resumed.messages.some((message) => message.payload?.$case === 'heartbeat'));
  });

  it('ships main-process output as log lines (stdout info, stderr error), passes it through, and exits with its code', async () => {
    const supervisor = startSupervisor({ sandboxId: 'main-1', args: ['--', 'sh', '-c', 'echo out-line; echo err-line >&2; exit 7'] });
    assert.deepEqual(await supervisor.exited, { code: 7, signal: null });
    assert.match(supervisor.stdout, /out-line/);
    assert.match(supervisor.stderr, /err-line/);
    const messages = sessionsOf('main-1').flatMap((session) => session.messages);
    const lines = messages.flatMap((message) => (message.payload?.$case === 'logs' ? message.payload.logs.lines : []));
    assert.ok(lines.some((line) => line.source === 'sandbox' && line.fields['shellgate.source'] === 'main' && line.level === 'INFO' && line.message === 'out-line'));
    assert.ok(lines.some((line) => line.source === 'sandbox' && line.fields['shellgate.source'] === 'main' && line.level === 'ERROR' && line.message === 'err-line'));
    assert.ok(lines.some((line) => line.source === 'sandbox' && line.fields['shellgate.source'] === 'supervisor'));
    const started = messages.find((message) => message.payload?.$case === 'mainProcessStarted');
    assert.deepEqual(started?.payload?.$case === 'mainProcessStarted' && started.payload.mainProcessStarted.command, ['sh', '-c', 'echo out-line; echo err-line >&2; exit 7']);
    const exited = messages.find((message) => message.payload?.$case === 'mainProcessExited');
    assert.deepEqual(exited?.payload, { $case: 'mainProcessExited', mainProcessExited: { exitCode: 7, signal: '' } });
  });

  it('reports a signal death as 128 + the signal and exits with that code', async () => {
    const supervisor = startSupervisor({ sandboxId: 'signal-1', args: ['--', 'sh', '-c', 'kill -KILL $$'] });
    assert.deepEqual(await supervisor.exited, { code: 137, signal: null });
    const exited = sessionsOf('signal-1').flatMap((session) => session.messages).find((message) => message.payload?.$case === 'mainProcessExited');
    assert.deepEqual(exited?.payload, { $case: 'mainProcessExited', mainProcessExited: { exitCode: 137, signal: 'SIGKILL' } });
  });

  it('forwards SIGTERM to the main process', async () => {
    const supervisor = startSupervisor({ sandboxId: 'sigterm-1', args: ['--', 'sh', '-c', "trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.05; done"] });
    await gateway.waitFor('the main process to be ready', () => supervisor.stdout.includes('ready'));
    supervisor.child.kill('SIGTERM');
    assert.deepEqual(await supervisor.exited, { code: 42, signal: null });
    assert.match(supervisor.stdout, /got-term/);
  });

  it('runs a tty main process in a pty', async () => {
    const supervisor = startSupervisor({ sandboxId: 'tty-main-1', args: ['--tty', '--', 'sh', '-c', 'test -t 1 && stty size'] });
    assert.deepEqual(await supervisor.exited, { code: 0, signal: null });
    const lines = sessionsOf('tty-main-1').flatMap((session) => session.messages.flatMap((message) => (message.payload?.$case === 'logs' ? message.payload.logs.lines : [])));
    assert.ok(lines.some((line) => line.fields['shellgate.source'] === 'main' && line.message === '24 80'), JSON.stringify(lines));
  });

  it('reports a main command that does not exist as 127, after a start with pid 0 (the gateway ties the exit to the start)', async () => {
    const supervisor = startSupervisor({ sandboxId: 'missing-main-1', args: ['--', 'no-such-command-xyz'] });
    assert.equal((await supervisor.exited).code, 127);
    assert.match(supervisor.stderr, /shellgate: no-such-command-xyz: command not found/);
    const reports = sessionsOf('missing-main-1').flatMap((session) => session.messages).map((message) => message.payload).filter((payload) => payload?.$case === 'mainProcessStarted' || payload?.$case === 'mainProcessExited');
    assert.deepEqual(reports, [
      { $case: 'mainProcessStarted', mainProcessStarted: { command: ['no-such-command-xyz'], pid: 0, tty: false } },
      { $case: 'mainProcessExited', mainProcessExited: { exitCode: 127, signal: '' } },
    ]);
  });

  it('holds the session without a main process until SIGTERM, then exits 0', async () => {
    const supervisor = startSupervisor({ sandboxId: 'idle-1' });
    await gateway.waitFor('session', () => sessionsOf('idle-1')[0]);
    supervisor.child.kill('SIGTERM');
    assert.deepEqual(await supervisor.exited, { code: 0, signal: null });
  });

  it('keeps log lines while disconnected and delivers them after reconnecting, with the main exit', async () => {
    const port = gateway.port;
    gateway.stop();
    const supervisor = startSupervisor({ sandboxId: 'offline-1', args: ['--', 'sh', '-c', 'echo while-offline; sleep 1; exit 3'] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await gateway.start(port);
    assert.equal((await supervisor.exited).code, 3);
    const messages = sessionsOf('offline-1').flatMap((session) => session.messages);
    assert.ok(messages.some((message) => message.payload?.$case === 'logs' && message.payload.logs.lines.some((line) => line.message === 'while-offline')));
    assert.ok(messages.some((message) => message.payload?.$case === 'mainProcessExited'));
  });
});

describe('shellgate-supervisor: flags and environment', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('exits 2 naming the variable when OPENSHELL_SANDBOX_ID is missing', async () => {
    const supervisor = SupervisorProcess.start({ endpoint: 'http://127.0.0.1:1', env: { OPENSHELL_SANDBOX_ID: undefined } });
    assert.equal((await supervisor.exited).code, 2);
    assert.match(supervisor.stderr, /OPENSHELL_SANDBOX_ID is not set/);
  });

  it('exits 2 naming the variable when OPENSHELL_ENDPOINT is not a URL', async () => {
    const supervisor = SupervisorProcess.start({ endpoint: 'not a url' });
    assert.equal((await supervisor.exited).code, 2);
    assert.match(supervisor.stderr, /OPENSHELL_ENDPOINT="not a url" is not a URL/);
  });

  it('exits 2 naming the user and /etc/passwd for an unknown --user name, and for a bad SPEC', async () => {
    const unknown = SupervisorProcess.start({ endpoint: 'http://127.0.0.1:1', args: ['--user', 'no-such-user-xyz', '--', 'true'] });
    assert.equal((await unknown.exited).code, 2);
    assert.match(unknown.stderr, /--user no-such-user-xyz: user "no-such-user-xyz" not found in \/etc\/passwd/);
    const bad = SupervisorProcess.start({ endpoint: 'http://127.0.0.1:1', args: ['--user', 'a:b:c', '--', 'true'] });
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr, /--user "a:b:c" is not a user spec/);
  });

  it('prints --version and --help', async () => {
    const version = SupervisorProcess.start({ endpoint: 'http://127.0.0.1:1', args: ['--version'] });
    assert.equal((await version.exited).code, 0);
    assert.equal(version.stdout, '0.1.0\n');
    const help = SupervisorProcess.start({ endpoint: 'http://127.0.0.1:1', args: ['--help'] });
    assert.equal((await help.exited).code, 0);
    assert.match(help.stdout, /Usage: shellgate-supervisor \[--tty\] \[--user SPEC\] \[--keep-token-file\] -- \[CMD \[ARGS\.\.\.\]\]/);
  });
});
