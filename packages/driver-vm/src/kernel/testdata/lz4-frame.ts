import { LZ4_LEGACY_MAGIC } from '../lz4-legacy.js';

/** A legacy frame: magic, then each block with its 32-bit little-endian size. */
export function toLegacyFrame(...blocks: readonly Buffer[]): Buffer {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(LZ4_LEGACY_MAGIC);
  return Buffer.concat([
    magic,
    ...blocks.flatMap((block) => {
      const size = Buffer.alloc(4);
      size.writeUInt32LE(block.length);
      return [size, block];
    }),
  ]);
}
