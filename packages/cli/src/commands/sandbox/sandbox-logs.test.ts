import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { GetSandboxLogsRequest, SandboxLogLine, SandboxStreamEvent, WatchSandboxRequest } from '@shellgate/api';
import { SandboxPhase } from '@shellgate/api';
import { parse as parseYaml } from 'yaml';
import { FakeGateway, grpcError, makeSandbox, runShellgate, T0_MS } from '../../test-support/fake-gateway.test.helper.js';

/** A sandbox line as the gateway sends it: upstream's source `sandbox`, our origin in a field. */
const line = (atMs: number, level: string, origin: string, message: string, fields: Record<string, string> = {}): SandboxLogLine => ({
  sandboxId: 'id-dev',
  timestampMs: T0_MS + atMs,
  level,
  target: origin === 'main' ? 'stdout' : 'shellgate_supervisor',
  message,
  source: 'sandbox',
  fields: { 'shellgate.source': origin, ...fields },
});

const LINES = [
  line(1_500, 'INFO', 'supervisor', 'session established', { session: 's-1', note: 'two words' }),
  line(2_000, 'INFO', 'main', 'listening on :8080'),
  line(2_250, 'ERROR', 'main', 'boom\n'),
];

const logEvent = (log: SandboxLogLine): SandboxStreamEvent => ({ payload: { $case: 'log', log } });

type WatchCall = ServerWritableStream<WatchSandboxRequest, SandboxStreamEvent>;

