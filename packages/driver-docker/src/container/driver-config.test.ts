import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';

import { parseDockerDriverOptions } from './driver-config.js';

function codeOf(call: () => unknown): { code: string; message: string } {
  try {
    call();
  } catch (error) {
    assert.ok(isShellgateError(error));
    return { code: error.code, message: error.message };
  }
  assert.fail('expected an error');
}

const allowBinds = { allowBindMounts: true };
const denyBinds = { allowBindMounts: false };

void describe('driver_config', () => {
  void it('is optional', () => {
    assert.deepEqual(parseDockerDriverOptions(undefined, denyBinds), { mounts: [], cdiDevices: [] });
  });

  void it('reads volume, tmpfs and (when allowed) bind mounts, and CDI devices', () => {
    const options = parseDockerDriverOptions(
      {
        mounts: [
          { type: 'volume', source: 'cache', target: '/cache', read_only: true },
          { type: 'tmpfs', target: '/scratch' },
          { type: 'bind', source: '/srv/data', target: '/data' },
        ],
        cdi_devices: ['nvidia.com/gpu=all'],
      },
      allowBinds,
    );
    assert.deepEqual(options.mounts, [
      { type: 'volume', source: 'cache', target: '/cache', isReadOnly: true },
      { type: 'tmpfs', target: '/scratch', isReadOnly: false },
      { type: 'bind', source: '/srv/data', target: '/data', isReadOnly: false },
    ]);
    assert.deepEqual(options.cdiDevices, ['nvidia.com/gpu=all']);
  });

  void it('refuses bind mounts unless allow_bind_mounts is on (FAILED_PRECONDITION)', () => {
    const error = codeOf(() =>
      parseDockerDriverOptions({ mounts: [{ type: 'tmpfs', target: '/scratch' }, { type: 'bind', source: '/etc', target: '/host-etc' }] }, denyBinds),
    );
    assert.equal(error.code, ErrorCode.FailedPrecondition);
    assert.match(error.message, /^spec\.template\.driver_config\.docker\.mounts\[1\]: bind mount of "\/etc"/);
  });

  // Issue 10 item 6: refused while validating, not later as ContainerCreateFailed.
  void it('answers INVALID_ARGUMENT naming the source for a bind source with ":", "," or ".."', () => {
    const error = codeOf(() =>
      parseDockerDriverOptions(
        {
          mounts: [
            { type: 'bind', source: '/srv/a:b', target: '/a' },
            { type: 'bind', source: '/srv/a,b', target: '/b' },
            { type: 'bind', source: '/srv/data/../../etc', target: '/c' },
          ],
        },
        allowBinds,
      ),
    );
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.match(error.message, /mounts\[0\]\.source: "\/srv\/a:b" contains ":" or ","/);
    assert.match(error.message, /mounts\[1\]\.source: "\/srv\/a,b" contains ":" or ","/);
    assert.match(error.message, /mounts\[2\]\.source: "\/srv\/data\/\.\.\/\.\.\/etc" is not normalized/);
  });

  void it('refuses reserved targets such as /run/shellgate', () => {
    const error = codeOf(() => parseDockerDriverOptions({ mounts: [{ type: 'tmpfs', target: '/run/shellgate/x' }] }, denyBinds));
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.match(error.message, /spec\.template\.driver_config\.docker\.mounts\[0\]\.target/);
  });

  // The gateway unwraps { docker: {...} } before the driver sees it; the error still names
  // the path the user wrote, driver key included (issue 9, item 4).
  void it('answers INVALID_ARGUMENT naming an unknown key under driver_config.docker', () => {
    const error = codeOf(() => parseDockerDriverOptions({ network: 'none' }, denyBinds));
    assert.equal(error.code, ErrorCode.InvalidArgument);
    assert.match(error.message, /spec\.template\.driver_config\.docker\.network: is not a docker driver option/);
  });

  void it('lists every malformed mount field and CDI name at once', () => {
    const error = codeOf(() =>
      parseDockerDriverOptions({ mounts: [{ type: 'nfs', target: '/x' }, { type: 'tmpfs', source: 'x', target: 'rel', extra: 1 }], cdi_devices: ['gpu'] }, allowBinds),
    );
    assert.equal(error.code, ErrorCode.InvalidArgument);
    for (const key of ['mounts[0].type', 'mounts[1].source', 'mounts[1].target', 'mounts[1].extra', 'cdi_devices[0]']) {
      const field = `spec.template.driver_config.docker.${key}`;
      assert.ok(error.message.includes(field), `${field} in ${error.message}`);
    }
  });
});
