import { ExecFromSupervisor } from '@shellgate/api/session';

/** Protobuf tags of ExecFromSupervisor's output fields: field number << 3 | wire type 2 (length-delimited). */
const STDOUT_TAG = (2 << 3) | 2;
const STDERR_TAG = (3 << 3) | 2;

function writeVarint(target: Buffer, offset: number, value: number): number {
  let rest = value;
  let position = offset;
  while (rest > 0x7f) {
    target[position] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
    position += 1;
  }
  target[position] = rest;
  return position + 1;
}

/**
 * Serializes an ExecFromSupervisor. Output chunks, the hot path (up to 64 KB each, the
 * >= 100 MB/s target), are framed by hand with one copy; the generated encoder would copy
 * each chunk three times (writer, finish, Buffer.from). Everything else uses the generated code.
 */
export function encodeExecFromSupervisor(message: ExecFromSupervisor): Buffer {
  const payload = message.payload;
  if (payload?.$case !== 'stdout' && payload?.$case !== 'stderr') return Buffer.from(ExecFromSupervisor.encode(message).finish());
  const chunk = payload.$case === 'stdout' ? payload.stdout : payload.stderr;
  const output = Buffer.allocUnsafe(1 + 5 + chunk.length);
  output[0] = payload.$case === 'stdout' ? STDOUT_TAG : STDERR_TAG;
  const headerLength = writeVarint(output, 1, chunk.length);
  output.set(chunk, headerLength);
  return output.subarray(0, headerLength + chunk.length);
}
