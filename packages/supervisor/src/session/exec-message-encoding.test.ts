import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecFromSupervisor } from '@shellgate/api/session';
import { encodeExecFromSupervisor } from './exec-message-encoding.js';

describe('encodeExecFromSupervisor', () => {
  it('writes output chunks byte-identical to the generated encoder, for every varint length size', () => {
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 65_536, 2_097_152]) {
      const chunk = Buffer.alloc(size, size % 251);
      for (const message of [{ payload: { $case: 'stdout', stdout: chunk } }, { payload: { $case: 'stderr', stderr: chunk } }] as ExecFromSupervisor[]) {
        assert.deepEqual(encodeExecFromSupervisor(message), Buffer.from(ExecFromSupervisor.encode(message).finish()), `size ${size}`);
      }
    }
  });

  it('encodes the other messages with the generated encoder', () => {
    const message: ExecFromSupervisor = { payload: { $case: 'exit', exit: { exitCode: 3, signal: '', timedOut: false } } };
    assert.deepEqual(ExecFromSupervisor.decode(encodeExecFromSupervisor(message)), message);
  });
});