describe('sandbox logs against a fake gateway', () => {
  let gateway: FakeGateway;
  let onWatch: (call: WatchCall) => void = () => undefined;
  before(async () => {
    gateway = await FakeGateway.start({
      getSandbox: (call, callback) => {
        if (call.request.name === 'missing') callback(grpcError(status.NOT_FOUND, 'no such sandbox'));
        else callback(null, { sandbox: makeSandbox(call.request.name, SandboxPhase.SANDBOX_PHASE_READY) });
      },
      getSandboxLogs: (_call, callback) => callback(null, { logs: LINES, bufferTotal: 17 }),
      watchSandbox: (call) => onWatch(call),
    });
  });
  after(() => gateway.close());
  const run = (...argv: string[]) => runShellgate(argv, { gateway: gateway.address });
  const lastLogsRequest = (): GetSandboxLogsRequest => gateway.requests('getSandboxLogs').at(-1) as GetSandboxLogsRequest;
  const lastWatchRequest = (): WatchSandboxRequest => gateway.requests('watchSandbox').at(-1) as WatchSandboxRequest;

  it('prints TIMESTAMP LEVEL SOURCE MESSAGE lines, fields last, and asks for every line by default', async () => {
    const result = await run('sandbox', 'logs', 'dev', '--workspace', 'team');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        '2025-01-01T00:00:01.500Z  INFO   supervisor  session established session=s-1 note="two words"',
        '2025-01-01T00:00:02.000Z  INFO   main        listening on :8080',
        '2025-01-01T00:00:02.250Z  ERROR  main        boom',
        '',
      ].join('\n'),
    );
    assert.deepEqual(lastLogsRequest(), { sandboxId: 'id-dev', workspace: 'team', lines: 0xffffffff, sinceMs: 0, sources: [], minLevel: '' });
  });

  it('sends --tail, --since (duration or RFC 3339), --source and --level', async () => {
    await run('sandbox', 'logs', 'dev', '--tail', '20', '--since', '10m', '--source', 'main', '--source', 'Supervisor', '--level', 'WARNING');
    assert.deepEqual(lastLogsRequest(), {
      sandboxId: 'id-dev',
      workspace: 'default',
      lines: 20,
      // The injected clock reads T0 + 10 s.
      sinceMs: T0_MS + 10_000 - 600_000,
      sources: ['main', 'supervisor'],
      minLevel: 'warn',
    });
    await run('sandbox', 'logs', 'dev', '--since', '2025-01-01T00:00:02+01:00');
    assert.equal(lastLogsRequest().sinceMs, Date.parse('2024-12-31T23:00:02Z'));
  });

  it('--tail 0 prints nothing and does not ask (0 would mean no limit on the wire)', async () => {
    const before = gateway.requests('getSandboxLogs').length;
    const result = await run('sandbox', 'logs', 'dev', '--tail', '0');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(gateway.requests('getSandboxLogs').length, before);
  });

  it('-o json prints the response as one document, -o yaml likewise', async () => {
    const json = await run('sandbox', 'logs', 'dev', '-o', 'json');
    const parsed = JSON.parse(json.stdout) as { logs: Array<{ message: string; timestampMs: number; source: string }>; bufferTotal: number };
    assert.equal(parsed.bufferTotal, 17);
    assert.deepEqual(parsed.logs.map((log) => [log.source, log.message]), [['sandbox', 'session established'], ['sandbox', 'listening on :8080'], ['sandbox', 'boom\n']]);
    assert.equal(parsed.logs[0]?.timestampMs, T0_MS + 1_500);
    const yaml = parseYaml((await run('sandbox', 'logs', 'dev', '-o', 'yaml')).stdout) as { logs: unknown[] };
    assert.equal(yaml.logs.length, 3);
  });

  it('-f sends the filters with follow_logs, prints the tail then live lines, and exits 0 when the stream ends (deleted)', async () => {
    onWatch = (call) => {
      for (const log of LINES) call.write(logEvent(log));
      call.write({ payload: { $case: 'warning', warning: { message: 'log buffer wrapped' } } });
      // The gateway ends a watch when the sandbox is deleted, after a last snapshot.
      call.write({ payload: { $case: 'sandbox', sandbox: makeSandbox('dev', SandboxPhase.SANDBOX_PHASE_DELETING) } });
      call.end();
    };
    const result = await run('sandbox', 'logs', 'dev', '-f', '--tail', '5', '--since', '1h', '--source', 'main', '--level', 'debug');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.split('\n').length, 4);
    assert.match(result.stdout, /^2025-01-01T00:00:01\.500Z {2}INFO {3}supervisor {2}session established/);
    assert.equal(result.stderr, 'warning: log buffer wrapped\n');
    const request = lastWatchRequest();
    assert.equal(request.id, 'id-dev');
    assert.equal(request.followLogs, true);
    assert.equal(request.followStatus, false);
    assert.equal(request.followEvents, false);
    assert.equal(request.logTailLines, 5);
    assert.equal(request.logSinceMs, T0_MS + 10_000 - 3_600_000);
    assert.deepEqual(request.logSources, ['main']);
    assert.equal(request.logMinLevel, 'debug');
    onWatch = (call) => call.emit('error', grpcError(status.NOT_FOUND, 'sandbox deleted'));
    const gone = await run('sandbox', 'logs', 'dev', '-f');
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(lastWatchRequest().logTailLines, 0xffffffff);
  });

  it('-f -o json prints one object per line', async () => {
    onWatch = (call) => {
      for (const log of LINES) call.write(logEvent(log));
      call.end();
    };
    const result = await run('sandbox', 'logs', 'dev', '--follow', '-o', 'json');
    assert.equal(result.code, 0, result.stderr);
    const objects = result.stdout.trimEnd().split('\n').map((text) => JSON.parse(text) as { message: string; level: string });
    assert.deepEqual(objects.map((object) => object.level), ['INFO', 'INFO', 'ERROR']);
  });

  it('-f ends on Ctrl-C with exit 130 and no error line', async () => {
    const controller = new AbortController();
    let isWatching!: () => void;
    const watching = new Promise<void>((resolve) => (isWatching = resolve));
    onWatch = (call) => {
      call.write(logEvent(LINES[1]!));
      isWatching();
      // Stays open, as a live follow does.
    };
    const pending = runShellgate(['sandbox', 'logs', 'dev', '-f'], { gateway: gateway.address, signal: controller.signal });
    await watching;
    controller.abort();
    const result = await pending;
    assert.equal(result.code, 130);
    assert.equal(result.stderr, '');
  });

  it('refuses bad filters with exit 2 before calling the gateway', async () => {
    const before = gateway.calls.length;
    const cases: Array<[string[], RegExp]> = [
      [['--source', 'kernel'], /--source "kernel" is not a log source; use one of gateway, sandbox, main, supervisor/],
      [['--level', 'loud'], /--level "loud" is not a log level; use one of trace, debug, info, warn, error/],
      [['--since', 'yesterday'], /--since: "yesterday" is neither a duration nor an RFC 3339 time/],
      [['--since', '2025-01-01T00:00:00'], /--since: "2025-01-01T00:00:00" is not an RFC 3339 time; write it with a zone/],
      [['--tail', '-1'], /--tail must be a non-negative integer/],
      [['--', 'x'], /takes nothing after "--"/],
    ];
    for (const [args, pattern] of cases) {
      const result = await run('sandbox', 'logs', 'dev', ...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
    }
    assert.equal(gateway.calls.length, before);
  });

  it('an unknown sandbox exits 3', async () => {
    const result = await run('sandbox', 'logs', 'missing');
    assert.equal(result.code, 3);
    assert.match(result.stderr, /sandbox "missing" not found in workspace "default"/);
  });
});
