import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LogFields, Logger } from '@shellgate/driver-sdk';
import { loadTelemetry } from './load-telemetry.js';

function recorder(): { logger: Logger; lines: Array<[string, string, LogFields | undefined]> } {
  const lines: Array<[string, string, LogFields | undefined]> = [];
  const logger: Logger = {
    error: (message, fields) => lines.push(['error', message, fields]),
    warn: (message, fields) => lines.push(['warn', message, fields]),
    info: (message, fields) => lines.push(['info', message, fields]),
    debug: (message, fields) => lines.push(['debug', message, fields]),
    child: () => logger,
  };
  return { logger, lines };
}

void test('without OPENSHELL_TELEMETRY_ENABLED nothing is looked up or logged', async () => {
  const { logger, lines } = recorder();
  assert.equal(await loadTelemetry({ env: {}, logger, baseDirs: [] }), undefined);
  assert.deepEqual(lines, []);
});

void test('enabled but not installed: a warning naming the package and how to install it, and no telemetry', async () => {
  // The gateway does not depend on @shellgate/telemetry, and an empty directory holds none.
  const empty = mkdtempSync(join(tmpdir(), 'sg-telemetry-'));
  try {
    const { logger, lines } = recorder();
    assert.equal(await loadTelemetry({ env: { OPENSHELL_TELEMETRY_ENABLED: 'true' }, logger, baseDirs: [empty] }), undefined);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.[0], 'warn');
    assert.match(String(lines[0]?.[2]?.hint), /npm install @shellgate\/telemetry/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
