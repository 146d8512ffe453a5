import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { readJsonLines } from './read-json-lines.js';

async function readAll(chunks: readonly (string | Uint8Array)[]): Promise<unknown[]> {
  const objects: unknown[] = [];
  for await (const object of readJsonLines(Readable.from(chunks))) objects.push(object);
  return objects;
}

void describe('readJsonLines', () => {
  void it('reads objects split across chunks and several in one chunk', async () => {
    assert.deepEqual(await readAll(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\n']), [{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  void it('reads a last object without a newline, and skips blank and non-JSON lines', async () => {
    assert.deepEqual(await readAll(['\n  \nnot json\n{"a":1}\n42\n', '{"b":2}']), [{ a: 1 }, { b: 2 }]);
  });

  void it('keeps a multi-byte character cut between two chunks', async () => {
    const bytes = Buffer.from('{"label":"café ☕"}\n', 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ☕
    assert.deepEqual(await readAll([bytes.subarray(0, cut), bytes.subarray(cut)]), [{ label: 'café ☕' }]);
  });
});
