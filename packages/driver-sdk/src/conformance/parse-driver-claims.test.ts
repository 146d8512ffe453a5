import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCheckResult, formatSummary } from './format-check-result.js';
import { parseConformanceArgs } from './parse-conformance-args.js';
import { DEFAULT_DRIVER_CLAIMS, parseDriverClaims } from './parse-driver-claims.js';

void test('claims default to everything and can be turned off one by one', () => {
  assert.deepEqual(parseDriverClaims('', 'c.toml'), DEFAULT_DRIVER_CLAIMS);
  const claims = parseDriverClaims('stop_start = false\nready_within_ms = 0\n', 'c.toml');
  assert.equal(claims.stopStart, false);
  assert.equal(claims.readyWithinMs, 0);
  assert.equal(claims.workspaces, true);
});

void test('unknown claims, wrong types and bad TOML name the key', () => {
  assert.throws(() => parseDriverClaims('stop_strat = true', 'c.toml'), {
    code: 'INVALID_ARGUMENT',
    message: 'c.toml:1:stop_strat: unknown key "stop_strat"',
    hint: /^did you mean "stop_start"\? settings are the top-level keys stop_start, /,
  });
  assert.throws(() => parseDriverClaims('workspaces = "yes"', 'c.toml'), { message: 'c.toml:1:workspaces: expected true or false, got "yes"' });
  assert.throws(() => parseDriverClaims('ready_within_ms = -5', 'c.toml'), { message: 'c.toml:1:ready_within_ms: must be at least 0; got -5' });
  assert.throws(() => parseDriverClaims('= broken', 'c.toml'), { message: /^c\.toml:1:\d+: invalid TOML/ });
});

void test('arguments parse, and mistakes are usage errors', () => {
  assert.deepEqual(parseConformanceArgs(['--help']), { action: 'help' });
  assert.deepEqual(parseConformanceArgs(['--socket', '/s', '--only', 'a, b', '--timeout-ms', '500', '--restart-cmd', 'x']), {
    action: 'run',
    socketPath: '/s',
    image: undefined,
    claimsFile: undefined,
    restartCommand: 'x',
    timeoutMs: 500,
    only: ['a', 'b'],
  });
  assert.throws(() => parseConformanceArgs(['--socket', '/s', '--timeout-ms', '1.5']), { message: /--timeout-ms must be/ });
  assert.throws(() => parseConformanceArgs(['/s']), { code: 'INVALID_ARGUMENT' });
});

void test('report lines have the documented shape', () => {
  assert.equal(formatCheckResult({ name: 'capabilities', status: 'pass', durationMs: 12 }), 'ok   capabilities  (12 ms)');
  assert.equal(formatCheckResult({ name: 'x', status: 'fail', durationMs: 1, reason: 'boom' }), 'FAIL x: boom');
  assert.equal(formatCheckResult({ name: 'y', status: 'skip', durationMs: 0, reason: 'not claimed' }), 'skip y: not claimed');
  assert.equal(formatSummary({ results: [], passed: 3, failed: 1, skipped: 0, runId: undefined }), '3 passed, 1 failed');
  assert.equal(formatSummary({ results: [], passed: 3, failed: 0, skipped: 2, runId: undefined }), '3 passed, 0 failed, 2 skipped');
});
