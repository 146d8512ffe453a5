import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { dockerDriverConfig } from './config.js';
import { DRIVER_VERSION } from './version.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_ROOT = join(HERE, '..');
const MAIN_JS = join(HERE, 'main.js');
const run = promisify(execFile);

void describe('shellgate-driver-docker binary and README', () => {
  void it('reports the package.json version', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(DRIVER_VERSION, pkg.version);
    const { stdout } = await run(process.execPath, [MAIN_JS, '--version']);
    assert.equal(stdout, `shellgate-driver-docker ${pkg.version}\n`);
  });

  void it('documents every setting in --help and in the README settings table, with its flag and env', async () => {
    const { stdout: help } = await run(process.execPath, [MAIN_JS, '--help']);
    const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    for (const [key, spec] of Object.entries(dockerDriverConfig.keys)) {
      assert.ok(help.includes(`  ${key}  (`), `--help lists ${key}`);
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(row !== undefined, `README has a row for ${key}`);
      assert.ok(row.includes(`\`${spec.flag}\``) && row.includes(`\`${spec.env}\``), `README row for ${key} names ${spec.flag} and ${spec.env}`);
    }
  });

  void it('explains how it is meant to be run and exits 2 without a socket', async () => {
    const env = { ...process.env, OPENSHELL_COMPUTE_DRIVER_SOCKET: '' };
    await assert.rejects(run(process.execPath, [MAIN_JS], { env }), (error: { code?: number; stdout?: string }) => {
      assert.equal(error.code, 2);
      assert.equal(error.stdout, '');
      return true;
    });
  });

  void it('exits 2 at start when supervisor_runtime_dir is not a bundle, naming the key and the bundle tool', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-docker-main-'));
    try {
      const args = [MAIN_JS, '--bind-socket', join(root, 'driver.sock'), '--state-dir', join(root, 'state'), '--docker-host', 'unix:///nonexistent/docker.sock', '--supervisor-runtime-dir', join(root, 'no-bundle')];
      await assert.rejects(run(process.execPath, args), (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr ?? '', /supervisor_runtime_dir .* is not a supervisor runtime bundle/);
        assert.match(error.stderr ?? '', /shellgate-supervisor-bundle --out DIR/);
        return true;
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  void it('without supervisor_runtime_dir builds a bundle from the installed supervisor once, into state_dir/runtime, and reuses it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-docker-main-'));
    const stateDir = join(root, 'state');
    // Serves against an engine that is not there (the network is prepared lazily), so the
    // start itself is what is tested; each run ends with SIGTERM.
    const startOnce = async (): Promise<string> => {
      const args = [MAIN_JS, '--bind-socket', join(root, 'driver.sock'), '--state-dir', stateDir, '--docker-host', 'unix:///nonexistent/docker.sock'];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const configured = new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          if (stderr.includes('docker driver configured')) resolve();
        });
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      try {
        await Promise.race([configured, once(child, 'exit').then(() => assert.fail(`driver exited early:\n${stderr}`))]);
        child.kill('SIGTERM');
        await once(child, 'exit');
        return stderr;
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      const first = await startOnce();
      assert.match(first, /supervisor runtime bundle built/);
      const [fingerprint, ...others] = await readdir(join(stateDir, 'runtime'));
      assert.match(fingerprint ?? '', /^[0-9a-f]{32}$/);
      assert.deepEqual(others, []);
      const manifest = JSON.parse(await readFile(join(stateDir, 'runtime', fingerprint ?? '', 'manifest.json'), 'utf8')) as { format: number };
      assert.equal(manifest.format, 1);
      const second = await startOnce();
      assert.doesNotMatch(second, /building the supervisor runtime bundle/);
      assert.match(second, new RegExp(`"supervisorRuntimeDir":"${join(stateDir, 'runtime', fingerprint ?? '')}"`));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
