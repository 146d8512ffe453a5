import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeGateway } from './testing/fake-gateway.js';
import { SupervisorProcess } from './testing/supervisor-process.js';

// Switching users needs a root supervisor; CI runs these tests as root.
describe('shellgate-supervisor --user 1234:1234, started as root', () => {
  const gateway = new FakeGateway(1_000);
  let supervisor: SupervisorProcess;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'these tests start the supervisor as root: run them as root');
    await gateway.start(0);
    supervisor = SupervisorProcess.start({
      endpoint: gateway.endpoint,
      sandboxId: 'run-as-1',
      env: { HOME: '/root', USER: undefined, LOGNAME: undefined },
      args: ['--user', '1234:1234', '--', 'sh', '-c', 'echo "main $(id -u):$(id -g) home=$HOME"; exec sleep 60'],
    });
    await gateway.waitFor('the session', () => gateway.lastSession);
  });
  after(async () => {
    await supervisor.kill();
    gateway.stop();
  });

  it('runs the main process as 1234:1234 with HOME=/ (no passwd entry)', async () => {
    const line = await gateway.waitFor('the main output', () => gateway.logLines().find((candidate) => candidate.fields['shellgate.source'] === 'main'));
    assert.equal(line.message, 'main 1234:1234 home=/');
  });

  it('runs a piped exec as 1234:1234, without supplementary groups, unable to read the token file', async () => {
    const exec = gateway.startExec({ command: ['sh', '-c', 'id -u; id -g; id -G; cat "$OPENSHELL_SANDBOX_TOKEN_FILE"'] });
    const exit = await exec.done();
    assert.equal(exec.stdoutText, '1234\n1234\n1234\n');
    assert.notEqual(exit.exitCode, 0);
    assert.match(exec.stderrText, /Permission denied/);
  });

  it('runs a tty exec as 1234:1234, owning its terminal, without supplementary groups', async () => {
    const exec = gateway.startExec({ command: ['sh', '-c', 'id -u; id -g; id -G; stat -c %u "$(tty)"'], tty: true });
    assert.equal((await exec.done()).exitCode, 0);
    assert.equal(exec.stdoutText, '1234\r\n1234\r\n1234\r\n1234\r\n');
  });

  it('answers a missing workdir with 126', async () => {
    const exec = gateway.startExec({ command: ['true'], workdir: '/no/such/dir' });
    assert.equal((await exec.done()).exitCode, 126);
    assert.match(exec.stderrText, /workdir \/no\/such\/dir: no such directory/);
  });

  it('answers 126 for a program only root may execute, piped and in a tty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'root-only-'));
    chmodSync(dir, 0o755);
    const program = join(dir, 'root-only');
    writeFileSync(program, '#!/bin/sh\necho ran\n', { mode: 0o700 });
    for (const tty of [false, true]) {
      const exec = gateway.startExec({ command: [program], tty });
      assert.equal((await exec.done()).exitCode, 126, `tty=${tty}`);
      assert.doesNotMatch(exec.stdoutText, /ran/);
    }
  });
});
