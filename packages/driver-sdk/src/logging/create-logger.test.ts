import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { createLogger } from './create-logger.js';

const TOKEN = 'tok-7f3a9c-never-log-me';

/** A stream that keeps every line written and resolves waiters once enough have arrived. */
class LineCollector extends Writable {
  text = '';
  private waiters: { count: number; resolve: () => void }[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    const count = this.lines().length;
    this.waiters = this.waiters.filter((waiter) => (waiter.count <= count ? (waiter.resolve(), false) : true));
    callback();
  }

  lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }

  async waitForLines(count: number): Promise<Record<string, unknown>[]> {
    if (this.lines().length < count) await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    return this.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

describe('createLogger', () => {
  it('writes JSON lines with level, message, timestamp and name; children add fields', async () => {
    const stream = new LineCollector();
    const logger = createLogger({ level: 'info', name: 'shellgate-driver-test', stream });
    logger.child({ component: 'server' }).info('serving', { socketPath: '/run/x.sock' });
    const [line] = await stream.waitForLines(1);
    assert.equal(line!['level'], 'info');
    assert.equal(line!['message'], 'serving');
    assert.equal(line!['name'], 'shellgate-driver-test');
    assert.equal(line!['component'], 'server');
    assert.equal(line!['socketPath'], '/run/x.sock');
    assert.ok(!Number.isNaN(Date.parse(String(line!['timestamp']))));
  });

  it('drops lines below the level', async () => {
    const stream = new LineCollector();
    const logger = createLogger({ level: 'warn', name: 't', stream });
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    const lines = await stream.waitForLines(1);
    assert.deepEqual(
      lines.map((line) => line['message']),
      ['shown'],
    );
  });

  it('says whether debug lines are written, for the logger and its children', () => {
    const stream = new LineCollector();
    assert.equal(createLogger({ level: 'debug', name: 't', stream }).child({ component: 'x' }).isDebugEnabled?.(), true);
    assert.equal(createLogger({ level: 'info', name: 't', stream }).child({ component: 'x' }).isDebugEnabled?.(), false);
  });

  it('never emits a sandbox token, even nested inside a spec, an error or the message', async () => {
    const stream = new LineCollector();
    const logger = createLogger({ level: 'debug', name: 't', stream });
    const request = {
      sandbox: { id: 'sb-1', spec: { sandboxToken: TOKEN, template: { environment: { A: 'b' } } } },
    };
    logger.debug('request', { request });
    logger.child({ sandbox_token: TOKEN }).info('child fields');
    logger.error('create failed', { error: Object.assign(new Error('boom'), { spec: { sandbox_token: TOKEN } }) });
    logger.warn(`header was Bearer ${TOKEN}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const lines = await stream.waitForLines(4);
    assert.equal(lines.length, 4);
    assert.ok(!stream.text.includes(TOKEN), stream.text);
    assert.ok(stream.text.includes('sb-1'), 'non-secret fields stay');
    assert.ok(stream.text.includes('[REDACTED]'));
  });
});
