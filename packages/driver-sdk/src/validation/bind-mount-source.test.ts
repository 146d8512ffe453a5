import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '../errors.js';
import { findBindMountSourceProblems, resolveBindMountSources } from './bind-mount-source.js';
import type { BindMountSourcePolicy } from './bind-mount-source.js';

const FIELD = 'spec.template.driver_config.docker.mounts[0].source';

async function refusal(sources: readonly string[], policy: BindMountSourcePolicy): Promise<{ code: string; message: string; problems: unknown }> {
  try {
    await resolveBindMountSources(
      sources.map((source, index) => ({ source, field: `spec.template.driver_config.docker.mounts[${index}].source` })),
      policy,
    );
  } catch (error) {
    assert.ok(isShellgateError(error), String(error));
    return { code: error.code, message: error.message, problems: error.details?.['problems'] };
  }
  assert.fail(`${sources.join(', ')} was accepted`);
}

void describe('findBindMountSourceProblems', () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    ['relative/path', /must be an absolute host path/],
    ['/srv/a:b', /contains ":" or ","/],
    ['/srv/a,b', /contains ":" or ","/],
    ['/srv/a\nb', /control character/],
    ['/srv/data/../../etc', /is not normalized.*"\/etc"/],
    ['/srv/./data', /is not normalized.*"\/srv\/data"/],
    ['/srv//data', /is not normalized/],
    ['/srv/data/', /is not normalized.*"\/srv\/data"/],
  ];
  for (const [source, reason] of cases) {
    void it(`refuses ${JSON.stringify(source)}, naming the field`, () => {
      const problems = findBindMountSourceProblems(source, FIELD);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]?.field, FIELD);
      assert.match(problems[0]?.reason ?? '', reason);
    });
  }

  void it('accepts an absolute normalized path', () => {
    assert.deepEqual(findBindMountSourceProblems('/srv/sandbox-data', FIELD), []);
  });
});

void describe('resolveBindMountSources', () => {
  let root = '';
  let stateDir = '';
  let runtimeDir = '';
  let socketPath = '';
  let socketServer: Server;
  let policy: BindMountSourcePolicy;

  before(async () => {
    // Real path: the temp dir itself may sit behind a link (macOS /tmp → /private/tmp).
    root = realpathSync(mkdtempSync(join(tmpdir(), 'sg-bind-')));
    stateDir = join(root, 'shellgate', 'driver-docker');
    runtimeDir = join(root, 'runtime');
    mkdirSync(join(stateDir, 'sandboxes', 'sb1'), { recursive: true });
    mkdirSync(runtimeDir);
    mkdirSync(join(root, 'data', 'project'), { recursive: true });
    writeFileSync(join(root, 'data', 'file.txt'), 'x');
    symlinkSync('/etc', join(root, 'data', 'etc-link'));
    symlinkSync(join(stateDir, 'sandboxes'), join(root, 'data', 'state-link'));
    symlinkSync(join(root, 'data', 'project'), join(root, 'data', 'project-link'));
    socketPath = join(root, 'data', 'engine.sock');
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));
    policy = {
      protectedPaths: [
        { path: stateDir, role: "the driver's state directory" },
        { path: runtimeDir, role: 'the supervisor runtime' },
        { path: join(root, 'gateway-state-not-created-yet'), role: "the gateway's state directory" },
      ],
    };
  });

  after(async () => {
    await new Promise<void>((resolve) => socketServer.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  });

  void it('answers the real paths, in order, for ordinary directories, files and links to them', async () => {
    const real = await resolveBindMountSources(
      [
        { source: join(root, 'data', 'project'), field: 'a' },
        { source: join(root, 'data', 'file.txt'), field: 'b' },
        { source: join(root, 'data', 'project-link'), field: 'c' },
      ],
      policy,
    );
    assert.deepEqual(real, [join(root, 'data', 'project'), join(root, 'data', 'file.txt'), join(root, 'data', 'project')]);
  });

  void it('refuses a link to /etc, naming the field and the real path (INVALID_ARGUMENT)', async () => {
    const error = await refusal([join(root, 'data', 'etc-link')], policy);
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.match(error.message, /mounts\[0\]\.source: ".*etc-link" \(real path "\/etc"\) is at or under "\/etc", a sensitive host directory/);
  });

  for (const path of ['/', '/etc', '/etc/ssl', '/proc/self', '/sys', '/dev', '/root', '/var/lib/docker', '/usr/bin']) {
    void it(`refuses the host path ${path}`, async () => {
      assert.equal((await refusal([path], policy)).code, ErrorCode.InvalidArgument);
    });
  }

  void it('refuses a directory above a sensitive one (/var/lib holds /var/lib/docker)', async () => {
    assert.match((await refusal(['/var/lib'], policy)).message, /"\/var\/lib" contains "\/var\/lib\/docker", a sensitive host directory/);
  });

  void it('refuses the Docker socket, whatever way /var/run leads to it', async () => {
    assert.equal((await refusal(['/var/run/docker.sock'], policy)).code, ErrorCode.InvalidArgument);
  });

  void it('refuses the state directory, anything under it (also through a link) and anything above it', async () => {
    const error = await refusal([stateDir, join(stateDir, 'sandboxes', 'sb1'), join(root, 'data', 'state-link'), join(root, 'shellgate'), root], policy);
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.equal((error.problems as unknown[]).length, 5, error.message);
    assert.match(error.message, /mounts\[0\]\.source: ".*driver-docker" is at or under ".*driver-docker", the driver's state directory/);
    assert.match(error.message, /mounts\[3\]\.source: ".*shellgate" contains ".*driver-docker"/);
  });

  void it('refuses the runtime directory and a protected path that does not exist yet', async () => {
    assert.match((await refusal([runtimeDir], policy)).message, /the supervisor runtime/);
    const future = join(root, 'gateway-state-not-created-yet');
    mkdirSync(future);
    try {
      assert.match((await refusal([future], policy)).message, /the gateway's state directory/);
    } finally {
      rmSync(future, { recursive: true });
    }
  });

  void it('refuses any socket', async () => {
    assert.match((await refusal([socketPath], policy)).message, /is a socket/);
  });

  void it('answers FAILED_PRECONDITION for a source that does not exist', async () => {
    const error = await refusal([join(root, 'data', 'missing')], policy);
    assert.equal(error.code, ErrorCode.FailedPrecondition);
    assert.match(error.message, /mounts\[0\]\.source: ".*missing" does not exist on the engine host/);
  });

  void it('accepts no sources without touching the file system', async () => {
    assert.deepEqual(await resolveBindMountSources([], policy), []);
  });
});
