import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { silentLogger } from '../logging/logger.js';
import { prepareDriverRuntime } from './prepare-driver-runtime.js';
import type { DriverPlatform } from './prepare-driver-runtime.js';
import type { SupervisorBundler } from './supervisor-bundler.js';

const ROOTLESS: DriverPlatform = { env: {}, uid: 1000, homeDir: '/home/someone', supervisorBundler: undefined };

function prepare(config: { state_dir?: string; inject_supervisor: boolean; supervisor_runtime_dir?: string }, platform: DriverPlatform = ROOTLESS): ReturnType<typeof prepareDriverRuntime> {
  const { state_dir, inject_supervisor, supervisor_runtime_dir } = config;
  return prepareDriverRuntime({ driverDirName: 'driver-test', config: { state_dir, inject_supervisor, supervisor_runtime_dir }, platform, logger: silentLogger, moduleUrl: import.meta.url });
}

describe('prepareDriverRuntime', () => {
  it('uses the configured state dir, else the platform default, and no bundle when injection is off', async () => {
    assert.deepEqual(await prepare({ state_dir: '/srv/state', inject_supervisor: false }), { stateDir: '/srv/state', supervisorRuntime: undefined });
    assert.deepEqual(await prepare({ inject_supervisor: false }), { stateDir: '/home/someone/.local/state/shellgate/driver-test', supervisorRuntime: undefined });
    assert.equal((await prepare({ inject_supervisor: false }, { ...ROOTLESS, uid: 0 })).stateDir, '/var/lib/shellgate/driver-test');
  });

  it('refuses injection without a bundle or a bundler (exit 2)', async () => {
    await assert.rejects(prepare({ state_dir: '/srv/state', inject_supervisor: true }), { name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT' });
  });

  it("builds the bundle under the state dir's runtime directory with the platform's bundler", async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-driver-runtime-'));
    try {
      const outDirs: string[] = [];
      const bundler: SupervisorBundler = {
        description: 'fake',
        fingerprint: async () => 'abcdef0123456789',
        build: async (outDir) => {
          outDirs.push(outDir);
          throw new Error('build refused by the test');
        },
      };
      await assert.rejects(prepare({ state_dir: root, inject_supervisor: true }, { ...ROOTLESS, supervisorBundler: bundler }), /build refused by the test/);
      assert.deepEqual(outDirs, [join(root, 'runtime', 'abcdef0123456789')]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
