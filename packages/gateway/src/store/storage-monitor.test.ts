import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { StorageFullError, type LogFields, type Logger } from '@shellgate/driver-sdk';

import { StorageMonitor, type StatfsFn } from './storage-monitor.js';

function recordingLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const record = (level: string) => (message: string, _fields?: LogFields) => void messages.push(`${level}: ${message}`);
  const logger: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug'), child: () => logger };
  return { logger, messages };
}

const full = (): StorageFullError => new StorageFullError('/state/gateway.sqlite', 'store sandbox "a"', Object.assign(new Error('full'), { code: 'SQLITE_FULL' }));

/** A statfs answering `freeBytes` (in 4 KiB blocks), or failing when it is undefined. */
function fakeStatfs(state: { freeBytes: number | undefined; calls: number }): StatfsFn {
  return async () => {
    state.calls += 1;
    if (state.freeBytes === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return { bavail: Math.floor(state.freeBytes / 4096), bsize: 4096 };
  };
}

void describe('StorageMonitor', () => {
  void it('is full from a failed write until the next write succeeds, logging each change once', () => {
    const { logger, messages } = recordingLogger();
    using monitor = new StorageMonitor({ path: '/state', logger, statfs: fakeStatfs({ freeBytes: 0, calls: 0 }) });
    assert.equal(monitor.isFull, false);
    monitor.onWriteSucceeded();
    const error = full();
    monitor.onStorageFull(error);
    monitor.onStorageFull(full());
    assert.equal(monitor.isFull, true);
    assert.match(monitor.problem?.message ?? '', /gateway\.sqlite/);
    monitor.onWriteSucceeded();
    assert.equal(monitor.isFull, false);
    assert.deepEqual(messages, [
      'error: storage is full: writes fail and Health answers DEGRADED until there is room again',
      'info: storage takes writes again; Health no longer degraded by it',
    ]);
  });

  void it('clears only when the probe sees enough free space, and keeps the state when statfs fails', async () => {
    const state: { freeBytes: number | undefined; calls: number } = { freeBytes: 100, calls: 0 };
    using monitor = new StorageMonitor({ path: '/state', minFreeBytes: 64 * 1024, probeIntervalMs: 60_000, statfs: fakeStatfs(state) });
    assert.equal(await monitor.probe(), true, 'nothing to probe while writes work');
    assert.equal(state.calls, 0);
    monitor.onStorageFull(full());
    assert.equal(await monitor.probe(), false);
    state.freeBytes = undefined;
    assert.equal(await monitor.probe(), false);
    assert.equal(monitor.isFull, true);
    state.freeBytes = 64 * 1024;
    assert.equal(await monitor.probe(), true);
    assert.equal(monitor.isFull, false);
  });

  void it('probes on its own every interval while full, and stops once usable', async () => {
    const state: { freeBytes: number | undefined; calls: number } = { freeBytes: 0, calls: 0 };
    using monitor = new StorageMonitor({ path: '/state', minFreeBytes: 1, probeIntervalMs: 10, statfs: fakeStatfs(state) });
    monitor.onStorageFull(full());
    const deadline = Date.now() + 5_000;
    while (state.calls < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(state.calls >= 2, 'probed repeatedly');
    assert.equal(monitor.isFull, true);
    state.freeBytes = 4096;
    while (monitor.isFull && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(monitor.isFull, false, 'cleared by the probe');
    const callsWhenCleared = state.calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(state.calls, callsWhenCleared, 'no probing while writes work');
  });
});
