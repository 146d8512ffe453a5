/** First four bytes of an LZ4 legacy frame (what `lz4 -l` and the kernel's build write). */
export const LZ4_LEGACY_MAGIC = 0x184c2102;
/** A legacy frame's blocks each decompress to at most 8 MiB. */
const LEGACY_BLOCK_BYTES = 8 * 1024 * 1024;
const MIN_MATCH = 4;

/** The input is not the LZ4 data it claims to be. */
export class Lz4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Lz4FormatError';
  }
}

/** A length field continued in 255-steps after its 4-bit nibble was 15. */
function readLength(input: Uint8Array, state: { pos: number }, nibble: number, end: number): number {
  let length = nibble;
  if (nibble !== 15) return length;
  for (;;) {
    if (state.pos >= end) throw new Lz4FormatError('a length runs past the end of its block');
    const byte = input[state.pos++]!;
    length += byte;
    if (byte !== 255) return length;
  }
}

/** Decodes one LZ4 block from input[start, end) into output at outPos; returns the new outPos. */
function decodeBlock(input: Uint8Array, start: number, end: number, output: Buffer, outPos: number): number {
  const state = { pos: start };
  let out = outPos;
  while (state.pos < end) {
    const token = input[state.pos++]!;
    const literals = readLength(input, state, token >>> 4, end);
    if (state.pos + literals > end || out + literals > output.length) throw new Lz4FormatError('literals run past the end of the block or the output');
    output.set(input.subarray(state.pos, state.pos + literals), out);
    state.pos += literals;
    out += literals;
    if (state.pos >= end) break; // the last sequence has literals only
    if (state.pos + 2 > end) throw new Lz4FormatError('a match offset runs past the end of its block');
    const offset = input[state.pos]! | (input[state.pos + 1]! << 8);
    state.pos += 2;
    if (offset === 0 || offset > out) throw new Lz4FormatError(`invalid match offset ${offset}`);
    const length = readLength(input, state, token & 0x0f, end) + MIN_MATCH;
    if (out + length > output.length) throw new Lz4FormatError('a match runs past the end of the output');
    let from = out - offset;
    if (offset >= length) {
      output.copyWithin(out, from, from + length);
      out += length;
    } else {
      // Overlapping match: bytes repeat with period `offset`, so copy one by one.
      for (let i = 0; i < length; i++) output[out++] = output[from++]!;
    }
  }
  return out;
}

/**
 * Decompresses an LZ4 legacy-format stream (magic, then blocks each prefixed by its 32-bit
 * little-endian compressed size; a repeated magic starts another frame). Trailing bytes too
 * few or too large to be a block end the stream: the kernel's build appends the
 * uncompressed size as four bytes, which is how `expectedBytes` is usually known.
 * @throws Lz4FormatError on a missing magic or corrupt data.
 */
export function decodeLz4Legacy(input: Uint8Array, expectedBytes?: number): Buffer {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (input.length < 4 || view.getUint32(0, true) !== LZ4_LEGACY_MAGIC) throw new Lz4FormatError('the data does not start with the LZ4 legacy magic');
  let output = Buffer.alloc(expectedBytes ?? LEGACY_BLOCK_BYTES);
  let out = 0;
  let pos = 4;
  while (pos + 4 <= input.length) {
    const size = view.getUint32(pos, true);
    if (size === LZ4_LEGACY_MAGIC) {
      pos += 4;
      continue;
    }
    if (size === 0 || pos + 4 + size > input.length) break;
    if (expectedBytes === undefined && out + LEGACY_BLOCK_BYTES > output.length) {
      const grown = Buffer.alloc(output.length * 2);
      output.copy(grown, 0, 0, out);
      output = grown;
    }
    out = decodeBlock(input, pos + 4, pos + 4 + size, output, out);
    pos += 4 + size;
  }
  if (expectedBytes !== undefined && out !== expectedBytes) throw new Lz4FormatError(`decoded ${out} bytes, expected ${expectedBytes}`);
  return output.subarray(0, out);
}
