import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SandboxQueue } from './sandbox-queue.js';

describe('SandboxQueue', () => {
  it('runs the tasks of one sandbox in order, past a failure, and other sandboxes alongside', async () => {
    const queue = new SandboxQueue();
    const order: string[] = [];
    const task = (name: string, ms: number, fails = false) => async (): Promise<string> => {
      order.push(`${name} start`);
      await sleep(ms);
      order.push(`${name} end`);
      if (fails) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([queue.run('a', task('a1', 30, true)), queue.run('a', task('a2', 1)), queue.run('b', task('b1', 5))]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'fulfilled', 'fulfilled']);
    assert.deepEqual(order, ['a1 start', 'b1 start', 'b1 end', 'a1 end', 'a2 start', 'a2 end']);
  });
});
