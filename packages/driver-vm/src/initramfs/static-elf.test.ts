import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isStaticElf } from './static-elf.js';

/** A 64-bit little-endian ELF header with program headers of the given types. */
function toElf(programTypes: readonly number[]): Buffer {
  const elf = Buffer.alloc(64 + programTypes.length * 56);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(64n, 0x20);
  elf.writeUInt16LE(56, 0x36);
  elf.writeUInt16LE(programTypes.length, 0x38);
  programTypes.forEach((type, index) => elf.writeUInt32LE(type, 64 + index * 56));
  return elf;
}

describe('isStaticElf', () => {
  it('is true without a PT_INTERP program header and false with one', () => {
    assert.equal(isStaticElf(toElf([1, 1, 4])), true);
    assert.equal(isStaticElf(toElf([6, 3, 1])), false);
  });

  it('is false for anything that is not a 64-bit little-endian ELF', () => {
    assert.equal(isStaticElf(Buffer.from('#!/bin/sh\necho not elf\n'.padEnd(80))), false);
  });
});
