import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatCpuQuantity, formatMemoryQuantity, parseCpuQuantity, parseMemoryQuantity } from './quantity.js';

describe('parseCpuQuantity', () => {
  const valid: readonly (readonly [string, number])[] = [
    ['500m', 500],
    ['2', 2000],
    ['0.5', 500],
    ['.5', 500],
    ['1.', 1000],
    ['1.5', 1500],
    ['1e3', 1_000_000],
    ['1E3', 1_000_000],
    ['5e-1', 500],
    ['+2', 2000],
    ['0', 0],
    ['0.0001', 1], // rounds up like Kubernetes MilliValue
    ['100u', 1],
    ['1500000n', 2],
    ['2k', 2_000_000],
    ['250m', 250],
  ];
  for (const [input, millicores] of valid) {
    it(`parses ${JSON.stringify(input)} as ${millicores}m`, () => {
      assert.equal(parseCpuQuantity(input), millicores);
    });
  }

  const invalid = ['', '-1', '-500m', 'abc', 'NaN', '1.2.3', 'm', '1 ', ' 1', '1mm', '1e', '1e1000', '0x10', 'Infinity'];
  for (const input of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseCpuQuantity(input), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.name, 'InvalidArgumentError');
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.ok(error.message.includes(JSON.stringify(input)), error.message);
        assert.match(error.hint ?? '', /"500m"/);
        return true;
      });
    });
  }

  it('names the field and says why for negatives', () => {
    assert.throws(() => parseCpuQuantity('-1', 'spec.template.resources.cpu_limit'), {
      message: 'spec.template.resources.cpu_limit: CPU quantity "-1" is invalid: it must not be negative',
    });
  });

  it('refuses values beyond Number.MAX_SAFE_INTEGER millicores', () => {
    assert.throws(() => parseCpuQuantity('1e16'), /exceeds 9007199254740991 millicores/);
  });
});

describe('parseMemoryQuantity', () => {
  const valid: readonly (readonly [string, number])[] = [
    ['0', 0],
    ['1024', 1024],
    ['1k', 1000],
    ['512M', 512_000_000],
    ['1G', 1e9],
    ['2T', 2e12],
    ['1P', 1e15],
    ['8P', 8e15],
    ['1Ki', 1024],
    ['512Mi', 512 * 1024 ** 2],
    ['4Gi', 4 * 1024 ** 3],
    ['1Ti', 1024 ** 4],
    ['1Pi', 1024 ** 5],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['0.5Ki', 512],
    ['1e9', 1e9],
    ['1E9', 1e9],
    ['1.5e3', 1500],
    ['1e+3', 1000],
    ['1500m', 2], // milli-bytes round up to whole bytes
    ['1.1', 2],
  ];
  for (const [input, bytes] of valid) {
    it(`parses ${JSON.stringify(input)} as ${bytes} bytes`, () => {
      assert.equal(parseMemoryQuantity(input), bytes);
    });
  }

  const invalid: readonly (readonly [string, RegExp])[] = [
    ['', /is empty/],
    ['-1Gi', /must not be negative/],
    ['NaN', /expected a number/],
    ['1.2.3', /expected a number/],
    ['Gi', /expected a number/],
    ['5GB', /expected a number/],
    ['5gi', /expected a number/],
    ['1K', /expected a number/], // Kubernetes spells kilo "k" and kibi "Ki"
    ['1Ei', /exceeds 9007199254740991 bytes/],
    ['8E', /exceeds/],
    ['1e16', /exceeds/],
    ['1e99', /outside/],
    ['9'.repeat(65), /longer than 64/],
  ];
  for (const [input, reason] of invalid) {
    it(`refuses ${JSON.stringify(input.slice(0, 12))}`, () => {
      assert.throws(
        () => parseMemoryQuantity(input, 'spec.template.resources.memory_limit'),
        (error: Error & { code?: string; hint?: string; details?: Record<string, unknown> }) => {
          assert.equal(error.code, 'INVALID_ARGUMENT');
          assert.match(error.message, reason);
          assert.ok(error.message.startsWith('spec.template.resources.memory_limit: memory quantity '), error.message);
          assert.ok(error.message.includes(JSON.stringify(input)), error.message);
          assert.match(error.hint ?? '', /"512Mi".*"4Gi"/);
          assert.deepEqual(error.details, { field: 'spec.template.resources.memory_limit', value: input });
          return true;
        },
      );
    });
  }
});

describe('formatMemoryQuantity / formatCpuQuantity', () => {
  const memory: readonly (readonly [number, string])[] = [
    [0, '0'],
    [1, '1'],
    [1024, '1Ki'],
    [4 * 1024 ** 3, '4Gi'],
    [1536 * 1024 ** 2, '1536Mi'],
    [512e6, '512M'],
    [1000, '1k'],
    [1023, '1023'],
    [2e9, '2G'],
    [1_024_000, '1024k'], // shorter than 1000Ki
    [1e15, '1P'],
  ];
  for (const [bytes, text] of memory) {
    it(`formats ${bytes} bytes as ${text} and round-trips`, () => {
      assert.equal(formatMemoryQuantity(bytes), text);
      assert.equal(parseMemoryQuantity(text), bytes);
    });
  }

  it('formats CPU and round-trips', () => {
    for (const [millicores, text] of [
      [2000, '2'],
      [500, '500m'],
      [0, '0'],
      [1500, '1500m'],
    ] as const) {
      assert.equal(formatCpuQuantity(millicores), text);
      assert.equal(parseCpuQuantity(text), millicores);
    }
  });

  it('refuses negative and fractional inputs', () => {
    assert.throws(() => formatMemoryQuantity(-1), { name: 'InvalidArgumentError' });
    assert.throws(() => formatCpuQuantity(0.5), { name: 'InvalidArgumentError' });
  });
});
