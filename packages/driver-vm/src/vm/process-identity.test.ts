import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isSameProcessAlive, readStartTicks } from './process-identity.js';

/** A /proc/PID/stat line whose command name holds spaces and a parenthesis. */
function statLine(state: string, startTicks: number): string {
  const fields = [state, ...Array.from({ length: 18 }, (_, index) => String(index)), String(startTicks), '0'];
  return `42 (qemu (x) y) ${fields.join(' ')}`;
}

describe('process identity', () => {
  it('reads the start time after the command name, whatever the name holds', () => {
    assert.equal(readStartTicks(42, () => statLine('S', 123456)), 123456);
  });

  it('treats a zombie or a missing process as gone', () => {
    assert.equal(readStartTicks(42, () => statLine('Z', 1)), undefined);
    assert.equal(readStartTicks(42, () => {
      throw new Error('ENOENT');
    }), undefined);
  });

  it('tells a reused pid from the process it was', () => {
    assert.equal(isSameProcessAlive({ pid: 42, startTicks: 100 }, () => statLine('R', 100)), true);
    assert.equal(isSameProcessAlive({ pid: 42, startTicks: 100 }, () => statLine('R', 999)), false);
  });

  it('finds this very process alive', () => {
    const ticks = readStartTicks(process.pid);
    assert.ok(ticks !== undefined && isSameProcessAlive({ pid: process.pid, startTicks: ticks }));
  });
});
