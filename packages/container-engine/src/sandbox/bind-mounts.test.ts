import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';

import { resolveBindMounts } from './bind-mounts.js';
import type { BindMountPolicy } from './bind-mounts.js';
import type { MountSpec } from './container-mounts.js';

const FIELD = 'spec.template.driver_config.docker.mounts';
const withMounts = (...mounts: MountSpec[]): MountSpec[] => mounts;

void describe('resolveBindMounts', () => {
  let root = '';
  let policy: BindMountPolicy;

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'sg-docker-binds-')));
    mkdirSync(join(root, 'data'));
    mkdirSync(join(root, 'state'));
    symlinkSync(join(root, 'data'), join(root, 'data-link'));
    symlinkSync(join(root, 'state'), join(root, 'state-link'));
    policy = { protectedHostPaths: [{ path: join(root, 'state'), role: "the driver's state directory" }], isEngineLocal: true, engineName: 'Docker' };
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  void it('mounts the real path of a link and leaves volume and tmpfs mounts alone', async () => {
    const mounts = withMounts(
      { type: 'volume', source: 'cache', target: '/cache', isReadOnly: false },
      { type: 'bind', source: join(root, 'data-link'), target: '/data', isReadOnly: true },
      { type: 'tmpfs', target: '/scratch', isReadOnly: false },
    );
    const resolved = await resolveBindMounts(mounts, FIELD, policy);
    assert.deepEqual(resolved, [mounts[0], { type: 'bind', source: join(root, 'data'), target: '/data', isReadOnly: true }, mounts[2]]);
  });

  void it('names the field of the refused mount as the user wrote it', async () => {
    const mounts = withMounts({ type: 'tmpfs', target: '/scratch', isReadOnly: false }, { type: 'bind', source: join(root, 'state-link'), target: '/s', isReadOnly: true });
    await assert.rejects(resolveBindMounts(mounts, FIELD, policy), {
      code: ErrorCode.InvalidArgument,
      message: /spec\.template\.driver_config\.docker\.mounts\[1\]\.source: ".*state-link" \(real path ".*state"\) is at or under .*the driver's state directory/,
    });
  });

  void it("refuses bind mounts when the engine is on another host, whose paths the driver cannot check", async () => {
    const mounts = withMounts({ type: 'bind', source: join(root, 'data'), target: '/data', isReadOnly: false });
    await assert.rejects(resolveBindMounts(mounts, FIELD, { ...policy, isEngineLocal: false }), { code: ErrorCode.FailedPrecondition, message: /mounts\[0\]\.source: bind mounts need the Docker engine on the driver's host/ });
  });
});
