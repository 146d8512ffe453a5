import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode, ShellgateError, toGrpcStatus } from './errors.js';
import { StorageFullError, isStorageFullError, toStorageError } from './storage-full-error.js';

function failure(code: string): Error {
  return Object.assign(new Error(`${code}: something`), { code });
}

void describe('toStorageError', () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']) {
    void it(`turns ${code} into RESOURCE_EXHAUSTED naming the path, the operation and what to do`, () => {
      const cause = failure(code);
      const error = toStorageError(cause, '/var/lib/shellgate/gateway.sqlite', 'create sandbox "a"');
      assert.ok(isStorageFullError(error));
      assert.equal(error.code, ErrorCode.ResourceExhausted);
      assert.equal(toGrpcStatus(error.code), 8);
      assert.equal(error.path, '/var/lib/shellgate/gateway.sqlite');
      assert.equal(error.message, `cannot create sandbox "a": no space left on the filesystem holding /var/lib/shellgate/gateway.sqlite (${code})`);
      assert.match(error.hint ?? '', /free space on that filesystem/);
      assert.equal(error.cause, cause);
    });
  }

  void it('returns every other error unchanged, and a StorageFullError as it is', () => {
    const other = failure('EACCES');
    assert.equal(toStorageError(other, '/x', 'write'), other);
    const conflict = new ShellgateError(ErrorCode.Aborted, 'conflict');
    assert.equal(toStorageError(conflict, '/x', 'write'), conflict);
    assert.equal(toStorageError('text', '/x', 'write'), 'text');
    const full = new StorageFullError('/a', 'write', failure('ENOSPC'));
    assert.equal(toStorageError(full, '/b', 'other'), full);
  });
});
