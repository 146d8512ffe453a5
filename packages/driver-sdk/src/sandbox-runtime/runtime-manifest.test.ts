import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RuntimeManifestProblem, decodeRuntimeManifest, encodeRuntimeManifest, resolveEntrypoint } from './runtime-manifest.js';

void describe('runtime manifest', () => {
  const manifest = { format: 1, supervisorVersion: '0.1.0', entrypoint: ['{root}/bin/node', '{root}/supervisor.cjs'] } as const;

  void it('round-trips and resolves {root}', () => {
    const decoded = decodeRuntimeManifest(encodeRuntimeManifest(manifest));
    assert.deepEqual(decoded, manifest);
    assert.deepEqual(resolveEntrypoint(decoded, '/opt/shellgate/runtime'), ['/opt/shellgate/runtime/bin/node', '/opt/shellgate/runtime/supervisor.cjs']);
  });

  void it('reads a manifest without supervisorVersion as an unknown version', () => {
    assert.equal(decodeRuntimeManifest(JSON.stringify({ format: 1, entrypoint: ['x'] })).supervisorVersion, '');
  });

  void it('says what is wrong with a bad one', () => {
    assert.throws(() => decodeRuntimeManifest('null'), RuntimeManifestProblem);
    assert.throws(() => decodeRuntimeManifest(JSON.stringify({ format: 1, entrypoint: [''] })), /non-empty array of non-empty strings/);
  });
});
