import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_CONTAINER_NAME_LENGTH, sanitizeNamePart, toContainerName } from './container-name.js';

void describe('toContainerName', () => {
  void it('is shellgate-<workspace>-<name>-<first 8 of id>', () => {
    assert.equal(toContainerName({ id: 'abcdef123456', name: 'dev', workspace: 'team-a' }), 'shellgate-team-a-dev-abcdef12');
  });

  void it('sanitizes every part to [a-z0-9-] and uses "default" for an empty workspace', () => {
    const name = toContainerName({ id: 'SBX_9/x.y', name: 'My Box!', workspace: '' });
    assert.equal(name, 'shellgate-default-my-box-sbx-9-x');
    assert.match(name, /^[a-z0-9-]+$/);
    assert.equal(sanitizeNamePart('--A__b..c--'), 'a-b-c');
  });

  void it('caps at 63 characters and keeps the id part so names stay distinct', () => {
    const long = { name: 'n'.repeat(19), workspace: 'w'.repeat(80) };
    const first = toContainerName({ ...long, id: '11111111-aaaa' });
    const second = toContainerName({ ...long, id: '22222222-aaaa' });
    assert.ok(first.length <= MAX_CONTAINER_NAME_LENGTH, first);
    assert.ok(first.endsWith('-nnnnnnnnnnnnnnnnnnn-11111111'), first);
    assert.notEqual(first, second);
  });

  void it('is deterministic', () => {
    const sandbox = { id: 'sbx-1234567', name: 'a', workspace: 'b' };
    assert.equal(toContainerName(sandbox), toContainerName({ ...sandbox }));
  });
});
