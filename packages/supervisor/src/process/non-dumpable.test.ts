import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSupervisorError } from '../errors.js';
import { makeNonDumpable, type EffectiveGroupApi } from './non-dumpable.js';

/** Credentials as a process with `euid` and `egid` has them; records every setegid. */
function fakeCredentials(euid: number, egid: number, refuse: (gid: number) => boolean = () => false): EffectiveGroupApi & { readonly calls: number[] } {
  const calls: number[] = [];
  let current = egid;
  return {
    calls,
    geteuid: () => euid,
    getegid: () => current,
    setegid: (id) => {
      calls.push(Number(id));
      if (refuse(Number(id))) throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      current = Number(id);
    },
  };
}

describe('makeNonDumpable', () => {
  it('as root moves the effective gid away and back (the kernel then clears the dumpable flag)', () => {
    const credentials = fakeCredentials(0, 0);
    assert.equal(makeNonDumpable(credentials), undefined);
    assert.deepEqual(credentials.calls, [1, 0]);
    assert.equal(credentials.getegid?.(), 0);
  });

  it('picks another transient gid when the egid is 1', () => {
    const credentials = fakeCredentials(0, 1);
    assert.equal(makeNonDumpable(credentials), undefined);
    assert.deepEqual(credentials.calls, [2, 1]);
  });

  it('says why not, changing nothing, when not root or when setegid is refused', () => {
    const user = fakeCredentials(1000, 1000);
    assert.match(makeNonDumpable(user) ?? '', /does not run as root/);
    assert.deepEqual(user.calls, []);
    const refused = fakeCredentials(0, 0, (gid) => gid === 1);
    assert.match(makeNonDumpable(refused) ?? '', /setegid\(1\) failed: EPERM/);
    assert.equal(refused.getegid?.(), 0);
    assert.match(makeNonDumpable({}) ?? '', /no effective ids/);
  });

  it('fails loudly when the original egid cannot be restored', () => {
    const stuck = fakeCredentials(0, 0, (gid) => gid === 0);
    assert.throws(() => makeNonDumpable(stuck), (error: unknown) => isSupervisorError(error) && /cannot restore the supervisor's effective gid 0/.test(error.message));
  });
});
