import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { vmDriverConfig } from './config.js';
import { DRIVER_VERSION } from './version.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_ROOT = join(HERE, '..');
const MAIN_JS = join(HERE, 'main.js');
const run = promisify(execFile);

void describe('shellgate-driver-vm binary and README', () => {
  void it('reports the package.json version', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(DRIVER_VERSION, pkg.version);
    const { stdout } = await run(process.execPath, [MAIN_JS, '--version']);
    assert.equal(stdout, `shellgate-driver-vm ${pkg.version}\n`);
  });

  void it('documents every setting in --help, prepare --help and the README settings table, with its flag and env', async () => {
    const { stdout: help } = await run(process.execPath, [MAIN_JS, '--help']);
    const { stdout: prepareHelp } = await run(process.execPath, [MAIN_JS, 'prepare', '--help']);
    const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    for (const [key, spec] of Object.entries(vmDriverConfig.keys)) {
      assert.ok(help.includes(`  ${key}  (`), `--help lists ${key}`);
      assert.ok(prepareHelp.includes(`  ${key}  (`), `prepare --help lists ${key}`);
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(row !== undefined, `README has a row for ${key}`);
      assert.ok(row.includes(`\`${spec.flag}\``) && row.includes(`\`${spec.env}\``), `README row for ${key} names ${spec.flag} and ${spec.env}`);
    }
    assert.match(help, /shellgate-driver-vm prepare/, '--help points at prepare');
  });

  void it('explains how it is meant to be run and exits 2 without a socket', async () => {
    const env = { ...process.env, OPENSHELL_COMPUTE_DRIVER_SOCKET: '' };
    await assert.rejects(run(process.execPath, [MAIN_JS], { env }), (error: { code?: number; stdout?: string }) => {
      assert.equal(error.code, 2);
      assert.equal(error.stdout, '');
      return true;
    });
  });

  void it('prepare exits 2 on a bad setting, naming it', async () => {
    await assert.rejects(run(process.execPath, [MAIN_JS, 'prepare', '--kernel', 'huge']), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? '', /--kernel/);
      return true;
    });
  });

  void it('exits 2 at start when supervisor_runtime_dir is not a bundle, naming the key', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-vm-main-'));
    try {
      const args = [MAIN_JS, '--bind-socket', join(root, 'socket', 'driver.sock'), '--state-dir', join(root, 'state'), '--run-dir', join(root, 'run'), '--supervisor-runtime-dir', join(root, 'no-bundle')];
      await assert.rejects(run(process.execPath, args), (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr ?? '', /supervisor_runtime_dir .* is not a supervisor runtime bundle/);
        return true;
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
