import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { PARENT_WATCH_ENV, PARENT_WATCH_STDIN, watchParentThroughStdin } from './parent-watch.js';

describe('watchParentThroughStdin', () => {
  it('calls back once when stdin ends, if the gateway asked for it', async () => {
    const stdin = new PassThrough();
    let calls = 0;
    watchParentThroughStdin({ [PARENT_WATCH_ENV]: PARENT_WATCH_STDIN }, () => calls++, stdin);
    stdin.end();
    await new Promise((resolve) => setImmediate(resolve));
    stdin.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 1);
  });

  it('ignores stdin when the driver was not spawned by a gateway', async () => {
    const stdin = new PassThrough();
    let calls = 0;
    watchParentThroughStdin({}, () => calls++, stdin);
    stdin.end();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 0);
  });
});
