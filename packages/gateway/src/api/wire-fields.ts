/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/). */
export const WireType = { Varint: 0, Fixed64: 1, Len: 2, StartGroup: 3, EndGroup: 4, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** One top-level field of an encoded message: its number, wire type and, for LEN, its bytes. */
export interface WireField {
  readonly number: number;
  readonly wireType: number;
  readonly content: Buffer | undefined;
}

/**
 * The top-level fields of an encoded message, without a schema; undefined when the bytes are
 * not a well-formed message (the decoder then reports it properly). Reads shapes only:
 * nested messages stay bytes.
 */
export function readWireFields(buffer: Buffer): WireField[] | undefined {
  const fields: WireField[] = [];
  let at = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= buffer.length) return undefined;
      const byte = buffer[at++]!;
      if (shift < 49) value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  while (at < buffer.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    let content: Buffer | undefined;
    if (wireType === WireType.Varint) {
      if (varint() === undefined) return undefined;
    } else if (wireType === WireType.Fixed64 || wireType === WireType.Fixed32) {
      at += wireType === WireType.Fixed64 ? 8 : 4;
    } else if (wireType === WireType.Len) {
      const length = varint();
      if (length === undefined || at + length > buffer.length) return undefined;
      content = buffer.subarray(at, at + length);
      at += length;
    } else {
      return undefined;
    }
    if (at > buffer.length || number === 0) return undefined;
    fields.push({ number, wireType, content });
  }
  return fields;
}
