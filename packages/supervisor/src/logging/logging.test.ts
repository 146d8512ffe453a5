import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLine } from '@shellgate/api/session';
import { LineSplitter, MAX_LOG_LINE_CHARS } from './line-splitter.js';
import { LogQueue } from './log-queue.js';
import { SupervisorLogger } from './supervisor-logger.js';

const line = (message: string): LogLine => ({ timestampMs: 1, level: 'info', source: 'main', target: 'stdout', message, fields: {} });

describe('LogQueue', () => {
  it('drops the oldest lines when full and reports the count once, first in the next batch', () => {
    const queue = new LogQueue(3);
    for (const message of ['a', 'b', 'c', 'd', 'e']) queue.push(line(message));
    const batch = queue.takeBatch(10, 42);
    assert.deepEqual(batch.map((entry) => entry.message), ['dropped 2 log lines: the queue for the gateway was full (capacity 3)', 'c', 'd', 'e']);
    assert.equal(batch[0]?.level, 'WARN');
    assert.equal(batch[0]?.source, 'sandbox');
    assert.equal(batch[0]?.fields['shellgate.source'], 'supervisor');
    queue.push(line('f'));
    assert.deepEqual(queue.takeBatch(10).map((entry) => entry.message), ['f']);
  });

  it('hands out at most maxLines per batch, oldest first', () => {
    const queue = new LogQueue(10);
    for (const message of ['a', 'b', 'c']) queue.push(line(message));
    assert.deepEqual(queue.takeBatch(2).map((entry) => entry.message), ['a', 'b']);
    assert.equal(queue.size, 1);
  });
});

describe('LineSplitter', () => {
  it('joins lines across chunks and multi-byte characters, strips \\r, flushes the tail', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text));
    const euro = Buffer.from('€');
    splitter.write(Buffer.from('one\r\ntw'));
    splitter.write(Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
    splitter.write(Buffer.concat([euro.subarray(1), Buffer.from('\n\nlast')]));
    splitter.end();
    assert.deepEqual(lines, ['one', 'two €', '', 'last']);
  });

  it('cuts a runaway line into bounded pieces', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text));
    splitter.write(Buffer.from('x'.repeat(MAX_LOG_LINE_CHARS * 2 + 5)));
    splitter.end();
    assert.deepEqual(lines.map((text) => text.length), [MAX_LOG_LINE_CHARS, MAX_LOG_LINE_CHARS, 5]);
  });
});

describe('SupervisorLogger', () => {
  it('writes JSON lines at or above its level to stderr and sends them as source "sandbox", origin "supervisor", upper-case level', () => {
    const sent: LogLine[] = [];
    const written: string[] = [];
    const logger = new SupervisorLogger('info', (entry) => sent.push(entry), 'supervisor', { sandboxId: 's' }, (text) => written.push(text)).child('session');
    logger.debug('hidden');
    logger.warn('shown', { attempt: 2 });
    assert.equal(sent.length, 1);
    assert.deepEqual({ ...sent[0], timestampMs: 0 }, { timestampMs: 0, level: 'WARN', source: 'sandbox', target: 'session', message: 'shown', fields: { 'shellgate.source': 'supervisor', sandboxId: 's', attempt: '2' } });
    assert.deepEqual({ ...JSON.parse(written[0]!), time: '' }, { time: '', level: 'warn', target: 'session', message: 'shown', sandboxId: 's', attempt: 2 });
  });
});
