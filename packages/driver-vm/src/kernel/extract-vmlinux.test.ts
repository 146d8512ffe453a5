import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';

import { KernelImageError, extractVmlinux } from './extract-vmlinux.js';
import { toLegacyFrame } from './testdata/lz4-frame.js';

const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.from('-kernel-body')]);

/** A bzImage shell: one setup sector, "HdrS", and the payload fields pointing at `payload`. */
function toBzImage(payload: Buffer): Buffer {
  const header = Buffer.alloc(2 * 512);
  header[0x1f1] = 1;
  header.writeUInt32LE(0x53726448, 0x202);
  header.writeUInt32LE(16, 0x248);
  header.writeUInt32LE(payload.length, 0x24c);
  return Buffer.concat([header, Buffer.alloc(16), payload]);
}

function withSizeTrailer(compressed: Buffer, size: number): Buffer {
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(size);
  return Buffer.concat([compressed, trailer]);
}

describe('extractVmlinux', () => {
  it('returns an ELF vmlinux as it is', () => {
    assert.equal(extractVmlinux(ELF), ELF);
  });

  it('decompresses an LZ4 payload (as Debian builds kernels) to the ELF inside', () => {
    // 16 literals: nibble 15 plus one length byte.
    const block = Buffer.concat([Buffer.from([0xf0, ELF.length - 15]), ELF]);
    assert.deepEqual(extractVmlinux(toBzImage(withSizeTrailer(toLegacyFrame(block), ELF.length))), ELF);
  });

  it('decompresses a gzip payload', () => {
    assert.deepEqual(extractVmlinux(toBzImage(gzipSync(ELF))), ELF);
  });

  it('names a compression it does not decode, and refuses what is neither ELF nor bzImage', () => {
    const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(12)]);
    assert.throws(() => extractVmlinux(toBzImage(zstd)), (error: Error) => error instanceof KernelImageError && /zstd-compressed/.test(error.message));
    assert.throws(() => extractVmlinux(Buffer.alloc(1024)), /not a bzImage/);
  });
});
