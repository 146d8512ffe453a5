import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeImageInspect } from './image-info.js';
import { readDockerFixture, readPodmanFixture } from './testdata/read-fixture.js';

void describe('decodeImageInspect', () => {
  void it("reads a Docker 20.10 image: its id, command and user; a null Entrypoint reads as none", () => {
    assert.deepEqual(decodeImageInspect(readDockerFixture('image-inspect.json')), {
      id: 'sha256:1c24dde9f8db69ecdd3d1626b2b7e8f9e72c30fae8a6120d2bab0ed78506abcc',
      entrypoint: [],
      cmd: ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
      user: '',
    });
  });

  void it('reads an entrypoint and a user', () => {
    const info = decodeImageInspect({ Id: 'sha256:x', Config: { Entrypoint: ['/init'], Cmd: null, User: '1000:1000' } });
    assert.deepEqual(info, { id: 'sha256:x', entrypoint: ['/init'], cmd: [], user: '1000:1000' });
  });

  void it('reads a Podman 4.3 libpod image: an id without sha256:, a null Entrypoint and User', () => {
    assert.deepEqual(decodeImageInspect(readPodmanFixture('image-inspect.json')), {
      id: 'c2cacd46b93c9b8e4d3c9033df61af68333c54ff6d77c0b0e4cb072044699a74',
      entrypoint: [],
      cmd: ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
      user: '',
    });
  });
});
