import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { asRecord, readString, readStringMap, readStrings } from './json-record.js';

void describe('json record readers', () => {
  void it('read a mistyped or missing field as empty', () => {
    assert.deepEqual(asRecord(['a']), {});
    assert.deepEqual(asRecord(null), {});
    assert.equal(readString({ a: 1 }, 'a'), undefined);
    assert.deepEqual(readStrings({ a: ['x', 2, null, 'y'] }, 'a'), ['x', 'y']);
    assert.deepEqual(readStrings({ a: null }, 'a'), []);
    assert.deepEqual(readStringMap({ Labels: { a: 'x', b: 2, c: null } }, 'Labels'), { a: 'x' });
    assert.deepEqual(readStringMap({}, 'Labels'), {});
  });
});
