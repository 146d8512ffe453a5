import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { createLogger } from './create-logger.js';
import { formatTextLine } from './format-text-line.js';

const TOKEN = 'tok-5e1f-never-log-me';

/** A stream that keeps what is written; `isTTY` makes it look like a terminal. */
class TextCollector extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

describe('formatTextLine', () => {
  it('writes time, level, component and message, then the other fields as key=value', () => {
    const line = formatTextLine(
      {
        name: 'shellgate-gateway',
        component: 'drivers',
        driver: 'docker',
        attempt: 2,
        isReady: false,
        reason: 'socket not answering',
        limits: { cpu: '2' },
        level: 'warn',
        message: 'driver restarting',
        timestamp: '2025-01-02T03:04:05.678Z',
      },
      'shellgate-gateway',
    );
    assert.equal(
      line,
      '2025-01-02T03:04:05.678Z WARN  drivers: driver restarting driver=docker attempt=2 isReady=false reason="socket not answering" limits={"cpu":"2"}',
    );
  });

  it("names the logger when there is no component, and keeps a forwarded line's own name", () => {
    const base = { level: 'info', message: 'm', timestamp: 't' };
    assert.equal(formatTextLine({ ...base, name: 'gw' }, 'gw'), 't INFO  gw: m');
    assert.equal(formatTextLine({ ...base, name: 'shellgate-driver-docker', component: 'watch' }, 'gw'), 't INFO  watch: m name=shellgate-driver-docker');
    assert.equal(formatTextLine({ ...base, name: 'gw', empty: '', gone: undefined, big: { n: 1n } }, 'gw'), 't INFO  gw: m empty="" big={"n":"1"}');
  });
});

describe('createLogger in text format', () => {
  it('redacts secrets exactly as the JSON format does', async () => {
    const stream = new TextCollector();
    const logger = createLogger({ level: 'debug', name: 't', stream, format: 'text' });
    logger.child({ component: 'api' }).info('created', { sandbox: { id: 'sb-1', spec: { sandbox_token: TOKEN } } });
    logger.warn(`header was Bearer ${TOKEN}`, { headers: { authorization: `Bearer ${TOKEN}` }, GITHUB_TOKEN: TOKEN });
    await new Promise((resolve) => setImmediate(resolve));
    const lines = stream.text.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(!stream.text.includes(TOKEN), stream.text);
    assert.match(lines[0]!, /^\S+ INFO {2}api: created sandbox=\{"id":"sb-1","spec":\{"sandbox_token":"\[REDACTED\]"\}\}$/);
    assert.match(lines[1]!, /^\S+ WARN {2}t: header was Bearer \[REDACTED\] headers=\{"authorization":"\[REDACTED\]"\} GITHUB_TOKEN=\[REDACTED\]$/);
  });

  it('drops lines below the level', async () => {
    const stream = new TextCollector();
    const logger = createLogger({ level: 'warn', name: 't', stream, format: 'text' });
    logger.info('hidden');
    logger.error('shown', { code: 'X' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(stream.text, /^\S+ ERROR t: shown code=X\n$/);
  });

  it('auto is text on a terminal and JSON otherwise; json and text apply either way', async () => {
    const written = async (format: 'auto' | 'json' | 'text', isTTY: boolean): Promise<string> => {
      const stream = new TextCollector(isTTY);
      createLogger({ level: 'info', name: 't', stream, format }).info('hello');
      await new Promise((resolve) => setImmediate(resolve));
      return stream.text.startsWith('{') ? 'json' : 'text';
    };
    assert.equal(await written('auto', true), 'text');
    assert.equal(await written('auto', false), 'json');
    assert.equal(await written('json', true), 'json');
    assert.equal(await written('text', false), 'text');
    const stream = new TextCollector(true);
    createLogger({ level: 'info', name: 't', stream }).info('default');
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(stream.text.startsWith('{'), 'a logger without a format writes JSON even to a terminal');
  });
});
