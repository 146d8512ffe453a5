import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeGateway } from '../testing/fake-gateway.js';
import { SupervisorProcess } from '../testing/supervisor-process.js';

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('exec through a real supervisor', { timeout: SUITE_TIMEOUT_MS }, () => {
  const gateway = new FakeGateway(1_000);
  let supervisor: SupervisorProcess;

  before(async () => {
    await gateway.start(0);
    supervisor = SupervisorProcess.start({ endpoint: gateway.endpoint, sandboxId: 'exec-1', token: 'exec-token', env: { SUPERVISOR_ONLY: 'from-supervisor' } });
    await gateway.waitFor('the session', () => gateway.lastSession);
  });
  after(async () => {
    await supervisor.kill();
    gateway.stop();
  });

  it('attaches with the token and streams stdout, stderr and the exit code', async () => {
    const exec = gateway.startExec({ command: ['sh', '-c', 'echo to-out; echo to-err >&2; exit 3'] });
    assert.deepEqual(await exec.done(), { exitCode: 3, signal: '', timedOut: false });
    assert.equal(exec.attachToken, 'exec-token');
    assert.equal(exec.stdoutText, 'to-out\n');
    assert.equal(exec.stderrText, 'to-err\n');
  });

  it('feeds stdin and closes it on stdin_eof', async () => {
    const exec = gateway.startExec({ command: ['cat'] });
    await exec.attached();
    exec.send({ $case: 'stdin', stdin: Buffer.from('hello ') });
    exec.send({ $case: 'stdin', stdin: Buffer.from('world') });
    exec.send({ $case: 'stdinEof', stdinEof: true });
    assert.equal((await exec.done()).exitCode, 0);
    assert.equal(exec.stdoutText, 'hello world');
  });

  it("layers the request's environment over the supervisor's and runs in workdir", async () => {
    const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'exec-workdir-')));
    const exec = gateway.startExec({ command: ['sh', '-c', 'echo "$SUPERVISOR_ONLY $FROM_REQUEST"; pwd'], environment: { FROM_REQUEST: 'from-request' }, workdir });
    assert.equal((await exec.done()).exitCode, 0);
    assert.equal(exec.stdoutText, `from-supervisor from-request\n${workdir}\n`);
  });

  it('times out with SIGTERM, exit code 124 and timed_out', async () => {
    const exec = gateway.startExec({ command: ['sleep', '30'], timeoutSeconds: 1 });
    assert.deepEqual(await exec.done(), { exitCode: 124, signal: 'SIGTERM', timedOut: true });
  });

  it('kills a process that ignores SIGTERM with SIGKILL after the grace period on cancel', async () => {
    const exec = gateway.startExec({ command: ['sh', '-c', "trap '' TERM; echo armed; while true; do sleep 0.05; done"] });
    await gateway.waitFor('the trap to be armed', () => exec.stdoutText.includes('armed'));
    exec.send({ $case: 'cancel', cancel: true });
    assert.deepEqual(await exec.done(), { exitCode: 137, signal: 'SIGKILL', timedOut: false });
  });

  it('ends a cancelled process with SIGTERM', async () => {
    const exec = gateway.startExec({ command: ['sleep', '30'] });
    await exec.attached();
    exec.send({ $case: 'cancel', cancel: true });
    assert.deepEqual(await exec.done(), { exitCode: 143, signal: 'SIGTERM', timedOut: false });
  });

  it('answers a missing command with 127 and "command not found" on stderr', async () => {
    const exec = gateway.startExec({ command: ['no-such-command-xyz', 'arg'] });
    assert.deepEqual(await exec.done(), { exitCode: 127, signal: '', timedOut: false });
    assert.equal(exec.stderrText, 'shellgate: no-such-command-xyz: command not found\n');
  });

  it('answers a command it may not execute with 126', async () => {
    const notExecutable = join(mkdtempSync(join(tmpdir(), 'exec-noexec-')), 'script');
    writeFileSync(notExecutable, 'echo never\n', { mode: 0o644 });
    const exec = gateway.startExec({ command: [notExecutable] });
    assert.equal((await exec.done()).exitCode, 126);
    assert.equal(exec.stderrText, `shellgate: ${notExecutable}: permission denied\n`);
  });

  it('answers a missing workdir with 126 and says which', async () => {
    const exec = gateway.startExec({ command: ['true'], workdir: '/no/such/dir' });
    assert.equal((await exec.done()).exitCode, 126);
    assert.match(exec.stderrText, /workdir \/no\/such\/dir: no such directory/);
  });

  it('runs a tty exec in a pty of the requested size and applies resize', async () => {
    const exec = gateway.startExec({ command: ['sh', '-c', 'stty size; read line; stty size'], tty: true, cols: 100, rows: 30 });
    await gateway.waitFor('the first size', () => exec.stdoutText.includes('30 100'));
    exec.send({ $case: 'resize', resize: { cols: 120, rows: 40 } });
    exec.send({ $case: 'stdin', stdin: Buffer.from('\n') });
    assert.equal((await exec.done()).exitCode, 0);
    assert.match(exec.stdoutText, /30 100\r\n[\s\S]*40 120\r\n/);
    assert.equal(exec.stderr.length, 0);
  });

  it('answers a missing command in a tty exec with 127 too', async () => {
    const exec = gateway.startExec({ command: ['no-such-command-xyz'], tty: true });
    assert.equal((await exec.done()).exitCode, 127);
  });

  it('delivers 64 MB of output complete and in order', async () => {
    const size = 64 * 1024 * 1024;
    // Numbered 16-byte records, so a lost, duplicated or reordered chunk changes the digest.
    const records = Buffer.alloc(size);
    for (let index = 0; index < size / 16; index += 1) records.write(`${String(index).padStart(15, '0')}\n`, index * 16, 'latin1');
    const file = join(mkdtempSync(join(tmpdir(), 'exec-64mb-')), 'records');
    writeFileSync(file, records);
    const exec = gateway.startExec({ command: ['cat', file] });
    const startedAt = process.hrtime.bigint();
    const exit = await exec.done();
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const output = Buffer.concat(exec.stdout);
    assert.equal(exit.exitCode, 0);
    assert.equal(output.length, size);
    assert.equal(createHash('sha256').update(output).digest('hex'), createHash('sha256').update(records).digest('hex'));
    process.stdout.write(`# exec throughput: ${(size / (1024 * 1024) / seconds).toFixed(0)} MB/s (64 MB in ${seconds.toFixed(2)} s, ${exec.stdout.length} chunks)\n`);
  });
});
