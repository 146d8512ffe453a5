import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SupervisorRuntime } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import { NoCommandError, isRootUser, toContainerProcess, toGpuCount } from './container-process.js';

const SUPERVISOR: SupervisorRuntime = { hostDir: '/srv/runtime', entrypoint: ['/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs'], supervisorVersion: '0.1.0' };
const image = (user = '', entrypoint: string[] = [], cmd: string[] = ['sh']) => ({ reference: 'img:1', info: { id: 'sha256:i', entrypoint, cmd, user } });

void describe('toContainerProcess', () => {
  void it('without a supervisor: spec.command and the tty as the container\'s, the image\'s own PID 1', () => {
    const sandbox = buildTestSandbox({ spec: { command: ['sleep', '1'], tty: true } });
    assert.deepEqual(toContainerProcess(sandbox, image(), undefined), { entrypoint: [], command: ['sleep', '1'], isTty: true, user: '', hasInit: false });
  });

  void it('with one: the bundle as entrypoint, the canonical command after --, no container tty, the engine\'s init', () => {
    const sandbox = buildTestSandbox({ spec: { tty: true } });
    assert.deepEqual(toContainerProcess(sandbox, image('', ['/init'], ['serve']), SUPERVISOR), {
      entrypoint: SUPERVISOR.entrypoint,
      command: ['--tty', '--', '/init', 'serve'],
      isTty: false,
      user: '',
      hasInit: true,
    });
  });

  void it('runs a root supervisor for a non-root image USER, which it passes on', () => {
    const process = toContainerProcess(buildTestSandbox({ spec: { command: ['id'] } }), image('1234:1234'), SUPERVISOR);
    assert.equal(process.user, '0:0');
    assert.deepEqual(process.command, ['--user', '1234:1234', '--', 'id']);
    assert.deepEqual(['', 'root', '0', 'root:root', '0:0'].map(isRootUser), [true, true, true, true, true]);
    assert.equal(isRootUser('app'), false);
  });

  void it('refuses an image with no command when the sandbox names none', () => {
    assert.throws(() => toContainerProcess(buildTestSandbox(), image('', [], []), SUPERVISOR), NoCommandError);
  });

  void it('counts GPUs: none, a count, and a gpu requirement without a count as one', () => {
    assert.equal(toGpuCount(buildTestSandbox()), 0);
    assert.equal(toGpuCount(buildTestSandbox({ spec: { resourceRequirements: { gpu: { count: 2 } } } })), 2);
    assert.equal(toGpuCount(buildTestSandbox({ spec: { resourceRequirements: { gpu: {} } } })), 1);
  });
});
