import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Lz4FormatError, decodeLz4Legacy } from './lz4-legacy.js';
import { toLegacyFrame } from './testdata/lz4-frame.js';

/** "abc", then a match of 8 bytes at offset 3 (overlapping), then the literal "!". */
const OVERLAPPING_BLOCK = Buffer.from([0x34, 0x61, 0x62, 0x63, 0x03, 0x00, 0x10, 0x21]);

describe('decodeLz4Legacy', () => {
  it('decodes literals and overlapping matches', () => {
    assert.equal(decodeLz4Legacy(toLegacyFrame(OVERLAPPING_BLOCK)).toString(), 'abcabcabcab!');
  });

  it('decodes long literal runs and long matches (length bytes after a nibble of 15)', () => {
    const literals = Buffer.alloc(300, 0x78);
    // 300 literals: nibble 15, then 255 and 30 (15 + 255 + 30); then a 19-byte match at offset 1 (nibble 15 = 19 - 4); then "end".
    const block = Buffer.concat([Buffer.from([0xff, 255, 30]), literals, Buffer.from([0x01, 0x00, 0x00, 0x30]), Buffer.from('end')]);
    const decoded = decodeLz4Legacy(toLegacyFrame(block));
    assert.equal(decoded.toString(), `${'x'.repeat(319)}end`);
  });

  it('joins blocks, skips a repeated magic, and stops at a trailer too short or too long to be a block', () => {
    const first = toLegacyFrame(Buffer.from([0x30, 0x61, 0x62, 0x63]));
    const second = toLegacyFrame(Buffer.from([0x20, 0x64, 0x65]));
    const trailer = Buffer.from([0xff, 0xff, 0x00, 0x00]);
    assert.equal(decodeLz4Legacy(Buffer.concat([first, second, trailer])).toString(), 'abcde');
  });

  it('checks the expected size and rejects corrupt input', () => {
    assert.equal(decodeLz4Legacy(toLegacyFrame(OVERLAPPING_BLOCK), 12).length, 12);
    assert.throws(() => decodeLz4Legacy(toLegacyFrame(OVERLAPPING_BLOCK), 13), Lz4FormatError);
    assert.throws(() => decodeLz4Legacy(Buffer.from('not lz4 at all')), /LZ4 legacy magic/);
    assert.throws(() => decodeLz4Legacy(toLegacyFrame(Buffer.from([0x14, 0x61, 0x09, 0x00]))), /invalid match offset 9/);
  });
});
