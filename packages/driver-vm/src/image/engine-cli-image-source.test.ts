import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { HostCommandError } from '../host/run-host-command.js';
import type { RunHostCommand } from '../host/run-host-command.js';
import { EngineCliImageSource, decodeInspectedImage } from './engine-cli-image-source.js';
import { ImageUnavailableError } from './image-source.js';

const signal = new AbortController().signal;

describe('EngineCliImageSource', () => {
  it('reads what Docker and Podman print for an image (null lists included)', () => {
    const docker = JSON.stringify({ Id: 'sha256:1', Config: { Entrypoint: null, Cmd: ['sh'], Env: ['PATH=/bin'], User: 'app', WorkingDir: '/w' } });
    assert.deepEqual(decodeInspectedImage(docker), { id: 'sha256:1', entrypoint: [], cmd: ['sh'], env: ['PATH=/bin'], user: 'app', workingDir: '/w' });
    const podman = JSON.stringify([{ Id: 'abc', Config: {} }]);
    assert.deepEqual(decodeInspectedImage(podman), { id: 'abc', entrypoint: [], cmd: [], env: [], user: '', workingDir: '' });
  });

  it('answers undefined for an image the engine does not have, and says when the CLI is missing', async () => {
    const missingImage: RunHostCommand = async () => {
      throw new HostCommandError('docker image', 1, 'Error: No such image: nope:1');
    };
    assert.equal(await new EngineCliImageSource('docker', missingImage, {}).inspect('nope:1', signal), undefined);
    const missingCli: RunHostCommand = async () => {
      throw new HostCommandError('podman image', null, '', { cause: Object.assign(new Error('spawn podman ENOENT'), { code: 'ENOENT' }) });
    };
    await assert.rejects(new EngineCliImageSource('podman', missingCli, {}).inspect('x:1', signal), (error: Error) => error instanceof ImageUnavailableError && /podman CLI is not installed/.test(error.message));
  });
});
