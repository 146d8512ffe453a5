import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

import { parseCdiDeviceList, parseMountList, refuseBindMounts } from './container-mounts.js';

const FIELD = 'spec.template.driver_config.podman.mounts';

void describe('driver_config mounts and CDI devices', () => {
  void it('reads bind, volume and tmpfs mounts, and CDI names', () => {
    const problems: ValidationProblem[] = [];
    const mounts = parseMountList(
      [
        { type: 'volume', source: 'cache', target: '/cache', read_only: true },
        { type: 'volume', target: '/anon' },
        { type: 'tmpfs', target: '/scratch' },
        { type: 'bind', source: '/srv/data', target: '/data' },
      ],
      FIELD,
      problems,
      'Podman',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(mounts, [
      { type: 'volume', source: 'cache', target: '/cache', isReadOnly: true },
      { type: 'volume', target: '/anon', isReadOnly: false },
      { type: 'tmpfs', target: '/scratch', isReadOnly: false },
      { type: 'bind', source: '/srv/data', target: '/data', isReadOnly: false },
    ]);
    assert.deepEqual(parseCdiDeviceList(['nvidia.com/gpu=all'], 'cdi', problems), ['nvidia.com/gpu=all']);
  });

  void it('names every problem by field, in the engine\'s words', () => {
    const problems: ValidationProblem[] = [];
    parseMountList([{ type: 'volume', source: '../x', target: '/run/shellgate' }, 'x'], FIELD, problems, 'Podman');
    parseCdiDeviceList(['gpu'], 'cdi', problems);
    assert.deepEqual(problems.map((problem) => problem.field), [`${FIELD}[0].source`, `${FIELD}[0].target`, `${FIELD}[1]`, 'cdi[0]']);
    assert.match(problems[0]!.reason, /is not a Podman volume name/);
    parseMountList({}, FIELD, problems, 'Podman');
    assert.equal(problems.at(-1)?.field, FIELD);
  });

  void it('refuses bind mounts unless allowed, naming the entry and the setting', () => {
    const mounts = [{ type: 'tmpfs', target: '/t', isReadOnly: false }, { type: 'bind', source: '/etc', target: '/e', isReadOnly: false }] as const;
    assert.throws(() => refuseBindMounts(mounts, FIELD, false), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.FailedPrecondition);
      assert.equal(error.message, `${FIELD}[1]: bind mount of "/etc" at "/e" is not allowed by this driver`);
      assert.match(error.hint ?? '', /allow_bind_mounts = true/);
      return true;
    });
    refuseBindMounts(mounts, FIELD, true);
  });
});
