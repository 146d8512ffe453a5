import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '@shellgate/driver-sdk';
import type { LogFields, Logger } from '@shellgate/driver-sdk';
import { DriverLogForwarder, MAX_DRIVER_LINE_BYTES, classifyDriverLine } from './driver-log-forwarder.js';
import { backoffDelayMs } from '@shellgate/driver-sdk';
import { DRIVER_RESTART_BACKOFF } from './driver-manager.js';

function recorder(): { logger: Logger; lines: Array<{ level: string; message: string; fields: LogFields | undefined }> } {
  const lines: Array<{ level: string; message: string; fields: LogFields | undefined }> = [];
  const logger: Logger = {
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
    child: () => logger,
  };
  return { logger, lines };
}

void test('JSON lines keep their level, message and fields', () => {
  assert.deepEqual(classifyDriverLine('{"level":"warn","message":"slow","sandboxId":"s1","timestamp":"t"}'), {
    level: 'warn',
    message: 'slow',
    fields: { sandboxId: 's1' },
  });
  assert.equal(classifyDriverLine('{"level":50,"msg":"pino"}').level, 'error');
  assert.equal(classifyDriverLine('{"level":"WARNING","message":"x"}').level, 'warn');
});

void test('plain lines get a level from a prefix, crash traces are errors, anything else is info', () => {
  const cases: Array<[string, string]> = [
    ['ERROR: boom', 'error'],
    ['[warn] careful', 'warn'],
    ['Warning: careful', 'warn'],
    ['debug details', 'debug'],
    ['INFO| ok', 'info'],
    ['    at Object.<anonymous> (/x.js:1:1)', 'error'],
    ['TypeError: x is not a function', 'error'],
    ['panic: runtime error', 'error'],
    ["thread 'main' panicked at src/main.rs:1", 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['listening on /run/x.sock', 'info'],
    ['information is not a prefix', 'info'],
  ];
  for (const [line, level] of cases) assert.equal(classifyDriverLine(line).level, level, line);
});

void test('the forwarder splits chunks into lines, tags the stream, caps line length and keeps a ring', () => {
  const { logger, lines } = recorder();
  const forwarder = new DriverLogForwarder(logger, 3);
  forwarder.write('stderr', 'first li');
  forwarder.write('stderr', 'ne\r\nERROR second\n\n{"level":"debug","message":"third"}\n');
  forwarder.write('stdout', 'partial');
  assert.deepEqual(
    lines.map(({ level, message, fields }) => [level, message, fields?.stream]),
    [
      ['info', 'first line', 'stderr'],
      ['error', 'ERROR second', 'stderr'],
      ['debug', 'third', 'stderr'],
    ],
  );
  forwarder.flush('stdout');
  assert.equal(lines.at(-1)?.message, 'partial');
  assert.deepEqual(forwarder.lastLines(10), ['ERROR second', '{"level":"debug","message":"third"}', 'partial']);

  lines.length = 0;
  const huge = 'x'.repeat(MAX_DRIVER_LINE_BYTES * 2);
  forwarder.write('stderr', huge.slice(0, MAX_DRIVER_LINE_BYTES + 10));
  forwarder.write('stderr', `${huge.slice(MAX_DRIVER_LINE_BYTES + 10)}\nafter\n`);
  assert.equal(lines.length, 2);
  assert.equal(lines[0]?.message.length, MAX_DRIVER_LINE_BYTES);
  assert.equal(lines[0]?.fields?.truncated, true);
  assert.equal(lines[1]?.message, 'after');
});

void test('driver restart backoff doubles from 250 ms to a 30 s cap with equal jitter', () => {
  assert.equal(backoffDelayMs(0, DRIVER_RESTART_BACKOFF, () => 1), 250);
  assert.equal(backoffDelayMs(0, DRIVER_RESTART_BACKOFF, () => 0), 125);
  assert.equal(backoffDelayMs(3, DRIVER_RESTART_BACKOFF, () => 1), 2000);
  assert.equal(backoffDelayMs(20, DRIVER_RESTART_BACKOFF, () => 1), 30_000);
  assert.equal(backoffDelayMs(100, DRIVER_RESTART_BACKOFF, () => 0), 15_000);
});

void test("a driver's JSON line comes out in the gateway's text format, level kept and secrets redacted", () => {
  const stream = new PassThrough();
  const gatewayLogger = createLogger({ level: 'info', name: 'shellgate-gateway', stream, format: 'text' });
  const forwarder = new DriverLogForwarder(gatewayLogger.child({ component: 'driver-supervisor', driver: 'docker' }));
  forwarder.write(
    'stderr',
    '{"level":"warn","message":"engine slow","name":"shellgate-driver-docker","component":"watch","sandbox_token":"tok-9","timestamp":"t"}\n',
  );
  const line = String(stream.read());
  assert.match(line, /^\S+ WARN {2}watch: engine slow name=shellgate-driver-docker driver=docker sandbox_token=\[REDACTED\] stream=stderr\n$/);
  assert.ok(!line.includes('tok-9'), line);
});
