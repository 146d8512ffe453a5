import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { encodeCpioArchive } from './cpio-archive.js';

interface ParsedEntry {
  readonly name: string;
  readonly mode: number;
  readonly rdev: string;
  readonly data: string;
}

/** Reads a newc archive back, the way the kernel's unpacker walks it. */
function parseNewc(archive: Buffer): ParsedEntry[] {
  const entries: ParsedEntry[] = [];
  let offset = 0;
  for (;;) {
    assert.equal(archive.toString('latin1', offset, offset + 6), '070701');
    const field = (index: number): number => parseInt(archive.toString('latin1', offset + 6 + index * 8, offset + 14 + index * 8), 16);
    const nameSize = field(11);
    const dataSize = field(6);
    const name = archive.toString('latin1', offset + 110, offset + 110 + nameSize - 1);
    const dataStart = Math.ceil((offset + 110 + nameSize) / 4) * 4;
    if (name === 'TRAILER!!!') return entries;
    entries.push({ name, mode: field(1), rdev: `${field(9)}:${field(10)}`, data: archive.toString('latin1', dataStart, dataStart + dataSize) });
    offset = Math.ceil((dataStart + dataSize) / 4) * 4;
  }
}

describe('encodeCpioArchive', () => {
  it('writes directories, files, symlinks and device nodes the way newc readers expect, aligned to 4 bytes', () => {
    const archive = encodeCpioArchive([
      { type: 'directory', path: 'bin', mode: 0o755 },
      { type: 'file', path: 'init', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
      { type: 'char-device', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    ]);
    assert.deepEqual(parseNewc(archive), [
      { name: 'bin', mode: 0o040755, rdev: '0:0', data: '' },
      { name: 'init', mode: 0o100755, rdev: '0:0', data: '#!/bin/sh\n' },
      { name: 'bin/sh', mode: 0o120777, rdev: '0:0', data: 'busybox' },
      { name: 'dev/console', mode: 0o020600, rdev: '5:1', data: '' },
    ]);
    assert.equal(archive.length % 4, 0);
  });

  it('is deterministic: the same entries give the same bytes', () => {
    const entries = [{ type: 'file' as const, path: 'a', mode: 0o644, data: Buffer.from('x') }];
    assert.deepEqual(encodeCpioArchive(entries), encodeCpioArchive(entries));
  });
});
