import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { podmanDriverConfig } from './config.js';
import { DRIVER_VERSION } from './version.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_ROOT = join(HERE, '..');
const MAIN_JS = join(HERE, 'main.js');
const run = promisify(execFile);

interface RunFailure {
  readonly code?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** Runs the binary on a temp socket with no supervisor (so no bundle is built) and `args`; answers how it failed. */
async function runToFailure(root: string, args: readonly string[]): Promise<RunFailure> {
  const env = { ...process.env, SHELLGATE_PODMAN_INJECT_SUPERVISOR: 'false', CONTAINER_HOST: '', XDG_RUNTIME_DIR: '' };
  const argv = [MAIN_JS, '--bind-socket', join(root, 'driver.sock'), '--state-dir', join(root, 'state'), ...args];
  try {
    await run(process.execPath, argv, { env, timeout: 60_000 });
  } catch (error) {
    return error as RunFailure;
  }
  return assert.fail('the driver started');
}

void describe('shellgate-driver-podman binary and README', () => {
  void it('reports the package.json version', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(DRIVER_VERSION, pkg.version);
    const { stdout } = await run(process.execPath, [MAIN_JS, '--version']);
    assert.equal(stdout, `shellgate-driver-podman ${pkg.version}\n`);
  });

  void it('documents every setting in --help and in the README settings table, with its flag and env', async () => {
    const { stdout: help } = await run(process.execPath, [MAIN_JS, '--help']);
    const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    for (const [key, spec] of Object.entries(podmanDriverConfig.keys)) {
      assert.ok(help.includes(`  ${key}  (`), `--help lists ${key}`);
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(row !== undefined, `README has a row for ${key}`);
      assert.ok(row.includes(`\`${spec.flag}\``) && row.includes(`\`${spec.env}\``), `README row for ${key} names ${spec.flag} and ${spec.env}`);
    }
  });

  void it('explains how it is meant to be run and exits 2 without a socket', async () => {
    const env = { ...process.env, OPENSHELL_COMPUTE_DRIVER_SOCKET: '' };
    await assert.rejects(run(process.execPath, [MAIN_JS], { env }), (error: RunFailure) => {
      assert.equal(error.code, 2);
      assert.equal(error.stdout, '');
      return true;
    });
  });

  void it('exits 2 when nothing answers on the Podman socket, naming the command that starts the service', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-podman-main-'));
    try {
      const failure = await runToFailure(root, ['--podman-socket', join(root, 'no-podman.sock')]);
      assert.equal(failure.code, 2, failure.stderr);
      assert.match(failure.stderr ?? '', /no Podman API service answers on unix:\/\/.*no-podman\.sock/);
      assert.match(failure.stderr ?? '', /hint: start the Podman API service: `podman system service --time=0 unix:\/\/\/run\/podman\/podman\.sock`/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  void it('exits 2 when the socket is a Docker engine\'s, saying what it found and what it needs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-podman-main-'));
    // dockerd's /_ping: an Api-Version header and no Libpod-Api-Version.
    const docker = createServer((_request, response) => response.writeHead(200, { 'Api-Version': '1.41', 'Content-Type': 'text/plain' }).end('OK'));
    const socketPath = join(root, 'docker.sock');
    await new Promise<void>((resolve) => docker.listen(socketPath, resolve));
    try {
      const failure = await runToFailure(root, ['--podman-socket', `unix://${socketPath}`]);
      assert.equal(failure.code, 2, failure.stderr);
      assert.match(failure.stderr ?? '', /is not a Podman API service: its \/_ping answers Api-Version 1\.41 and no Libpod-Api-Version \(a Docker engine\?\); this driver needs Podman 4\.3\.0 or newer/);
    } finally {
      docker.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
