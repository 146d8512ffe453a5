import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLddOutput } from './ldd-output.js';

describe('parseLddOutput', () => {
  it('reads glibc ldd output: libraries, the loader, no vDSO', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f72)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f71)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f72)',
    ].join('\n');
    assert.deepEqual(parseLddOutput(output), {
      libraries: [
        { name: 'libstdc++.so.6', path: '/lib/x86_64-linux-gnu/libstdc++.so.6' },
        { name: 'libc.so.6', path: '/lib/x86_64-linux-gnu/libc.so.6' },
      ],
      loader: { name: 'ld-linux-x86-64.so.2', path: '/lib64/ld-linux-x86-64.so.2' },
      missing: [],
    });
  });

  it('lists libraries ldd could not find', () => {
    assert.deepEqual(parseLddOutput('\tlibfoo.so.1 => not found\n').missing, ['libfoo.so.1']);
  });
});
