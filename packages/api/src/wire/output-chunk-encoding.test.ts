import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecSandboxEvent } from '../gen/openshell.js';
import { ExecFromSupervisor } from '../session-gen/shellgate/supervisor/v1/session.js';
import { encodeExecFromSupervisor, encodeExecSandboxEvent } from './output-chunk-encoding.js';

/** Sizes around every varint length boundary, for the chunk and for the wrapped message. */
const SIZES = [0, 1, 125, 126, 127, 128, 16_380, 16_383, 16_384, 65_536, 2_097_149, 2_097_152];

describe('hand-framed exec output encoders', () => {
  it('encodeExecFromSupervisor writes output chunks byte-identical to the generated encoder', () => {
    for (const size of SIZES) {
      const chunk = Buffer.alloc(size, size % 251);
      for (const message of [{ payload: { $case: 'stdout', stdout: chunk } }, { payload: { $case: 'stderr', stderr: chunk } }] as ExecFromSupervisor[]) {
        assert.deepEqual(encodeExecFromSupervisor(message), Buffer.from(ExecFromSupervisor.encode(message).finish()), `size ${size}`);
      }
    }
  });

  it('encodeExecSandboxEvent writes output chunks byte-identical to the generated encoder', () => {
    for (const size of SIZES) {
      const data = Buffer.alloc(size, size % 253);
      for (const message of [{ payload: { $case: 'stdout', stdout: { data } } }, { payload: { $case: 'stderr', stderr: { data } } }] as ExecSandboxEvent[]) {
        assert.deepEqual(encodeExecSandboxEvent(message), Buffer.from(ExecSandboxEvent.encode(message).finish()), `size ${size}`);
      }
    }
  });

  it('encodes every other message with the generated encoders', () => {
    const exit: ExecFromSupervisor = { payload: { $case: 'exit', exit: { exitCode: 3, signal: '', timedOut: false } } };
    assert.deepEqual(ExecFromSupervisor.decode(encodeExecFromSupervisor(exit)), exit);
    const event: ExecSandboxEvent = { payload: { $case: 'exit', exit: { exitCode: 7 } } };
    assert.deepEqual(ExecSandboxEvent.decode(encodeExecSandboxEvent(event)), event);
  });
});
