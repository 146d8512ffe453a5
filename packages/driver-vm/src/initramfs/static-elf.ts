const PT_INTERP = 3;

/**
 * Whether an ELF executable is statically linked: no program header asks for an interpreter
 * (`ld-linux`), so it runs in an initramfs that has no libraries. Only 64-bit little-endian
 * ELF is recognised; anything else is not static as far as we know.
 */
export function isStaticElf(binary: Buffer): boolean {
  if (binary.length < 64 || binary.readUInt32BE(0) !== 0x7f454c46 || binary[4] !== 2 || binary[5] !== 1) return false;
  const headersOffset = Number(binary.readBigUInt64LE(0x20));
  const headerSize = binary.readUInt16LE(0x36);
  const headerCount = binary.readUInt16LE(0x38);
  for (let index = 0; index < headerCount; index++) {
    const offset = headersOffset + index * headerSize;
    if (offset + 4 > binary.length) return false;
    if (binary.readUInt32LE(offset) === PT_INTERP) return false;
  }
  return true;
}
